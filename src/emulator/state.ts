// The fake workspace's state as plain data: maps and records with no behaviour, so it can be
// inspected by tests, seeded, and saved to a directory (see store/). Ids are bigint (int64); file and
// notebook contents are references into a blob store (store/blobs.ts); times are epoch milliseconds.
import { idStarts } from './ids.ts';
import type { JsonObject } from './http/json.ts';
import type { BlobRef } from './store/blobs.ts';
import type { ForEachStats } from '../jobs/run-tasks.ts';

export interface UserInfo {
  id: string;
  userName: string;
  displayName: string;
}

export type ObjectType = 'DIRECTORY' | 'NOTEBOOK' | 'FILE' | 'DASHBOARD';
export type NotebookLanguage = 'PYTHON' | 'SQL' | 'SCALA' | 'R';

/** One node of the workspace tree, keyed by its absolute path (without a `/Workspace` prefix). */
export interface WorkspaceObject {
  object_type: ObjectType;
  object_id: bigint;
  created_at: number;
  modified_at: number;
  language?: NotebookLanguage;
  /** Content of notebooks and files. */
  blob?: BlobRef;
  /** For DASHBOARD objects: the Lakeview dashboard id. */
  resource_id?: string;
}

export interface JobRecord {
  job_id: bigint;
  /** JobSettings as stored (with server-side defaults applied). */
  settings: JsonObject;
  created_time: number;
  creator_user_name: string;
  run_as_user_name: string;
}

/** Result of one task attempt once it is over. */
export type TaskResult =
  | 'SUCCESS'
  | 'FAILED'
  | 'TIMEDOUT'
  | 'CANCELED'
  | 'UPSTREAM_FAILED'
  | 'UPSTREAM_CANCELED'
  | 'EXCLUDED';

export interface TaskOutputRecord {
  error?: string;
  error_trace?: string;
  notebook_output?: string;
  logs?: string;
}

/** What every task run records of one attempt: its id, timeline, result and output. */
export interface AttemptTimeline {
  run_id: bigint;
  attempt_number: number;
  /** Dependencies done: PENDING from here (BLOCKED or WAITING_FOR_RETRY before). */
  ready_at: number;
  running_at: number;
  end_at: number;
  result: TaskResult;
  /** Never executed (cancelled before it started): life cycle SKIPPED rather than TERMINATED. */
  skipped: boolean;
  state_message: string;
  output: TaskOutputRecord;
}

/**
 * One attempt of one task, with its whole timeline decided when it was planned. Reads derive the
 * life-cycle state by comparing these times with the clock.
 */
export interface TaskAttemptRecord extends AttemptTimeline {
  task_key: string;
  repair_id?: bigint;
  /** From this time the attempt shows in runs/get (a retry appears when the previous attempt ends). */
  visible_at: number;
  /** Overrides the termination code derived from the result (e.g. RESOURCE_NOT_FOUND). */
  termination_code?: string;
  pipeline_update?: { pipeline_id: string; update_id: string };
  /** What a control-flow task decided: a condition's outcome, a for-each's iteration counts, a run-job's child run. */
  control?: ControlRecord;
  /** The task values the attempt set (dbutils.jobs.taskValues), read downstream as {{tasks.<key>.values.<name>}}. */
  task_values?: Record<string, unknown>;
  /** Its parameters as it ran them, references resolved (runs/get `resolved_values`). */
  resolved_values?: JsonObject;
}

export interface ControlRecord {
  condition_outcome?: 'true' | 'false';
  for_each_stats?: ForEachStats;
  /** A for-each task's iteration runs (every attempt of each), as runs/get lists them for the task's run. */
  iterations?: IterationRecord[];
  child_run_id?: bigint;
}

/** One attempt of one iteration of a for-each task: a task run of its own (runs/get and get-output take its id). */
export interface IterationRecord extends AttemptTimeline {
  index: number;
  /** The input this iteration ran with ({{input}}). */
  input: unknown;
}

export interface RepairRecord {
  repair_id: bigint;
  requested_at: number;
  task_run_ids: bigint[];
}

