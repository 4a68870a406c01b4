// What a bundle can plug into dbx-ts beside its resources: a local implementation of a notebook, a data
// simulator, result views. They are functions, so they live in the construct tree and in the registry that
// resolve returns beside the model (src/extensions/registry.ts), never in the model itself.
import type { EventSink } from '../events/types.ts';
import type { LocalPaths } from '../local/paths.ts';
import type { BundleModel, NotebookModel } from '../model/types.ts';
import type { SqlClient } from '../sql/types.ts';
import type { TaskValueSetter } from '../jobs/task-values.ts';

/** What a local implementation of a notebook gets when its task runs on the local target. */
export interface LocalNotebookContext {
  task_key: string;
  /** The notebook's key in the bundle (its construct id). */
  notebook_key: string;
  notebook: NotebookModel;
  /**
   * The run's widget values, as the Jobs service passes them: the notebook's widget defaults, overridden by the
   * task's base_parameters, overridden by job parameters (their defaults, or `--param name=value`).
   */
  widgets: Readonly<Record<string, string>>;
  /** The catalog the notebook works in: its `catalog` widget, else the bundle's catalog. */
  catalog: string;
  model: BundleModel;
  /** A SQL client on the local database of `catalog` (DuckDB, Databricks SQL functions installed). Close it when done. */
  openSql(): Promise<SqlClient>;
  /** Builds the notebook's tables (if it declares any) as the generated notebook does; returns what it did, in one line. */
  runTables(): Promise<string>;
  /** The value of a secret the notebook declares, by the name its template uses, from the local secret scope. */
  secret(name: string): string | undefined;
  env: Readonly<Record<string, string | undefined>>;
  /** Events to show: the engine never prints. */
  sink: EventSink;
  paths: LocalPaths;
  /** The local folder that stands for a volume path (`/Volumes/<catalog>/<schema>/<volume>/...`; `${catalog}` is filled in). */
  localPath(volumePath: string): string;
  /** Aborted when the run is cancelled or times out. */
  signal: AbortSignal;
  /**
   * For a notebook that only derives from tables (a summary): true when this task last succeeded on the same state
   * of these schemas of `catalog` (every schema when none are named) and the run does not force a refresh, so it
   * can return at once. Once asked, the state the task leaves behind is recorded when it succeeds.
   */
  inputsUnchanged(schemas?: readonly string[]): Promise<boolean>;
  /**
   * The task's task values, as dbutils.jobs.taskValues.set sets them: a key, a value expressible as JSON (at most
   * 48 KiB of it); later tasks of the run read them as {{tasks.<task_key>.values.<key>}}. The notebook's Databricks
   * source sets the same values with dbutils.jobs.taskValues.set for the job to behave the same there.
   */
  taskValues: TaskValueSetter;
}

/**
 * Runs in place of a notebook on the local target (for notebooks that are not only table models, e.g. one that
 * calls an API). The text returned is shown in the task table; throwing fails the task.
 */
export type LocalNotebookRun = (ctx: LocalNotebookContext) => Promise<string | void>;

export type SimulatorOptionValue = string | number | boolean;

/** A command-line option of `dbx-ts simulate`, declared by the bundle's simulator. */
export interface SimulatorOption {
  description: string;
  type: 'integer' | 'number' | 'boolean' | 'string';
  default?: SimulatorOptionValue;
  /** Bounds for numbers (inclusive). */
  min?: number;
  max?: number;
}

export interface SimulatorContext {
  /**
   * The local folder to write into: on the local target the landing folder itself; on a workspace target a
   * scratch folder whose files are uploaded to `volume` (with their relative paths).
   */
  dir: string;
  /** The volume path `dir` stands for, e.g. `/Volumes/main/landing/raw`. */
  volume: string;
  catalog: string;
  model: BundleModel;
  /** Option values: what the command line gave, else the option's default; absent when neither. */
  options: Readonly<Record<string, SimulatorOptionValue | undefined>>;
  /**
   * Says a file under `dir` is complete. On a workspace target it is uploaded at once (a streaming simulator
   * calls this per file); data files never announced are uploaded when the simulator returns (paths with a part
   * starting with `_` or `.`, which Auto Loader skips, only when announced).
   */
  fileWritten(relativePath: string): Promise<void>;
  sink: EventSink;
  signal: AbortSignal;
  env: Readonly<Record<string, string | undefined>>;
}

/** What a result view gets: the target's SQL client (local DuckDB or the SQL warehouse) and where to show rows. */
export interface ResultViewContext {
  sql: SqlClient;
  catalog: string;
  model: BundleModel;
  sink: EventSink;
  /** `--limit` of `dbx-ts show <view>`; undefined after a run (the view picks a short preview). */
  limit?: number;
  /** `run`: shown after a successful run; `show`: asked for by name. */
  trigger: 'run' | 'show';
  /** A schema of the bundle by its declared name (`gold`) → its name on this target (development mode prefixes it). */
  schema(name: string): string;
  /** Runs a statement and shows its rows as a table under `title` (`table` names what they come from); returns the row count. */
  preview(statement: string, title: string, table?: string): Promise<number>;
}
