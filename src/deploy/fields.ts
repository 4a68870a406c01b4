// How each resource kind's fields behave in a diff, as data (the Databricks CLI keeps the same table in
// bundle/direct/dresources/resources.yml): which changes need delete + create, which remote values are not
// compared, and which arrays are matched by a key rather than by position.
import type { ResourceKind } from './types.ts';

export interface FieldRules {
  /** Changing one of these cannot be done in place: the resource is deleted and created again. */
  recreateOnChange: string[];
  /** Remote values never compared: filled in or rewritten by the server, write-only, or tracked by etag. */
  ignoreRemote: string[];
  /** Arrays whose elements are matched by a key field, e.g. job tasks by task_key. */
  arrayKeys: Record<string, string>;
}

const JOB_RULES: FieldRules = {
  recreateOnChange: [],
  ignoreRemote: [
    // The server reports these from its own bookkeeping or drops them.
    'format',
    'run_as',
    'tasks[*].notebook_task.source',
    'tasks[*].run_if',
    'edit_mode',
    'deployment',
  ],
  arrayKeys: {
    tasks: 'task_key',
    'tasks[*].depends_on': 'task_key',
    job_clusters: 'job_cluster_key',
    environments: 'environment_key',
    parameters: 'name',
  },
};

const PIPELINE_RULES: FieldRules = {
  recreateOnChange: ['storage', 'ingestion_definition.connection_name', 'ingestion_definition.ingestion_gateway_id', 'gateway_definition'],
  ignoreRemote: ['id', 'run_as', 'allow_duplicate_names'],
  arrayKeys: { clusters: 'label', notifications: 'email_recipients' },
};

const SCOPE_RULES: FieldRules = {
  // A scope cannot be renamed or moved to another backend; recreating it loses its secrets (the plan says so).
  recreateOnChange: ['scope', 'scope_backend_type', 'backend_azure_keyvault', 'initial_manage_principal'],
  ignoreRemote: ['initial_manage_principal'],
  arrayKeys: {},
};

const DASHBOARD_RULES: FieldRules = {
  recreateOnChange: ['parent_path'],
  // serialized_dashboard is compared through the etag; dataset_* are write-only query parameters.
  ignoreRemote: ['serialized_dashboard', 'dataset_catalog', 'dataset_schema', 'embed_credentials', 'etag'],
  arrayKeys: {},
};

const FILE_RULES: FieldRules = {
  // Moving a notebook to another path is a new file (and the old one is deleted), never an update.
  recreateOnChange: ['path', 'object_type'],
  ignoreRemote: ['content_sha256'],
  arrayKeys: {},
};

const CLUSTER_RULES: FieldRules = {
  recreateOnChange: [],
  // The cloud attributes are filled in and rewritten by the service (the CLI ignores their drift too).
  ignoreRemote: ['aws_attributes', 'azure_attributes', 'gcp_attributes'],
  arrayKeys: {},
};

const EXPERIMENT_RULES: FieldRules = {
  // The artifact location is fixed when the experiment is created.
  recreateOnChange: ['artifact_location'],
  ignoreRemote: [],
  arrayKeys: { tags: 'key' },
};

const REGISTERED_MODEL_RULES: FieldRules = {
  // The three parts of the full name are the model's identity; storage cannot move.
  recreateOnChange: ['name', 'catalog_name', 'schema_name', 'storage_location'],
  ignoreRemote: [],
  arrayKeys: {},
};

const SERVING_ENDPOINT_RULES: FieldRules = {
  // The name is the identity; description, route optimisation and where inference tables go are immutable.
  recreateOnChange: ['name', 'description', 'route_optimized', 'config.auto_capture_config.catalog_name', 'config.auto_capture_config.schema_name', 'config.auto_capture_config.table_name_prefix'],
  // budget_policy_id is never returned by GET; burst scaling and plaintext keys are write-only.
  ignoreRemote: ['budget_policy_id', 'rate_limits', 'config.served_entities[*].burst_scaling_enabled', 'config.served_entities[*].external_model', 'telemetry_config'],
  arrayKeys: { tags: 'key' },
};

const CATALOG_RULES: FieldRules = {
  // A catalog can be renamed in place (new_name); where its data lives cannot change.
  recreateOnChange: ['storage_root', 'connection_name', 'provider_name', 'share_name'],
  ignoreRemote: [],
  arrayKeys: {},
};

const SCHEMA_RULES: FieldRules = {
  // As the Databricks CLI: a schema with another name or catalog is another schema.
  recreateOnChange: ['name', 'catalog_name', 'storage_root'],
  ignoreRemote: [],
  arrayKeys: {},
};

const VOLUME_RULES: FieldRules = {
  // A volume can be renamed in place (new_name); moving it to another schema or storage cannot be.
  recreateOnChange: ['catalog_name', 'schema_name', 'storage_location', 'volume_type'],
  ignoreRemote: [],
  arrayKeys: {},
};

const PERMISSION_RULES: FieldRules = {
  // A list belongs to one object: another object (a replaced job's new id) is another list.
  recreateOnChange: ['object_type', 'object_id'],
  // Read back from the id the list was set on (a job id comes back as text, not as the int64 sent).
  ignoreRemote: ['object_type', 'object_id'],
  arrayKeys: { access_control_list: 'principal' },
};

const GRANT_RULES: FieldRules = {
  // A list belongs to one securable: another securable (a renamed schema) is another list.
  recreateOnChange: ['securable_type', 'full_name'],
  // Read back from the id the grants were set on (Unity Catalog reports names in lower case).
  ignoreRemote: ['securable_type', 'full_name'],
  arrayKeys: { privilege_assignments: 'principal' },
};

export const FIELD_RULES: Record<ResourceKind, FieldRules> = {
  permissions: PERMISSION_RULES,
  grants: GRANT_RULES,
  catalogs: CATALOG_RULES,
  schemas: SCHEMA_RULES,
  volumes: VOLUME_RULES,
  clusters: CLUSTER_RULES,
  experiments: EXPERIMENT_RULES,
  registered_models: REGISTERED_MODEL_RULES,
  model_serving_endpoints: SERVING_ENDPOINT_RULES,
  jobs: JOB_RULES,
  pipelines: PIPELINE_RULES,
  secret_scopes: SCOPE_RULES,
  dashboards: DASHBOARD_RULES,
  files: FILE_RULES,
};

/** `tasks[gpt_summary].notebook_task.source` → `tasks[*].notebook_task.source`. */
export function patternOf(path: string): string {
  return path.replace(/\[[^\]]*\]/g, '[*]');
}

/** True if `path` is `pattern` or lies under it. */
export function pathMatches(path: string, pattern: string): boolean {
  const p = patternOf(path);
  return p === pattern || p.startsWith(`${pattern}.`) || p.startsWith(`${pattern}[`);
}

export function matchesAny(path: string, patterns: readonly string[]): boolean {
  return patterns.some((pattern) => pathMatches(path, pattern));
}
