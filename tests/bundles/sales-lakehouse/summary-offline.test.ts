import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  computeSalesMetrics,
  loadSummaryPromptTemplate,
  OFFLINE_MODEL,
  offlineSummaryText,
  renderSummaryPrompt,
  summarize,
  SUMMARY_PROMPT_TEMPLATE_URL,
  summaryInsertSql,
  writeSummaryRow,
  type SalesMetrics,
} from '../../../bundles/sales-lakehouse/summary/index.ts';
import { recordingSink } from '../../../src/events/types.ts';
import { openGoldDb, sampleSales } from '../../fixtures/dashboard/gold-sales.ts';

function metricsFixture(): SalesMetrics {
  return {
    period_start: '2024-03-01 08:00:00',
    period_end: '2024-03-03 19:30:00',
    total_revenue: 12345.6,
    transactions: 321,
    units: 654,
    average_order_value: 38.46,
    revenue_by_category: [
      { category: 'Electronics', revenue: 5000, units: 100, share_pct: 40.5 },
      { category: 'Grocery', revenue: 3000.25, units: 300, share_pct: 24.3 },
    ],
    top_stores: [{ store_id: 'S1', store_name: 'Downtown', city: 'Seattle', region: 'West', revenue: 4000, transactions: 90 }],
    top_products: [{ product_id: 'P1', product_name: 'Widget', category: 'Electronics', revenue: 2000, units: 45 }],
    daily_revenue: [
      { date: '2024-03-02', revenue: 1600, transactions: 40 },
      { date: '2024-03-03', revenue: 1800, transactions: 44 },
    ],
    day_over_day: { date: '2024-03-03', previous_date: '2024-03-02', revenue: 1800, previous_revenue: 1600, change_pct: 12.5 },
  };
}

describe('offline summary', () => {
  it('states the figures from the metrics', () => {
    const text = offlineSummaryText(metricsFixture());
    expect(text).toContain('from 2024-03-01 to 2024-03-03');
    expect(text).toContain('$12,345.60 across 321 transactions');
    expect(text).toContain('average order value $38.46');
    expect(text).toContain('Electronics led the categories with $5,000.00 (40.5% of revenue), followed by Grocery at $3,000.25');
    expect(text).toContain('The top store was Downtown in Seattle');
    expect(text).toContain('Widget with $2,000.00 from 45 units');
    expect(text).toContain('up 12.5% on 2024-03-02');
  });

  it('is deterministic and follows the data', () => {
    const a = offlineSummaryText(metricsFixture());
    expect(offlineSummaryText(metricsFixture())).toBe(a);
    const falling = metricsFixture();
    falling.day_over_day = { ...falling.day_over_day!, revenue: 1200, change_pct: -25 };
    expect(offlineSummaryText(falling)).toContain('down 25.0% on 2024-03-02');
    expect(offlineSummaryText(falling)).not.toBe(a);
  });

  it('says so when there are no sales', () => {
    const empty: SalesMetrics = {
      ...metricsFixture(),
      period_start: null,
      period_end: null,
      total_revenue: 0,
      transactions: 0,
      units: 0,
      revenue_by_category: [],
      top_stores: [],
      top_products: [],
      daily_revenue: [],
      day_over_day: null,
    };
    expect(offlineSummaryText(empty)).toMatch(/No sales/);
  });
});

