// The BundleModel: plain, serialisable data for one bundle resolved for one target.
// Every phase after `resolve` (validate, synth, plan/apply, local engine) reads this, never the construct tree.
import type { GenericResourceType } from './resource-types.ts';

/** Where a definition was written: the user's file and line (1-based). */
export interface SourceLocation {
  file: string;
  line: number;
  column?: number;
}

export type TargetMode = 'development' | 'production';

export interface TargetModel {
  name: string;
  /** `development` prefixes names with `[dev <user>]` and pauses schedules, as the Databricks CLI does. */
  mode?: TargetMode;
  default?: boolean;
  /** `local` runs on the embedded DuckDB engine instead of a workspace. */
  local: boolean;
  /** The bundle's workspace settings with the target's over them (host, profile, root_path, ...). */
  workspace: Record<string, unknown> & {
    host?: string;
    profile?: string;
    root_path?: string;
  };
  /** Variable values for this target (overrides of the variables' defaults). */
  variables: Record<string, VariableValue>;
  /** Variables this target looks up by name (resolved by the Databricks CLI), as `lookup` settings. */
  lookups?: Record<string, Record<string, unknown>>;
  /** SQL warehouse used by dashboards and the SQL client on this target. */
  warehouse_id?: string;
  /** The target's other sections as the bundle schema has them (presets, permissions, run_as, sync, ...). */
  settings?: Record<string, unknown>;
}

/** A variable's value: a string, number or boolean, or for a complex variable a map or a list. */
export type VariableValue = string | number | boolean | unknown[] | { [key: string]: unknown };

export interface VariableModel {
  description?: string;
  default?: VariableValue;
  type?: 'complex';
  lookup?: Record<string, unknown>;
}

/** A job as it appears under `resources.jobs.<key>` in the bundle YAML (references already rendered as strings). */
export type JobSettings = Record<string, unknown> & {
  name: string;
  tasks: TaskSettings[];
};

export type TaskSettings = Record<string, unknown> & {
  task_key: string;
  depends_on?: { task_key: string; outcome?: string }[];
};

/** SQL column types the pipeline model enforces; the subset both Databricks SQL and DuckDB understand. */
export type ColumnType =
  | 'STRING'
  | 'INT'
  | 'BIGINT'
  | 'DOUBLE'
  | 'BOOLEAN'
  | 'DATE'
  | 'TIMESTAMP'
  | `DECIMAL(${number},${number})`;

export interface ColumnModel {
  name: string;
  type: ColumnType;
  /** SQL expression over the source row that produces the value before the cast; defaults to the column name. */
  expression?: string;
  comment?: string;
}

export type ExpectationAction = 'warn' | 'drop' | 'fail';

export interface ExpectationModel {
  name: string;
  /** SQL boolean condition a valid row satisfies. */
  condition: string;
  action: ExpectationAction;
}

export type TableSource =
  /** Auto Loader / read_files over a volume directory. */
  | { type: 'files'; path: string; format: 'parquet' | 'json' | 'csv'; options?: Record<string, string> }
  /** Another table of the same pipeline (streaming read for streaming tables). */
  | { type: 'table'; table: string };

export interface DedupeModel {
  /** Key columns: one row per key survives (SCD type 1, as DLT's AUTO CDC ... STORED AS SCD TYPE 1). */
  keys: string[];
  /** Ordering column: the row with the greatest value wins (late-arriving updates replace earlier rows). */
  sequence_by: string;
}

export type TableLayer = 'bronze' | 'silver' | 'gold';

export type TableKind = 'streaming_table' | 'materialized_view' | 'view';

export interface TableModel {
  /** `<schema>.<table>`, e.g. `silver.sales_stream`; the catalog comes from the bundle's `catalog` variable. */
  name: string;
  layer: TableLayer;
  /** Streaming tables append incrementally; materialized views and views recompute from `query`. */
  kind: TableKind;
  comment?: string;
  /** Where rows come from; absent for materialized views and views, which use `query`. */
  source?: TableSource;
  /** Declared schema: each value is try_cast to its type; a failed cast quarantines the row. */
  columns?: ColumnModel[];
  /** Optional extra filter (SQL) applied after casting. */
  where?: string;
  expectations: ExpectationModel[];
  dedupe?: DedupeModel;
  /** Table that receives dropped and uncastable rows with the names of the rules they broke. */
  quarantine_table?: string;
  /**
   * For materialized views and views: the full SELECT. Table names are written `${catalog}.<schema>.<table>`
   * (a table handle in a template string renders so; `${var.<catalog variable>}` is read the same way).
   */
  query?: string;
  location?: SourceLocation;
}

export interface PipelineModel {
  /** As under `resources.pipelines.<key>` in the bundle YAML; synth appends the generated source to `libraries`. */
  settings: Record<string, unknown> & { name: string; catalog?: string; schema?: string; libraries?: unknown[] };
  tables: TableModel[];
  /** Bundle-relative path of the generated pipeline SQL source; absent when the pipeline only has `libraries`. */
  source_path?: string;
}

export interface SecretScopeModel {
  /** As under `resources.secret_scopes.<key>`. */
  settings: {
    name: string;
    backend_type?: 'DATABRICKS' | 'AZURE_KEYVAULT';
    keyvault_metadata?: { resource_id: string; dns_name: string };
    /** Passed through to the bundle; applied by the Databricks CLI. */
    permissions?: unknown;
    lifecycle?: unknown;
  };
  /** Secret keys the bundle expects in this scope (checked by `secrets check`). */
  keys: string[];
}