export interface RunRecord {
  run_id: bigint;
  job_id: bigint;
  run_name: string;
  creator_user_name: string;
  /** run-now time; the run is QUEUED until started_at. */
  created_at: number;
  started_at: number;
  /** The job's tasks when the run started (later resets do not change a running run). */
  tasks: JsonObject[];
  job_clusters: JsonObject[];
  job_parameters: JsonObject[];
  overriding_parameters?: JsonObject;
  idempotency_token?: string;
  attempts: TaskAttemptRecord[];
  cancelled_at?: number;
  /** When the job's own timeout_seconds ended the run (TIMEDOUT). */
  timed_out_at?: number;
  repairs: RepairRecord[];
  /** `SUBMIT_RUN` for runs/submit (one-time runs of no saved job); JOB_RUN otherwise. */
  run_type?: 'JOB_RUN' | 'SUBMIT_RUN';
  /** Why the run waited in the queue before started_at. */
  queue_reason?: 'MAX_CONCURRENT_RUNS_REACHED';
  /** Never ran: the job's max_concurrent_runs was reached and queueing is off. */
  skipped?: { message: string };
  /** Executed by the workspace's task executor (not simulated); its times are filled in as it goes. */
  live?: true;
  /** A live run whose tasks are being executed now. */
  executing?: true;
  /** Started by a run-job task: that task run's id (runs/get: trigger RUN_JOB_TASK, trigger_info.run_id). */
  triggered_by_task_run?: bigint;
}

export type PipelineUpdateState =
  | 'QUEUED'
  | 'CREATED'
  | 'WAITING_FOR_RESOURCES'
  | 'INITIALIZING'
  | 'RESETTING'
  | 'SETTING_UP_TABLES'
  | 'RUNNING'
  | 'STOPPING'
  | 'COMPLETED'
  | 'FAILED'
  | 'CANCELED';

export interface PipelineEventRecord {
  id: string;
  /** Epoch ms; rendered as an RFC 3339 string. */
  timestamp: number;
  level: 'INFO' | 'WARN' | 'ERROR' | 'METRICS';
  event_type: string;
  message: string;
  origin: JsonObject;
  details: JsonObject;
  error?: JsonObject;
}

export interface PipelineUpdateRecord {
  update_id: string;
  pipeline_id: string;
  cause: 'API_CALL' | 'JOB_TASK' | 'USER_ACTION';
  full_refresh: boolean;
  validate_only: boolean;
  refresh_selection: string[];
  full_refresh_selection: string[];
  created_at: number;
  /** State changes in time order; the last one is terminal. */
  phases: { state: PipelineUpdateState; at: number }[];
  events: PipelineEventRecord[];
}

export interface PipelineRecord {
  pipeline_id: string;
  spec: JsonObject;
  creator_user_name: string;
  run_as_user_name: string;
  created_at: number;
  last_modified: number;
  updates: PipelineUpdateRecord[];
}

export type ScopeBackend = 'DATABRICKS' | 'AZURE_KEYVAULT';
export type AclPermission = 'READ' | 'WRITE' | 'MANAGE';

export interface SecretScopeRecord {
  name: string;
  backend_type: ScopeBackend;
  keyvault_metadata?: { resource_id: string; dns_name: string };
  /** key → base64 value. For Key Vault scopes these stand for the vault's secrets (read-only). */
  secrets: Record<string, { value: string; last_updated_timestamp: number }>;
  acls: Record<string, AclPermission>;
}

export interface PublishedDashboardRecord {
  display_name: string;
  warehouse_id?: string;
  embed_credentials: boolean;
  revision_create_time: number;
}

export interface DashboardRecord {
  dashboard_id: string;
  display_name: string;
  parent_path: string;
  path: string;
  serialized_dashboard: string;
  warehouse_id?: string;
  etag: string;
  lifecycle_state: 'ACTIVE' | 'TRASHED';
  create_time: number;
  update_time: number;
  published?: PublishedDashboardRecord;
}

/** Unity Catalog volume files, keyed by absolute path (`/Volumes/<catalog>/<schema>/<volume>/...`). */
export interface VolumeState {
  files: Record<string, { blob: BlobRef; modified_at: number }>;
  directories: Record<string, { created_at: number }>;
}

/** Clusters, MLflow experiments, registered models and serving endpoints, as the API returns them. */
export interface ComputeMlState {
  clusters: Record<string, JsonObject>;
  experiments: Record<string, JsonObject>;
  /** By full name `<catalog>.<schema>.<name>`. */
  registeredModels: Record<string, JsonObject>;
  /** By endpoint name. */
  servingEndpoints: Record<string, JsonObject>;
}

