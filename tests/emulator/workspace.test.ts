import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type FakeWorkspace, startFakeWorkspace } from '../../src/emulator/index.ts';
import { b64, call } from './client.ts';

let ws: FakeWorkspace;
beforeEach(async () => {
  ws = await startFakeWorkspace({ clock: 'virtual' });
});
afterEach(async () => {
  await ws.close();
});

const importNotebook = (path: string, content: string, extra: Record<string, unknown> = {}) =>
  call(ws, 'POST', '/api/2.0/workspace/import', { body: { path, content: b64(content), format: 'SOURCE', language: 'PYTHON', ...extra } });

describe('workspace API', () => {
  it('mkdirs creates every missing parent and is idempotent', async () => {
    expect((await call(ws, 'POST', '/api/2.0/workspace/mkdirs', { body: { path: '/Shared/a/b/c' } })).status).toBe(200);
    expect((await call(ws, 'POST', '/api/2.0/workspace/mkdirs', { body: { path: '/Shared/a/b/c' } })).status).toBe(200);
    for (const path of ['/Shared/a', '/Shared/a/b', '/Shared/a/b/c']) {
      const res = await call(ws, 'GET', '/api/2.0/workspace/get-status', { query: { path } });
      expect(res.body.object_type).toBe('DIRECTORY');
    }
  });

  it('import into a missing folder is 404 RESOURCE_DOES_NOT_EXIST; parents are not created', async () => {
    const res = await importNotebook('/Shared/missing/nb', 'print(1)');
    expect(res.status).toBe(404);
    expect(res.body.error_code).toBe('RESOURCE_DOES_NOT_EXIST');
    expect(res.body.message).toContain('/Shared/missing');
    expect((await call(ws, 'GET', '/api/2.0/workspace/get-status', { query: { path: '/Shared/missing' } })).status).toBe(404);
  });

  it('import over an existing object needs overwrite (409 RESOURCE_ALREADY_EXISTS otherwise)', async () => {
    expect((await importNotebook('/Shared/nb', 'print(1)')).status).toBe(200);
    const again = await importNotebook('/Shared/nb', 'print(2)');
    expect(again.status).toBe(409);
    expect(again.body.error_code).toBe('RESOURCE_ALREADY_EXISTS');
    expect((await importNotebook('/Shared/nb', 'print(2)', { overwrite: true })).status).toBe(200);
    const exported = await call(ws, 'GET', '/api/2.0/workspace/export', { query: { path: '/Shared/nb' } });
    expect(Buffer.from(exported.body.content, 'base64').toString()).toBe('# Databricks notebook source\nprint(2)');
    expect(exported.body.file_type).toBe('py');
  });

  it('SOURCE import of a single file needs a language', async () => {
    const res = await call(ws, 'POST', '/api/2.0/workspace/import', { body: { path: '/Shared/x', content: b64('x'), format: 'SOURCE' } });
    expect(res.status).toBe(400);
    expect(res.body.error_code).toBe('INVALID_PARAMETER_VALUE');
  });

  it('AUTO turns a notebook source file into a notebook without its extension, other files stay files', async () => {
    await call(ws, 'POST', '/api/2.0/workspace/import', {
      body: { path: '/Shared/etl.sql', content: b64('-- Databricks notebook source\nSELECT 1'), format: 'AUTO' },
    });
    await call(ws, 'POST', '/api/2.0/workspace/import', { body: { path: '/Shared/util.py', content: b64('x = 1'), format: 'AUTO' } });
    const nb = await call(ws, 'GET', '/api/2.0/workspace/get-status', { query: { path: '/Shared/etl' } });
    expect(nb.body).toMatchObject({ object_type: 'NOTEBOOK', language: 'SQL', path: '/Shared/etl' });
    const file = await call(ws, 'GET', '/api/2.0/workspace/get-status', { query: { path: '/Shared/util.py' } });
    expect(file.body).toMatchObject({ object_type: 'FILE', size: 5 });
    expect((await call(ws, 'GET', '/api/2.0/workspace/get-status', { query: { path: '/Shared/etl.sql' } })).status).toBe(404);
  });

  it('treats /Workspace/... and /... as the same object', async () => {
    await importNotebook('/Workspace/Shared/nb', 'x');
    const res = await call(ws, 'GET', '/api/2.0/workspace/get-status', { query: { path: '/Shared/nb' } });
    expect(res.body.path).toBe('/Shared/nb');
  });

  it('list shows children, an empty folder lists as {}, a missing one is 404', async () => {
    await call(ws, 'POST', '/api/2.0/workspace/mkdirs', { body: { path: '/Shared/p/empty' } });
    await importNotebook('/Shared/p/nb', 'x');
    const list = await call(ws, 'GET', '/api/2.0/workspace/list', { query: { path: '/Shared/p' } });
    expect(list.body.objects.map((o: { path: string }) => o.path)).toEqual(['/Shared/p/empty', '/Shared/p/nb']);
    const empty = await call(ws, 'GET', '/api/2.0/workspace/list', { query: { path: '/Shared/p/empty' } });
    expect(empty.body).toEqual({});
    const missing = await call(ws, 'GET', '/api/2.0/workspace/list', { query: { path: '/Shared/nope' } });
    expect(missing.status).toBe(404);
    expect(missing.body.error_code).toBe('RESOURCE_DOES_NOT_EXIST');
  });

  it('delete refuses a non-empty folder without recursive and removes the subtree with it', async () => {
    await call(ws, 'POST', '/api/2.0/workspace/mkdirs', { body: { path: '/Shared/d/sub' } });
    await importNotebook('/Shared/d/sub/nb', 'x');
    const refused = await call(ws, 'POST', '/api/2.0/workspace/delete', { body: { path: '/Shared/d' } });
    expect(refused.status).toBe(400);
    expect(refused.body.error_code).toBe('DIRECTORY_NOT_EMPTY');
    expect((await call(ws, 'POST', '/api/2.0/workspace/delete', { body: { path: '/Shared/d', recursive: true } })).status).toBe(200);
    expect((await call(ws, 'GET', '/api/2.0/workspace/get-status', { query: { path: '/Shared/d/sub/nb' } })).status).toBe(404);
    const gone = await call(ws, 'POST', '/api/2.0/workspace/delete', { body: { path: '/Shared/d' } });
    expect(gone.status).toBe(404);
    expect(gone.body.error_code).toBe('RESOURCE_DOES_NOT_EXIST');
  });

  it('mkdirs through a file is RESOURCE_ALREADY_EXISTS', async () => {
    await importNotebook('/Shared/nb', 'x');
    const res = await call(ws, 'POST', '/api/2.0/workspace/mkdirs', { body: { path: '/Shared/nb/sub' } });
    expect(res.status).toBe(409);
    expect(res.body.error_code).toBe('RESOURCE_ALREADY_EXISTS');
  });

  it('relative paths are refused', async () => {
    const res = await call(ws, 'GET', '/api/2.0/workspace/get-status', { query: { path: 'Shared' } });
    expect(res.status).toBe(400);
    expect(res.body.error_code).toBe('INVALID_PARAMETER_VALUE');
  });

  it('import-file (workspace-files) takes raw bytes with AUTO semantics', async () => {
    const res = await call(ws, 'POST', '/api/2.0/workspace-files/import-file/Shared/job.py', {
      raw: '# Databricks notebook source\nprint(1)',
      query: { overwrite: true },
    });
    expect(res.status).toBe(200);
    const nb = await call(ws, 'GET', '/api/2.0/workspace/get-status', { query: { path: '/Shared/job' } });
    expect(nb.body).toMatchObject({ object_type: 'NOTEBOOK', language: 'PYTHON' });
  });
});

