// Public surface of the Databricks REST workspace client.
export { createWorkspaceClient, WorkspaceClient, type WorkspaceClientOptions } from './api.ts';
export * from './auth/index.ts';
export { HttpClient, type CallOptions, type HttpClientOptions, type QueryParams, type RawResponse, type RequestHook, type RequestRecord } from './http.ts';
export { hasErrorCode, isNotFound, parseErrorBody, RequestOutcomeUnknownError } from './errors.ts';
export { int64ToString, parseJson, stringifyJson, toInt64, type Int64, type Int64Input, type Lossless } from './json.ts';
export { isLoopbackHostname, normalizeHost, secureHost } from './host.ts';
export { collect, paginate, paginateByOffset } from './pagination.ts';
export { DEFAULT_RETRY_POLICY, type RetryPolicy } from './retry.ts';
export { retryUnlessApplied } from './side-effects.ts';
export { redactBody, REDACTED } from './redact.ts';
export type { RequestBody, RequestQuery, Response } from './services/endpoint.ts';
export { FilesService, type DirectoryEntry, type FileMetadata } from './services/files.ts';
export { JobsService, type BaseJob, type BaseRun, type Job, type Run } from './services/jobs.ts';
export { isTrashed, LakeviewService, type Dashboard } from './services/lakeview.ts';
export { PipelinesService, type PipelineEvent, type PipelineStateInfo, type UpdateInfo } from './services/pipelines.ts';
export { ScimService, type ScimUser } from './services/scim.ts';
export { createScopeRequest, SecretsService, type AclItem, type SecretMetadata, type SecretScope } from './services/secrets.ts';
export { WorkspaceService, type ImportRequest, type ObjectInfo } from './services/workspace.ts';
