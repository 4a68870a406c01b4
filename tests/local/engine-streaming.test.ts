// Streaming end to end: the simulator drops a batch every few hundred milliseconds while the engine runs in
// continuous mode; every batch is ingested once and the silver counts add up across all the updates.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SALES_COLUMNS, simulate } from '../../bundles/sales-lakehouse/simulator/index.ts';
import { runContinuous } from '../../src/local/engine/index.ts';
import type { UpdateResult } from '../../src/local/engine/index.ts';
import { bronze, CATALOG, silverSales, workspace } from './engine-helpers.ts';
import type { Workspace } from './engine-helpers.ts';

describe('continuous mode with a streaming simulator', () => {
  let ws: Workspace;
  beforeEach(async () => {
    ws = await workspace();
  });
  afterEach(() => ws.cleanup());

  it('ingests each streamed batch once, within seconds, and accounts for every row', async () => {
    // The stream starts before any file lands: the files' schema is declared, as a continuous pipeline needs.
    const schema = SALES_COLUMNS.map((c) => `${c.name} ${c.type === 'VARCHAR' ? 'STRING' : c.type === 'INTEGER' ? 'INT' : c.type}`).join(', ');
    const tables = [bronze('bronze.sales_stream_raw', 'sales_stream', schema), silverSales('silver.sales_stream', 'bronze.sales_stream_raw', { knownProductRule: false })];
    const controller = new AbortController();
    const updates: UpdateResult[] = [];
    const engine = runContinuous(ws.db, tables, { ...ws.options(), signal: controller.signal, pollIntervalMs: 100, onUpdate: (u) => updates.push(u) });
    const manifest = await simulate(ws.landingDir, { rows: 0, files: 1, seed: 3, dirtyRate: 0.1, stream: { intervalSec: 0.3, batches: 4, rowsPerBatch: 250 } });
    const deadline = Date.now() + 10_000;
    const ingested = () => updates.flatMap((u) => u.tables).filter((t) => t.table === `${CATALOG}.bronze.sales_stream_raw`).reduce((n, t) => n + t.rows_read, 0);
    while (ingested() < 1000 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    controller.abort();
    await engine;

    expect(ingested()).toBe(1000);
    expect(updates.length).toBeGreaterThanOrEqual(2); // batches arrived over time, not all at once
    const silver = updates.flatMap((u) => u.tables).filter((t) => t.table === `${CATALOG}.silver.sales_stream`);
    const sum = (key: 'rows_read' | 'rows_inserted' | 'rows_updated' | 'rows_quarantined' | 'duplicates_removed') => silver.reduce((n, t) => n + t[key], 0);
    expect(sum('rows_read')).toBe(1000);
    expect(sum('rows_inserted') + sum('rows_updated') + sum('rows_quarantined') + sum('duplicates_removed')).toBe(1000);
    const d = manifest.sales.sales_stream.dirty;
    expect(sum('rows_quarantined')).toBe(d.null_required + d.nonpositive_quantity + d.nonpositive_price + d.malformed_timestamp + d.future_timestamp);
    const { n, distinct } = await ws.one('SELECT count(*) AS n, count(DISTINCT transaction_id) AS distinct FROM silver.sales_stream');
    expect(n).toBe(distinct);
    expect(n).toBe(1000 - sum('rows_quarantined') - d.duplicate_exact - d.late_update);
    const files = await ws.one("SELECT count(*) AS n FROM _system.autoloader_files WHERE consumer LIKE '%sales_stream_raw'");
    expect(files.n).toBe(4);
  });
});
