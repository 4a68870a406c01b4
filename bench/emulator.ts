// npm run bench:emulator: how `dbx-ts local serve` holds up, measured from outside its process. The server runs
// as users run it (the CLI in its own process, state in a fresh directory); this process is the client.
//   1. 200 parallel small GETs (SCIM Me, jobs/list, workspace/get-status), in rounds: latency p50/p99.
//   2. 10 MB workspace imports (the most Databricks accepts), 4 at a time: latency and peak RSS; then one byte
//      over the limit (refused with MAX_NOTEBOOK_SIZE_EXCEEDED) and 200 MB without a token (refused before it
//      is read): the server's peak RSS must not grow with what it refuses.
// Baseline, what one would pick instead for a stub workspace in CI: a bare node:http server that answers the
// same paths with a fixed JSON body (and reads and drops import bodies), also in its own process. The two run
// in alternating order, REPEAT times (default 3); the ratios printed are min / median / max of the paired ratios.
// Peak RSS is the kernel's high-water mark of the server process (VmHWM in /proc; `ps` elsewhere, sampled).
// Targets (issue 10): peak RSS under 300 MB, small-GET p99 under 200 ms on a 2-core machine.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defaultReps } from './harness.ts';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const TOKEN = `bench-${randomBytes(8).toString('hex')}`;
const PARALLEL = 200;
const ROUNDS = Number(process.env['BENCH_ROUNDS'] ?? 5);
const IMPORTS = Number(process.env['BENCH_IMPORTS'] ?? 12);
const IMPORT_PARALLEL = 4;
const REPEAT = Number(process.env['BENCH_REPEAT'] ?? defaultReps());
const TEN_MB = 10 * 1024 * 1024;

interface Server {
  kind: 'emulator' | 'baseline';
  url: string;
  child: ChildProcess;
  stop(): Promise<void>;
}

const BASELINE = `
const http = require('node:http');
const json = (res, status, body) => { const b = Buffer.from(JSON.stringify(body)); res.writeHead(status, { 'content-type': 'application/json', 'content-length': b.length }); res.end(b); };
const server = http.createServer((req, res) => {
  req.on('data', () => {});
  req.on('end', () => {
    if (req.headers.authorization !== 'Bearer ${TOKEN}') return json(res, 401, { error_code: 'UNAUTHENTICATED', message: '' });
    if (req.url.startsWith('/api/2.0/preview/scim/v2/Me')) return json(res, 200, { userName: 'u@example.com', active: true });
    if (req.url.startsWith('/api/2.2/jobs/list')) return json(res, 200, { has_more: false });
    if (req.url.startsWith('/api/2.0/workspace/get-status')) return json(res, 200, { object_type: 'DIRECTORY', path: '/Shared', object_id: 1 });
    return json(res, 200, {});
  });
});
server.keepAliveTimeout = 65000; // as the emulator, so both keep connections alike
server.listen(0, '127.0.0.1', function () { console.log('export DATABRICKS_HOST=http://127.0.0.1:' + this.address().port); });
`;

async function startServer(kind: Server['kind']): Promise<Server> {
  const dir = await mkdtemp(join(tmpdir(), 'bench-emulator-'));
  const args = kind === 'emulator' ? [join(ROOT, 'bin', 'dbx-ts.mjs'), 'local', 'serve', '--dir', dir, '--token', TOKEN] : ['-e', BASELINE];
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, CI: 'true' } });
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /export DATABRICKS_HOST=(\S+)/.exec(out);
      if (m) resolve(m[1]!);
    });
    child.on('exit', (code) => reject(new Error(`${kind} exited with ${code}: ${out}`)));
  });
  return {
    kind,
    url,
    child,
    stop: async () => {
      const exited = new Promise((resolve) => child.on('exit', resolve));
      child.kill('SIGTERM');
      await exited;
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** The server's peak resident set so far, in MB. */
function peakRssMb(pid: number): number {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1]);
    if (Number.isFinite(kb)) return kb / 1024;
  } catch {
    // not Linux: fall back to ps (current RSS; sampled by the caller)
  }
  return Number(execFileSync('ps', ['-o', 'rss=', '-p', String(pid)]).toString().trim()) / 1024;
}

