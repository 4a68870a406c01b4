// Benchmark of reruns on the local target (`npm run bench:incremental`): the reference bundle's job run with
// `dbx-ts run` as a user runs it, on simulated sales (2M rows by default): the first run, then a rerun with no new
// data and reruns after 0.1%, 1% and 10% new sales rows, each beside a full recompute of the same data in the
// same bench (`run --full-refresh-all` on a copy of the same state). Whole commands are timed (wall, and CPU of
// the command and its children by GNU time); incremental and full runs alternate order, each on its own copy
// of the state (bench/harness.ts).
// Targets: no-op rerun ≤ 8% of the first run, rerun after 1% new data ≤ 15% of the first run (CPU time, median).
//
//   npx tsx bench/incremental.ts [--rows 2000000] [--reps 3] [--steps 0,0.1,1,10] [--keep]

import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { DuckDBInstance } from '@duckdb/node-api';
import { buildPackageCopy, projectUsing } from '../scripts/package-copy.ts';
import { commandSide, comparePaired, defaultReps, formatComparison, formatMs, median, pairedRatios, Targets } from './harness.ts';
import type { Comparison, Sample, Side } from './harness.ts';
import { BUNDLE_DIR, copyReferenceBundle } from './lib/reference-bundle.ts';

const { values: args } = parseArgs({
  options: {
    rows: { type: 'string', default: '2000000' },
    reps: { type: 'string', default: String(defaultReps()) },
    steps: { type: 'string', default: '0,0.1,1,10' },
    keep: { type: 'boolean', default: false },
  },
});
const rows = Number(args.rows);
const reps = Number(args.reps);
const steps = args.steps.split(',').map(Number);
const work = mkdtempSync(join(tmpdir(), 'dbx-bench-incremental-'));
// Each copy keeps its state in its own .dbx-ts/local; the summary uses its offline template (no API calls).
delete process.env['DBX_TS_LOCAL_DIR'];
const env = { OPENAI_API_KEY: '', CI: 'true' };
const JOB = 'unified-workflow';
const binOf = (dir: string) => join(dir, 'node_modules', '.bin', 'dbx-ts');

let copies = 0;
/** A copy of a project and its state (.dbx-ts: database, landing files, run history) to run on. */
function copyOf(state: string): string {
  const dir = join(work, `copy-${copies++}`);
  cpSync(state, dir, { recursive: true, verbatimSymlinks: true });
  return dir;
}