/** Unity Catalog privileges of one principal (a user's e-mail, a group or a service principal's application id). */
export interface GrantModel {
  principal: string;
  privileges: string[];
}

/** A catalog the bundle owns, as under `resources.catalogs.<key>` (grants included). */
export interface CatalogModel {
  settings: Record<string, unknown> & { name: string; grants?: GrantModel[] };
}

/** A schema the bundle creates, as under `resources.schemas.<key>`. */
export interface SchemaModel {
  settings: Record<string, unknown> & { name: string; catalog_name: string; grants?: GrantModel[] };
  /** The bundle's catalog this schema lives in (catalog_name is then `${resources.catalogs.<key>.name}`). */
  catalog_key?: string;
}

/** A volume the bundle creates, as under `resources.volumes.<key>`. */
export interface VolumeModel {
  /** catalog_name and schema_name refer to the schema: `${resources.schemas.<key>.catalog_name}` and `.name`. */
  settings: Record<string, unknown> & { name: string; catalog_name: string; schema_name: string; volume_type?: string; grants?: GrantModel[] };
  /** The bundle's schema the volume lives in. */
  schema_key: string;
  /** `/Volumes/<catalog>/<schema>/<volume>` with the names as declared (the catalog may be `${var.x}`). */
  path: string;
}

/** A value a notebook template can embed: text, a number, a flag, or lists and maps of them (JSON-shaped). */
export type TemplateValue = string | number | boolean | null | TemplateValue[] | { [key: string]: TemplateValue };

export interface NotebookModel {
  /** Source file, relative to the directory of the bundle file (the file that creates the Bundle). */
  source: string;
  /** Bundle-relative path of the generated notebook, e.g. `src/notebooks/gpt_summary.py`. */
  path: string;
  language: 'PYTHON' | 'SQL';
  /** Values for the source template, already resolved; escaped per language at synth time. */
  parameters: Record<string, TemplateValue>;
  /** Parameters the notebook reads as widgets at run time (job base_parameters). */
  widgets: Record<string, string>;
  /** Secrets the notebook reads with dbutils.secrets.get; the template refers to them by these names. */
  secrets: Record<string, SecretRef>;
  /** Tables the notebook builds, in order; the generated code and the local engine both execute this model. */
  tables: TableModel[];
}

export interface SecretRef {
  scope: string;
  key: string;
}

export interface DatasetModel {
  name: string;
  display_name: string;
  /** SQL over the gold tables; `${catalog}` and `${schema}` are substituted per target. */
  query: string;
}

export type WidgetKind = 'line' | 'bar' | 'table' | 'text' | 'counter';

export interface WidgetModel {
  name: string;
  title: string;
  kind: WidgetKind;
  dataset: string;
  /** Column on the x axis (or the first column shown). */
  x?: string;
  /** Column on the y axis (or value column). */
  y?: string;
  /** For table widgets: the columns to show. */
  columns?: string[];
  /** Position on the 6-column Lakeview grid. */
  position: { x: number; y: number; width: number; height: number };
}

export interface DashboardModel {
  /** As under `resources.dashboards.<key>`, without `file_path` (synth adds it). */
  settings: Record<string, unknown> & { display_name: string; warehouse_id?: string };
  datasets: DatasetModel[];
  widgets: WidgetModel[];
  /** Bundle-relative path of the `.lvdash.json`: generated, or the user's own file when `from_file`. */
  file_path: string;
  /** The dashboard is an existing `.lvdash.json` (no datasets or widgets to generate from). */
  from_file?: true;
}

/** A resource of a type without a hand-written construct: its settings as under `resources.<type>.<key>`. */
export interface GenericResourceModel {
  settings: Record<string, unknown>;
}

/** Every other resource type of the bundle schema (clusters, experiments, apps, ...), present when declared. */
export type GenericResources = { [K in GenericResourceType]?: Record<string, GenericResourceModel> };

export interface BundleModel {
  bundle: { name: string };
  /** Unity Catalog catalog holding the bronze, silver and gold schemas (the `catalog` variable, resolved). */
  catalog: string;
  target: TargetModel;
  /** All targets declared, so databricks.yml lists them all. */
  targets: Record<string, TargetModel>;
  variables: Record<string, VariableModel>;
  resources: {
    jobs: Record<string, { settings: JobSettings }>;
    pipelines: Record<string, PipelineModel>;
    secret_scopes: Record<string, SecretScopeModel>;
    dashboards: Record<string, DashboardModel>;
    catalogs: Record<string, CatalogModel>;
    schemas: Record<string, SchemaModel>;
    volumes: Record<string, VolumeModel>;
  } & GenericResources;
  notebooks: Record<string, NotebookModel>;
  /**
   * Tables the bundle reads but does not build (`app.externalTable(...)`): `schema.table` in the bundle's
   * catalog, or `catalog.schema.table`.
   */
  external_tables?: { name: string; location?: SourceLocation }[];
  /**
   * Schemas of the bundle's catalog, name → resource key. Generated code names them `${schema_<name>}`, filled
   * per target with the name the schema is deployed under (development mode prefixes it; model/namespace.ts).
   */
  schema_keys?: Record<string, string>;
  /** Top-level sections of databricks.yml as the bundle schema has them (bundle details, workspace, sync, presets, ...). */
  settings?: Record<string, unknown>;
  /** Configuration written into the bundle as given (Bundle.verbatim), in declaration order. */
  verbatim?: Record<string, unknown>[];
  /** Where the bundle's own source files are, relative to the project folder. */
  source_root?: string;
  /** Config path (e.g. `resources.jobs.unified-workflow.tasks[2]`) → where the user defined it. */
  locations: Record<string, SourceLocation>;
}
