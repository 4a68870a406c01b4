// The public API: constructs for bundle definitions, and what a bundle's extensions (local notebook
// implementations, a simulator, result views) need. Nothing here loads DuckDB or the LLM SDK until it is used.
export { Bundle, type BundleProps, type BundleSettings, type TargetProps, type TargetSettings, type TargetVariable, type VariableProps } from './constructs/bundle.ts';
export { Catalog, type CatalogProps } from './constructs/catalog.ts';
export { Construct } from './constructs/construct.ts';
export type { Grant } from './constructs/grants.ts';
export { Dashboard, type DashboardProps, type FileDashboardProps, type GeneratedDashboardProps } from './constructs/dashboard.ts';
export { Job, TaskHandle, type Dependency, type JobProps, type TaskProps } from './constructs/job.ts';
export { Notebook, type NotebookProps } from './constructs/notebook.ts';
export { Pipeline, type PipelineProps } from './constructs/pipeline.ts';
export { SecretHandle, type VarRef } from './constructs/refs.ts';
export { Schema, type SchemaProps } from './constructs/schema.ts';
export { ResultView, type ResultViewProps } from './constructs/result-view.ts';
export { Resource, resourceRef, type ResourceRef } from './constructs/resource.ts';
export type { DeepPartial, OverrideOptions, ResourceOptions } from './constructs/targets.ts';
export { unchecked } from './constructs/unchecked.ts';
export type { GenericResourceType, ResourceSettings, ResourceType } from './model/resource-types.ts';
export { SecretScope, type SecretScopeProps } from './constructs/secret-scope.ts';
export { Simulator, type SimulatorProps } from './constructs/simulator.ts';
export type { TableDefinition } from './constructs/table.ts';
export { TableHandle } from './constructs/table-handle.ts';
export { Volume, type VolumeProps } from './constructs/volume.ts';
export { resolve, type Resolved } from './model/resolve.ts';
export type * from './model/types.ts';

// Extension points and what they are given.
export type { Extensions } from './extensions/registry.ts';
export type {
  LocalNotebookContext,
  LocalNotebookRun,
  ResultViewContext,
  SimulatorContext,
  SimulatorOption,
  SimulatorOptionValue,
} from './extensions/types.ts';
export type { DbxEvent, EventLevel, EventSink } from './events/types.ts';
export type { SqlClient, SqlColumn, SqlParams, SqlRow } from './sql/types.ts';
export type { LocalPaths } from './local/paths.ts';
export { RemoteApiError, UserError } from './errors/index.ts';
export { ParquetWriter, type ParquetColumn, type ParquetColumnType, type ParquetRow } from './local/parquet-writer.ts';
export {
  checkLlmBaseUrl,
  completeChat,
  DEFAULT_LLM_MAX_RETRIES,
  DEFAULT_LLM_TIMEOUT_MS,
  DEFAULT_OPENAI_BASE_URL,
  redactSecrets,
  resolveLlmConfig,
  type Completion,
  type LlmConfig,
  type LlmOptions,
} from './llm/index.ts';
export { checkPlainIdentifier } from './sql/identifiers.ts';
export { queryAll, type SqlQueryRunner } from './sql/query-all.ts';
// Redaction: code that handles a secret (an LLM key, a secret value) registers it; everything dbx-ts prints or
// writes is scrubbed of it.
export { redact, registerSecret } from './redaction/index.ts';

// Unit tests of a bundle's own tables: its job run as `dbx-ts run -t local` runs it, on a few rows.
export { runTablesLocally, type LandingContent, type LandingFiles, type LocalTablesRun, type RunTablesLocallyOptions } from './testing/run-tables-locally.ts';
export type { TableUpdateResult } from './local/engine/accounting.ts';
