// `dbx-ts local serve` as its own process, as a CI script runs it: killed outright it loses nothing, SIGTERM
// stops it cleanly (lock released), a damaged state file stops start-up (exit 2) and is left untouched.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';

const BIN = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'bin', 'dbx-ts.mjs');
const TOKEN = 'dapi-serve-process-test';
const children: ChildProcess[] = [];
const dirs: string[] = [];
afterEach(async () => {
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});

interface Served {
  child: ChildProcess;
  url: string;
  output: () => string;
  exited: Promise<number | null>;
}

function serve(dir: string): Promise<Served> {
  const child = spawn(process.execPath, [BIN, 'local', 'serve', '--dir', dir, '--token', TOKEN], { env: { ...process.env, CI: 'true' }, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let output = '';
  child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    child.stdout!.on('data', () => {
      const url = /export DATABRICKS_HOST=(\S+)/.exec(output)?.[1];
      if (url) resolve({ child, url, output: () => output, exited });
    });
    void exited.then((code) => reject(new Error(`serve exited with ${code}:\n${output}`)));
  });
}

async function api(url: string, method: string, path: string, body?: unknown) {
  const res = await fetch(new URL(path, url), {
    method,
    headers: { authorization: `Bearer ${TOKEN}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

describe('local serve as a process', () => {
  it('loses nothing when killed outright, stops cleanly on SIGTERM, and refuses a damaged state', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'serve-process-'));
    dirs.push(dir);
    const first = await serve(dir);
    const job = await api(first.url, 'POST', '/api/2.2/jobs/create', { name: 'survives', tasks: [{ task_key: 'a', notebook_task: { notebook_path: '/Shared/a' } }] });
    await api(first.url, 'POST', '/api/2.0/secrets/scopes/create', { scope: 'ci' });
    await api(first.url, 'POST', '/api/2.0/secrets/put', { scope: 'ci', key: 'k', string_value: 'value-kept' });
    first.child.kill('SIGKILL'); // as a crash or the OOM killer would
    await first.exited;

    const second = await serve(dir);
    expect((await api(second.url, 'GET', `/api/2.2/jobs/get?job_id=${String(job.body['job_id'])}`)).body['settings']).toMatchObject({ name: 'survives' });
    expect((await api(second.url, 'GET', '/api/2.0/secrets/get?scope=ci&key=k')).body['value']).toBe(Buffer.from('value-kept').toString('base64'));
    // Runs execute: a job no dbx-ts deploy made has nothing to run it with, and its run fails saying so.
    const run = await api(second.url, 'POST', '/api/2.2/jobs/run-now', { job_id: job.body['job_id'] });
    expect(run.status).toBe(200);
    let got = await api(second.url, 'GET', `/api/2.2/jobs/runs/get?run_id=${String(run.body['run_id'])}`);
    for (let i = 0; i < 100 && (got.body['state'] as { life_cycle_state: string }).life_cycle_state !== 'TERMINATED'; i++) {
      await new Promise((r) => setTimeout(r, 50));
      got = await api(second.url, 'GET', `/api/2.2/jobs/runs/get?run_id=${String(run.body['run_id'])}`);
    }
    expect(got.body['state']).toMatchObject({ life_cycle_state: 'TERMINATED', result_state: 'FAILED' });
    const taskRun = (got.body['tasks'] as { run_id: number }[])[0]!.run_id;
    expect(String((await api(second.url, 'GET', `/api/2.2/jobs/runs/get-output?run_id=${taskRun}`)).body['error'])).toContain('was not deployed by dbx-ts');
    second.child.kill('SIGTERM');
    expect(await second.exited).toBe(0);
    expect(second.output()).toContain('Local workspace stopped.');
    expect(await readdir(dir)).not.toContain('lock.json');

    await writeFile(join(dir, 'state.json'), '{"version": 2, "objects": {');
    const third = spawn(process.execPath, [BIN, 'local', 'serve', '--dir', dir], { stdio: ['ignore', 'pipe', 'pipe'] });
    children.push(third);
    let err = '';
    third.stderr.on('data', (d: Buffer) => (err += d.toString()));
    expect(await new Promise((resolve) => third.on('exit', resolve))).toBe(2);
    expect(err).toContain(`${join(dir, 'state.json')} is not a readable workspace state`);
    expect(err).toContain('left as it is');
    expect(await readFile(join(dir, 'state.json'), 'utf8')).toBe('{"version": 2, "objects": {');
  }, 60_000);
});
