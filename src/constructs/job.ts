import type { JobSettings, SourceLocation, TaskSettings } from '../model/types.ts';
import type { JobsTask, ResourcesJob } from '../schema/bundle-types.ts';
import type { Diagnostic } from '../validate/diagnostic.ts';
import { callerLocation, Construct } from './construct.ts';
import type { Dashboard } from './dashboard.ts';
import type { Notebook } from './notebook.ts';
import type { Pipeline } from './pipeline.ts';
import { resourceRef, type ResourceRef } from './resource.ts';
import { onTarget, reportUnknownTargets, TargetOverrides, type DeepPartial, type OverrideOptions, type ResourceOptions } from './targets.ts';

/** A handle to a task, used in `depends_on`: no task key is ever spelled twice. */
export class TaskHandle {
  constructor(
    readonly job: Job,
    readonly key: string,
  ) {}
}

export type Dependency = TaskHandle | { task: TaskHandle; outcome: 'true' | 'false' };

type TaskKinds =
  | 'notebook_task'
  | 'pipeline_task'
  | 'dashboard_task'
  | 'sql_task'
  | 'condition_task'
  | 'for_each_task'
  | 'run_job_task'
  | 'spark_python_task'
  | 'python_wheel_task';

/** Settings every task kind shares, with Databricks' field names. */
export type TaskCommon = Omit<JobsTask, 'task_key' | 'depends_on' | TaskKinds> & { depends_on?: Dependency[] };

export type NotebookTaskProps = TaskCommon & {
  notebook: Notebook;
  base_parameters?: Record<string, string>;
};
export type PipelineTaskProps = TaskCommon & { pipeline: Pipeline; full_refresh?: boolean };
export type DashboardTaskProps = TaskCommon & { dashboard: Dashboard; warehouse_id?: string };
export type SqlTaskProps = TaskCommon & { sql_task: NonNullable<JobsTask['sql_task']> };
/** Any task type with Databricks' own fields (local paths relative to the bundle root); `depends_on` takes handles. */
export type TaskProps = Omit<JobsTask, 'task_key' | 'depends_on'> & { depends_on?: Dependency[] };

type TaskSpec =
  | { kind: 'any'; props: TaskProps }
  | { kind: 'notebook'; props: NotebookTaskProps }
  | { kind: 'pipeline'; props: PipelineTaskProps }
  | { kind: 'dashboard'; props: DashboardTaskProps }
  | { kind: 'sql'; props: SqlTaskProps };

interface TaskEntry {
  key: string;
  spec: TaskSpec;
  location: SourceLocation | undefined;
}

export type JobProps = Omit<ResourcesJob, 'tasks'> & { name: string };

/** What resolve tells a job about the rest of the bundle, so references can be checked. */
export interface ResolveContext {
  /** The target being resolved, and every target the bundle declares. */
  target: string;
  targets: string[];
  owns(construct: Construct): boolean;
  report(diagnostic: Diagnostic): void;
  location(path: string, location: SourceLocation | undefined): void;
}

export class Job extends Construct {
  readonly props: JobProps;
  readonly options: ResourceOptions;
  readonly overrides = new TargetOverrides();
  private readonly tasks: TaskEntry[] = [];

  constructor(scope: Construct, id: string, props: JobProps, options: ResourceOptions = {}) {
    super(scope, id);
    this.props = props;
    this.options = options;
  }

  /** `${resources.jobs.<key>.id}`: the job id once deployed (e.g. for a run_job_task). */
  get idRef(): ResourceRef {
    return this.ref('id');
  }

  /** A reference to one of the job's fields, resolved at deploy time. */
  ref(field: string): ResourceRef {
    return resourceRef('jobs', this.id, field);
  }

  /** Settings this target adds or changes, merged as the Databricks CLI merges a target's resources (tasks by key). */
  forTarget(target: string, overrides: DeepPartial<ResourcesJob>, how: OverrideOptions = {}): this {
    this.overrides.add(target, overrides, how);
    return this;
  }

  onTarget(target: string): boolean {
    return onTarget(this.options, target);
  }

  /** A task of any type (notebook file, Python script, wheel, JAR, SQL, dbt, condition, for-each, run-job, ...). */
  task(key: string, props: TaskProps): TaskHandle {
    return this.add(key, { kind: 'any', props });
  }

  /** A handle to the task with this key, declared before or after (validate reports a key the job lacks). */
  taskRef(key: string): TaskHandle {
    return new TaskHandle(this, key);
  }

  get taskKeys(): string[] {
    return this.tasks.map((t) => t.key);
  }

  notebookTask(key: string, props: NotebookTaskProps): TaskHandle {
    return this.add(key, { kind: 'notebook', props });
  }

  pipelineTask(key: string, props: PipelineTaskProps): TaskHandle {
    return this.add(key, { kind: 'pipeline', props });
  }

  dashboardTask(key: string, props: DashboardTaskProps): TaskHandle {
    return this.add(key, { kind: 'dashboard', props });
  }

  sqlTask(key: string, props: SqlTaskProps): TaskHandle {
    return this.add(key, { kind: 'sql', props });
  }

  private add(key: string, spec: TaskSpec): TaskHandle {
    // Duplicate task keys are reported by validate (with both lines), so a definition still resolves.
    this.tasks.push({ key, spec, location: callerLocation() });
    return new TaskHandle(this, key);
  }

