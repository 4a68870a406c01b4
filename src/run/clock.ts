// Time as the watcher sees it, injectable so tests and the poll benchmark can run a 10-minute run in
// milliseconds on a virtual clock.

export interface WatchClock {
  now(): number;
  /** Waits `ms`, or less if `signal` aborts first (it resolves then; it never rejects). */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
  /** Uniform in [0, 1), for jitter. */
  random(): number;
}

export const systemClock: WatchClock = {
  now: () => Date.now(),
  sleep: (ms, signal) =>
    new Promise<void>((resolve) => {
      if (signal?.aborted || ms <= 0) {
        resolve();
        return;
      }
      const done = () => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      signal?.addEventListener('abort', done, { once: true });
    }),
  random: () => Math.random(),
};
