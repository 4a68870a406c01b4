// When will the run end? Drawn, not guessed: each draw gives every unfinished task a duration from its
// history (log-normal around its median, as durations are skewed: a task rarely takes half its usual time but
// may take twice), a running task more than it has already run, a waiting task a start after its last
// dependency's end and not before now; the run ends when its last task does. The spread of the draws is the
// uncertainty, with everything the run shows folded in (which tasks ended, which started when).
import type { DurationStats, TaskHistory } from './history.ts';
import { normalCdf, normalQuantile } from './normal.ts';
import type { RunSnapshot, TaskSnapshot } from './snapshot.ts';
import { isTerminal } from './states.ts';

/** Draws per prediction: enough for the 90th percentile to within a few percent, cheap enough for every poll. */
export const DEFAULT_DRAWS = 256;

/**
 * Draws of the run's end (epoch ms, ascending, all after `now`); undefined when a draw is not possible: an
 * unfinished task has no history (a new task, or the first run), or nothing is unfinished.
 */
export function sampleRunEnds(snapshot: RunSnapshot, history: TaskHistory, now: number, random: () => number, draws = DEFAULT_DRAWS): number[] | undefined {
  const unfinished = snapshot.tasks.filter((t) => !isTerminal(t.state));
  if (unfinished.length === 0 || unfinished.some((t) => !history.has(t.key))) return undefined;
  const order = dependencyOrder(snapshot.tasks);
  const index = new Map(order.map((t, i) => [t.key, i]));
  const upstream = order.map((t) => t.dependsOn.map((d) => index.get(d)).filter((i): i is number => i !== undefined && i < index.get(t.key)!));
  const ends = new Array<number>(draws);
  const drawn = new Float64Array(order.length);
  for (let draw = 0; draw < draws; draw++) {
    let last = now;
    for (let i = 0; i < order.length; i++) {
      const task = order[i]!;
      if (isTerminal(task.state)) drawn[i] = task.end ?? now;
      else if (task.start !== undefined) drawn[i] = task.start + drawDuration(history.get(task.key)!, draw, now - task.start, random);
      else {
        // It starts when its last dependency ends, and not before now.
        let start = now;
        for (const u of upstream[i]!) start = Math.max(start, drawn[u]!);
        drawn[i] = start + drawDuration(history.get(task.key)!, draw, 0, random);
      }
      if (!isTerminal(task.state)) last = Math.max(last, drawn[i]!);
    }
    ends[draw] = last;
  }
  return ends.sort((a, b) => a - b);
}

/** Tasks with each after the ones it depends on (a dependency cycle, which Databricks refuses, is cut). */
function dependencyOrder(tasks: readonly TaskSnapshot[]): TaskSnapshot[] {
  const byKey = new Map(tasks.map((t) => [t.key, t]));
  const out: TaskSnapshot[] = [];
  const seen = new Set<string>();
  const visit = (task: TaskSnapshot) => {
    if (seen.has(task.key)) return;
    seen.add(task.key);
    for (const dep of task.dependsOn) {
      const up = byKey.get(dep);
      if (up) visit(up);
    }
    out.push(task);
  };
  for (const task of tasks) visit(task);
  return out;
}

/**
 * A duration from the task's log-normal, given that it has already run `elapsed` ms. The spread is itself
 * drawn, as a Student t's is: a handful of earlier runs measures it only roughly, and a too-narrow guess would
 * leave an early or late end unwatched. A task running later than its history explains is given a wider spread
 * the later it is, so the draws keep some time ahead of it.
 */
function drawDuration(stats: DurationStats, draw: number, elapsed: number, random: () => number): number {
  const mu = Math.log(Math.max(stats.median, 1));
  const lateness = elapsed > 0 ? Math.log(elapsed / Math.max(stats.median, 1)) / 2 : 0;
  const sigma = Math.max(stats.logSpread * spreadFactors(stats, draw + 1, random)[draw]!, lateness, 1e-3);
  const floor = elapsed > 0 ? normalCdf((Math.log(elapsed) - mu) / sigma) : 0;
  const u = floor + (1 - floor) * random();
  return Math.max(elapsed, Math.exp(mu + sigma * normalQuantile(u)));
}

/**
 * The spread factors of a task's draws, drawn once per task history and reused by every prediction of a watch:
 * the factors cost most of a draw, and the same factors from one poll to the next keep the schedule steady.
 */
const factorCache = new WeakMap<DurationStats, number[]>();

function spreadFactors(stats: DurationStats, count: number, random: () => number): number[] {
  let factors = factorCache.get(stats);
  if (!factors) factorCache.set(stats, (factors = []));
  while (factors.length < count) factors.push(spreadFactor(stats.samples, random));
  return factors;
}

/**
 * sqrt((1 + 1/n) · ν / χ²_ν): scales a spread measured from n samples into a draw of a Student t with ν degrees
 * of freedom. ν is half of n − 1, as a median absolute deviation is about half as efficient as a standard deviation.
 */
function spreadFactor(samples: number, random: () => number): number {
  const nu = Math.max(2, Math.round((samples - 1) / 2));
  let chi2 = 0;
  for (let i = 0; i < nu; i++) chi2 += standardNormal(random) ** 2;
  return Math.min(MAX_SPREAD_FACTOR, Math.sqrt(((1 + 1 / Math.max(samples, 1)) * nu) / Math.max(chi2, 1e-9)));
}

/** Bounds the t's heaviest draws: a spread three times the measured one already covers a surprise. */
const MAX_SPREAD_FACTOR = 3;

function standardNormal(random: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
}