/** Untimed set-up commands, through this clone's CLI (the bundle's simulator is TypeScript Node cannot strip). */
function cli(dir: string, argv: string[]): void {
  const result = spawnSync(process.execPath, [fileURLToPath(new URL('../bin/dbx-ts.mjs', import.meta.url)), ...argv], { cwd: dir, env: { ...process.env, ...env }, encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`dbx-ts ${argv.join(' ')} failed: ${result.stderr}`);
}

/** A run of the job on a fresh copy of `state`; `onDone` gets the copy (to keep it as the next state). */
function runSide(label: string, state: () => string, extra: string[], onDone: (dir: string, rep: number) => void): Side {
  return {
    label,
    run: async (rep) => {
      const dir = copyOf(state());
      const sample = await commandSide(label, process.execPath, [binOf(dir), 'run', JOB, '--no-show-results', ...extra], { cwd: dir, env }).run(rep);
      onDone(dir, rep);
      return sample;
    },
  };
}

/** New sales: `count` rows of the first batch file with new transaction ids, landed as one stream file. */
async function landNewSales(state: string, count: number, tag: string): Promise<void> {
  const raw = join(state, '.dbx-ts', 'local', 'volumes', 'sales_lakehouse', 'landing', 'raw');
  const batch = readdirSync(join(raw, 'sales_batch')).filter((f) => f.endsWith('.parquet')).sort()[0]!;
  mkdirSync(join(raw, 'sales_stream'), { recursive: true });
  const instance = await DuckDBInstance.create(':memory:');
  const c = await instance.connect();
  try {
    await c.run(
      `COPY (SELECT * REPLACE ('${tag}-' || transaction_id AS transaction_id) FROM read_parquet('${join(raw, 'sales_batch', batch)}') LIMIT ${count})
       TO '${join(raw, 'sales_stream', `bench-${tag}.parquet`)}' (FORMAT parquet)`,
    );
  } finally {
    c.closeSync();
    instance.closeSync();
  }
}

function time(label: string, samples: Sample[]): string {
  return `${label}: wall ${formatMs(median(samples.map((s) => s.wallMs)))}, cpu ${formatMs(median(samples.map((s) => s.cpuMs)))}`;
}

async function main(): Promise<void> {
  console.log(`bench:incremental: the reference job on ${rows.toLocaleString('en')} simulated sales rows, ${reps} repetitions (${work})`);
  // The built package, as users install it (dist/ run by Node, not the sources through tsx).
  const pkg = await buildPackageCopy();
  const base = await projectUsing(pkg, { 'package.json': JSON.stringify({ name: 'bench', private: true, type: 'module', 'dbx-ts': { bundle: `${BUNDLE_DIR}/index.ts` } }) });
  copyReferenceBundle(base);
  cli(base, ['simulate', '--rows', String(rows)]);

  // The first run, on fresh copies of the landed data; the first copy's result is where the reruns start.
  let state = '';
  const first: Sample[] = [];
  for (let rep = 0; rep < reps; rep++) {
    const side = runSide('first run', () => base, [], (dir, r) => {
      if (r === 0) state = dir;
      else rmSync(dir, { recursive: true, force: true });
    });
    first.push(await side.run(rep));
  }
  console.log(`  ${time('first run', first)}`);

  const results: { step: number; comparison: Comparison }[] = [];
  for (const step of steps) {
    const count = Math.round((rows * step) / 100);
    if (count > 0) await landNewSales(state, count, `step${String(step).replace('.', '_')}`);
    let next = '';
    const comparison = await comparePaired({
      title: step === 0 ? 'no-op rerun' : `rerun after ${step}% new rows (${count.toLocaleString('en')})`,
      reps,
      measured: runSide('incremental rerun', () => state, [], (dir, rep) => {
        if (rep === 0) next = dir;
        else rmSync(dir, { recursive: true, force: true });
      }),
      baseline: runSide('full recompute', () => state, ['--full-refresh-all'], (dir) => rmSync(dir, { recursive: true, force: true })),
    });
    if (!args.keep) rmSync(state, { recursive: true, force: true });
    state = next;
    results.push({ step, comparison });
    console.log(formatComparison(comparison));
  }

  const firstCpu = median(first.map((s) => s.cpuMs));
  const firstWall = median(first.map((s) => s.wallMs));
  console.log('\nSummary (medians; share = rerun / first run):');
  console.log(`  ${time('first run', first)}`);
  const targets = new Targets();
  for (const { step, comparison } of results) {
    const cpu = median(comparison.pairs.map((p) => p.measured.cpuMs));
    const wall = median(comparison.pairs.map((p) => p.measured.wallMs));
    const full = pairedRatios(comparison, (s) => s.cpuMs);
    console.log(
      `  ${comparison.title}: cpu ${formatMs(cpu)} (${((100 * cpu) / firstCpu).toFixed(1)}% of first), wall ${formatMs(wall)} (${((100 * wall) / firstWall).toFixed(1)}%); ` +
        `incremental / full recompute cpu ${full.median.toFixed(2)} (min ${full.min.toFixed(2)}, max ${full.max.toFixed(2)})`,
    );
    const pct = (n: number) => `${(100 * n).toFixed(1)}%`;
    if (step === 0) console.log(targets.check('no-op rerun cpu / first run cpu', cpu / firstCpu, 0.08, pct));
    if (step === 1) console.log(targets.check('rerun after 1% new rows cpu / first run cpu', cpu / firstCpu, 0.15, pct));
  }
  if (!args.keep) for (const dir of [work, pkg, base]) rmSync(dir, { recursive: true, force: true });
  targets.finish();
}

await main();