async function timed(run: () => Promise<Response>): Promise<{ ms: number; status: number }> {
  const start = performance.now();
  const res = await run();
  await res.arrayBuffer();
  return { ms: performance.now() - start, status: res.status };
}

const auth = { authorization: `Bearer ${TOKEN}` };
const SMALL_GETS = ['/api/2.0/preview/scim/v2/Me', '/api/2.2/jobs/list?limit=20', '/api/2.0/workspace/get-status?path=%2FShared'];

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

async function smallGets(server: Server): Promise<number[]> {
  const latencies: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const results = await Promise.all(
      Array.from({ length: PARALLEL }, (_, i) => timed(() => fetch(`${server.url}${SMALL_GETS[i % SMALL_GETS.length]}`, { headers: auth }))),
    );
    for (const r of results) {
      if (r.status !== 200) throw new Error(`${server.kind}: a small GET answered ${r.status}`);
      latencies.push(r.ms);
    }
  }
  return latencies;
}

function importBody(i: number, bytes: number): string {
  return JSON.stringify({ path: `/Shared/bench-${i}.py`, content: randomBytes(bytes).toString('base64'), format: 'RAW', overwrite: true });
}

async function imports(server: Server): Promise<number[]> {
  const latencies: number[] = [];
  for (let i = 0; i < IMPORTS; i += IMPORT_PARALLEL) {
    const batch = Array.from({ length: Math.min(IMPORT_PARALLEL, IMPORTS - i) }, (_, j) => importBody(i + j, TEN_MB));
    const results = await Promise.all(
      batch.map((body) => timed(() => fetch(`${server.url}/api/2.0/workspace/import`, { method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body }))),
    );
    for (const r of results) {
      if (r.status !== 200) throw new Error(`${server.kind}: a 10 MB import answered ${r.status}`);
      latencies.push(r.ms);
    }
  }
  return latencies;
}

/** What the emulator refuses: one byte over the import limit, and a large body without a token. */
async function refusals(server: Server): Promise<{ over: string; unauthenticatedMs: number }> {
  const over = await fetch(`${server.url}/api/2.0/workspace/import`, { method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: importBody(0, TEN_MB + 1) });
  const overBody = (await over.json()) as { error_code?: string };
  const huge = Buffer.alloc(200 * 1024 * 1024, 0x61);
  const start = performance.now();
  let status: number;
  try {
    const res = await fetch(`${server.url}/api/2.0/workspace/import`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: huge });
    status = res.status;
    await res.arrayBuffer();
  } catch {
    status = -1; // the server closed the connection after answering; the upload stopped
  }
  return { over: `${over.status} ${overBody.error_code ?? ''}`, unauthenticatedMs: status === 401 || status === -1 ? performance.now() - start : NaN };
}

interface Figures {
  getP50: number;
  getP99: number;
  importP50: number;
  importP99: number;
  rssAfterGets: number;
  rssPeak: number;
}

/** Names the phase and server in an error, so a failed run says where it failed. */
async function phase<T>(kind: string, name: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    throw new Error(`${kind}, ${name}: ${error instanceof Error ? `${error.message} ${String((error as { cause?: unknown }).cause ?? '')}` : String(error)}`, { cause: error });
  }
}

async function measure(kind: Server['kind']): Promise<Figures & { refused?: Awaited<ReturnType<typeof refusals>> }> {
  const server = await startServer(kind);
  try {
    await phase(kind, 'warm-up', () => smallGets(server)); // a round of the same shape
    const gets = await phase(kind, 'small GETs', () => smallGets(server));
    const rssAfterGets = peakRssMb(server.child.pid!);
    const imported = await phase(kind, '10 MB imports', () => imports(server));
    const refused = kind === 'emulator' ? await phase(kind, 'refusals', () => refusals(server)) : undefined;
    return {
      getP50: percentile(gets, 50),
      getP99: percentile(gets, 99),
      importP50: percentile(imported, 50),
      importP99: percentile(imported, 99),
      rssAfterGets,
      rssPeak: peakRssMb(server.child.pid!),
      ...(refused ? { refused } : {}),
    };
  } finally {
    await server.stop();
  }
}

