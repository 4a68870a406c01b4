import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { renderDashboardHtml } from '../../src/dashboard/index.ts';
import { recordingSink } from '../../src/events/types.ts';
import { salesDashboardModel } from '../fixtures/dashboard/sales-dashboard.ts';

const NASTY = `</script><script>window.__pwned=1</script><!-- & "Deluxe" 'x' <b>`;

function sampleData(): Record<string, Record<string, unknown>[]> {
  return {
    kpis: [{ total_revenue: 15930.71, transactions: 120n }],
    revenue_trend: [
      { sales_date: new Date('2024-03-01T00:00:00Z'), revenue: 3896.81 },
      { sales_date: new Date('2024-03-02T00:00:00Z'), revenue: 3797.74 },
      { sales_date: new Date('2024-03-03T00:00:00Z'), revenue: 3128.28 },
    ],
    sales_by_category: [
      { category: 'Home', revenue: 5423.75 },
      { category: NASTY, revenue: 4360.41 },
    ],
    sales_by_store: [
      { store_name: 'Downtown', revenue: 5372.83 },
      { store_name: 'Harbor', revenue: 2164.28 },
    ],
    top_products: [
      { product_name: NASTY, category: 'Home', revenue: 3152.71, units: 38n },
      { product_name: 'Lamp', category: 'Home', revenue: 1000, units: 12n },
    ],
    latest_summary: [{ summary_text: 'From the table.', model: 'offline-template', generated_at: '2024-03-05 07:00:00' }],
  };
}

/** The chart JSON exactly as the page's boot script will read it. */
function chartJson(html: string): { id: string; name: string; spec: { data: { name: string; values?: Record<string, unknown>[] }[] } }[] {
  const match = /<script id="dbx-charts" type="application\/json">([\s\S]*?)<\/script>/.exec(html);
  if (!match) throw new Error('no chart JSON');
  return JSON.parse(match[1]!);
}

describe('offline dashboard HTML', () => {
  it('is self-contained: no external scripts, styles, images or fonts, and a CSP that blocks the network', async () => {
    const html = await renderDashboardHtml(salesDashboardModel(), sampleData());
    const runtime = readFileSync(join(dirname(createRequire(import.meta.url).resolve('vega')), 'vega.min.js'), 'utf8');
    expect(html.includes(`<script>${runtime}</script>`), 'the Vega runtime is inlined verbatim').toBe(true);
    // Everything except the runtime's own source: no reference to anything outside the file.
    const page = html.replace(runtime, '');
    expect(/<script[^>]+src=/i.test(page)).toBe(false);
    expect(/<link\b|<img\b|<iframe\b/i.test(page)).toBe(false);
    expect(/@import|url\(|https?:\/\//i.test(page)).toBe(false);
    expect(page).toContain(`content="default-src 'none';`);
  });

  it('escapes data for HTML and for the inline script: a </script> in a name cannot break out', async () => {
    const html = await renderDashboardHtml(salesDashboardModel(), sampleData(), `Summary with ${NASTY}`);
    expect(html).not.toContain(NASTY);
    expect(html).not.toContain('window.__pwned=1</script>');
    // Exactly the three script elements the page defines, each closed once.
    expect(html.match(/<script\b/gi)).toHaveLength(3);
    expect(html.match(/<\/script>/gi)).toHaveLength(3);
    expect(html).toContain('&lt;/script&gt;&lt;script&gt;window.__pwned=1&lt;/script&gt;&lt;!-- &amp; &quot;Deluxe&quot; &#39;x&#39; &lt;b&gt;');
    // The JSON round-trips to the original text, so charts label the product exactly as named.
    const categories = chartJson(html).find((c) => c.name === 'sales_by_category')!.spec.data[0]!.values!;
    expect(categories.map((r) => r.category)).toEqual(['Home', NASTY]);
  });

  it('embeds each chart with its rows, as plain JSON values', async () => {
    const data = sampleData();
    const charts = chartJson(await renderDashboardHtml(salesDashboardModel(), data));
    expect(charts.map((c) => c.name)).toEqual(['revenue_trend', 'sales_by_category', 'sales_by_store', 'top_products']);
    const trend = charts.find((c) => c.name === 'revenue_trend')!.spec.data[0]!.values!;
    expect(trend.map((r) => r.revenue)).toEqual(data.revenue_trend!.map((r) => r.revenue));
    expect(trend[0]!.sales_date).toBe('2024-03-01T00:00:00.000Z');
    const products = charts.find((c) => c.name === 'top_products')!.spec.data[0]!.values!;
    expect(products.map((r) => r.units)).toEqual([38, 12]); // bigint became a number
  });

  it('shows counters, tables and the summary', async () => {
    const html = await renderDashboardHtml(salesDashboardModel(), sampleData(), {
      text: 'Revenue rose.\n\nHome led.',
      model: 'gpt-4o-mini',
      generated_at: '2024-03-05T07:00:00Z',
    });
    expect(html).toMatch(/<p class="counter" id="widget-\d+">15,930.71<\/p>/);
    expect(html).toMatch(/<p class="counter" id="widget-\d+">120<\/p>/);
    expect(html).toContain('<td>Lamp</td><td>Home</td><td class="num">1,000</td><td class="num">12</td>');
    expect(html).toContain('<p>Revenue rose.</p>\n<p>Home led.</p>');
    expect(html).toContain('gpt-4o-mini · 2024-03-05T07:00:00Z');
  });

  it('falls back to the summary dataset, and says when there is no data', async () => {
    const data = sampleData();
    data.sales_by_store = [];
    const html = await renderDashboardHtml(salesDashboardModel(), data);
    expect(html).toContain('<p>From the table.</p>');
    expect(html).toContain('offline-template · 2024-03-05 07:00:00');
    expect(html).toMatch(/data-widget="sales_by_store"[^>]*>\n<h2>Sales by store<\/h2>\n<p class="empty">No data<\/p>/);
    expect(chartJson(html).map((c) => c.name)).not.toContain('sales_by_store');
    expect(await renderDashboardHtml(salesDashboardModel(), data, { text: '  ', model: '' })).toContain('<p>From the table.</p>');
    data.latest_summary = [];
    expect(await renderDashboardHtml(salesDashboardModel(), data)).toMatch(/<p class="empty" id="widget-\d+">No summary yet<\/p>/);
  });

  it('is deterministic and quiet (no compiler warnings for the sales dashboard)', async () => {
    const events = recordingSink();
    const a = await renderDashboardHtml(salesDashboardModel(), sampleData(), 'Same.', { events });
    expect(await renderDashboardHtml(salesDashboardModel(), sampleData(), 'Same.')).toBe(a);
    expect(events.events).toEqual([]);
  });
});
