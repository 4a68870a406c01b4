// Live latency on the local target: how long from a sales file landing to the served dashboard showing it.
// As a user would run it: `dbx-ts run unified-workflow --continuous` and `dbx-ts dashboard --serve`, each in its
// own process, on a scratch copy of the reference bundle. A sample ends when headless Chromium has drawn the new
// data on the open page; without Chromium, when the page's event stream delivers it (drawing adds well under
// 100 ms).
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, rm, symlink, copyFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { landFreshSalesFile } from './fresh-sales-file.ts';
import { median } from '../harness.ts';

const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
const STREAM_DIR = join('volumes', 'sales_lakehouse', 'landing', 'raw', 'sales_stream');

export interface LiveLatencyOptions {
  /** Files landed one after another, each once the previous one shows (default 5). */
  files?: number;
  /** Give up on one file after this long (default 60 s). */
  timeoutMs?: number;
  /** `dbx-ts simulate` arguments to fill the landing zone first (default: the bundle's first-run data). */
  simulate?: string[];
  /** Progress lines. */
  log?: (line: string) => void;
  /** What counts as shown: drawn in Chromium (the default where it is installed), or delivered on the event stream. */
  observer?: 'browser' | 'events';
}

export interface LiveLatency {
  /** File landed → new dashboard data delivered to an open page, per file, in landing order. */
  samples_ms: number[];
  median_ms: number;
  min_ms: number;
  max_ms: number;
  /** The first run of the job, before watching started (not part of the samples). */
  first_run_ms: number;
  observer: 'browser' | 'events';
}

export const CHROMIUM = process.env['DBX_TS_CHROMIUM'] ?? '/usr/bin/chromium';

/** How the bench tells that an open page shows new data: `next()` resolves with the time it did. */
interface Observer {
  next(ms: number): Promise<number>;
  close(): Promise<void>;
}

/** Headless Chromium with the page open; a sample ends when the page has swapped in and drawn the new grid. */
async function browserObserver(url: string): Promise<Observer> {
  const { chromium } = await import('playwright-core');
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-gpu'] });
  const page = await browser.newPage();
  await page.goto(url);
  await page.waitForSelector('body[data-charts]', { timeout: 30_000 });
  let seen = 0;
  return {
    next: async (ms) => {
      seen += 1;
      await page.waitForFunction((n) => (globalThis as unknown as { dbxDashboard: { updates: number } }).dbxDashboard.updates >= n, seen, { timeout: ms, polling: 'raf' });
      return Date.now();
    },
    close: () => browser.close(),
  };
}

interface Cli {
  child: ChildProcess;
  /** Resolves with the first NDJSON event matching, or rejects when the process ends or time runs out. */
  waitFor(test: (event: { code: string; message: string; data: Record<string, unknown> }) => boolean, ms: number): Promise<{ code: string; message: string; data: Record<string, unknown> }>;
  /** Resolves with the exit code once the process ends. */
  exit(): Promise<number | null>;
  /** SIGTERM (the commands stop cleanly on it), then its exit code. */
  stop(): Promise<number | null>;
}

/** `dbx-ts <args> --json` in a child process, its events read as they come. */
function startCli(args: string[], cwd: string, env: NodeJS.ProcessEnv): Cli {
  const child = spawn(process.execPath, [join(REPO_ROOT, 'bin', 'dbx-ts.mjs'), ...args, '--json'], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
  const events: { code: string; message: string; data: Record<string, unknown> }[] = [];
  const waiters = new Set<() => void>();
  let stderr = '';
  let buffer = '';
  let exited: number | null | undefined;
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
    buffer += chunk;
    const lines = buffer.split('\n');
    buffer = lines.pop()!;
    for (const line of lines) if (line.startsWith('{')) events.push(JSON.parse(line));
    for (const wake of waiters) wake();
  });
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => void (stderr += chunk));
  const ended = new Promise<number | null>((resolve) =>
    child.on('exit', (code) => {
      exited = code;
      for (const wake of waiters) wake();
      resolve(code);
    }),
  );
  return {
    child,
    waitFor: (test, ms) =>
      new Promise((resolve, reject) => {
        let seen = 0;
        const timer = setTimeout(() => done(new Error(`dbx-ts ${args[0]}: nothing matched within ${ms} ms\n${stderr}`)), ms);
        const check = () => {
          for (; seen < events.length; seen++) if (test(events[seen]!)) return done(undefined, events[seen]);
          if (exited !== undefined) done(new Error(`dbx-ts ${args.join(' ')} exited (${exited}):\n${stderr}`));
        };
        const done = (error?: Error, event?: (typeof events)[number]) => {
          clearTimeout(timer);
          waiters.delete(check);
          if (error) reject(error);
          else resolve(event!);
        };
        waiters.add(check);
        check();
      }),
    exit: () => ended,
    stop: async () => {
      if (exited === undefined) child.kill('SIGTERM');
      return ended;
    },
  };
}