/** A Unity Catalog catalog. Names are stored lower-cased, as Unity Catalog does. */
export interface CatalogRecord {
  name: string;
  comment?: string;
  properties: Record<string, string>;
  storage_root?: string;
  owner: string;
  created_at: number;
  updated_at: number;
}

export interface SchemaRecord {
  name: string;
  catalog_name: string;
  comment?: string;
  properties: Record<string, string>;
  storage_root?: string;
  custom_max_retention_hours?: number;
  owner: string;
  schema_id: string;
  created_at: number;
  updated_at: number;
}

export interface UcVolumeRecord {
  name: string;
  catalog_name: string;
  schema_name: string;
  volume_type: 'MANAGED' | 'EXTERNAL';
  storage_location: string;
  comment?: string;
  owner: string;
  volume_id: string;
  created_at: number;
  updated_at: number;
}

export interface UnityCatalogState {
  /** By name. */
  catalogs: Record<string, CatalogRecord>;
  /** By full name, `<catalog>.<schema>`. */
  schemas: Record<string, SchemaRecord>;
  /** By full name, `<catalog>.<schema>.<volume>`. */
  volumes: Record<string, UcVolumeRecord>;
  /** `<securable type>/<full name>` (type lower-cased) → principal → privileges. */
  grants: Record<string, Record<string, string[]>>;
}

export type PrincipalKind = 'user_name' | 'group_name' | 'service_principal_name';

/** One direct entry of an object's access control list (Permissions API). */
export interface AclEntry {
  kind: PrincipalKind;
  name: string;
  level: string;
}

export interface WorkspaceState {
  version: number;
  currentUser: UserInfo;
  workspaceId: string;
  objects: Record<string, WorkspaceObject>;
  jobs: Record<string, JobRecord>;
  runs: Record<string, RunRecord>;
  /** run-now idempotency token → run id. */
  idempotency: Record<string, bigint>;
  pipelines: Record<string, PipelineRecord>;
  secretScopes: Record<string, SecretScopeRecord>;
  dashboards: Record<string, DashboardRecord>;
  volumes: VolumeState;
  /** Created on first use, so state directories saved before these APIs existed still load. */
  computeMl?: ComputeMlState;
  /** Unity Catalog catalogs, schemas, volumes and grants; created on first use, like computeMl. */
  unityCatalog?: UnityCatalogState;
  /** Object path (`/jobs/<id>`, `/pipelines/<id>`, `/dashboards/<id>`) → its direct access control list (first use). */
  permissions?: Record<string, AclEntry[]>;
  counters: { job: bigint; run: bigint; object: bigint; uuid: number };
}

export const DEFAULT_USER: UserInfo = {
  id: '4200000000000001',
  userName: 'emulator-user@example.com',
  displayName: 'Emulator User',
};

export interface CreateStateOptions {
  /** Issue job, run and object ids above 2^53 to exercise clients' int64 handling. */
  bigIds?: boolean;
  user?: UserInfo;
  now?: number;
}

export function emptyUnityCatalog(): UnityCatalogState {
  return { catalogs: {}, schemas: {}, volumes: {}, grants: {} };
}

/** The Unity Catalog area, created on first use (a state saved before it existed has none). */
export function unityCatalogOf(state: WorkspaceState): UnityCatalogState {
  state.unityCatalog ??= emptyUnityCatalog();
  return state.unityCatalog;
}

/** Direct access control lists by object path, created on first use. */
export function permissionsOf(state: WorkspaceState): Record<string, AclEntry[]> {
  state.permissions ??= {};
  return state.permissions;
}

/** An empty workspace with the folders every workspace has: /, /Users/<me>, /Shared. */
export function createWorkspaceState(options: CreateStateOptions = {}): WorkspaceState {
  const user = options.user ?? DEFAULT_USER;
  const now = options.now ?? 0;
  const starts = idStarts(options.bigIds ?? false);
  const state: WorkspaceState = {
    version: 2,
    currentUser: user,
    workspaceId: '1234567890123456',
    objects: {},
    jobs: {},
    runs: {},
    idempotency: {},
    pipelines: {},
    secretScopes: {},
    dashboards: {},
    volumes: { files: {}, directories: {} },
    counters: { job: starts.job, run: starts.run, object: starts.object, uuid: 1 },
  };
  for (const path of ['/', '/Users', `/Users/${user.userName}`, '/Shared']) {
    state.objects[path] = {
      object_type: 'DIRECTORY',
      object_id: state.counters.object++,
      created_at: now,
      modified_at: now,
    };
  }
  return state;
}
