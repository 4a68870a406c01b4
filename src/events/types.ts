// The engine never prints: it emits these events and the CLI decides how to show them
// (a live view on a terminal, one line per change in CI, NDJSON with --json).

export type EventLevel = 'debug' | 'info' | 'warn' | 'error' | 'result';

/** State of one task of a run, local or remote; the renderer keys its table rows on `task_key`. */
export interface TaskStateData {
  run_id: string;
  task_key: string;
  /** Life-cycle state as Databricks reports it (QUEUED, PENDING, RUNNING, TERMINATED, SKIPPED, ...). */
  state: string;
  /** Result when terminated: SUCCESS, FAILED, CANCELED, TIMEDOUT, UPSTREAM_FAILED, ... */
  result?: string;
  start_time?: number;
  end_time?: number;
  attempt?: number;
  /** For pipeline tasks: the pipeline update id. */
  update_id?: string;
  message?: string;
}

export interface ExpectationMetric {
  dataset: string;
  expectation: string;
  action: 'warn' | 'drop' | 'fail';
  passed_records: number;
  failed_records: number;
  dropped_records: number;
}

interface EventShape<C extends string, D> {
  code: C;
  level: EventLevel;
  message: string;
  data: D;
}

/** Typed events with stable codes. Add new codes here; renderers fall back to `message` for unknown ones. */
export type DbxEvent =
  | EventShape<'task.state', TaskStateData>
  | EventShape<'run.started', { run_id: string; job_key: string; url?: string }>
  | EventShape<'run.finished', { run_id: string; result: string; duration_ms?: number }>
  /** A pipeline update started by `dbx-ts run <pipeline-key>` (state CREATED), and again when it ended. */
  | EventShape<'pipeline.update', { pipeline_key: string; pipeline_id: string; update_id: string; url?: string; state: string; refresh_selection?: string[]; full_refresh_selection?: string[]; full_refresh?: boolean; validate_only?: boolean }>
  | EventShape<'quality.metrics', { run_id?: string; pipeline: string; metrics: ExpectationMetric[] }>
  /** How a table is maintained in a pipeline update: skipped (NO_OP) when nothing it reads changed, else the technique and why. */
  | EventShape<'table.refresh', { update_id: string; table: string; technique: string; reason: string; skipped: boolean }>
  | EventShape<'table.preview', { table: string; columns: string[]; rows: unknown[][] }>
  | EventShape<'summary.text', { model: string; text: string }>
  | EventShape<'artifact.written', { kind: string; path: string }>
  | EventShape<'deploy.plan', { actions: unknown[]; external?: unknown[] }>
  | EventShape<'deploy.action', { resource: string; action: string; status: string }>
  /** A preflight check failed (plan shows it as a warning; deploy stops with an error instead). */
  | EventShape<'deploy.preflight', { check: string; fix: string }>
  /** The deploy lock changed hands: a stale lock taken over, or ours lost to someone else. */
  | EventShape<'deploy.lock', { action: 'takeover' | 'lost'; path: string; holder?: unknown; reason?: string }>
  | EventShape<'deploy.external', { paths: string[] }>
  /** A task of a run failed or timed out: why, the end of its trace, what it kept from running, where to look. */
  | EventShape<'task.failure', { task_key: string; result: string; error: string; trace?: string; skipped: string[]; run_page_url?: string }>
  /** dbx-ts stops a run or a pipeline update it started or was asked to (interrupt, --timeout, --restart). */
  | EventShape<'run.cancelling', { run_id?: string; update_id?: string; reason: 'signal' | 'timeout' | 'restart' }>
  /** Watching a run, the workspace stopped answering (`lost`) or answers again (`restored`). */
  | EventShape<'watch.connection', { run_id: string; state: 'lost' | 'restored' }>
  /** `dbx-ts dashboard --serve` listens at `url`; `dashboard.updated` each time it sends open pages new data. */
  | EventShape<'dashboard.served', { dashboard: string; url: string }>
  | EventShape<'dashboard.updated', { dashboard: string; version: string; clients: number }>
  /** `run --continuous`: new landing files arrived, so the job's tasks run again. */
  | EventShape<'continuous.trigger', { files: string[] }>
  | EventShape<'diagnostic', { severity: 'error' | 'warning'; path?: string; file?: string; line?: number }>
  | EventShape<'log', Record<string, unknown>>;

export type EventSink = (event: DbxEvent) => void;

/** A sink that drops everything, for library use and tests that don't look at events. */
export const silentSink: EventSink = () => {};

/** A sink that records events, for tests. */
export function recordingSink(): EventSink & { events: DbxEvent[] } {
  const events: DbxEvent[] = [];
  const sink = ((e: DbxEvent) => {
    events.push(e);
  }) as EventSink & { events: DbxEvent[] };
  sink.events = events;
  return sink;
}