const median = (values: number[]) => percentile(values, 50);
const f = (n: number) => n.toFixed(1);

async function main(): Promise<void> {
  console.log(`bench:emulator: ${ROUNDS} rounds of ${PARALLEL} parallel small GETs; ${IMPORTS} imports of 10 MB, ${IMPORT_PARALLEL} at a time; ${REPEAT} paired repeats`);
  const pairs: { emulator: Figures; baseline: Figures }[] = [];
  let refused: Awaited<ReturnType<typeof refusals>> | undefined;
  for (let r = 0; r < REPEAT; r++) {
    const order: Server['kind'][] = r % 2 === 0 ? ['emulator', 'baseline'] : ['baseline', 'emulator'];
    const got: Partial<Record<Server['kind'], Figures>> = {};
    for (const kind of order) {
      const figures = await measure(kind);
      if ('refused' in figures && figures.refused) refused = figures.refused;
      got[kind] = figures;
    }
    pairs.push({ emulator: got.emulator!, baseline: got.baseline! });
    const e = got.emulator!;
    console.log(
      `  repeat ${r + 1}: emulator GET p50 ${f(e.getP50)} ms p99 ${f(e.getP99)} ms, import p50 ${f(e.importP50)} ms p99 ${f(e.importP99)} ms, peak RSS ${f(e.rssPeak)} MB` +
        ` | baseline GET p99 ${f(got.baseline!.getP99)} ms, import p99 ${f(got.baseline!.importP99)} ms, peak RSS ${f(got.baseline!.rssPeak)} MB`,
    );
  }
  const pick = (key: keyof Figures, who: 'emulator' | 'baseline') => median(pairs.map((p) => p[who][key]));
  console.log('\nmedians over repeats         emulator   baseline (bare node:http)');
  for (const [label, key, unit] of [
    ['small GET p50', 'getP50', 'ms'],
    ['small GET p99', 'getP99', 'ms'],
    ['10 MB import p50', 'importP50', 'ms'],
    ['10 MB import p99', 'importP99', 'ms'],
    ['peak RSS after GETs', 'rssAfterGets', 'MB'],
    ['peak RSS (whole run)', 'rssPeak', 'MB'],
  ] as const) {
    console.log(`  ${label.padEnd(26)} ${f(pick(key, 'emulator')).padStart(8)} ${unit}  ${f(pick(key, 'baseline')).padStart(8)} ${unit}`);
  }
  const paired = (key: keyof Figures) => {
    const ratios = pairs.map((p) => p.emulator[key] / p.baseline[key]);
    return `${Math.min(...ratios).toFixed(2)} / ${median(ratios).toFixed(2)} / ${Math.max(...ratios).toFixed(2)}`;
  };
  console.log('  paired ratios, emulator / baseline (min / median / max):');
  console.log(`    small GET p99 ${paired('getP99')}   10 MB import p99 ${paired('importP99')}   peak RSS ${paired('rssPeak')}`);
  if (refused) console.log(`  one byte over 10 MB: ${refused.over}; 200 MB without a token refused in ${f(refused.unauthenticatedMs)} ms`);
  const rss = pick('rssPeak', 'emulator');
  const p99 = pick('getP99', 'emulator');
  console.log(`targets: peak RSS < 300 MB: ${rss < 300 ? 'met' : 'MISSED'} (${f(rss)} MB); small-GET p99 < 200 ms: ${p99 < 200 ? 'met' : 'MISSED'} (${f(p99)} ms)`);
}

await main();
