import { describe, expect, it } from 'vitest';
import { batchTables, goldTables, goldViews, streamingTables } from '../../bundles/sales-lakehouse/tables.ts';
import { tableDefinition } from '../../src/constructs/table.ts';
import type { TableModel } from '../../src/model/types.ts';
import { tableModelProblems } from '../../src/synth/table-checks-code.ts';

const ok: TableModel = {
  name: 'silver.sales',
  layer: 'silver',
  kind: 'streaming_table',
  source: { type: 'table', table: 'bronze.sales_raw' },
  columns: [
    { name: 'id', type: 'STRING' },
    { name: 'ts', type: 'TIMESTAMP' },
  ],
  expectations: [{ name: 'has_id', condition: 'id IS NOT NULL', action: 'drop' }],
  dedupe: { keys: ['id'], sequence_by: 'ts' },
  quarantine_table: 'silver.sales_quarantine',
};

const fields = (t: TableModel) => tableModelProblems(t).map((p) => `${p.severity}:${p.field}`);

describe('tableModelProblems', () => {
  it('finds nothing wrong with the reference bundle’s tables', () => {
    const all = [...streamingTables, ...batchTables, ...goldTables, ...goldViews].map((t) => tableDefinition(t));
    expect(all.flatMap((t) => tableModelProblems(t).filter((p) => p.severity === 'error'))).toEqual([]);
    expect(tableModelProblems(ok)).toEqual([]);
  });

  it('reports what synth cannot generate, by field', () => {
    expect(fields({ ...ok, source: undefined })).toEqual(['error:source']);
    expect(fields({ ...ok, name: 'sales' })).toEqual(['error:name']);
    expect(fields({ ...ok, quarantine_table: 'silver.sales' })).toEqual(['error:quarantine_table']);
    expect(fields({ ...ok, dedupe: { keys: ['nope'], sequence_by: 'when' } })).toEqual(['error:dedupe.keys[0]', 'error:dedupe.sequence_by']);
    expect(fields({ ...ok, columns: [{ name: 'id', type: 'STRING' }, { name: 'ID', type: 'INT' }, { name: 'ts', type: 'TIMESTAMP' }] })).toEqual([
      'error:columns[1].name',
    ]);
    expect(fields({ ...ok, expectations: [...ok.expectations, { name: 'has id', condition: ' ', action: 'warn' }] })).toEqual([
      'error:expectations[1].name',
      'error:expectations[1].condition',
    ]);
    expect(fields({ ...ok, kind: 'materialized_view', source: undefined, columns: undefined, dedupe: undefined })).toEqual(['error:query']);
    expect(fields({ ...ok, columns: undefined, expectations: [], dedupe: undefined })).toEqual(['warning:quarantine_table']);
  });
});