describe('notebook formats', () => {
  it('imports a Jupyter notebook as source cells and exports it as SOURCE, JUPYTER or AUTO', async () => {
    const ipynb = {
      cells: [
        { cell_type: 'markdown', source: ['# Title\n', 'Some text'] },
        { cell_type: 'code', source: ['x = 1\n', 'print(x)'] },
      ],
      metadata: {},
      nbformat: 4,
      nbformat_minor: 0,
    };
    const imported = await call(ws, 'POST', '/api/2.0/workspace/import', { body: { path: '/Shared/nb.ipynb', content: b64(JSON.stringify(ipynb)), format: 'JUPYTER' } });
    expect(imported.status).toBe(200);
    expect((await call(ws, 'GET', '/api/2.0/workspace/get-status', { query: { path: '/Shared/nb' } })).body).toMatchObject({ object_type: 'NOTEBOOK', language: 'PYTHON' });
    const source = await call(ws, 'GET', '/api/2.0/workspace/export', { query: { path: '/Shared/nb', format: 'SOURCE' } });
    expect(Buffer.from(source.body.content, 'base64').toString()).toBe(
      '# Databricks notebook source\n# MAGIC %md # Title\n# MAGIC Some text\n\n# COMMAND ----------\n\nx = 1\nprint(x)\n',
    );
    const auto = await call(ws, 'GET', '/api/2.0/workspace/export', { query: { path: '/Shared/nb', format: 'AUTO' } });
    expect(auto.body.content).toBe(source.body.content);
    const jupyter = await call(ws, 'GET', '/api/2.0/workspace/export', { query: { path: '/Shared/nb', format: 'JUPYTER' } });
    expect(jupyter.body.file_type).toBe('ipynb');
    const back = JSON.parse(Buffer.from(jupyter.body.content, 'base64').toString()) as typeof ipynb;
    expect(back.cells.map((c) => [c.cell_type, c.source])).toEqual([
      ['markdown', ['# Title\n', 'Some text']],
      ['code', ['x = 1\n', 'print(x)']],
    ]);
    const notJson = await call(ws, 'POST', '/api/2.0/workspace/import', { body: { path: '/Shared/bad.ipynb', content: b64('not json'), format: 'JUPYTER' } });
    expect([notJson.status, notJson.body.error_code]).toEqual([400, 'INVALID_PARAMETER_VALUE']);
    await call(ws, 'POST', '/api/2.0/workspace/import', { body: { path: '/Shared/data.csv', content: b64('a,b'), format: 'RAW' } });
    const fileAsJupyter = await call(ws, 'GET', '/api/2.0/workspace/export', { query: { path: '/Shared/data.csv', format: 'JUPYTER' } });
    expect(fileAsJupyter.status).toBe(400);
  });
});
