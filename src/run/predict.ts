// Predicts when each unfinished task of a run will end, from what the run shows now (which tasks started,
// when) and how long each task took before. A running task ends around start + median; a task that has not
// started begins when its last dependency is predicted to end. Uncertainty adds up along a chain.
import type { TaskHistory } from './history.ts';
import type { RunSnapshot, TaskSnapshot } from './snapshot.ts';
import { isTerminal } from './states.ts';

export interface PredictedEnd {
  key: string;
  /** Most likely end, epoch ms. */
  at: number;
  /** Standard deviation of that guess, ms. */
  spread: number;
}

export interface Prediction {
  /** Unfinished tasks' predicted ends. */
  tasks: PredictedEnd[];
  /** When the run is predicted to end: the latest of the tasks' ends. */
  run: PredictedEnd;
}

const WAITING = new Set(['QUEUED', 'PENDING', 'BLOCKED', 'WAITING_FOR_RETRY']);

/**
 * Undefined when a prediction is not possible: a task has no history (a new task, or the first run), or the
 * run is already over.
 */
export function predictEnds(snapshot: RunSnapshot, history: TaskHistory, now: number): Prediction | undefined {
  const byKey = new Map(snapshot.tasks.map((t) => [t.key, t]));
  const memo = new Map<string, { at: number; variance: number } | null>();

  const predict = (task: TaskSnapshot, depth: number): { at: number; variance: number } | null => {
    const known = memo.get(task.key);
    if (known !== undefined) return known;
    let result: { at: number; variance: number } | null;
    if (isTerminal(task.state)) {
      result = { at: task.end ?? now, variance: 0 };
    } else {
      const stats = history.get(task.key);
      if (!stats || depth > byKey.size) {
        result = null;
      } else {
        const started = task.start !== undefined && !WAITING.has(task.state.lifeCycle);
        let startAt = task.start ?? now;
        let variance = 0;
        if (!started || task.start === undefined) {
          // It starts when its last dependency ends, and not before now.
          startAt = now;
          for (const dep of task.dependsOn) {
            const upstream = byKey.get(dep);
            const p = upstream ? predict(upstream, depth + 1) : null;
            if (p === null && upstream) {
              result = null;
              memo.set(task.key, result);
              return result;
            }
            if (p && p.at > startAt) {
              startAt = p.at;
              variance = p.variance;
            }
          }
        }
        // May lie in the past for a task running longer than usual: the schedule then knows it is late.
        result = { at: startAt + stats.median, variance: variance + stats.spread ** 2 };
      }
    }
    memo.set(task.key, result);
    return result;
  };

  const tasks: PredictedEnd[] = [];
  for (const task of snapshot.tasks) {
    if (isTerminal(task.state)) continue;
    const p = predict(task, 0);
    if (p === null) return undefined;
    tasks.push({ key: task.key, at: p.at, spread: Math.sqrt(p.variance) });
  }
  if (tasks.length === 0) return undefined;
  const last = tasks.reduce((a, b) => (b.at > a.at ? b : a));
  return { tasks, run: last };
}