  toModel(ctx: ResolveContext): { settings: JobSettings } {
    const base = `resources.jobs.${this.id}`;
    ctx.location(base, this.location);
    const tasks = this.tasks.map((entry, index) => {
      const path = `${base}.tasks[${index}]`;
      ctx.location(path, entry.location);
      return this.taskSettings(entry, path, ctx);
    });
    const settings = { ...structuredClone(this.props), tasks } as JobSettings;
    reportUnknownTargets(this.overrides, this.options, base, ctx);
    return { settings: this.overrides.apply('jobs', settings, ctx.target) as JobSettings };
  }

  private taskSettings(entry: TaskEntry, path: string, ctx: ResolveContext): TaskSettings {
    const task: TaskSettings = { task_key: entry.key };
    const deps = this.dependencies(entry, path, ctx);
    if (deps.length > 0) task.depends_on = deps;
    const missing = (what: string, construct: Construct): void => {
      if (!ctx.owns(construct)) {
        ctx.report({
          severity: 'error',
          message: `Task "${entry.key}" refers to ${what} "${construct.id}", which is not part of this bundle.`,
          path,
          ...(entry.location ? { location: entry.location } : {}),
        });
      }
    };
    const spec = entry.spec;
    switch (spec.kind) {
      case 'any': {
        const { depends_on: _deps, ...rest } = spec.props;
        return { ...stripDeps(rest), ...task };
      }
      case 'notebook': {
        const { depends_on: _deps, notebook, base_parameters, ...common } = spec.props as NotebookTaskProps;
        missing('notebook', notebook);
        const params = { ...notebook.props.widgets, ...base_parameters };
        const notebookTask: Record<string, unknown> = { notebook_path: notebook.path, source: 'WORKSPACE' };
        if (Object.keys(params).length > 0) notebookTask['base_parameters'] = params;
        return { ...stripDeps(common), ...task, notebook_task: notebookTask };
      }
      case 'pipeline': {
        const { depends_on: _deps, pipeline, full_refresh, ...common } = spec.props as PipelineTaskProps;
        missing('pipeline', pipeline);
        const pipelineTask: Record<string, unknown> = { pipeline_id: pipeline.idRef };
        if (full_refresh !== undefined) pipelineTask['full_refresh'] = full_refresh;
        return { ...stripDeps(common), ...task, pipeline_task: pipelineTask };
      }
      case 'dashboard': {
        const { depends_on: _deps, dashboard, warehouse_id, ...common } = spec.props as DashboardTaskProps;
        missing('dashboard', dashboard);
        const dashboardTask: Record<string, unknown> = { dashboard_id: dashboard.idRef };
        const warehouse = warehouse_id ?? dashboard.props.warehouse_id;
        if (warehouse) dashboardTask['warehouse_id'] = warehouse;
        return { ...stripDeps(common), ...task, dashboard_task: dashboardTask };
      }
      case 'sql': {
        const { depends_on: _deps, sql_task, ...common } = spec.props as SqlTaskProps;
        return { ...stripDeps(common), ...task, sql_task: structuredClone(sql_task) };
      }
    }
  }

  /**
   * `depends_on` as the user wrote it. Types say it is a list of task handles, but a bundle in JavaScript (or
   * with a cast) can pass anything: each wrong shape is a diagnostic on the task's line, not a crash.
   */
  private dependencies(entry: TaskEntry, path: string, ctx: ResolveContext): { task_key: string; outcome?: string }[] {
    const raw: unknown = entry.spec.props.depends_on;
    if (raw === undefined) return [];
    const wrong = (where: string, what: string, value: unknown) =>
      ctx.report({
        severity: 'error',
        message: `Task "${entry.key}": ${what}, got ${describeValue(value)}.`,
        path: `${path}.${where}`,
        ...(entry.location ? { location: entry.location } : {}),
      });
    if (!Array.isArray(raw)) {
      wrong('depends_on', 'depends_on must be a list of task handles, e.g. depends_on: [ingest] where ingest = job.notebookTask(...)', raw);
      return [];
    }
    return raw.flatMap((dep: unknown, i) => {
      if (isDependency(dep)) return [this.dependency(dep, `${path}.depends_on[${i}]`, entry, ctx)];
      wrong(`depends_on[${i}]`, `depends_on[${i}] must be a task handle returned by job.notebookTask(...) (or { task, outcome })`, dep);
      return [];
    });
  }

  private dependency(dep: Dependency, path: string, entry: TaskEntry, ctx: ResolveContext) {
    const handle = dep instanceof TaskHandle ? dep : dep.task;
    if (handle.job !== this) {
      ctx.report({
        severity: 'error',
        message: `Task "${entry.key}" depends on "${handle.key}" of job "${handle.job.id}": a task can only depend on tasks of its own job.`,
        path,
        ...(entry.location ? { location: entry.location } : {}),
      });
    }
    return dep instanceof TaskHandle ? { task_key: handle.key } : { task_key: handle.key, outcome: dep.outcome };
  }
}

/** A copy of the task settings the user passed; `depends_on` (handles into the tree) is already taken out. */
function stripDeps<T extends object>(common: T): Record<string, unknown> {
  return structuredClone(common) as Record<string, unknown>;
}

function isDependency(value: unknown): value is Dependency {
  if (value instanceof TaskHandle) return true;
  return value !== null && typeof value === 'object' && (value as { task?: unknown }).task instanceof TaskHandle;
}

/** A short description of a value the user passed where something else was expected. */
function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (value instanceof TaskHandle) return `the task handle "${value.key}" (not in a list)`;
  if (typeof value === 'object') return `an object with keys ${Object.keys(value).join(', ') || '(none)'}`;
  return `${typeof value} ${JSON.stringify(value)}`;
}