/** Reads a dashboard's event stream as a page does. */
async function openEventStream(url: string, signal: AbortSignal) {
  const response = await fetch(new URL('events', url), { signal });
  if (!response.ok || !response.body) throw new Error(`GET ${url}events: ${response.status}`);
  const grids: { version: string; at: number }[] = [];
  const waiters = new Set<() => void>();
  void (async () => {
    const decoder = new TextDecoder();
    let buffer = '';
    try {
      for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
        buffer += decoder.decode(chunk, { stream: true });
        let end: number;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const message = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const data = /^data: (.*)$/m.exec(message)?.[1];
          if (/^event: grid$/m.test(message) && data) grids.push({ version: (JSON.parse(data) as { version: string }).version, at: Date.now() });
        }
        for (const wake of waiters) wake();
      }
    } catch {
      // aborted at the end
    }
  })();
  let consumed = 0;
  let shown: string | undefined;
  /** The next grid with data other than the last one returned (the first call: the grid shown on connect). */
  const next = (ms: number) =>
    new Promise<{ version: string; at: number }>((resolve, reject) => {
      const timer = setTimeout(() => {
        waiters.delete(check);
        reject(new Error(`the dashboard did not update within ${ms} ms`));
      }, ms);
      const check = () => {
        while (consumed < grids.length) {
          const grid = grids[consumed++]!;
          if (grid.version === shown) continue;
          shown = grid.version;
          clearTimeout(timer);
          waiters.delete(check);
          return resolve(grid);
        }
      };
      waiters.add(check);
      check();
    });
  return { next };
}

/** A project dir that holds the repository's reference bundle (as the tests' scratch projects do). */
async function scratchProject(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'dbx-ts-live-'));
  await copyFile(join(REPO_ROOT, 'package.json'), join(dir, 'package.json'));
  for (const name of ['bundles', 'src', 'notebooks-src', 'templates']) await symlink(join(REPO_ROOT, name), join(dir, name), 'dir');
  return dir;
}

export async function measureLiveLatency(options: LiveLatencyOptions = {}): Promise<LiveLatency> {
  const files = options.files ?? 5;
  const timeoutMs = options.timeoutMs ?? 60_000;
  const log = options.log ?? (() => {});
  const project = await scratchProject();
  const localDir = join(project, '.dbx-ts', 'local');
  const env = { ...process.env, CI: 'true', OPENAI_API_KEY: '', DBX_TS_LOCAL_DIR: localDir };
  const clis: Cli[] = [];
  const stream = new AbortController();
  let closeObserver = async () => {};
  try {
    if (options.simulate) {
      const simulate = startCli(['simulate', ...options.simulate], project, env);
      clis.push(simulate);
      if ((await simulate.exit()) !== 0) throw new Error(`dbx-ts simulate ${options.simulate.join(' ')} failed`);
    }
    const started = Date.now();
    const run = startCli(['run', 'unified-workflow', '--continuous', '--no-show-results'], project, env);
    clis.push(run);
    await run.waitFor((e) => e.message.startsWith('Watching the landing zone'), 10 * 60_000);
    const firstRunMs = Date.now() - started;
    log(`first run: ${(firstRunMs / 1000).toFixed(1)} s; now watching`);

    const serve = startCli(['dashboard', '--serve', '--port', '0'], project, env);
    clis.push(serve);
    const url = String((await serve.waitFor((e) => e.code === 'dashboard.served', 60_000)).data['url']);
    const observerKind = options.observer ?? (existsSync(CHROMIUM) ? 'browser' : 'events');
    let observer: Observer;
    if (observerKind === 'browser') {
      observer = await browserObserver(url);
    } else {
      const events = await openEventStream(url, stream.signal);
      await events.next(timeoutMs); // the grid a page gets on connect
      observer = { next: async (ms) => (await events.next(ms)).at, close: async () => stream.abort() };
    }
    closeObserver = () => observer.close();

    const streamDir = join(localDir, STREAM_DIR);
    const template = (await readdir(streamDir)).filter((f) => f.endsWith('.parquet')).sort()[0];
    if (!template) throw new Error(`no stream file in ${streamDir} to copy`);
    const samples: number[] = [];
    for (let i = 0; i < files; i++) {
      const landed = await landFreshSalesFile(streamDir, template, `live-${i}.parquet`, `live${i}`);
      const shownAt = await observer.next(timeoutMs);
      samples.push(shownAt - landed);
      log(`file ${i + 1}/${files}: shown after ${shownAt - landed} ms`);
    }
    return { samples_ms: samples, median_ms: median(samples), min_ms: Math.min(...samples), max_ms: Math.max(...samples), first_run_ms: firstRunMs, observer: observerKind };
  } finally {
    await closeObserver();
    stream.abort();
    for (const cli of clis.reverse()) await cli.stop();
    await rm(project, { recursive: true, force: true });
  }
}
