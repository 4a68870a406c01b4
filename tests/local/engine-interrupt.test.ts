// Cancelling an update interrupts the statement that is running: the update ends at once (not when the table is
// done), the table is left as it was before, and the next update works. The slow statement is a cross join far too
// big to finish, so the test only passes if the interrupt really stops it.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runTables } from '../../src/local/engine/index.ts';
import type { TableModel } from '../../src/model/types.ts';
import { workspace, type Workspace } from './engine-helpers.ts';

const numbers = (query: string): TableModel[] => [{ name: 'gold.numbers', layer: 'gold', kind: 'materialized_view', query, expectations: [] }];
const SLOW = 'SELECT sum(a.range * b.range) AS n FROM range(1000000) a, range(1000000) b';

describe('interrupting a running table', () => {
  let ws: Workspace;
  beforeEach(async () => {
    ws = await workspace();
  });
  afterEach(() => ws.cleanup());

  it('stops the running statement when the signal aborts; the table keeps its rows and the next update runs', async () => {
    await runTables(ws.db, numbers('SELECT 1 AS n'), ws.options());
    const controller = new AbortController();
    const started = Date.now();
    const update = runTables(ws.db, numbers(SLOW), ws.options({ signal: controller.signal }));
    setTimeout(() => controller.abort(new Error('Run cancelled.')), 300);
    await expect(update).rejects.toThrow('Interrupted: Run cancelled.');
    const took = Date.now() - started;
    expect(took).toBeLessThan(3_000);
    expect(await ws.rows('SELECT n FROM gold.numbers')).toEqual([{ n: 1 }]);
    await runTables(ws.db, numbers('SELECT 2 AS n'), ws.options());
    expect(await ws.rows('SELECT n FROM gold.numbers')).toEqual([{ n: 2 }]);
  });

  it('runs nothing once the signal has aborted', async () => {
    const controller = new AbortController();
    controller.abort(new Error('Run cancelled.'));
    await expect(runTables(ws.db, numbers('SELECT 1 AS n'), ws.options({ signal: controller.signal }))).rejects.toThrow('Interrupted: Run cancelled.');
    expect(await ws.rows("SELECT count(*)::INT AS n FROM information_schema.tables WHERE table_name = 'numbers'")).toEqual([{ n: 0 }]);
  });
});
