// Auto Loader semantics: exactly-once files, incremental downstream reads, bad files, rescued data, continuous mode.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { appendFileSync, mkdirSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runContinuous, runTables } from '../../src/local/engine/index.ts';
import type { UpdateResult } from '../../src/local/engine/index.ts';
import type { TableModel } from '../../src/model/types.ts';
import { recordingSink } from '../../src/events/types.ts';
import { bronze, CATALOG, VOLUME, workspace, writeParquet } from './engine-helpers.ts';
import type { Workspace } from './engine-helpers.ts';

const events = (from: number, count: number) =>
  `SELECT 'E' || lpad((range + ${from})::VARCHAR, 6, '0') AS event_id, (range % 7)::INTEGER AS amount, '2024-05-01 10:00:00' AS ts
   FROM range(${count})`;

function silverEvents(): TableModel {
  return {
    name: 'silver.events',
    layer: 'silver',
    kind: 'streaming_table',
    source: { type: 'table', table: 'bronze.events_raw' },
    columns: [
      { name: 'event_id', type: 'STRING' },
      { name: 'amount', type: 'INT' },
      { name: 'ts', type: 'TIMESTAMP' },
    ],
    expectations: [],
  };
}

describe('Auto Loader on the local engine', () => {
  let ws: Workspace;
  const dir = () => join(ws.landingDir, 'events');
  const tables = () => [bronze('bronze.events_raw', 'events'), silverEvents()];
  const table = (u: UpdateResult, name: string) => u.tables.find((t) => t.table === `${CATALOG}.${name}`)!;

  beforeEach(async () => {
    ws = await workspace();
  });
  afterEach(() => ws.cleanup());

  it('processes each file exactly once: a second run takes only the new file', async () => {
    await writeParquet(join(dir(), 'f1.parquet'), events(0, 300));
    await writeParquet(join(dir(), 'f2.parquet'), events(300, 200));
    const first = await runTables(ws.db, tables(), ws.options());
    expect(table(first, 'bronze.events_raw')).toMatchObject({ rows_read: 500, rows_inserted: 500, files: { taken: 2, bad: [] } });
    expect(table(first, 'silver.events').rows_read).toBe(500);

    await writeParquet(join(dir(), 'sub', 'f3.parquet'), events(500, 50));
    const second = await runTables(ws.db, tables(), ws.options());
    expect(table(second, 'bronze.events_raw')).toMatchObject({ rows_read: 50, rows_inserted: 50, files: { taken: 1, bad: [] } });
    // Downstream streaming reads only the rows appended since its last offset.
    expect(table(second, 'silver.events')).toMatchObject({ rows_read: 50, rows_inserted: 50 });

    const third = await runTables(ws.db, tables(), ws.options());
    expect(table(third, 'bronze.events_raw')).toMatchObject({ rows_read: 0, files: { taken: 0, bad: [] } });
    expect(table(third, 'silver.events').rows_read).toBe(0);

    const { n, distinct } = await ws.one('SELECT count(*) AS n, count(DISTINCT event_id) AS distinct FROM silver.events');
    expect([n, distinct]).toEqual([550, 550]);
    const checkpoint = await ws.rows('SELECT path, num_rows FROM _system.autoloader_files ORDER BY path');
    expect(checkpoint).toEqual([
      { path: `/Volumes/${CATALOG}/landing/raw/events/f1.parquet`, num_rows: 300 },
      { path: `/Volumes/${CATALOG}/landing/raw/events/f2.parquet`, num_rows: 200 },
      { path: `/Volumes/${CATALOG}/landing/raw/events/sub/f3.parquet`, num_rows: 50 },
    ]);
  });

  it('skips hidden and underscore files, which writers use for work in progress and metadata', async () => {
    await writeParquet(join(dir(), 'f1.parquet'), events(0, 10));
    await writeParquet(join(dir(), '.f2.parquet.tmp'), events(10, 10));
    await writeParquet(join(dir(), '_tmp', 'f3.parquet'), events(20, 10));
    writeFileSync(join(dir(), '_SUCCESS'), '');
    const u = await runTables(ws.db, tables(), ws.options());
    expect(table(u, 'bronze.events_raw')).toMatchObject({ rows_read: 10, files: { taken: 1, bad: [] } });
  });

  it('records a corrupt file (footer or data) in bad_files, does not retry it while unchanged, and goes on', async () => {
    await writeParquet(join(dir(), 'a.parquet'), events(0, 100));
    writeFileSync(join(dir(), 'b.parquet'), 'not parquet at all');
    // A file whose footer is intact but whose data pages are garbage only fails when decoded.
    await writeParquet(join(dir(), 'c.parquet'), `SELECT * FROM (${events(100, 20000)}) UNION ALL SELECT 'x', 1, md5(range::VARCHAR) FROM range(20000)`);
    const bytes = readFileSync(join(dir(), 'c.parquet'));
    bytes.fill(0xff, 64, Math.floor(bytes.length / 2));
    writeFileSync(join(dir(), 'c.parquet'), bytes);
    await writeParquet(join(dir(), 'd.parquet'), events(200, 100));

    const first = await runTables(ws.db, tables(), ws.options());
    const b = table(first, 'bronze.events_raw');
    expect(b.rows_read).toBe(200);
    expect(b.files?.taken).toBe(2);
    expect(b.files?.bad.map((f) => f.path.split('/').pop()).sort()).toEqual(['b.parquet', 'c.parquet']);
    const bad = await ws.rows('SELECT path, error FROM _system.bad_files ORDER BY path');
    expect(bad).toHaveLength(2);
    for (const row of bad) {
      expect(String(row.error)).not.toContain(ws.root); // errors name the volume path, not this machine's folders
      expect(String(row.error).length).toBeGreaterThan(0);
    }
    const second = await runTables(ws.db, tables(), ws.options());
    expect(table(second, 'bronze.events_raw').files).toEqual({ taken: 0, bad: [] });
  });

  it('fixes the schema on the first run and rescues later extra columns and values of the wrong type', async () => {
    await writeParquet(join(dir(), 'f1.parquet'), events(0, 5));
    await runTables(ws.db, tables(), ws.options());
    await writeParquet(
      join(dir(), 'f2.parquet'),
      `SELECT 'E9' || range AS event_id, CASE WHEN range = 0 THEN 'three' ELSE range::VARCHAR END AS amount, '2024-05-02 00:00:00' AS ts, 'web' AS channel FROM range(3)`,
    );
    await runTables(ws.db, tables(), ws.options());
    const rows = await ws.rows(
      `SELECT event_id, amount, json_extract_string(_rescued_data, '$.amount') AS bad_amount, json_extract_string(_rescued_data, '$.channel') AS channel,
              json_extract_string(_rescued_data, '$._file_path') AS file
       FROM bronze.events_raw WHERE event_id LIKE 'E9%' ORDER BY event_id`,
    );
    const file = `/Volumes/${CATALOG}/landing/raw/events/f2.parquet`;
    expect(rows).toEqual([
      { event_id: 'E90', amount: null, bad_amount: 'three', channel: 'web', file },
      { event_id: 'E91', amount: 1, bad_amount: null, channel: 'web', file },
      { event_id: 'E92', amount: 2, bad_amount: null, channel: 'web', file },
    ]);
    const columns = (await ws.rows('DESCRIBE bronze.events_raw')).map((r) => `${r.column_name} ${r.column_type}`);
    expect(columns).toEqual([
      'event_id VARCHAR',
      'amount INTEGER',
      'ts VARCHAR',
      '_rescued_data VARCHAR',
      '_source_file VARCHAR',
      '_ingested_at TIMESTAMP',
      '_commit_version BIGINT',
    ]);
  });

  it('with a declared file schema, an empty landing folder gives empty tables that downstream tables read, then picks the data up once it lands', async () => {
    const declared = [{ ...bronze('bronze.events_raw', 'events'), source: { type: 'files' as const, path: '/Volumes/${catalog}/landing/raw/events', format: 'parquet' as const, options: { schema: 'event_id STRING, amount INT, ts STRING' } } }, silverEvents()];
    const gold: TableModel = { name: 'gold.totals', layer: 'gold', kind: 'materialized_view', query: 'SELECT count(*) AS n, coalesce(sum(amount), 0) AS amount FROM ${catalog}.silver.events', expectations: [] };
    const empty = await runTables(ws.db, [...declared, gold], ws.options());
    expect(empty.tables.map((t) => t.rows_read)).toEqual([0, 0, 1]);
    const columns = await ws.rows("SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = 'bronze' AND table_name = 'events_raw' ORDER BY ordinal_position");
    expect(columns.map((c) => `${String(c.column_name)} ${String(c.data_type)}`)).toEqual([
      'event_id VARCHAR',
      'amount INTEGER',
      'ts VARCHAR',
      '_rescued_data VARCHAR',
      '_source_file VARCHAR',
      '_ingested_at TIMESTAMP',
      '_commit_version BIGINT',
    ]);
    expect(await ws.one('SELECT n, amount FROM gold.totals')).toEqual({ n: 0, amount: 0 });
    await writeParquet(join(dir(), 'f1.parquet'), events(0, 5));
    const later = await runTables(ws.db, [...declared, gold], ws.options());
    expect(later.tables.map((t) => t.rows_inserted)).toEqual([5, 5, 1]);
    expect((await ws.one('SELECT n FROM gold.totals')).n).toBe(5);
  });

  it('without files or a declared schema, the update fails as Auto Loader does, naming the landing folder', async () => {
    const error = await runTables(ws.db, tables(), ws.options()).then(() => undefined, (e: unknown) => e as Error);
    expect(error?.message).toContain(`${CATALOG}.bronze.events_raw cannot be created: no file has arrived in /Volumes/${CATALOG}/landing/raw/events (locally ${dir()})`);
    expect(error?.message).toContain('CF_EMPTY_DIR_FOR_SCHEMA_INFERENCE');
    expect(error?.message).toContain("options: { schema: 'id STRING, amount DOUBLE' }");
    await writeParquet(join(dir(), 'f1.parquet'), events(0, 5));
    const later = await runTables(ws.db, tables(), ws.options());
    expect(later.tables.map((t) => t.rows_inserted)).toEqual([5, 5]);
  });

  it('lets two updates run at once on one database, as parallel job tasks do', async () => {
    await writeParquet(join(dir(), 'f1.parquet'), events(0, 1000));
    await writeParquet(join(ws.landingDir, 'other', 'g1.parquet'), events(5000, 700));
    const other: TableModel[] = [bronze('bronze.other_raw', 'other'), { ...silverEvents(), name: 'silver.other', source: { type: 'table', table: 'bronze.other_raw' } }];
    const [a, b] = await Promise.all([
      runTables(ws.db, tables(), ws.options({ pipelineName: 'a' })),
      runTables(ws.db, other, ws.options({ pipelineName: 'b' })),
    ]);
    expect(a.tables.map((t) => t.rows_inserted)).toEqual([1000, 1000]);
    expect(b.tables.map((t) => t.rows_inserted)).toEqual([700, 700]);
    const flows = await ws.one("SELECT count(*) AS n FROM _system.event_log WHERE event_type = 'flow_progress'");
    expect(flows.n).toBe(4);
  });

  it('runs an update within seconds of a file landing in continuous mode, until aborted', async () => {
    await writeParquet(join(dir(), 'f1.parquet'), events(0, 10));
    const controller = new AbortController();
    const updates: UpdateResult[] = [];
    const running = runContinuous(ws.db, tables(), { ...ws.options(), signal: controller.signal, pollIntervalMs: 100, onUpdate: (u) => updates.push(u) });
    const waitFor = async (count: number) => {
      const deadline = Date.now() + 5000;
      while (updates.length < count && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    };
    await waitFor(1);
    expect(updates).toHaveLength(1);
    const landed = Date.now();
    await writeParquet(join(dir(), 'f2.parquet'), events(10, 7));
    await waitFor(2);
    expect(updates).toHaveLength(2);
    expect(Date.now() - landed).toBeLessThan(3000);
    expect(table(updates[1]!, 'bronze.events_raw').rows_read).toBe(7);
    await new Promise((r) => setTimeout(r, 300));
    expect(updates).toHaveLength(2); // nothing new, no update
    controller.abort();
    const all = await running;
    expect(all).toHaveLength(2);
  });
});

describe('Auto Loader takes a landing file only once it is complete', () => {
  let ws: Workspace;
  beforeEach(async () => {
    ws = await workspace();
  });
  afterEach(() => ws.cleanup());

  /** Virtual time: the engine's waits advance it, and `during` runs while it waits (the writer at work). */
  function clock() {
    const c = {
      time: Date.now(),
      waits: [] as number[],
      during: undefined as (() => void) | undefined,
      settling: {
        settleMs: 1000,
        now: () => c.time,
        sleep: async (ms: number) => {
          c.waits.push(ms);
          c.time += ms;
          c.during?.();
        },
      },
    };
    return c;
  }
  /** Sets a file's modification time to a virtual instant, as if the writer wrote it then. */
  const touch = (path: string, ms: number) => utimesSync(path, ms / 1000, ms / 1000);
  const csvRows = (from: number, count: number) => Array.from({ length: count }, (_, i) => `E${String(from + i).padStart(6, '0')},${(from + i) % 7},2024-05-01 10:00:00\n`).join('');
  const csvTable = (): TableModel => ({
    name: 'bronze.events_csv',
    layer: 'bronze',
    kind: 'streaming_table',
    source: { type: 'files', path: `${VOLUME}/csv`, format: 'csv' },
    expectations: [],
  });

  it('a file written slowly during a run: left for later while it grows, then read whole, every row exactly once', async () => {
    const c = clock();
    const dir = join(ws.landingDir, 'csv');
    mkdirSync(dir, { recursive: true });
    // A complete file from earlier, and one a slow writer has only begun.
    writeFileSync(join(dir, 'a.csv'), `event_id,amount,ts\n${csvRows(0, 100)}`);
    touch(join(dir, 'a.csv'), c.time - 60_000);
    const slow = join(dir, 'b.csv');
    writeFileSync(slow, `event_id,amount,ts\n${csvRows(100, 40)}`);
    touch(slow, c.time - 200);
    // While the update waits for it to settle, the writer appends more.
    c.during = () => {
      appendFileSync(slow, csvRows(140, 60));
      touch(slow, c.time);
      c.during = undefined;
    };
    const sink = recordingSink();
    const first = await runTables(ws.db, [csvTable()], ws.options({ settling: c.settling, sink }));
    expect(first.tables[0]).toMatchObject({ rows_read: 100, files: { taken: 1, bad: [], deferred: 1 } });
    expect(c.waits).toEqual([800]);
    expect(sink.events.some((e) => e.level === 'warn' && e.message.includes('/csv/b.csv is still being written; a later update will read it'))).toBe(true);
    const deferred = await ws.rows("SELECT message, details FROM _system.event_log WHERE event_type = 'autoloader_file'");
    expect(deferred).toHaveLength(1);
    expect(String(deferred[0]!.message)).toContain('b.csv is still being written');

    // The writer finishes; a second later the next update takes the whole file, without waiting.
    appendFileSync(slow, csvRows(200, 50));
    touch(slow, c.time + 100);
    c.time += 1500;
    const second = await runTables(ws.db, [csvTable()], ws.options({ settling: c.settling }));
    expect(second.tables[0]).toMatchObject({ rows_read: 150, files: { taken: 1, bad: [] } });
    expect(c.waits).toEqual([800]);
    const third = await runTables(ws.db, [csvTable()], ws.options({ settling: c.settling }));
    expect(third.tables[0]).toMatchObject({ rows_read: 0, files: { taken: 0, bad: [] } });

    const { n, distinct } = await ws.one('SELECT count(*) AS n, count(DISTINCT event_id) AS distinct FROM bronze.events_csv');
    expect([n, distinct]).toEqual([250, 250]);
  });

  it('a file recorded bad is tried again once its size or time changes, and the event log says so', async () => {
    const c = clock();
    const dir = join(ws.landingDir, 'events');
    const path = join(dir, 'big.parquet');
    await writeParquet(join(dir, 'whole.parquet'), `SELECT 'W' || range AS event_id, 1 AS amount, '2024-05-01' AS ts FROM range(300)`);
    touch(join(dir, 'whole.parquet'), c.time - 60_000);
    // A writer that paused for longer than the settle time half-way through a Parquet file: no footer yet.
    await writeParquet(path, `SELECT 'B' || range AS event_id, 2 AS amount, '2024-05-01' AS ts FROM range(5000)`);
    const whole = readFileSync(path);
    writeFileSync(path, whole.subarray(0, Math.floor(whole.length / 2)));
    touch(path, c.time - 5000);
    const sink = recordingSink();
    const first = await runTables(ws.db, [bronze('bronze.events_raw', 'events')], ws.options({ settling: c.settling, sink }));
    expect(first.tables[0]!.rows_read).toBe(300);
    expect(first.tables[0]!.files?.bad.map((b) => b.path.split('/').pop())).toEqual(['big.parquet']);

    // Unchanged: not tried again.
    const unchanged = await runTables(ws.db, [bronze('bronze.events_raw', 'events')], ws.options({ settling: c.settling }));
    expect(unchanged.tables[0]!.files).toEqual({ taken: 0, bad: [] });

    // The writer finishes the file.
    writeFileSync(path, whole);
    touch(path, c.time - 2000);
    const retried = await runTables(ws.db, [bronze('bronze.events_raw', 'events')], ws.options({ settling: c.settling, sink }));
    expect(retried.tables[0]).toMatchObject({ rows_read: 5000, files: { taken: 1, bad: [], retried: 1 } });
    expect(sink.events.some((e) => e.level === 'info' && /trying \S+big\.parquet again: it was unreadable at \d+ bytes and has changed since \(now \d+ bytes\)/.test(e.message))).toBe(true);
    const logged = await ws.rows("SELECT level, message, details FROM _system.event_log WHERE event_type = 'autoloader_file'");
    expect(logged).toHaveLength(1);
    expect(logged[0]!.level).toBe('INFO');
    expect(JSON.parse(String(logged[0]!.details))).toMatchObject({ autoloader_file: { status: 'retried', size: whole.length, previous_size: Math.floor(whole.length / 2) } });

    const again = await runTables(ws.db, [bronze('bronze.events_raw', 'events')], ws.options({ settling: c.settling }));
    expect(again.tables[0]!.files).toEqual({ taken: 0, bad: [] });
    const { n, distinct } = await ws.one('SELECT count(*) AS n, count(DISTINCT event_id) AS distinct FROM bronze.events_raw');
    expect([n, distinct]).toEqual([5300, 5300]);
  });
});
