// The SQL checks' findings are kept by what they depend on, with source locations relative to the project: a
// project checked out or copied elsewhere keeps them (pointing at its own files), a moved definition does not.
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Bundle, Notebook, resolve } from '../../src/index.ts';
import type { BundleModel } from '../../src/model/types.ts';
import { cachedSqlChecks, rememberSqlChecks, sqlCheckKey } from '../../src/validate/sql-check-cache.ts';

function model(): BundleModel {
  const b = new Bundle({ name: 'b', targets: { local: { default: true, local: true } } });
  new Notebook(b, 'gold', { source: 'gold.py', tables: [{ name: 'gold.t', layer: 'gold', kind: 'materialized_view', query: 'SELECT 1 AS x' }] });
  return resolve(b).model;
}

/** The same model with every source location under `from` moved under `to` (or its line moved by `lines`). */
function moved(m: BundleModel, from: string, to: string, lines = 0): BundleModel {
  return JSON.parse(JSON.stringify(m), (_k, v: unknown) =>
    typeof v === 'object' && v !== null && typeof (v as { file?: unknown }).file === 'string' && typeof (v as { line?: unknown }).line === 'number'
      ? { ...v, file: (v as { file: string }).file.replace(from, to), line: (v as { line: number }).line + lines }
      : v,
  ) as BundleModel;
}

describe('the SQL checks cache', () => {
  it('keeps findings for a project checked out elsewhere, pointing at its files there', async () => {
    const m = model();
    const table = m.notebooks['gold']!.tables[0]!;
    const file = table.location?.file ?? '';
    expect(file).not.toBe('');
    const root = join(file, '..');
    const elsewhere = '/elsewhere/project';
    const copy = moved(m, root, elsewhere);
    expect(sqlCheckKey(copy, elsewhere)).toBe(sqlCheckKey(m, root));
    expect(sqlCheckKey(moved(m, root, root, 3), root)).not.toBe(sqlCheckKey(m, root));

    const dir = await mkdtemp(join(tmpdir(), 'dbx-sql-cache-'));
    const finding = { severity: 'warning' as const, message: 'x', path: 'notebooks.gold.tables[0]', location: { file, line: 4 } };
    await rememberSqlChecks(dir, sqlCheckKey(m, root), [finding], root);
    expect(await cachedSqlChecks(dir, sqlCheckKey(m, root), root)).toEqual([finding]);
    expect(await cachedSqlChecks(dir, sqlCheckKey(copy, elsewhere), elsewhere)).toEqual([{ ...finding, location: { file: file.replace(root, elsewhere), line: 4 } }]);
  });
});
