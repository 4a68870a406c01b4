import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { simulate, SALES_DIRTY_KINDS } from '../../../bundles/sales-lakehouse/simulator/index.ts';
import type { SimulationManifest } from '../../../bundles/sales-lakehouse/simulator/index.ts';
import { DuckDbSql } from '../../../src/sql/duckdb.ts';
import { recordingSink } from '../../../src/events/types.ts';

async function one(client: DuckDbSql, sql: string): Promise<Record<string, unknown>> {
  for await (const row of client.query(sql)) return row;
  throw new Error('no row');
}

describe('simulate', () => {
  let root: string;
  let manifest: SimulationManifest;
  let client: DuckDbSql;
  const options = { rows: 4000, files: 4, seed: 7, dirtyRate: 0.1, corruptFile: true, stream: { intervalSec: 0, batches: 2, rowsPerBatch: 500 } };

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'dbx-sim-'));
    manifest = await simulate(join(root, 'a'), options);
    client = await DuckDbSql.open(':memory:');
  });
  afterAll(async () => {
    await client.close();
    rmSync(root, { recursive: true, force: true });
  });

  const batchGlob = () => `[${manifest.files.filter((f) => f.dataset === 'sales_batch' && f.role !== 'corrupt').map((f) => `'${join(root, 'a', f.path)}'`).join(',')}]`;

  it('is deterministic for a seed: same files byte for byte, same manifest', async () => {
    const again = await simulate(join(root, 'b'), options);
    expect(again).toEqual(manifest);
    for (const file of manifest.files) {
      expect(readFileSync(join(root, 'b', file.path)).equals(readFileSync(join(root, 'a', file.path))), file.path).toBe(true);
    }
    const other = await simulate(join(root, 'c'), { ...options, seed: 8 });
    expect(readFileSync(join(root, 'c', 'sales_batch/part-00000.parquet')).equals(readFileSync(join(root, 'a', 'sales_batch/part-00000.parquet')))).toBe(false);
    expect(other.sales.sales_batch.dirty).not.toEqual(manifest.sales.sales_batch.dirty);
  });

  it('writes the row counts it reports and a dirty share near the rate', async () => {
    const batch = manifest.sales.sales_batch;
    expect(batch.rows).toBe(4000);
    const dirty = SALES_DIRTY_KINDS.reduce((n, k) => n + batch.dirty[k], 0);
    expect(batch.clean + dirty).toBe(4000);
    expect(dirty / 4000).toBeGreaterThan(0.07);
    expect(dirty / 4000).toBeLessThan(0.13);
    const { n } = await one(client, `SELECT count(*) AS n FROM read_parquet(${batchGlob()}, union_by_name=true)`);
    expect(n).toBe(4000);
    expect(manifest.sales.sales_stream.rows).toBe(1000);
    expect(manifest.stream_batches_written).toBe(2);
  });

  it('tallies every dirty kind exactly as it appears in the data', async () => {
    const b = manifest.sales.sales_batch.dirty;
    const counts = await one(
      client,
      `SELECT
         count(*) FILTER (WHERE product_id IS NULL OR store_id IS NULL OR quantity IS NULL) AS null_required,
         count(*) FILTER (WHERE quantity <= 0) AS nonpositive_quantity,
         count(*) FILTER (WHERE unit_price <= 0) AS nonpositive_price,
         count(*) FILTER (WHERE try_cast(transaction_ts AS TIMESTAMP) IS NULL) AS malformed_timestamp,
         count(*) FILTER (WHERE try_cast(transaction_ts AS TIMESTAMP) >= TIMESTAMP '2099-01-01') AS future_timestamp,
         count(*) FILTER (WHERE product_id NOT IN (SELECT product_id FROM read_parquet('${join(root, 'a', 'products/products.parquet')}'))) AS unknown_product,
         count(*) FILTER (WHERE store_id NOT IN (SELECT store_id FROM read_parquet('${join(root, 'a', 'stores/stores.parquet')}'))) AS unknown_store,
         count(*) - count(DISTINCT transaction_id) AS repeated_ids,
         count(*) - (SELECT count(*) FROM (SELECT DISTINCT * EXCLUDE (coupon_code) FROM read_parquet(${batchGlob()}, union_by_name=true))) AS exact_copies
       FROM read_parquet(${batchGlob()}, union_by_name=true)`,
    );
    expect(counts).toEqual({
      null_required: b.null_required,
      nonpositive_quantity: b.nonpositive_quantity,
      nonpositive_price: b.nonpositive_price,
      malformed_timestamp: b.malformed_timestamp,
      future_timestamp: b.future_timestamp,
      unknown_product: b.unknown_product,
      unknown_store: b.unknown_store,
      repeated_ids: b.duplicate_exact + b.late_update,
      exact_copies: b.duplicate_exact,
    });
    for (const kind of SALES_DIRTY_KINDS) expect(b[kind], kind).toBeGreaterThan(0);
  });

  it('late updates restate an earlier sale with a later timestamp', async () => {
    const ids = manifest.sales.sales_batch.examples.late_update.map((id) => `'${id}'`).join(',');
    const { bad } = await one(
      client,
      `SELECT count(*) AS bad FROM (
         SELECT transaction_id, count(*) AS n, count(DISTINCT transaction_ts) AS ts
         FROM read_parquet(${batchGlob()}, union_by_name=true) WHERE transaction_id IN (${ids}) GROUP BY ALL)
       WHERE n <> 2 OR ts <> 2`,
    );
    expect(bad).toBe(0);
  });

  it('writes one schema-drift file with an extra column and one corrupt file, and no tell-tale column', async () => {
    const drift = manifest.files.filter((f) => f.role === 'schema_drift');
    expect(drift).toHaveLength(1);
    const cols = async (path: string) => {
      const out: string[] = [];
      for await (const r of client.query(`DESCRIBE SELECT * FROM read_parquet('${join(root, 'a', path)}')`)) out.push(String(r.column_name));
      return out;
    };
    expect(await cols(drift[0]!.path)).toContain('coupon_code');
    const clean = await cols('sales_batch/part-00000.parquet');
    expect(clean).toEqual(['transaction_id', 'product_id', 'store_id', 'promotion_id', 'quantity', 'unit_price', 'transaction_ts', 'customer_id', 'channel']);
    expect(manifest.corrupt_files).toHaveLength(1);
    await expect(one(client, `SELECT count(*) FROM read_parquet('${join(root, 'a', manifest.corrupt_files[0]!)}')`)).rejects.toThrow();
  });

  it('adds whitespace and case noise to some categories and counts it', async () => {
    const { noisy } = await one(
      client,
      `SELECT count(*) FILTER (WHERE category <> trim(category) OR category <> upper(left(category, 1)) || lower(substr(category, 2))) AS noisy
       FROM read_parquet('${join(root, 'a', 'products/products.parquet')}')`,
    );
    expect(noisy).toBe(manifest.products.category_noise);
  });

  it('streams batches on an interval and stops cleanly when aborted', async () => {
    const controller = new AbortController();
    const sink = recordingSink();
    const dir = join(root, 'stream');
    const started = Date.now();
    // Stop while it waits for the third batch: after two were written, whatever the machine's speed.
    const onFile = (path: string) => {
      if (path.startsWith('sales_stream/') && path.endsWith('00001.parquet')) setTimeout(() => controller.abort(), 50);
    };
    const result = await simulate(dir, { rows: 100, files: 1, stream: { intervalSec: 0.2, batches: 100, rowsPerBatch: 10 } }, { signal: controller.signal, sink, onFile });
    expect(Date.now() - started).toBeLessThan(3000);
    const written = readdirSync(join(dir, 'sales_stream')).filter((f) => f.endsWith('.parquet'));
    expect(result.stream_batches_written).toBe(written.length);
    expect(written.length).toBeGreaterThanOrEqual(2);
    expect(written.length).toBeLessThan(100);
    const manifestOnDisk = JSON.parse(readFileSync(join(dir, '_simulator/manifest.json'), 'utf8')) as SimulationManifest;
    expect(manifestOnDisk.stream_batches_written).toBe(written.length);
    expect(sink.events.some((e) => e.code === 'artifact.written')).toBe(true);
  });
});