describe('summary prompt template', () => {
  it('declares its version in the template file', () => {
    const source = readFileSync(SUMMARY_PROMPT_TEMPLATE_URL, 'utf8');
    const declared = /prompt_version:\s*(\S+)/.exec(source)?.[1];
    expect(declared).toMatch(/^sales-summary-v\d+$/);
    expect(loadSummaryPromptTemplate().prompt_version).toBe(declared);
  });

  it('renders every placeholder from the metrics, without HTML escaping', () => {
    const metrics = metricsFixture();
    metrics.top_products[0]!.product_name = 'Fish & Chips <large>';
    const prompt = renderSummaryPrompt(metrics);
    expect(prompt.text).not.toMatch(/\{\{|\}\}/);
    expect(prompt.text).not.toContain('prompt_version'); // the header comment is not sent
    expect(prompt.text).toContain('Total revenue: $12,345.60');
    expect(prompt.text).toContain('- Electronics: $5,000.00 (40.5% of revenue, 100 units)');
    expect(prompt.text).toContain('- Fish & Chips <large> (Electronics): $2,000.00, 45 units');
    expect(prompt.text).toContain('- 2024-03-03: $1,800.00 (44 transactions)');
    expect(prompt.text).toContain('Day-over-day: 2024-03-03: $1,800.00, up 12.5% on 2024-03-02 ($1,600.00)');
  });
});

describe('summarize without an API key', () => {
  it('writes the offline summary labelled offline-template', async () => {
    const events = recordingSink();
    const now = new Date('2024-03-04T06:00:00.000Z');
    const metrics = metricsFixture();
    const row = await summarize(metrics, { env: {}, now: () => now, events });
    expect(row).toEqual({
      text: offlineSummaryText(metrics),
      model: OFFLINE_MODEL,
      generated_at: '2024-03-04T06:00:00.000Z',
      period_start: metrics.period_start,
      period_end: metrics.period_end,
      metrics,
      prompt_version: loadSummaryPromptTemplate().prompt_version,
    });
    expect(events.events.filter((e) => e.code === 'summary.text')).toHaveLength(1);
  });

  it('uses the offline template when asked to, even with a key', async () => {
    const row = await summarize(metricsFixture(), { env: { OPENAI_API_KEY: 'sk-unused-key-123456' }, offline: true });
    expect(row.model).toBe(OFFLINE_MODEL);
  });
});

describe('writeSummaryRow', () => {
  it('creates gold.sales_summary and appends rows that survive quotes, backslashes and newlines', async () => {
    const db = await openGoldDb('lakehouse', sampleSales(40, 2));
    try {
      const metrics = await computeSalesMetrics(db.sql, 'lakehouse');
      const row = await summarize(metrics, { env: {}, now: () => new Date('2024-03-05T07:08:09.123Z') });
      const tricky = { ...row, text: "Sales' \\ \"up\"\n-- not a comment'); DROP TABLE x; --" };
      await writeSummaryRow(db.sql, 'lakehouse', tricky);
      await writeSummaryRow(db.sql, 'lakehouse', row);
      const rows: Record<string, unknown>[] = [];
      for await (const r of db.sql.query(
        `SELECT CAST(generated_at AS VARCHAR) AS generated_at, CAST(period_start AS VARCHAR) AS period_start, model,
           prompt_version, summary_text, metrics_json FROM lakehouse.gold.sales_summary ORDER BY summary_text`,
      )) {
        rows.push(r);
      }
      expect(rows).toHaveLength(2);
      const texts = rows.map((r) => r.summary_text);
      expect(texts).toContain(tricky.text);
      expect(texts).toContain(row.text);
      expect(rows[0]).toMatchObject({
        generated_at: '2024-03-05 07:08:09.123',
        period_start: metrics.period_start,
        model: OFFLINE_MODEL,
        prompt_version: row.prompt_version,
      });
      expect(JSON.parse(String(rows[0]!.metrics_json))).toEqual(metrics);
    } finally {
      db.close();
    }
  });

  it('writes literals only: no quote or backslash reaches the SQL text unescaped', () => {
    const sql = summaryInsertSql('lakehouse', {
      text: "a'b\\c",
      model: 'm',
      generated_at: '2024-01-01T00:00:00.000Z',
      period_start: null,
      period_end: null,
      metrics: metricsFixture(),
      prompt_version: 'v',
    });
    expect(sql).toContain("('a' || chr(39) || 'b' || chr(92) || 'c')");
    expect(sql).toContain('NULL, NULL');
  });
});
