// Plain data shared by plan, apply and state: what the bundle wants, what the last deploy recorded, and what
// a deploy is about to do. No behaviour here.

/**
 * Resource kinds in the order a deploy creates them: the catalog objects data lives in first, jobs last (they
 * refer to everything else).
 */
export const RESOURCE_KINDS = [
  'catalogs',
  'schemas',
  'volumes',
  'secret_scopes',
  'files',
  'clusters',
  'experiments',
  'registered_models',
  'model_serving_endpoints',
  'pipelines',
  'dashboards',
  'jobs',
  // An object's permissions, once the object exists (`permissions.<kind>.<key>`).
  'permissions',
  // A catalog object's grants, once it exists (`grants.<kind>.<key>`).
  'grants',
] as const;

/** Kinds that hold data; pipelines, jobs and dashboards are deployed after all of them. */
export const CATALOG_KINDS: readonly ResourceKind[] = ['catalogs', 'schemas', 'volumes'];
export type ResourceKind = (typeof RESOURCE_KINDS)[number];

/** `<kind>.<key>`, e.g. `jobs.unified-workflow` or `files.src/notebooks/gpt_summary.py`. */
export type Address = string;

export function addressOf(kind: ResourceKind, key: string): Address {
  return `${kind}.${key}`;
}

export function parseAddress(address: Address): { kind: ResourceKind; key: string } {
  const dot = address.indexOf('.');
  const kind = address.slice(0, dot) as ResourceKind;
  if (dot < 0 || !RESOURCE_KINDS.includes(kind)) throw new Error(`not a resource address: ${address}`);
  return { kind, key: address.slice(dot + 1) };
}

/** One resource as this deploy wants it. */
export interface DesiredResource {
  address: Address;
  kind: ResourceKind;
  key: string;
  /**
   * The settings sent to the API, with presets applied and every `${...}` resolved except references to other
   * resources' ids (`${resources.<kind>.<key>.id}`), which are resolved when those resources exist.
   */
  settings: Record<string, unknown>;
  /** Resources that must exist first: referenced by id, or (for jobs and pipelines) the files they run. */
  dependsOn: Address[];
  /** Bytes that are not part of `settings` (file contents, serialized dashboards); only their hash is compared. */
  payload?: string | Uint8Array;
}

/** What the last deploy recorded about one resource. */
export interface StateEntry {
  /**
   * Databricks id (job_id as decimal text, pipeline id, dashboard id, scope name, workspace path; the full name
   * of a catalog, schema or volume).
   */
  id: string;
  /** sha256 of the applied settings and payload. */
  hash: string;
  /** The applied settings (without payload), for field-by-field diffs. */
  settings?: Record<string, unknown>;
  depends_on?: Address[];
  /** Lakeview etag after the last write: a different remote etag means the dashboard was edited. */
  etag?: string;
  /** Recorded by `dbx-ts bind`, not by a deploy: the next deploy applies the bundle's settings to it. */
  bound?: true;
  /** Recorded just before a create; the object, if it exists, is the one that create made. */
  pending?: true;
}

export interface DeployState {
  version: 1;
  bundle: string;
  target: string;
  root_path: string;
  /** Increases with every save; lets a reader pick the newer of the workspace copy and the local cache. */
  serial: number;
  resources: Record<Address, StateEntry>;
}

export type ActionType = 'create' | 'update' | 'replace' | 'delete' | 'noop';

export interface FieldChange {
  /** Dotted path, arrays by key where they have one: `tasks[gpt_summary].timeout_seconds`. */
  path: string;
  before?: unknown;
  after?: unknown;
  /** Where the difference was seen: the bundle changed (`local`) or someone edited the workspace (`remote`). */
  source: 'local' | 'remote';
  /** This field cannot be updated in place: the resource is deleted and created again. */
  recreate?: boolean;
}

export interface PlannedAction {
  address: Address;
  kind: ResourceKind;
  key: string;
  action: ActionType;
  /** Existing id (update, replace, delete, noop; or an adopted resource). */
  id?: string;
  /** Found by its identity (tags, or its path in the bundle's folder), not recorded in state: the deploy adopts it. */
  adopted?: boolean;
  /** Recorded by `dbx-ts bind`: the first deploy since takes it over. */
  bound?: boolean;
  /**
   * Another object holds the name this resource needs and is not this bundle's: the action cannot be applied
   * until it is bound (`dbx-ts bind`) or the resource is renamed. Deploy stops before any write.
   */
  conflict?: { id: string; fix: string };
  reason?: string;
  changes: FieldChange[];
}

/** Something the bundle declares that a dbx-ts deploy does not apply: plan and deploy name each one. */
export interface ExternalItem {
  /** Config path, e.g. `resources.apps.explorer` or `resources.clusters.c.permissions`. */
  path: string;
  reason: string;
}

export interface DeployPlan {
  bundle: string;
  target: string;
  root_path: string;
  actions: PlannedAction[];
  /** Declared but left to the Databricks CLI (no dbx-ts adapter); never silently skipped. */
  external?: ExternalItem[];
}

/** Where a bundle lives in the workspace. */
export interface BundlePaths {
  root: string;
  files: string;
  state: string;
  /** Parent folder of dashboards (the CLI's `${workspace.resource_path}`). */
  resources: string;
}

export interface CurrentUser {
  userName: string;
  shortName: string;
  displayName?: string;
}
