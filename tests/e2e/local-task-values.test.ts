// Task values on the local target: a notebook's local implementation sets them (ctx.taskValues.set, the
// dbutils.jobs.taskValues semantics), a condition task compares one and a downstream notebook gets it as a
// parameter ({{tasks.<key>.values.<name>}}); a value over the documented 48 KiB fails its task, naming it.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../build/helpers.ts';
import { strictBundle, strictProject } from './strict-bundle.ts';

const BUNDLE = strictBundle(`const counter = new Notebook(app, 'counter', {
  source: 'counter.py',
  widgets: { size: '250' },
  local: async (ctx) => {
    const size = Number(ctx.widgets['size']);
    ctx.taskValues.set('rows', size);
    ctx.taskValues.set('big', 'x'.repeat(size));
    return 'counted ' + size;
  },
});
const reader = new Notebook(app, 'reader', { source: 'reader.py', widgets: { rows: '' }, local: async (ctx) => 'read rows=' + ctx.widgets['rows'] });
const job = new Job(app, 'values-job', { name: 'Values', parameters: [{ name: 'size', default: '250' }] });
const count = job.notebookTask('count', { notebook: counter });
const check = job.task('check', { condition_task: { op: 'GREATER_THAN', left: '{{tasks.count.values.rows}}', right: '100' }, depends_on: [count] });
job.notebookTask('read', { notebook: reader, base_parameters: { rows: '{{tasks.count.values.rows}}' }, depends_on: [{ task: check, outcome: 'true' }] });`);

describe('task values on the local target', () => {
  let dir: string;
  let env: Record<string, string>;

  beforeAll(async () => {
    ({ dir, env } = await strictProject('values', BUNDLE, [['o1', 2]]));
    await writeFile(join(dir, 'counter.py'), '# Databricks notebook source\ndbutils.jobs.taskValues.set(key="rows", value=int(dbutils.widgets.get("size")))\n');
    await writeFile(join(dir, 'reader.py'), '# Databricks notebook source\nprint(dbutils.widgets.get("rows"))\n');
  });

  it('a value set by a local implementation decides a condition and reaches a downstream notebook', async () => {
    const result = await runCli(['run', 'values-job'], { cwd: dir, env });
    expect(result.stderr + result.stdout).not.toContain('Error');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('"250" GREATER_THAN "100": true');
    expect(result.stdout).toContain('read rows=250');
  });

  it('a value over 48 KiB as JSON fails its task with the documented limit', async () => {
    const result = await runCli(['run', 'values-job', '--param', 'size=50000'], { cwd: dir, env });
    expect(result.code).not.toBe(0);
    expect(result.stdout + result.stderr).toContain('task value "big" is 50002 bytes as JSON; a task value may be at most 49152 bytes (48 KiB)');
    expect(result.stdout).toContain('task check: SKIPPED UPSTREAM_FAILED');
  });
});
