// Explains a failed run: for each failed task, its error and the useful end of its trace (runs/get-output on
// the task's own run id), and which tasks were skipped because of it.
import { RemoteApiError } from '../errors/index.ts';
import type { EventSink } from '../events/types.ts';
import type { WorkspaceClient } from '../workspace/index.ts';
import { toInt64 } from '../workspace/index.ts';
import type { RunSnapshot } from './snapshot.ts';
import { isTaskFailure, isUpstreamSkip } from './states.ts';

export interface TaskFailure {
  task_key: string;
  result: string;
  error: string;
  /** The last lines of the error trace, colour codes removed. */
  trace?: string;
  /** Tasks downstream of this one that did not run because of it. */
  skipped: string[];
  run_page_url?: string;
}

const TRACE_LINES = 20;
const TRACE_CHARS = 4000;
// Notebook tracebacks come with terminal colour codes.
// eslint-disable-next-line no-control-regex
const ANSI = /\x1b\[[0-9;]*[A-Za-z]/g;

/** The end of a trace, where the exception is; long traces start with framework frames nobody needs. */
export function traceTail(trace: string, lines = TRACE_LINES, chars = TRACE_CHARS): string {
  const clean = trace.replace(ANSI, '').replace(/\s+$/, '');
  const all = clean.split(/\r?\n/);
  let tail = all.slice(-lines).join('\n');
  if (tail.length > chars) tail = tail.slice(-chars);
  return all.length > lines || clean.length > tail.length ? `…\n${tail}` : tail;
}

/** Every task downstream of `key` (through depends_on), in run order. */
export function downstreamOf(snapshot: RunSnapshot, key: string): string[] {
  const reached = new Set([key]);
  let grew = true;
  while (grew) {
    grew = false;
    for (const t of snapshot.tasks) {
      if (!reached.has(t.key) && t.dependsOn.some((d) => reached.has(d))) {
        reached.add(t.key);
        grew = true;
      }
    }
  }
  return snapshot.tasks.map((t) => t.key).filter((k) => k !== key && reached.has(k));
}

export async function explainFailures(client: WorkspaceClient, snapshot: RunSnapshot): Promise<TaskFailure[]> {
  const failures: TaskFailure[] = [];
  for (const task of snapshot.tasks) {
    if (!isTaskFailure(task.state.result)) continue;
    let error = task.state.message ?? 'no error message';
    let trace: string | undefined;
    if (task.runId) {
      try {
        const output = await client.jobs.getRunOutput({ run_id: toInt64(task.runId) });
        if (output.error) error = output.error;
        if (output.error_trace) trace = traceTail(output.error_trace);
      } catch (e) {
        if (!(e instanceof RemoteApiError)) throw e;
        error = `${error} (its output could not be read: ${e.message})`;
      }
    }
    const byKey = new Map(snapshot.tasks.map((t) => [t.key, t]));
    const skipped = downstreamOf(snapshot, task.key).filter((k) => isUpstreamSkip(byKey.get(k)?.state.result));
    failures.push({
      task_key: task.key,
      result: task.state.result ?? 'FAILED',
      error,
      ...(trace ? { trace } : {}),
      skipped,
      ...(task.runPageUrl ? { run_page_url: task.runPageUrl } : {}),
    });
  }
  return failures;
}

function indent(text: string): string {
  return text
    .split('\n')
    .map((line) => `    ${line}`)
    .join('\n');
}

export function emitFailures(failures: TaskFailure[], sink: EventSink, level: 'error' | 'warn' = 'error'): void {
  for (const f of failures) {
    const lines = [`Task ${f.task_key} ${f.result === 'TIMEDOUT' ? 'timed out' : 'failed'}: ${f.error}`];
    if (f.trace) lines.push(`  trace:\n${indent(f.trace)}`);
    if (f.skipped.length > 0) lines.push(`  skipped because of it: ${f.skipped.join(', ')}`);
    if (f.run_page_url) lines.push(`  task run: ${f.run_page_url}`);
    sink({ code: 'task.failure', level, message: lines.join('\n'), data: { ...f } });
  }
}
