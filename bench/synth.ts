// npm run bench:synth — whole-command build times: the reference bundle and a generated bundle of 500 jobs
// with 10 tasks each, against the cost of starting the CLI at all (`dbx-ts --version`), measured in the same run.
import { spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO = fileURLToPath(new URL('../', import.meta.url));
const BIN = join(REPO, 'bin/dbx-ts.mjs');
const RUNS = Number(process.env['BENCH_RUNS'] ?? 5);

function generatedBundle(jobs: number, tasks: number): string {
  return `import { Bundle, Job, Notebook } from ${JSON.stringify(join(REPO, 'src/index.ts'))};
const app = new Bundle({ name: 'big', variables: { catalog: { default: 'main' } }, targets: { dev: { default: true, mode: 'development' } } });
const nb = new Notebook(app, 'work', { source: 'notebooks-src/work.py', widgets: { catalog: app.var('catalog') } });
for (let j = 0; j < ${jobs}; j++) {
  const job = new Job(app, 'job_' + j, { name: 'Job ' + j, max_concurrent_runs: 1, tags: { team: 'bench' } });
  let previous;
  for (let t = 0; t < ${tasks}; t++) {
    previous = job.notebookTask('task_' + t, { notebook: nb, depends_on: previous ? [previous] : [], max_retries: 1 });
  }
}
export default app;
`;
}

function time(args: string[], cwd: string): number {
  const samples: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const start = process.hrtime.bigint();
    const r = spawnSync(process.execPath, [BIN, ...args], { cwd, encoding: 'utf8' });
    const ms = Number(process.hrtime.bigint() - start) / 1e6;
    if (r.status !== 0) throw new Error(`dbx-ts ${args.join(' ')} failed (${r.status}): ${r.stderr}`);
    samples.push(ms);
  }
  samples.sort((a, b) => a - b);
  return samples[Math.floor(samples.length / 2)]!;
}

const dir = await mkdtemp(join(tmpdir(), 'dbx-ts-bench-synth-'));
await mkdir(join(dir, 'notebooks-src'), { recursive: true });
await writeFile(join(dir, 'notebooks-src/work.py'), '# Databricks notebook source\nprint("work")\n');
await writeFile(join(dir, 'package.json'), '{"type":"module"}\n');
await writeFile(join(dir, 'bundle.ts'), generatedBundle(500, 10));

// Warm tsx's transform cache once so every figure measures a steady state.
time(['build', '-t', 'dev', '--out', join(dir, 'out-warm')], REPO);
const baseline = time(['--version'], REPO);
const reference = time(['build', '-t', 'dev', '--out', join(dir, 'out-ref')], REPO);
const big = time(['build', '--bundle', join(dir, 'bundle.ts'), '--out', join(dir, 'out-big')], dir);

const fmt = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
console.log(`dbx-ts build, whole command, median of ${RUNS} runs (node ${process.version}, ${process.platform})`);
console.log(`  baseline: dbx-ts --version (CLI start-up)       ${fmt(baseline)}`);
console.log(`  reference bundle (sales lakehouse)              ${fmt(reference)}  (${(reference / baseline).toFixed(2)}x baseline)`);
console.log(`  generated bundle: 500 jobs x 10 tasks           ${fmt(big)}  (${(big / baseline).toFixed(2)}x baseline)`);
console.log(`  target: 500-job bundle under 2 s -> ${big < 2000 ? 'met' : 'NOT met'}`);
