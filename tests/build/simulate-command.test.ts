// `dbx-ts simulate`: deterministic Parquet with dirty rows into the landing volume, locally or on a workspace.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeWorkspace, type FakeWorkspace } from '../../src/emulator/index.ts';
import { readTree, runCli, tempDir } from './helpers.ts';

const LANDING = ['volumes', 'sales_lakehouse', 'landing', 'raw'];

describe('dbx-ts simulate', () => {
  it('writes the same data for the same seed into the local landing volume', async () => {
    const a = await tempDir('sim-a');
    const b = await tempDir('sim-b');
    const args = ['simulate', '--rows', '300', '--files', '3', '--seed', '7', '--dirty-rate', '0.2'];
    expect((await runCli(args, { env: { DBX_TS_LOCAL_DIR: a } })).code).toBe(0);
    expect((await runCli(args, { env: { DBX_TS_LOCAL_DIR: b } })).code).toBe(0);
    const manifest = JSON.parse(await readFile(join(a, ...LANDING, '_simulator', 'manifest.json'), 'utf8')) as {
      files: { path: string; role: string }[];
      options: { rows: number; seed: number };
    };
    expect(manifest.options).toMatchObject({ rows: 300, seed: 7 });
    // Dirty rows, but no corrupt file unless asked for.
    expect(manifest.files.filter((f) => f.path.startsWith('sales_batch/')).map((f) => f.role)).toEqual(['data', 'data', 'schema_drift']);
    const treeA = await readTree(join(a, ...LANDING));
    const treeB = await readTree(join(b, ...LANDING));
    expect(Object.keys(treeA)).toEqual(Object.keys(treeB));
    for (const f of manifest.files) expect(treeA[f.path]).toBe(treeB[f.path]);
  });

  it('a second simulation into the same landing zone writes new files with new transactions', async () => {
    const dir = await tempDir('sim-again');
    const env = { DBX_TS_LOCAL_DIR: dir };
    const args = ['simulate', '--rows', '100', '--files', '2', '--stream', '--interval', '0', '--batches', '2', '--corrupt-file'];
    expect((await runCli(args, { env })).code).toBe(0);
    const manifestPath = join(dir, ...LANDING, '_simulator', 'manifest.json');
    const first = JSON.parse(await readFile(manifestPath, 'utf8')) as { files: { path: string }[]; next: { transaction: number } };
    expect((await runCli(args, { env })).code).toBe(0);
    const second = JSON.parse(await readFile(manifestPath, 'utf8')) as { files: { path: string; dataset: string }[]; next: { transaction: number } };
    const salesFiles = (m: { files: { path: string }[] }) => m.files.map((f) => f.path).filter((p) => p.startsWith('sales_'));
    expect(salesFiles(second).filter((p) => salesFiles(first).includes(p))).toEqual([]);
    expect(salesFiles(second)).toContain('sales_stream/batch-00002.parquet');
    expect(second.next.transaction).toBeGreaterThan(first.next.transaction);
  });

  it('rejects a dirty rate outside 0..1, naming the flag', async () => {
    const result = await runCli(['simulate', '--dirty-rate', '1.5'], { env: { DBX_TS_LOCAL_DIR: await tempDir('sim-bad') } });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--dirty-rate must be a number 0..1, got "1.5"');
  });

  describe('on a workspace target', () => {
    let ws: FakeWorkspace;
    beforeAll(async () => {
      // The landing volume exists (deploy creates it, in dev in this user's own schema); the Files API cannot create one.
      ws = await startFakeWorkspace({ unityCatalog: { volumes: ['sales_lakehouse.dev_emulator_user_landing.raw'] } });
    });
    afterAll(async () => ws.close());

    it('uploads every simulated file to the landing volume, no corrupt one, and continues numbering on a second run', async () => {
      const env = { DATABRICKS_HOST: ws.url, DATABRICKS_TOKEN: ws.token, DATABRICKS_CONFIG_FILE: '/nonexistent' };
      const args = ['simulate', '-t', 'dev', '--rows', '100', '--files', '2', '--stream', '--interval', '0', '--batches', '2'];
      const result = await runCli(args, { env });
      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
      const volume = '/Volumes/sales_lakehouse/dev_emulator_user_landing/raw/';
      const uploaded = () => Object.keys(ws.state.volumes.files).map((p) => p.replace(volume, '')).sort();
      expect(uploaded()).toEqual([
        '_simulator/manifest.json',
        'products/products.parquet',
        'promotions/promotions.parquet',
        'sales_batch/part-00000.parquet',
        'sales_batch/part-00001.parquet',
        'sales_stream/batch-00000.parquet',
        'sales_stream/batch-00001.parquet',
        'stores/stores.parquet',
      ]);
      // A second simulation reads where the first stopped from the volume: new names, so Auto Loader sees new files.
      expect((await runCli(args, { env })).code).toBe(0);
      expect(uploaded().filter((p) => p.startsWith('sales_'))).toEqual([
        'sales_batch/part-00000.parquet',
        'sales_batch/part-00001.parquet',
        'sales_batch/part-00002.parquet',
        'sales_batch/part-00003.parquet',
        'sales_stream/batch-00000.parquet',
        'sales_stream/batch-00001.parquet',
        'sales_stream/batch-00002.parquet',
        'sales_stream/batch-00003.parquet',
      ]);
      const parquet = await ws.readContent(ws.state.volumes.files['/Volumes/sales_lakehouse/dev_emulator_user_landing/raw/stores/stores.parquet']!.blob);
      expect(parquet.subarray(0, 4).toString()).toBe('PAR1');
    });
  });
});
