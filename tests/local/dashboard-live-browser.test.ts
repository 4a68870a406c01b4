// The live dashboard end to end, in headless Chromium: `run --continuous` and `dashboard --serve` on the
// reference bundle; a sales file lands, and the open page's charts change to show it, with no reload.
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { landFreshSalesFile } from '../../bench/lib/fresh-sales-file.ts';
import { runCli, scratchProject, startCli, type RunningCli } from '../build/helpers.ts';
import { openChromiumPage, skipWithoutChromium } from './chromium-page.ts';


/** What the page's scripts expose (the project compiles without DOM types, hence globalThis). */
interface LiveWindow {
  dbxDashboard: { errors: string[]; updates: number; views: Record<string, { data(name: string): Record<string, unknown>[] }> };
  loadedOnce?: number;
}

const barTotal = (page: Page, chart: string) =>
  page.evaluate(
    (name) => (globalThis as unknown as LiveWindow).dbxDashboard.views[name]!.data('source_0').reduce((n, row) => n + Number(row['revenue']), 0),
    chart,
  );
const barShapes = (page: Page, widget: string) => page.locator(`[data-widget="${widget}"] svg g.mark-rect path`).evaluateAll((paths) => paths.map((p) => p.getAttribute('d')));

describe.skipIf(skipWithoutChromium)('live dashboard in headless Chromium', () => {
  let project: string;
  let env: Record<string, string>;
  let run: RunningCli;
  let serve: RunningCli;
  let context: BrowserContext;
  let page: Page;
  let url: string;
  const consoleErrors: string[] = [];

  beforeAll(async () => {
    project = await scratchProject();
    env = { OPENAI_API_KEY: '', DBX_TS_LOCAL_DIR: join(project, '.dbx-ts', 'local') };
    // A small landing zone keeps the first run short: 300 batch sales and one stream batch.
    expect((await runCli(['simulate', '--rows', '300', '--files', '1', '--stream', '--batches', '1', '--interval', '0'], { cwd: project, env })).code).toBe(0);
    run = startCli(['run', 'unified-workflow', '--continuous', '--no-show-results'], { cwd: project, env });
    await run.waitFor(/Watching the landing zone/, 0, 120_000);
    serve = startCli(['dashboard', '--serve', '--port', '0'], { cwd: project, env });
    url = (await serve.waitFor(/Serving dashboard sales_dashboard at (http:\/\/127\.0\.0\.1:\d+\/)/, 0, 30_000))[1]!;

    ({ context, page } = await openChromiumPage(join(project, 'profile'), { width: 1360, height: 1500 }, consoleErrors));
    await page.goto(url);
    await page.waitForSelector('body[data-charts]', { timeout: 15_000 });
  }, 180_000);

  afterAll(async () => {
    await context?.close();
    run?.stop();
    serve?.stop();
    await Promise.all([run?.done, serve?.done]);
  });

  it('serves the same charts as the offline file, then redraws them when a landed file reaches gold', async () => {
    expect(await page.getAttribute('body', 'data-charts')).toBe('ready');
    expect((await page.evaluate(() => Object.keys((globalThis as unknown as LiveWindow).dbxDashboard.views))).sort()).toEqual(['by_category', 'by_store', 'revenue_trend']);
    const before = { total: await barTotal(page, 'by_category'), bars: await barShapes(page, 'by_category'), version: await page.getAttribute('body', 'data-version') };
    expect(before.total).toBeGreaterThan(0);
    // Marks this page load: a reload would lose it.
    await page.evaluate(() => void ((globalThis as unknown as LiveWindow).loadedOnce = 1));

    const streamDir = join(env.DBX_TS_LOCAL_DIR!, 'volumes', 'sales_lakehouse', 'landing', 'raw', 'sales_stream');
    const [template] = (await readdir(streamDir)).filter((f) => f.endsWith('.parquet')).sort();
    const mark = run.output().length;
    await landFreshSalesFile(streamDir, template!, 'live-0.parquet', 'live0');

    await page.waitForFunction(() => (globalThis as unknown as LiveWindow).dbxDashboard.updates >= 1, undefined, { timeout: 60_000 });
    // The whole job ran again on the new file: bronze took it, and the dashboard task refreshed the page's data.
    const rerun = run.output().slice(mark);
    expect(rerun).toContain('New landing file: /Volumes/sales_lakehouse/landing/raw/sales_stream/live-0.parquet');
    expect(rerun).toMatch(/bronze\.sales_stream_raw: read [1-9]\d*/);
    expect(rerun).toMatch(/task update_dashboard: TERMINATED SUCCESS/);

    expect(await page.getAttribute('body', 'data-charts')).toBe('ready');
    expect(await page.getAttribute('body', 'data-version')).not.toBe(before.version);
    expect(await barTotal(page, 'by_category')).toBeGreaterThan(before.total);
    expect(await barShapes(page, 'by_category')).not.toEqual(before.bars);
    expect(await page.evaluate(() => (globalThis as unknown as LiveWindow).loadedOnce)).toBe(1);
    expect(await page.evaluate(() => (globalThis as unknown as LiveWindow).dbxDashboard.errors)).toEqual([]);
    expect(consoleErrors).toEqual([]);
  });

  it('stops both commands cleanly on Ctrl-C', async () => {
    run.stop();
    serve.stop();
    expect(await run.done).toBe(0);
    expect(await serve.done).toBe(0);
    expect(run.output()).toContain('Stopped watching the landing zone.');
    expect(serve.output()).toContain('Stopped serving dashboard sales_dashboard.');
  });
});
