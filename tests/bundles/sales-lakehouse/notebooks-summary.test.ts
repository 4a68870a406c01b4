// The summary notebook's Python port (notebooks-src/lib/summary_runtime.py) against src/ai on the same rows:
// the metrics JSON, the prompt variables and the prompt text must be identical.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { metricsFromRows } from '../../../bundles/sales-lakehouse/summary/metrics.ts';
import { OFFLINE_MODEL, offlineSummaryText } from '../../../bundles/sales-lakehouse/summary/offline-summary.ts';
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

describe('summary runtime (Python) without an LLM', () => {
  const rows: Rows = {
    totals: { period_start: '2024-01-01 08:00:00', period_end: '2024-01-02 20:00:00', total_revenue: 1500.5, transactions: 12, units: 30, average_order_value: 125.04 },
    categories: [
      { category: 'Books', revenue: 1000, units: 20, share_pct: 66.6 },
      { category: 'Toys', revenue: 500.5, units: 10, share_pct: 33.4 },
    ],
    stores: [{ store_id: 'S1', store_name: 'Store 1', city: 'Leeds', region: 'North', revenue: 900, transactions: 7 }],
    products: [{ product_id: 'P1', product_name: 'Atlas', category: 'Books', revenue: 600, units: 6 }],
    daily: [
      { sales_date: '2024-01-02', revenue: 900, transactions: 7, previous_date: '2024-01-01', previous_revenue: 600.5, change_pct: 49.875 },
      { sales_date: '2024-01-01', revenue: 600.5, transactions: 5, previous_date: null, previous_revenue: null, change_pct: null },
    ],
  };

  /** Runs summarize() with a key reader and a fake OpenAI that fails (no egress) when asked. */
  function summarizeInPython(key: string | null, onFailure: string): { text?: string; model?: string; warning?: string | null; error?: string } {
    const input = path.join(tempDir(), 'rows.json');
    writeFileSync(input, JSON.stringify({ rows, key, onFailure }));
    const program = `
import json, sys, types
openai = types.ModuleType("openai")
class OpenAI:
    def __init__(self, **kwargs): self.key = kwargs["api_key"]
    @property
    def chat(self): raise ConnectionError("Connection to api.openai.com refused; key " + self.key)
openai.OpenAI = OpenAI
sys.modules["openai"] = openai
exec(open(${JSON.stringify(RUNTIME)}, encoding="utf-8").read())
data = json.load(open(sys.argv[1], encoding="utf-8"))
r = data["rows"]
m = metrics_from_rows(r["totals"], r["categories"], r["stores"], r["products"], r["daily"])
try:
    text, model, warning = summarize("prompt", m, lambda: data["key"], "gpt-x", "https://api.openai.com/v1", 5, 0, data["onFailure"])
    sys.stdout.write(json.dumps({"text": text, "model": model, "warning": warning}))
except RuntimeError as error:
    sys.stdout.write(json.dumps({"error": str(error)}))
`;
    return JSON.parse(runPython(program, [input])) as { text?: string; model?: string; warning?: string | null; error?: string };
  }

  it('writes the same offline summary as the local run, with a warning, when there is no key', () => {
    const out = summarizeInPython(null, 'offline');
    expect(out.text).toBe(offlineSummaryText(metricsFromRows(rows)));
    expect(out.model).toBe(OFFLINE_MODEL);
    expect(out.warning).toContain('no OpenAI API key');
  });

  it('falls back when OpenAI cannot be reached, never showing the key; fails instead when configured to', () => {
    const out = summarizeInPython('sk-secret-123', 'offline');
    expect(out.model).toBe(OFFLINE_MODEL);
    expect(out.warning).toContain('refused');
    expect(JSON.stringify(out)).not.toContain('sk-secret-123');
    const failed = summarizeInPython('sk-secret-123', 'fail');
    expect(failed.error).toContain('No LLM summary');
    expect(failed.error).not.toContain('sk-secret-123');
  });
});
