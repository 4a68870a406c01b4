// Turns successive run snapshots into `task.state` events: one per task whenever its state, result, attempt
// or pipeline update changes, shaped like the local engine's so one renderer serves both.
import type { DbxEvent, EventSink, TaskStateData } from '../events/types.ts';
import type { RunSnapshot, TaskSnapshot } from './snapshot.ts';
import { isTaskFailure, isTerminal } from './states.ts';

export function taskStateData(runId: string, task: TaskSnapshot, updateId?: string): TaskStateData {
  const { result, message } = task.state;
  return {
    run_id: runId,
    task_key: task.key,
    state: task.state.lifeCycle,
    ...(result ? { result } : {}),
    ...(task.start !== undefined ? { start_time: task.start } : {}),
    ...(task.end !== undefined ? { end_time: task.end } : {}),
    attempt: task.attempt,
    ...(updateId ? { update_id: updateId } : {}),
    // Databricks' state_message says why a task failed or was skipped; while running it is empty.
    ...(message && result && result !== 'SUCCESS' ? { message } : {}),
  };
}

function levelOf(data: TaskStateData): DbxEvent['level'] {
  if (isTaskFailure(data.result)) return 'error';
  if (data.result && data.result !== 'SUCCESS') return 'warn';
  return 'info';
}

export class TaskEventEmitter {
  private readonly last = new Map<string, string>();
  /** `<task_key>/<attempt>` of attempts already shown running. */
  private readonly shownRunning = new Set<string>();

  constructor(
    private readonly sink: EventSink,
    /** Pipeline update ids found so far, by task run id. */
    private readonly updates: ReadonlyMap<string, string>,
  ) {}

  /** Emits an event for every task whose visible state differs from the last emitted one. */
  emitChanges(snapshot: RunSnapshot): void {
    for (const task of snapshot.tasks) {
      const updateId = task.runId ? this.updates.get(task.runId) : undefined;
      const data = taskStateData(snapshot.runId, task, updateId);
      const signature = `${data.state}/${data.result ?? ''}/${data.attempt}/${data.update_id ?? ''}/${data.start_time ?? ''}`;
      if (this.last.get(task.key) === signature) continue;
      this.last.set(task.key, signature);
      const attemptKey = `${task.key}/${task.attempt}`;
      if (data.state === 'RUNNING') this.shownRunning.add(attemptKey);
      else if (isTerminal(task.state) && data.state !== 'SKIPPED' && task.start !== undefined && !this.shownRunning.has(attemptKey)) {
        // It started and ended between two polls: still show that it ran, and since when.
        this.shownRunning.add(attemptKey);
        const { result: _result, end_time: _end, message: _message, ...running } = data;
        this.emit({ ...running, state: 'RUNNING' });
      }
      this.emit(data);
    }
  }

  private emit(data: TaskStateData): void {
    this.sink({
      code: 'task.state',
      level: levelOf(data),
      message: `${data.task_key}: ${data.result ? `${data.state} ${data.result}` : data.state}`,
      data,
    });
  }
}
