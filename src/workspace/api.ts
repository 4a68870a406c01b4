// WorkspaceClient: every service over one authenticated HTTP client, built from unified-auth configuration.
import type { EventSink } from '../events/types.ts';
import { readConfigFile, type ConfigFile } from './auth/config-file.ts';
import { resolveAuth, type AuthDeps, type TargetWorkspace } from './auth/resolve.ts';
import type { AuthDescription, CredentialsProvider } from './auth/types.ts';
import { HttpClient, type HttpClientOptions, type RequestHook } from './http.ts';
import type { RetryPolicy } from './retry.ts';
import type { ServiceContext } from './services/endpoint.ts';
import { ClustersService } from './services/clusters.ts';
import { ExperimentsService } from './services/experiments.ts';
import { FilesService } from './services/files.ts';
import { GrantsService } from './services/grants.ts';
import { JobsService } from './services/jobs.ts';
import { LakeviewService } from './services/lakeview.ts';
import { PermissionsService } from './services/permissions.ts';
import { PipelinesService } from './services/pipelines.ts';
import { RegisteredModelsService } from './services/registered-models.ts';
import { ScimService } from './services/scim.ts';
import { SecretsService } from './services/secrets.ts';
import { ServingEndpointsService } from './services/serving-endpoints.ts';
import { CatalogsService, SchemasService, VolumesService } from './services/unity-catalog.ts';
import { WarehousesService } from './services/warehouses.ts';
import { WorkspaceService } from './services/workspace.ts';
import { tokenIssuer, type TokenIssuer } from './token-issuer.ts';

export class WorkspaceClient {
  readonly jobs: JobsService;
  readonly pipelines: PipelinesService;
  readonly workspace: WorkspaceService;
  readonly files: FilesService;
  readonly secrets: SecretsService;
  readonly lakeview: LakeviewService;
  readonly scim: ScimService;
  readonly clusters: ClustersService;
  readonly experiments: ExperimentsService;
  readonly registeredModels: RegisteredModelsService;
  readonly servingEndpoints: ServingEndpointsService;
  readonly catalogs: CatalogsService;
  readonly schemas: SchemasService;
  readonly volumes: VolumesService;
  readonly grants: GrantsService;
  readonly permissions: PermissionsService;
  readonly warehouses: WarehousesService;

  constructor(
    readonly http: HttpClient,
    private readonly description: AuthDescription,
    private readonly credentials?: CredentialsProvider,
  ) {
    const auth = () => this.auth;
    const ctx: ServiceContext = {
      http,
      // Read when needed: a chain decides its method at the first request.
      get authType() {
        return auth().auth_type;
      },
    };
    this.jobs = new JobsService(ctx);
    this.pipelines = new PipelinesService(ctx);
    this.workspace = new WorkspaceService(ctx);
    this.files = new FilesService(ctx);
    this.secrets = new SecretsService(ctx);
    this.lakeview = new LakeviewService(ctx);
    this.scim = new ScimService(ctx);
    this.clusters = new ClustersService(ctx);
    this.experiments = new ExperimentsService(ctx);
    this.registeredModels = new RegisteredModelsService(ctx);
    this.servingEndpoints = new ServingEndpointsService(ctx);
    this.catalogs = new CatalogsService(ctx);
    this.schemas = new SchemasService(ctx);
    this.volumes = new VolumesService(ctx);
    this.grants = new GrantsService(ctx);
    this.permissions = new PermissionsService(ctx);
    this.warehouses = new WarehousesService(ctx);
  }

  get host(): string {
    return this.http.host;
  }

  /** Who issues this client's tokens (Entra ID, Databricks, or unknown); the token itself is not exposed. */
  tokenIssuer(): Promise<TokenIssuer> {
    return tokenIssuer(this.auth.auth_type, this.credentials);
  }

  /**
   * How this client authenticates (for `auth whoami|describe`); never contains a secret. When the method is
   * decided at the first request (the Databricks CLI login, else a fallback), this says which one won after it.
   */
  get auth(): AuthDescription {
    if (this.credentials === undefined || this.credentials.undecided?.() !== false) return this.description;
    const { fallback: _decided, ...description } = this.description;
    const skipped = this.credentials.skipped?.() ?? [];
    return { ...description, auth_type: this.credentials.authType, ...(skipped.length > 0 ? { skipped } : {}) };
  }
}

export interface WorkspaceClientOptions {
  /** Environment to resolve from; defaults to process.env. */
  env?: Record<string, string | undefined>;
  /** Explicit host and profile win over the environment and the config file (the SDKs' constructor arguments). */
  host?: string;
  profile?: string;
  /** A bundle target's workspace.host / workspace.profile, resolved as the Databricks CLI's bundle commands do. */
  target?: TargetWorkspace;
  authType?: string;
  /** The config file; by default read from DATABRICKS_CONFIG_FILE or ~/.databrickscfg. `null` means none. */
  configFile?: ConfigFile | null;
  events?: EventSink;
  onRequest?: RequestHook;
  retry?: Partial<RetryPolicy>;
  requestTimeoutMs?: number;
  /** For tests: clock, sleep and randomness of the retry loop and token caches, and fake Azure credentials. */
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
  azureCredentialFactory?: AuthDeps['azureCredentialFactory'];
}

function httpOptions(host: string, credentials: CredentialsProvider, options: WorkspaceClientOptions): HttpClientOptions {
  const http: HttpClientOptions = { host, credentials };
  if (options.events !== undefined) http.events = options.events;
  if (options.onRequest !== undefined) http.onRequest = options.onRequest;
  if (options.retry !== undefined) http.retry = options.retry;
  if (options.requestTimeoutMs !== undefined) http.requestTimeoutMs = options.requestTimeoutMs;
  if (options.now !== undefined) http.now = options.now;
  if (options.sleep !== undefined) http.sleep = options.sleep;
  if (options.random !== undefined) http.random = options.random;
  return http;
}

/** Resolves host and credentials the way the Databricks CLI does and returns a ready client (no I/O yet). */
export function createWorkspaceClient(options: WorkspaceClientOptions = {}): WorkspaceClient {
  const env = options.env ?? process.env;
  const configFile = options.configFile === null ? undefined : (options.configFile ?? readConfigFile(env));
  const deps: AuthDeps = {};
  if (options.now !== undefined) deps.now = options.now;
  if (options.azureCredentialFactory !== undefined) deps.azureCredentialFactory = options.azureCredentialFactory;
  const resolved = resolveAuth(
    {
      env,
      ...(configFile === undefined ? {} : { configFile }),
      ...(options.host === undefined ? {} : { host: options.host }),
      ...(options.profile === undefined ? {} : { profile: options.profile }),
      ...(options.authType === undefined ? {} : { authType: options.authType }),
      ...(options.target === undefined ? {} : { target: options.target }),
    },
    deps,
  );
  const http = new HttpClient(httpOptions(resolved.description.host, resolved.provider, options));
  return new WorkspaceClient(http, resolved.description, resolved.provider);
}
