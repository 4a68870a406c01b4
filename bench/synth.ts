// npm run bench:synth — whole-command build times, started the way users start the CLI (the bin a project
// has installed, node_modules/.bin/dbx-ts), against the cost of starting that CLI at all (`dbx-ts --version`)
// in the same run: the reference bundle, and a generated bundle of 500 jobs with 10 tasks each.
// Target (issue 15): the 500-job bundle builds in under 2 s, median of BENCH_REPS (default 5) runs.
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { commandSide, comparePaired, defaultReps, formatComparison, formatMs, sideSpread, Targets } from './harness.ts';

const REPO = fileURLToPath(new URL('../', import.meta.url));
const REPS = defaultReps(5);

function generatedBundle(jobs: number, tasks: number): string {
  return `import { Bundle, Job, Notebook } from 'dbx-ts';
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

/** A project that depends on this checkout of dbx-ts, as `npm install` would lay it out. */
function project(): { dir: string; bin: string } {
  const dir = mkdtempSync(join(tmpdir(), 'dbx-ts-bench-synth-'));
  mkdirSync(join(dir, 'notebooks-src'), { recursive: true });
  mkdirSync(join(dir, 'node_modules', '.bin'), { recursive: true });
  symlinkSync(REPO, join(dir, 'node_modules', 'dbx-ts'), 'dir');
  symlinkSync(join('..', 'dbx-ts', 'bin', 'dbx-ts.mjs'), join(dir, 'node_modules', '.bin', 'dbx-ts'));
  writeFileSync(join(dir, 'notebooks-src/work.py'), '# Databricks notebook source\nprint("work")\n');
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'bench', private: true, type: 'module', 'dbx-ts': { bundle: 'bundle.ts' } }));
  writeFileSync(join(dir, 'bundle.ts'), generatedBundle(500, 10));
  return { dir, bin: join(dir, 'node_modules', '.bin', 'dbx-ts') };
}

const { dir, bin } = project();
const targets = new Targets();
try {
  const version = commandSide('dbx-ts --version', bin, ['--version'], { cwd: dir });
  const big = await comparePaired({
    title: 'dbx-ts build, generated bundle of 500 jobs x 10 tasks, against dbx-ts --version',
    measured: commandSide('dbx-ts build (500 jobs)', bin, ['build', '--out', join(dir, 'out-big')], { cwd: dir }),
    baseline: version,
    reps: REPS,
    warmup: true,
  });
  const reference = await comparePaired({
    title: 'dbx-ts build, reference bundle (sales lakehouse), against dbx-ts --version',
    measured: commandSide('dbx-ts build (reference)', bin, ['build', '-t', 'dev', '--out', join(dir, 'out-ref')], { cwd: REPO }),
    baseline: version,
    reps: REPS,
    warmup: true,
  });
  console.log(`node ${process.version}, ${process.platform}; bin: ${bin}\n`);
  console.log(formatComparison(big));
  console.log(targets.check('500-job build, median wall time', sideSpread(big, 'measured', (s) => s.wallMs).median, 2000, formatMs));
  console.log('');
  console.log(formatComparison(reference));
} finally {
  rmSync(dir, { recursive: true, force: true });
}
targets.finish();
