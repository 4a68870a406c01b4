// A user's mistake never ends in exit 70 and a stack trace (issue 11): each case here shows its message and
// exit code through the real CLI.
import { spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { exitCodeFor } from '../../src/cli/exit-codes.ts';
import { syncFromKeyVault } from '../../src/deploy/secrets-sync.ts';
import { UserError } from '../../src/errors/index.ts';
import { createWorkspaceClient } from '../../src/workspace/index.ts';
import { REPO_ROOT, runCli, scratchProject, tempDir } from '../build/helpers.ts';

const INDEX = JSON.stringify(join(REPO_ROOT, 'src/index.ts'));

/** A project whose bundle.ts is `lines` after the import of dbx-ts. */
async function project(lines: string[]): Promise<string> {
  const dir = await tempDir('mistake');
  await writeFile(join(dir, 'package.json'), '{"type":"module"}\n');
  await writeFile(join(dir, 'bundle.ts'), [`import { Bundle, Job, Notebook } from ${INDEX};`, ...lines, ''].join('\n'));
  await writeFile(join(dir, 'nb.py'), '# Databricks notebook source\nprint(1)\n');
  return dir;
}

const noStack = (text: string) => expect(text).not.toMatch(/\n\s+at .+:\d+:\d+/);

describe('user mistakes get a message and a usage exit code', () => {
  it('depends_on given a plain object, or a list holding something that is not a task', async () => {
    const dir = await project([
      "const app = new Bundle({ name: 'b', targets: { dev: { default: true } } });",
      "const nb = new Notebook(app, 'nb', { source: 'nb.py' });",
      "const job = new Job(app, 'j', { name: 'J' });",
      "const a = job.notebookTask('a', { notebook: nb });",
      "job.notebookTask('b', { notebook: nb, depends_on: a as never });",
      "job.notebookTask('c', { notebook: nb, depends_on: [{ task_key: 'a' }] as never });",
      'export default app;',
    ]);
    const result = await runCli(['validate'], { cwd: dir });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('Task "b": depends_on must be a list of task handles, e.g. depends_on: [ingest] where ingest = job.notebookTask(...), got the task handle "a" (not in a list).');
    expect(result.stderr).toContain('Task "c": depends_on[0] must be a task handle returned by job.notebookTask(...) (or { task, outcome }), got an object with keys task_key.');
    expect(result.stderr).toMatch(/bundle\.ts:6/);
    expect(result.stderr).toMatch(/bundle\.ts:7/);
    noStack(result.stdout + result.stderr);
  });

  it('build --out naming an existing file', async () => {
    const dir = await project(["const app = new Bundle({ name: 'b', targets: { dev: { default: true } } });", 'export default app;']);
    await writeFile(join(dir, 'taken.txt'), 'mine\n');
    const result = await runCli(['build', '--out', 'taken.txt'], { cwd: dir });
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(`error: --out taken.txt: ${join(dir, 'taken.txt')} is a file, not a directory.\n  Give a directory to write the bundle into (it is created if missing).\n`);
  });

  it('secrets sync with a Key Vault that cannot be reached', async () => {
    const unreachable = {
      listPropertiesOfSecrets(): AsyncIterable<{ name: string }> {
        return {
          [Symbol.asyncIterator]: () => ({
            next: () => Promise.reject(Object.assign(new Error('connect ECONNREFUSED 10.0.0.9:443'), { name: 'RestError', code: 'ECONNREFUSED' })),
          }),
        };
      },
      getSecret: () => Promise.reject(new Error('not reached')),
    };
    const client = createWorkspaceClient({ env: { DATABRICKS_HOST: 'https://adb-1.azuredatabricks.net', DATABRICKS_TOKEN: 't' }, configFile: null });
    const error = await syncFromKeyVault({ vault: unreachable, vaultUrl: 'https://sales-kv.vault.azure.net', client, scope: 's' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UserError);
    expect(exitCodeFor(error)).toBe(2);
    expect((error as UserError).message).toBe('Cannot list the secrets of the Key Vault https://sales-kv.vault.azure.net (ECONNREFUSED: connect ECONNREFUSED 10.0.0.9:443)');
    expect((error as UserError).hint).toContain('Check the vault URL');

    const denied = { ...unreachable, listPropertiesOfSecrets: unreachable.listPropertiesOfSecrets };
    denied.listPropertiesOfSecrets = () => ({
      [Symbol.asyncIterator]: () => ({ next: () => Promise.reject(Object.assign(new Error('Caller is not authorized'), { name: 'RestError', statusCode: 403, code: 'Forbidden' })) }),
    });
    const forbidden = await syncFromKeyVault({ vault: denied, vaultUrl: 'https://sales-kv.vault.azure.net', client, scope: 's' }).catch((e: unknown) => e);
    expect((forbidden as UserError).message).toBe('Cannot list the secrets of the Key Vault https://sales-kv.vault.azure.net (HTTP 403: Forbidden: Caller is not authorized)');
    expect((forbidden as UserError).hint).toContain('may list and get secrets');
  });

  it('show summary before any summary exists', async () => {
    const dir = await scratchProject();
    const result = await runCli(['show', 'summary'], { cwd: dir, env: { DBX_TS_LOCAL_DIR: join(dir, 'local') } });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^error: Nothing to show for "summary" on target local yet: .*sales_summary.* does not exist/);
    expect(result.stderr).toContain('Run the job first (dbx-ts run <job-key>)');
    noStack(result.stderr);
  });

  it('--timeout 0 (a timeout must be positive)', async () => {
    const dir = await scratchProject();
    const result = await runCli(['run', 'unified-workflow', '--timeout', '0'], { cwd: dir, env: { DBX_TS_LOCAL_DIR: join(dir, 'local') } });
    expect(result.code).toBe(2);
    expect(result.stderr).toBe('error: --timeout 0: must be a positive duration\n  Use e.g. 90s, 30m, 1h30m or 2h.\n');
  });

  it('output piped into head: the command ends quietly when the reader goes away', async () => {
    const dir = await scratchProject();
    const child = spawn(process.execPath, [join(REPO_ROOT, 'bin', 'dbx-ts.mjs'), 'query', 'SELECT range AS n FROM range(5000000)', '-o', 'csv'], {
      cwd: dir,
      env: { ...process.env, CI: 'true', DBX_TS_LOCAL_DIR: join(dir, 'local') },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => void (stderr += chunk.toString()));
    // Like `head -1`: read the first chunk, then close the pipe.
    child.stdout.once('data', () => child.stdout.destroy());
    const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
    expect(code).toBe(141);
    expect(stderr).toBe('');
  });
});
