// The live dashboard server: the page it serves, the event stream that carries new data, what it refuses, and
// the snapshot file it follows.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startDashboardServer, type LiveDashboardServer } from '../../src/dashboard/live-server.ts';
import { makeSnapshot, readSnapshot, snapshotFile, watchSnapshot, writeSnapshot, type DashboardSnapshot } from '../../src/dashboard/snapshot.ts';
import { renderDashboardHtml } from '../../src/dashboard/index.ts';
import { UserError } from '../../src/errors/index.ts';
import { salesDashboardModel } from '../fixtures/dashboard/sales-dashboard.ts';

const categories = (rows: [string, number][]) => ({ sales_by_category: rows.map(([category, revenue]) => ({ category, revenue })) });

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

function get(url: string, opts: { host?: string; method?: string } = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: opts.method ?? 'GET', headers: opts.host ? { host: opts.host } : {} }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** The `grid` events of /events, as they arrive. */
function eventStream(url: string) {
  const grids: { version: string; cards: string; charts: { name: string; spec: { data: { values?: unknown[] }[] } }[] }[] = [];
  const waiters = new Set<() => void>();
  let buffer = '';
  let ended = false;
  const req = request(new URL('events', url), (res) => {
    res.setEncoding('utf8').on('data', (chunk: string) => {
      buffer += chunk;
      let end: number;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        const message = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const data = /^data: (.*)$/m.exec(message)?.[1];
        if (/^event: grid$/m.test(message) && data) grids.push(JSON.parse(data));
      }
      for (const wake of waiters) wake();
    });
    res.on('end', () => {
      ended = true;
      for (const wake of waiters) wake();
    });
  });
  req.end();
  const until = (test: () => boolean) =>
    new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`timed out; grids: ${grids.map((g) => g.version).join(', ')}`)), 5000);
      const check = () => {
        if (!test()) return;
        clearTimeout(timer);
        waiters.delete(check);
        resolve();
      };
      waiters.add(check);
      check();
    });
  return { grids, until, ended: () => ended, close: () => req.destroy() };
}

describe('live dashboard server', () => {
  let server: LiveDashboardServer;
  const first = makeSnapshot('sales', categories([['Home', 500], ['Toys', 200]]));

  beforeEach(async () => {
    server = await startDashboardServer({ model: salesDashboardModel(), port: 0, initial: first });
  });
  afterEach(() => server.close());

  it('listens on 127.0.0.1 and serves the dashboard page, which connects back for updates', async () => {
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    const page = await get(server.url);
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(page.body).toContain(`<body data-version="${first.version}">`);
    expect(page.body).toContain("connect-src 'self'");
    expect(page.body).toContain('new EventSource(config.events)');
    expect(page.body).toContain('"category":"Home"');
    // The same renderer as the offline file: only the live parts differ.
    const offline = await renderDashboardHtml(salesDashboardModel(), first.data);
    expect(offline).not.toContain('connect-src');
    expect(offline).not.toContain('EventSource');
    const strip = (html: string) => html.replace(/<body[^>]*>/, '<body>').replace(/ connect-src 'self';/, '').replace(/<script id="dbx-live"[\s\S]*<\/script>\n<\/body>/, '</body>');
    expect(strip(page.body)).toBe(strip(offline));
  });

  it('sends the current grid on connect and each new version after, once', async () => {
    const stream = eventStream(server.url);
    try {
      await stream.until(() => stream.grids.length === 1);
      expect(stream.grids[0]!.version).toBe(first.version);
      expect(server.clients()).toBe(1);
      server.show(makeSnapshot('sales', categories([['Home', 500], ['Toys', 200]]))); // same data: nothing sent
      const second = makeSnapshot('sales', categories([['Home', 900], ['Toys', 200], ['Books', 50]]));
      server.show(second);
      await stream.until(() => stream.grids.length === 2);
      const grid = stream.grids[1]!;
      expect(grid.version).toBe(second.version);
      expect(grid.version).not.toBe(first.version);
      const chart = grid.charts.find((c) => c.name === 'sales_by_category')!;
      expect(chart.spec.data.find((d) => d.values)!.values).toHaveLength(3);
      expect(grid.cards).toContain('data-widget="sales_by_category"');
      // A page opened now gets the new data.
      expect((await get(server.url)).body).toContain(`<body data-version="${second.version}">`);
    } finally {
      stream.close();
    }
  });

  it('refuses other hosts (DNS rebinding), other methods and other paths', async () => {
    const port = new URL(server.url).port;
    expect((await get(server.url, { host: `evil.example:${port}` })).status).toBe(403);
    expect((await get(server.url, { host: `localhost:${port}` })).status).toBe(200);
    expect((await get(server.url, { method: 'POST' })).status).toBe(405);
    expect((await get(new URL('secrets.json', server.url).href)).status).toBe(404);
  });

  it('ends open event streams when closed, and a taken port is a clear error', async () => {
    const stream = eventStream(server.url);
    await stream.until(() => stream.grids.length === 1);
    const port = Number(new URL(server.url).port);
    const error = await startDashboardServer({ model: salesDashboardModel(), port, initial: first }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UserError);
    expect((error as Error).message).toBe(`Port ${port} on 127.0.0.1 is in use.`);
    await server.close();
    await stream.until(() => stream.ended());
  });
});

describe('dashboard snapshot file', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'dbx-snapshot-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('has a version that follows the data only, and reads back what was written', async () => {
    const a = makeSnapshot('sales', { d: [{ n: 1n, at: new Date('2024-01-01T00:00:00Z') }] }, new Date('2024-01-01T00:00:00Z'));
    const b = makeSnapshot('sales', { d: [{ n: 1, at: '2024-01-01T00:00:00.000Z' }] }, new Date('2025-01-01T00:00:00Z'));
    expect(a.version).toBe(b.version);
    expect(makeSnapshot('sales', { d: [{ n: 2 }] }).version).not.toBe(a.version);
    const file = await writeSnapshot(dir, a);
    expect(file).toBe(snapshotFile(dir, 'sales'));
    expect(readSnapshot(file)).toEqual(a);
    expect(readSnapshot(join(dir, 'missing.json'))).toBeUndefined();
    writeFileSync(join(dir, 'broken.json'), '{"version": ');
    expect(readSnapshot(join(dir, 'broken.json'))).toBeUndefined();
  });

  it('reports each new version written, not rewrites of the same data', async () => {
    await writeSnapshot(dir, makeSnapshot('sales', { d: [{ n: 1 }] }));
    const controller = new AbortController();
    const seen: DashboardSnapshot[] = [];
    let wake = () => {};
    watchSnapshot(snapshotFile(dir, 'sales'), controller.signal, (s) => {
      seen.push(s);
      wake();
    }, 20);
    const next = () =>
      new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('no change seen')), 5000);
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    try {
      const changed = next();
      await writeSnapshot(dir, makeSnapshot('sales', { d: [{ n: 1 }] })); // same data again
      await writeSnapshot(dir, makeSnapshot('sales', { d: [{ n: 2 }] }));
      await changed;
      expect(seen.map((s) => s.data['d']![0]!['n'])).toEqual([2]);
    } finally {
      controller.abort();
    }
  });
});
