// A workspace kept in a directory: every change on disk as it happens (secret values included, 0600), one
// process per directory, a state file that cannot be read refuses start-up and is left as it was.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CorruptStateError, LOCK_FILE, STATE_FILE, StateDirLockedError, startFakeWorkspace, type FakeWorkspace } from '../../src/emulator/index.ts';
import { b64, call } from './client.ts';

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'emu-store-'));
  cleanup.push(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

async function start(dir: string): Promise<FakeWorkspace> {
  // The volume the Files API writes into exists, as it must in Unity Catalog.
  const ws = await startFakeWorkspace({ dir, lockCommand: 'store test', unityCatalog: { volumes: ['c.s.v'] } });
  cleanup.push(() => ws.close());
  return ws;
}

const job = { name: 'persisted', tasks: [{ task_key: 'a', condition_task: { op: 'EQUAL_TO', left: '1', right: '1' } }] };

async function populate(ws: FakeWorkspace) {
  const created = await call(ws, 'POST', '/api/2.2/jobs/create', { body: job });
  await call(ws, 'POST', '/api/2.0/secrets/scopes/create', { body: { scope: 's' } });
  await call(ws, 'POST', '/api/2.0/secrets/put', { body: { scope: 's', key: 'k', string_value: 'kept-secret' } });
  await call(ws, 'POST', '/api/2.0/workspace/import', { body: { path: '/Shared/nb', content: b64('print(1)'), format: 'SOURCE', language: 'PYTHON' } });
  await call(ws, 'PUT', '/api/2.0/fs/files/Volumes/c/s/v/landing/a.csv', { raw: 'id\n1\n' });
  return BigInt(created.body.job_id);
}

async function expectPopulated(ws: FakeWorkspace, jobId: bigint) {
  expect((await call(ws, 'GET', '/api/2.2/jobs/get', { query: { job_id: jobId } })).body.settings.name).toBe('persisted');
  expect((await call(ws, 'GET', '/api/2.0/secrets/get', { query: { scope: 's', key: 'k' } })).body.value).toBe(b64('kept-secret'));
  const exported = await call(ws, 'GET', '/api/2.0/workspace/export', { query: { path: '/Shared/nb', format: 'SOURCE' } });
  expect(Buffer.from(exported.body.content, 'base64').toString()).toContain('print(1)');
  expect((await call(ws, 'GET', '/api/2.0/fs/files/Volumes/c/s/v/landing/a.csv')).text).toBe('id\n1\n');
}

describe('a workspace kept in a directory', () => {
  it('writes each change before answering, secret values included, readable only by the owner', async () => {
    const dir = await tempDir();
    const ws = await start(dir);
    await populate(ws);
    // Not closed: what is on disk now is what a crash would leave.
    const text = await readFile(join(dir, STATE_FILE), 'utf8');
    expect(text).toContain('persisted');
    expect(text).toContain(b64('kept-secret'));
    expect((await stat(join(dir, STATE_FILE))).mode & 0o777).toBe(0o600);
    expect((await stat(dir)).mode & 0o077).toBe(0);
    expect(text).not.toContain(b64('print(1)')); // contents live beside the state, not in it
  });

  it('streams a large file upload to disk and its download back from disk, byte for byte', async () => {
    const ws = await start(await tempDir());
    const bytes = randomBytes(3 * 1024 * 1024 + 7);
    const path = `${ws.url}/api/2.0/fs/files/Volumes/c/s/v/big.bin`;
    const auth = { authorization: `Bearer ${ws.token}` };
    expect((await fetch(path, { method: 'PUT', headers: auth, body: bytes })).status).toBe(204);
    const got = await fetch(path, { headers: auth });
    expect(got.headers.get('content-length')).toBe(String(bytes.length));
    expect(Buffer.from(await got.arrayBuffer()).equals(bytes)).toBe(true);
    const head = await fetch(path, { method: 'HEAD', headers: auth });
    expect([head.status, head.headers.get('content-length'), (await head.arrayBuffer()).byteLength]).toEqual([200, String(bytes.length), 0]);
  });

  it('comes back whole after a restart, and ids continue', async () => {
    const dir = await tempDir();
    const first = await startFakeWorkspace({ dir, unityCatalog: { volumes: ['c.s.v'] } });
    const jobId = await populate(first);
    await first.close();
    const second = await start(dir);
    await expectPopulated(second, jobId);
    expect(BigInt((await call(second, 'POST', '/api/2.2/jobs/create', { body: job })).body.job_id)).toBe(jobId + 1n);
  });

  it('is held by one process at a time; the error names the holder', async () => {
    const dir = await tempDir();
    await start(dir);
    const second = startFakeWorkspace({ dir });
    await expect(second).rejects.toBeInstanceOf(StateDirLockedError);
    await expect(second).rejects.toThrow(new RegExp(`in use by store test \\(pid ${process.pid} on .*, since `));
  });

  it('takes over a lock left by a process that is gone', async () => {
    const dir = await tempDir();
    const child = spawn(process.execPath, ['-e', '0']);
    const deadPid = await new Promise<number>((resolve) => child.on('exit', () => resolve(child.pid!)));
    const { hostname } = await import('node:os');
    await writeFile(join(dir, LOCK_FILE), JSON.stringify({ pid: deadPid, host: hostname(), started_at: '2025-01-01T00:00:00Z', command: 'crashed' }));
    const ws = await start(dir);
    expect(JSON.parse(await readFile(join(dir, LOCK_FILE), 'utf8')).pid).toBe(process.pid);
    await ws.close();
    expect(await readdir(dir)).not.toContain(LOCK_FILE);
  });

  it('refuses to start on a state file it cannot read, and leaves the file and the lock as they were', async () => {
    const dir = await tempDir();
    const ws = await startFakeWorkspace({ dir });
    await populate(ws);
    await ws.close();
    const file = join(dir, STATE_FILE);
    const damaged = (await readFile(file, 'utf8')).slice(0, 200);
    await writeFile(file, damaged);
    const attempt = startFakeWorkspace({ dir });
    await expect(attempt).rejects.toBeInstanceOf(CorruptStateError);
    await expect(attempt).rejects.toThrow(`${file} is not a readable workspace state`);
    expect(await readFile(file, 'utf8')).toBe(damaged);
    expect(await readdir(dir)).not.toContain(LOCK_FILE);
  });

  it('refuses a state whose file contents are missing', async () => {
    const dir = await tempDir();
    const ws = await startFakeWorkspace({ dir });
    await populate(ws);
    await ws.close();
    await rm(join(dir, 'blobs'), { recursive: true });
    await expect(startFakeWorkspace({ dir })).rejects.toThrow(/the content of \/Shared\/nb .* is missing/);
  });

  it('reads the earlier one-file-per-area layout once and replaces it', async () => {
    const dir = await tempDir();
    const bigint = (n: string) => ({ $bigint: n });
    const legacy: Record<string, unknown> = {
      'meta.json': { version: 1, currentUser: { id: '1', userName: 'me@example.com', displayName: 'Me' }, workspaceId: '1', counters: { job: bigint('5'), run: bigint('9'), object: bigint('20'), uuid: 1 }, idempotency: {} },
      'workspace.json': { objects: { '/': { object_type: 'DIRECTORY', object_id: bigint('1'), created_at: 0, modified_at: 0 }, '/nb': { object_type: 'NOTEBOOK', object_id: bigint('2'), created_at: 0, modified_at: 0, language: 'PYTHON', content: b64('print(7)') } } },
      'jobs.json': { jobs: {}, runs: {} },
      'pipelines.json': { pipelines: {} },
      'secrets.json': { secretScopes: {} },
      'dashboards.json': { dashboards: {} },
      'volumes.json': { volumes: { files: {}, directories: {} } },
    };
    for (const [name, value] of Object.entries(legacy)) await writeFile(join(dir, name), JSON.stringify(value));
    const ws = await start(dir);
    const exported = await call(ws, 'GET', '/api/2.0/workspace/export', { query: { path: '/nb' } });
    expect(Buffer.from(exported.body.content, 'base64').toString()).toContain('print(7)');
    expect((await readdir(dir)).filter((f) => f.endsWith('.json')).sort()).toEqual([LOCK_FILE, STATE_FILE].sort());
  });
});
