import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type FakeWorkspace, startFakeWorkspace } from '../../src/emulator/index.ts';
import { call } from './client.ts';

let ws: FakeWorkspace;
beforeEach(async () => {
  ws = await startFakeWorkspace({ unityCatalog: { volumes: ['main.raw.landing'] } });
});
afterEach(async () => {
  await ws.close();
});

const VOL = '/api/2.0/fs/files/Volumes/main/raw/landing';
const DIR = '/api/2.0/fs/directories/Volumes/main/raw/landing';
const bytes = Buffer.from([0x50, 0x41, 0x52, 0x31, 0, 1, 2, 255]);

describe('Files API on volumes', () => {
  it('refuses paths in a volume Unity Catalog does not have', async () => {
    const missing = await call(ws, 'PUT', '/api/2.0/fs/files/Volumes/main/raw/nowhere/a.parquet', { raw: bytes });
    expect([missing.status, missing.body.error_code]).toEqual([404, 'NOT_FOUND']);
    expect(missing.body.message).toContain('/Volumes/main/raw/nowhere does not exist');
  });

  it('uploads, downloads, stats and deletes a file; parent folders appear on upload', async () => {
    expect((await call(ws, 'PUT', `${VOL}/sales/2025/part-0.parquet`, { raw: bytes })).status).toBe(204);
    const got = await fetch(new URL(`${VOL}/sales/2025/part-0.parquet`, ws.url), { headers: { authorization: `Bearer ${ws.token}` } });
    expect(Buffer.from(await got.arrayBuffer())).toEqual(bytes);
    const head = await call(ws, 'HEAD', `${VOL}/sales/2025/part-0.parquet`);
    expect(head.headers.get('content-length')).toBe(String(bytes.length));
    const listing = await call(ws, 'GET', `${DIR}/sales`);
    expect(listing.body.contents).toEqual([{ path: '/Volumes/main/raw/landing/sales/2025', is_directory: true, name: '2025' }]);
    expect((await call(ws, 'DELETE', `${VOL}/sales/2025/part-0.parquet`)).status).toBe(204);
    const missing = await call(ws, 'GET', `${VOL}/sales/2025/part-0.parquet`);
    expect([missing.status, missing.body.error_code]).toEqual([404, 'NOT_FOUND']);
  });

  it('refuses to replace a file unless overwrite=true', async () => {
    await call(ws, 'PUT', `${VOL}/a.csv`, { raw: 'x' });
    const again = await call(ws, 'PUT', `${VOL}/a.csv`, { raw: 'y' });
    expect([again.status, again.body.error_code]).toEqual([409, 'ALREADY_EXISTS']);
    expect((await call(ws, 'PUT', `${VOL}/a.csv`, { raw: 'y', query: { overwrite: true } })).status).toBe(204);
  });

  it('creates, lists and deletes directories; a non-empty one cannot be deleted', async () => {
    expect((await call(ws, 'PUT', `${DIR}/a/b`)).status).toBe(204);
    await call(ws, 'PUT', `${VOL}/a/b/f.json`, { raw: '{}' });
    expect((await call(ws, 'HEAD', `${DIR}/a/b`)).status).toBe(200);
    expect((await call(ws, 'DELETE', `${DIR}/a/b`)).status).toBe(400);
    await call(ws, 'DELETE', `${VOL}/a/b/f.json`);
    expect((await call(ws, 'DELETE', `${DIR}/a/b`)).status).toBe(204);
    expect((await call(ws, 'HEAD', `${DIR}/a/b`)).status).toBe(404);
    expect((await call(ws, 'GET', DIR)).body.contents).toEqual([{ path: '/Volumes/main/raw/landing/a', is_directory: true, name: 'a' }]);
  });

  it('paths outside a volume are refused', async () => {
    const res = await call(ws, 'PUT', '/api/2.0/fs/files/tmp/x.csv', { raw: 'x' });
    expect([res.status, res.body.error_code]).toEqual([400, 'INVALID_PARAMETER_VALUE']);
  });
});
