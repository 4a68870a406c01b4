// The summary notebook's Python port (notebooks-src/lib/summary_runtime.py) against src/ai on the same rows:
// the metrics JSON, the prompt variables and the prompt text must be identical.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { metricsFromRows } from '../../../bundles/sales-lakehouse/summary/metrics.ts';
import { loadSummaryPromptTemplate, renderSummaryPrompt, summaryPromptVariables } from '../../../bundles/sales-lakehouse/summary/prompt.ts';
import { runPython, tempDir } from '../../synth/escape-support.ts';

const RUNTIME = path.resolve(import.meta.dirname, '../../../bundles/sales-lakehouse/notebooks/lib/summary_runtime.py');

type Rows = Parameters<typeof metricsFromRows>[0];

function python(rows: Rows): { metrics_json: string; variables: Record<string, string>; prompt: string } {
  const input = path.join(tempDir(), 'rows.json');
  writeFileSync(input, JSON.stringify({ rows, template: loadSummaryPromptTemplate().source }));
  const program = `
import json, sys
exec(open(${JSON.stringify(RUNTIME)}, encoding="utf-8").read())
data = json.load(open(sys.argv[1], encoding="utf-8"))
r = data["rows"]
m = metrics_from_rows(r["totals"], r["categories"], r["stores"], r["products"], r["daily"])
v = summary_prompt_variables(m)
sys.stdout.write(json.dumps({"metrics_json": metrics_json(m), "variables": v, "prompt": render_prompt(data["template"], v)}))
`;
  return JSON.parse(runPython(program, [input])) as { metrics_json: string; variables: Record<string, string>; prompt: string };
}

function expectSame(rows: Rows): void {
  const metrics = metricsFromRows(rows);
  const py = python(rows);
  expect(py.metrics_json).toBe(JSON.stringify(metrics));
  expect(py.variables).toEqual(summaryPromptVariables(metrics));
  expect(py.prompt).toBe(renderSummaryPrompt(metrics).text);
}

describe('summary runtime (Python) matches src/ai', () => {
  it('on a typical day of sales', () => {
    expectSame({
      totals: {
        period_start: '2024-01-01 08:00:00',
        period_end: '2024-03-31T21:15:30.250Z',
        total_revenue: 1234567.891,
        transactions: '4821',
        units: 9876,
        average_order_value: '256.08',
      },
      categories: [
        { category: 'Electronics', revenue: 800000.5, units: 1200, share_pct: 64.81 },
        { category: null, revenue: '1.005', units: '3', share_pct: 0.05 },
        { category: 'Home & Garden {{x}}', revenue: 2.5, units: 1, share_pct: 35.14 },
      ],
      stores: [
        { store_id: 'S001', store_name: 'Store 001 Seattle', city: 'Seattle', region: 'West', revenue: 5000.125, transactions: 40 },
        { store_id: 'S002', store_name: null, city: '', region: 'Ünïcode — “region”', revenue: '0.005', transactions: '1' },
      ],
      products: [{ product_id: 'P0001', product_name: 'Smart Kettle 1', category: 'Home', revenue: 1999.995, units: 12345.5 }],
      daily: [
        { sales_date: '2024-03-31', revenue: 1000.4, transactions: 10, previous_date: '2024-03-30', previous_revenue: 1200, change_pct: -16.633 },
        { sales_date: '2024-03-30', revenue: 1200, transactions: 12, previous_date: null, previous_revenue: null, change_pct: null },
      ],
    });
  });

  it('with no sales at all', () => {
    expectSame({ totals: {}, categories: [], stores: [], products: [], daily: [] });
  });

  it('when the day before had no revenue and the change rounds up', () => {
    expectSame({
      totals: { period_start: null, period_end: null, total_revenue: -0.004, transactions: 0, units: null, average_order_value: 'abc' },
      categories: [{ category: 'A', revenue: 0.125, units: 2.5, share_pct: 99.95 }],
      stores: [],
      products: [],
      daily: [{ sales_date: '2024-01-02', revenue: 10, transactions: 1, previous_date: '2024-01-01', previous_revenue: 0, change_pct: null }],
    });
    expectSame({
      totals: { total_revenue: 10.5 },
      categories: [],
      stores: [],
      products: [],
      daily: [{ sales_date: '2024-01-02', revenue: 10.5, transactions: 1, previous_date: '2024-01-01', previous_revenue: 10, change_pct: 0.049 }],
    });
  });
});
