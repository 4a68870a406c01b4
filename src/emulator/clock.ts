// Simulated runs are computed from timestamps, not timers: every read derives a run's state from the
// clock. A virtual clock makes tests exact (advance it and read); the real clock suits CLI end-to-end runs.

export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
}

export const realClock: Clock = { now: () => Date.now() };

/** 2025-01-01T00:00:00Z: a fixed start so golden files do not depend on the day they were written. */
export const VIRTUAL_EPOCH_MS = Date.UTC(2025, 0, 1);

export class VirtualClock implements Clock {
  private current: number;

  /**
   * @param perRequestMs moves time forward on every request the server handles, so a client that
   *   polls with real sleeps still sees runs progress without the test advancing the clock by hand.
   */
  constructor(
    start = VIRTUAL_EPOCH_MS,
    readonly perRequestMs = 0,
  ) {
    this.current = start;
  }

  now(): number {
    return this.current;
  }

  advance(ms: number): number {
    if (ms < 0) throw new RangeError('a clock cannot go back');
    this.current += ms;
    return this.current;
  }

  /** Called by the server for each request. */
  tick(): void {
    if (this.perRequestMs > 0) this.current += this.perRequestMs;
  }
}

/** RFC 3339 with milliseconds, as Databricks writes timestamps in Lakeview and pipeline events. */
export function isoTime(ms: number): string {
  return new Date(ms).toISOString();
}
