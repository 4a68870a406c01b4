// npm run bench:synth — whole-command build times, started the way users start the CLI (the bin of the built
// package a project has installed, node_modules/.bin/dbx-ts running dist/), against the cost of starting that CLI at all (`dbx-ts --version`)
// in the same run: a generated bundle of 500 jobs with 10 tasks each (bench:startup times the reference bundle's build).
// Target (issue 15): the 500-job bundle builds in under 2 s, median of BENCH_REPS (default 5) runs.
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { buildPackageCopy, projectUsing } from '../scripts/package-copy.ts';
import { commandSide, comparePaired, defaultReps, formatComparison, formatMs, sideSpread, Targets } from './harness.ts';

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

/** A project with the built package installed (dist/, as npm installs it), holding the generated bundle. */
async function project(pkg: string): Promise<{ dir: string; bin: string }> {
  const dir = await projectUsing(pkg, {
    'notebooks-src/work.py': '# Databricks notebook source\nprint("work")\n',
    'package.json': JSON.stringify({ name: 'bench', private: true, type: 'module', 'dbx-ts': { bundle: 'bundle.ts' } }),
    'bundle.ts': generatedBundle(500, 10),
  });
  return { dir, bin: join(dir, 'node_modules', '.bin', 'dbx-ts') };
}

const pkg = await buildPackageCopy();
const { dir, bin } = await project(pkg);
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
  console.log(`node ${process.version}, ${process.platform}; bin: ${bin}\n`);
  console.log(formatComparison(big));
  console.log(targets.check('500-job build, median wall time', sideSpread(big, 'measured', (s) => s.wallMs).median, 2000, formatMs));
} finally {
  rmSync(dir, { recursive: true, force: true });
  rmSync(pkg, { recursive: true, force: true });
}
targets.finish();
