// Opens the offline dashboard in headless Chromium and checks that it really renders: every chart draws one mark
// per row, the summary shows, nothing is fetched, nothing logs an error, and hostile names stay text.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { computeSalesMetrics, summarize, writeSummaryRow, type SummaryRow } from '../../bundles/sales-lakehouse/summary/index.ts';
import { queryDashboardData, renderDashboardHtml } from '../../src/dashboard/index.ts';
import { openGoldDb, sampleSales, type GoldSale } from '../fixtures/dashboard/gold-sales.ts';
import { salesDashboardModel } from '../fixtures/dashboard/sales-dashboard.ts';
import { openChromiumPage, skipWithoutChromium } from './chromium-page.ts';


const NASTY_PRODUCT = `</script><script>window.__pwned=1</script> Deluxe & "Co" <img src=x onerror="window.__pwned=2">`;
const CHARTS = ['revenue_trend', 'sales_by_category', 'sales_by_store', 'top_products'] as const;

/** What the page's boot script exposes (the project compiles without DOM types, hence globalThis). */
interface DashboardWindow {
  dbxDashboard: { errors: string[]; views: Record<string, { data(name: string): unknown[] }> };
  __pwned?: number;
}

describe.skipIf(skipWithoutChromium)('offline dashboard in headless Chromium', () => {
  let dir: string;
  let context: BrowserContext;
  let page: Page;
  let data: Record<string, Record<string, unknown>[]>;
  let summary: SummaryRow;
  const consoleErrors: string[] = [];
  const requests: string[] = [];

  beforeAll(async () => {
    // Gold data with one hostile product name, big enough to be in the top 10.
    const sales: GoldSale[] = sampleSales(120, 4);
    sales.push({ ...sales[0]!, transaction_id: 'T9999', product_id: 'P99', product_name: NASTY_PRODUCT, quantity: 50, total_revenue: 4000 });
    const db = await openGoldDb('lakehouse', sales);
    try {
      summary = await summarize(await computeSalesMetrics(db.sql, 'lakehouse'), { env: {} });
      await writeSummaryRow(db.sql, 'lakehouse', summary);
      data = await queryDashboardData(db.sql, salesDashboardModel(), { catalog: 'lakehouse' });
    } finally {
      db.close();
    }

    dir = mkdtempSync(join(tmpdir(), 'dbx-dashboard-'));
    const file = join(dir, 'dashboard.html');
    writeFileSync(file, await renderDashboardHtml(salesDashboardModel(), data));

    ({ context, page } = await openChromiumPage(join(dir, 'profile'), { width: 1360, height: 1300 }, consoleErrors));
    page.on('request', (request) => requests.push(request.url()));
    await page.goto(pathToFileURL(file).href);
    await page.waitForSelector('body[data-charts]', { timeout: 15_000 });
  });

  afterAll(async () => {
    await context?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('renders all charts without errors', async () => {
    expect(await page.getAttribute('body', 'data-charts')).toBe('ready');
    expect(await page.evaluate(() => (globalThis as unknown as DashboardWindow).dbxDashboard.errors)).toEqual([]);
    const views = await page.evaluate(() => Object.keys((globalThis as unknown as DashboardWindow).dbxDashboard.views));
    expect(views.sort()).toEqual([...CHARTS].sort());
  });

  it('feeds every chart its rows and draws one mark per row', async () => {
    for (const chart of CHARTS) {
      const rows = data[chart]!;
      expect(rows.length, chart).toBeGreaterThan(1);
      const viewRows = await page.evaluate(
        (name) => (globalThis as unknown as DashboardWindow).dbxDashboard.views[name]!.data('source_0').length,
        chart,
      );
      expect(viewRows, chart).toBe(rows.length);
      const container = `[data-widget="${chart}"] svg`;
      if (chart === 'revenue_trend') {
        expect(await page.locator(`${container} g.mark-line path`).count()).toBe(1);
        expect(await page.locator(`${container} g.mark-symbol path`).count()).toBe(rows.length);
      } else {
        expect(await page.locator(`${container} g.mark-rect path`).count(), chart).toBe(rows.length);
      }
    }
  });

  it('draws bars in proportion to the data', async () => {
    const rows = data.sales_by_category!;
    const heights = await page.locator('[data-widget="sales_by_category"] svg g.mark-rect path').evaluateAll((paths) =>
      paths.map((p) => (p as unknown as { getBBox(): { height: number } }).getBBox().height),
    );
    const revenues = rows.map((r) => Number(r.revenue)).sort((a, b) => b - a);
    const sortedHeights = [...heights].sort((a, b) => b - a);
    // Ratio of the largest to the smallest bar matches the ratio of the values (linear scale from zero).
    expect(sortedHeights[0]! / sortedHeights.at(-1)!).toBeCloseTo(revenues[0]! / revenues.at(-1)!, 1);
  });

  it('shows the counters, the top-10 table and the summary text', async () => {
    expect(await page.locator('[data-widget="transactions"] .counter').innerText()).toBe(String(data.kpis![0]!.transactions));
    expect(await page.locator('[data-widget="top_products_table"] tbody tr').count()).toBe(10);
    const shown = await page.locator('[data-widget="summary"] .summary').innerText();
    expect(shown).toContain(summary.text);
    expect(shown).toContain('offline-template');
  });

  it('keeps a hostile product name as text: no script ran, the name shows as written', async () => {
    expect(await page.evaluate(() => (globalThis as unknown as DashboardWindow).__pwned)).toBeUndefined();
    const names = await page.locator('[data-widget="top_products_table"] tbody tr td:first-child').allInnerTexts();
    expect(names).toContain(NASTY_PRODUCT);
    expect(await page.locator('img').count()).toBe(0);
  });

  it('loads nothing but the file and logs no errors', () => {
    expect(requests.filter((url) => !url.startsWith('file:'))).toEqual([]);
    expect(consoleErrors).toEqual([]);
  });
});
