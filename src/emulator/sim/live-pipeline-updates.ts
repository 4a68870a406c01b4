// Pipelines-API updates that execute: on a workspace given a task executor that runs pipeline updates
// (`dbx-ts local serve`), start-update runs the pipeline on that executor, as a job's pipeline task does, and the
// update's record follows it as it happens (states, then flow_progress with the run's data-quality metrics, or
// FAILED with the error); stop asks it to end and it ends CANCELED. Each change is persisted.
import { redact } from '../../redaction/index.ts';
import { nextUuid } from '../ids.ts';
import type { PipelineRecord, PipelineUpdateRecord, WorkspaceState } from '../state.ts';
import type { BlobRef } from '../store/blobs.ts';
import { TaskExecutionError, type PipelineUpdateExecution, type TaskExecutionResult } from '../task-executor.ts';
import { advanceUpdate, beginUpdate, cancelUpdate, endUpdate, isUnfinished, stoppingUpdate, type UpdateRequest } from './pipeline-update.ts';

export interface LivePipelineUpdatesOptions {
  state: WorkspaceState;
  run(update: PipelineUpdateExecution): Promise<TaskExecutionResult>;
  /** Persists the workspace. */
  commit(): Promise<void>;
  readContent(ref: BlobRef): Promise<Buffer>;
  now(): number;
}

export class LivePipelineUpdates {
  private readonly executing = new Map<string, { controller: AbortController; done: Promise<void> }>();

  constructor(private readonly options: LivePipelineUpdatesOptions) {}

  /** Updates the previous process left executing cannot go on (their work died with it): they end CANCELED. */
  recover(): void {
    const now = this.options.now();
    for (const pipeline of Object.values(this.options.state.pipelines)) {
      for (const update of pipeline.updates) if (isUnfinished(update)) cancelUpdate(update, Math.max(now, update.created_at), this.newEventId);
    }
  }

  start(pipeline: PipelineRecord, request: Omit<UpdateRequest, 'cause'>): PipelineUpdateRecord {
    const { state } = this.options;
    const update = beginUpdate(pipeline, nextUuid(state), { ...request, cause: 'API_CALL' }, this.options.now(), this.newEventId);
    pipeline.updates.push(update);
    const controller = new AbortController();
    const changed = () => void this.options.commit().catch(() => {});
    const done = this.options
      .run({
        pipeline_id: pipeline.pipeline_id,
        update_id: update.update_id,
        full_refresh: update.full_refresh,
        validate_only: update.validate_only,
        refresh_selection: update.refresh_selection,
        full_refresh_selection: update.full_refresh_selection,
        signal: controller.signal,
        state,
        readContent: this.options.readContent,
        progress: (next) => {
          advanceUpdate(update, next, this.options.now(), this.newEventId);
          changed();
        },
      })
      .then(
        (result) => this.end(update, controller.signal, { ok: true, result }),
        (error: unknown) => this.end(update, controller.signal, { ok: false, error }),
      )
      .finally(() => {
        this.executing.delete(update.update_id);
        changed();
      });
    this.executing.set(update.update_id, { controller, done });
    return update;
  }

  isExecuting(update: PipelineUpdateRecord): boolean {
    return this.executing.has(update.update_id);
  }

  /** Asks an executing update to stop: STOPPING now, CANCELED when the engine lets go. */
  stop(update: PipelineUpdateRecord): void {
    const active = this.executing.get(update.update_id);
    if (!active || active.controller.signal.aborted) return;
    stoppingUpdate(update, this.options.now(), this.newEventId);
    active.controller.abort();
  }

  /** Stops what is executing and waits for it. */
  async close(): Promise<void> {
    const all = [...this.executing.entries()];
    for (const [, active] of all) active.controller.abort();
    await Promise.allSettled(all.map(([, active]) => active.done));
  }

  private readonly newEventId = () => nextUuid(this.options.state);

  private end(update: PipelineUpdateRecord, signal: AbortSignal, outcome: { ok: true; result: TaskExecutionResult } | { ok: false; error: unknown }): void {
    const at = this.options.now();
    if (signal.aborted) {
      cancelUpdate(update, at, this.newEventId);
      return;
    }
    if (outcome.ok) {
      endUpdate(update, at, 'COMPLETED', outcome.result.flows ?? [], undefined, this.newEventId);
      return;
    }
    const { error } = outcome;
    const flows = error instanceof TaskExecutionError ? (error.details.flows ?? []) : [];
    // Error texts come from user code and engines, and can quote a secret: the state is a file on disk.
    endUpdate(update, at, 'FAILED', flows, redact(error instanceof Error ? error.message : String(error)), this.newEventId);
  }
}
