// Long-running commands stop on SIGTERM as on Ctrl-C, and stop listening for it once they end.
import { describe, expect, it } from 'vitest';
import { stopOnTerminate } from '../../src/cli/stop-signal.ts';

describe('stopOnTerminate', () => {
  it('aborts on SIGTERM and on the command signal, and lets go of SIGTERM when disposed', () => {
    const listeners = process.listenerCount('SIGTERM');
    const ctrlC = new AbortController();
    const byTerm = stopOnTerminate(ctrlC.signal);
    const other = stopOnTerminate(ctrlC.signal);
    expect(process.listenerCount('SIGTERM')).toBe(listeners + 2);
    process.emit('SIGTERM');
    expect(byTerm.signal.aborted).toBe(true);
    byTerm.dispose();
    other.dispose();
    expect(process.listenerCount('SIGTERM')).toBe(listeners);

    const again = stopOnTerminate(ctrlC.signal);
    expect(again.signal.aborted).toBe(false);
    ctrlC.abort();
    expect(again.signal.aborted).toBe(true);
    again.dispose();
    const late = stopOnTerminate(ctrlC.signal); // the command was stopped already
    expect(late.signal.aborted).toBe(true);
    late.dispose();
    expect(process.listenerCount('SIGTERM')).toBe(listeners);
  });
});
