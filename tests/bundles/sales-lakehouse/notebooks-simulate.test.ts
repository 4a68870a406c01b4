// The simulate notebook's generator (notebooks-src/lib/simulate_runtime.py), run with python3.
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { batchTables, streamingTables } from '../../../bundles/sales-lakehouse/tables.ts';
import { runPython } from '../../synth/escape-support.ts';

const RUNTIME = path.resolve(import.meta.dirname, '../../../bundles/sales-lakehouse/notebooks/lib/simulate_runtime.py');

interface Simulated {
  files: Record<string, Record<string, unknown>[][]>;
  dirty: Record<string, number>;
  columns: Record<string, string[]>;
}

function simulate(seed: number, rows: number, files: number, dirtyRate: number): Simulated {
  const program = `
import json, sys
exec(open(${JSON.stringify(RUNTIME)}, encoding="utf-8").read())
out = simulate(${seed}, ${rows}, ${files}, ${dirtyRate})
columns = {d: [c for c, _ in columns_of(d, parts[0])] for d, parts in out["files"].items()}
sys.stdout.write(json.dumps({"files": out["files"], "dirty": out["dirty"], "columns": columns}, default=str))
`;
  return JSON.parse(runPython(program)) as Simulated;
}

describe('simulate_runtime', () => {
  const a = simulate(42, 4000, 4, 0.05);

  it('is deterministic for a seed and differs between seeds', () => {
    expect(simulate(42, 4000, 4, 0.05)).toEqual(a);
    expect(simulate(43, 4000, 4, 0.05).files.sales_batch).not.toEqual(a.files.sales_batch);
  });

  it('splits batch and streaming sales over the requested number of files', () => {
    expect(a.files.sales_batch).toHaveLength(4);
    expect(a.files.sales_stream).toHaveLength(4);
    const total = [...a.files.sales_batch!, ...a.files.sales_stream!].reduce((n, f) => n + f.length, 0);
    expect(total).toBe(4000);
  });

  it('mixes in dirty rows at about the requested rate, of every kind', () => {
    const dirty = Object.values(a.dirty).reduce((n, k) => n + k, 0);
    expect(dirty).toBeGreaterThan(4000 * 0.03);
    expect(dirty).toBeLessThan(4000 * 0.07);
    for (const [kind, n] of Object.entries(a.dirty)) expect(n, kind).toBeGreaterThan(0);
    expect(Object.values(simulate(42, 1000, 2, 0).dirty).every((n) => n === 0)).toBe(true);
  });

  it('writes dirty values the silver rules catch', () => {
    const sales = [...a.files.sales_batch!, ...a.files.sales_stream!].flat();
    expect(sales.some((r) => r.transaction_ts === 'not-a-timestamp' || r.transaction_ts === 'N/A')).toBe(true);
    expect(sales.some((r) => String(r.transaction_ts).startsWith('2099-'))).toBe(true);
    expect(sales.some((r) => typeof r.quantity === 'number' && r.quantity <= 0)).toBe(true);
    const ids = sales.map((r) => r.transaction_id);
    expect(new Set(ids).size).toBeLessThan(ids.length); // duplicates and late updates share an id
  });

  it('adds the drift column to the last batch file only', () => {
    const batch = a.files.sales_batch!;
    expect(batch[batch.length - 1]!.every((r) => typeof r.coupon_code === 'string')).toBe(true);
    expect(batch.slice(0, -1).flat().some((r) => 'coupon_code' in r)).toBe(false);
  });

  it('provides every column the bundle’s silver tables read from each landing directory', () => {
    const bronzeDir = new Map(
      [...batchTables, ...streamingTables]
        .filter((t) => t.source?.type === 'files')
        .map((t) => [t.name, (t.source as { path: string }).path.split('/').pop()!]),
    );
    const silver = [...batchTables, ...streamingTables].filter((t) => t.layer === 'silver' && t.source?.type === 'table');
    expect(silver.length).toBeGreaterThan(0);
    for (const t of silver) {
      const dir = bronzeDir.get((t.source as { table: string }).table)!;
      const produced = a.columns[dir]!;
      // `_ingested_at` is added at ingestion, not written by the simulator.
      const needed = (t.columns ?? []).map((c) => c.name).filter((n) => n !== '_ingested_at');
      for (const n of needed) expect(produced, `${t.name} reads ${n} from ${dir}`).toContain(n);
    }
  });
});
