// Long-running commands (dashboard --serve, run --continuous) stop cleanly on Ctrl-C (the context's signal)
// and on SIGTERM (`kill`, a container or service manager stopping them), which otherwise ends Node at once.

export interface StopSignal {
  signal: AbortSignal;
  /** Stops listening for SIGTERM (call when the command ends). */
  dispose(): void;
}

export function stopOnTerminate(signal: AbortSignal): StopSignal {
  const controller = new AbortController();
  const stop = () => controller.abort(new Error('stopped'));
  if (signal.aborted) stop();
  process.on('SIGTERM', stop);
  signal.addEventListener('abort', stop, { once: true });
  return {
    signal: controller.signal,
    dispose: () => {
      process.off('SIGTERM', stop);
      signal.removeEventListener('abort', stop);
    },
  };
}
