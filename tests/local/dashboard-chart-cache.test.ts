// A chart's compiled form is cached by its spec without rows; with the rows put back it is exactly what Vega-Lite
// compiles from the spec with its rows inline, whichever rows come.
import { mkdtemp, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compile, type TopLevelSpec } from 'vega-lite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compileChart, vegaLiteSpec } from '../../src/dashboard/chart-spec.ts';
import type { WidgetModel } from '../../src/model/types.ts';

const line = { name: 'trend', kind: 'line', title: 'Trend', dataset: 'd', fields: [], position: { x: 0, y: 0, width: 6, height: 6 } } as unknown as WidgetModel;
const bar = { ...line, name: 'by', kind: 'bar' } as WidgetModel;
const size = { width: 400, height: 200 };

function direct(spec: TopLevelSpec): unknown {
  const { $schema: _schema, ...vega } = compile(spec).spec;
  return vega;
}

describe('compiled charts', () => {
  const before = process.env['DBX_TS_CACHE_DIR'];
  let dir = '';
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'dbx-chart-cache-'));
    process.env['DBX_TS_CACHE_DIR'] = dir;
  });
  afterAll(() => {
    if (before === undefined) delete process.env['DBX_TS_CACHE_DIR'];
    else process.env['DBX_TS_CACHE_DIR'] = before;
  });

  it('are what Vega-Lite compiles from the rows inline, from the cache as when compiled', async () => {
    const days = (n: number) => Array.from({ length: n }, (_, i) => ({ day: `2024-03-${String(i + 1).padStart(2, '0')}`, revenue: i * 10.5 }));
    const categories = (names: string[]) => names.map((c, i) => ({ category: c, revenue: 100 - i }));
    const specs = [
      vegaLiteSpec(line, 'day', 'revenue', days(3), size),
      vegaLiteSpec(line, 'day', 'revenue', days(9), size), // same chart, other rows: from the cache
      vegaLiteSpec(bar, 'category', 'revenue', categories(['A', 'B']), size),
      vegaLiteSpec(bar, 'category', 'revenue', categories(['C', 'D', 'E']), size),
    ];
    for (const spec of specs) expect(await compileChart(spec, () => {})).toEqual(direct(spec));
    expect((await readdir(dir)).filter((f) => f.startsWith('vega-'))).toHaveLength(2);
  });

  it('hand on the compiler warnings, from the cache too', async () => {
    // A shape channel means nothing to a bar: Vega-Lite warns and drops it.
    const base = vegaLiteSpec(bar, 'category', 'revenue', [{ category: 'A', revenue: 1 }], size) as TopLevelSpec & { encoding: object };
    const spec = { ...base, encoding: { ...base.encoding, shape: { field: 'category', type: 'nominal' } } } as TopLevelSpec;
    const first: string[] = [];
    const again: string[] = [];
    await compileChart(spec, (m) => first.push(m));
    await compileChart({ ...spec, data: { values: [{ category: 'B', revenue: 2 }] } } as TopLevelSpec, (m) => again.push(m));
    expect(first.join('\n')).toMatch(/shape/);
    expect(again).toEqual(first);
  });
});
