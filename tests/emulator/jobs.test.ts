import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type FakeWorkspace, startFakeWorkspace } from '../../src/emulator/index.ts';
import { call } from './client.ts';

let ws: FakeWorkspace;
beforeEach(async () => {
  ws = await startFakeWorkspace({ clock: 'virtual' });
});
afterEach(async () => {
  await ws.close();
});

const task = (key: string, deps: string[] = []) => ({
  task_key: key,
  notebook_task: { notebook_path: `/Shared/${key}` },
  ...(deps.length > 0 ? { depends_on: deps.map((d) => ({ task_key: d })) } : {}),
});

async function create(body: Record<string, unknown>) {
  return call(ws, 'POST', '/api/2.2/jobs/create', { body });
}

describe('jobs API 2.2', () => {
  it('create then get returns the settings with server-side defaults', async () => {
    const created = await create({ name: 'Unified_Workflow_Job', tasks: [task('b', ['a']), task('a')] });
    expect(created.status).toBe(200);
    const got = await call(ws, 'GET', '/api/2.2/jobs/get', { query: { job_id: created.body.job_id } });
    expect(got.body.job_id).toEqual(created.body.job_id);
    expect(got.body.creator_user_name).toBe('emulator-user@example.com');
    expect(got.body.settings).toMatchObject({ name: 'Unified_Workflow_Job', max_concurrent_runs: 1, timeout_seconds: 0, format: 'MULTI_TASK' });
    expect(got.body.settings.tasks[0]).toMatchObject({ task_key: 'b', run_if: 'ALL_SUCCESS', depends_on: [{ task_key: 'a' }] });
  });

  it('reset replaces all settings; update merges tasks by key and removes fields', async () => {
    const { body } = await create({ name: 'j', tags: { team: 'data' }, tasks: [task('a'), task('b', ['a'])] });
    await call(ws, 'POST', '/api/2.2/jobs/update', {
      body: { job_id: body.job_id, new_settings: { tasks: [{ ...task('b', ['a']), timeout_seconds: 60 }, task('c')] }, fields_to_remove: ['tags'] },
    });
    let got = await call(ws, 'GET', '/api/2.2/jobs/get', { query: { job_id: body.job_id } });
    expect(got.body.settings.tasks.map((t: { task_key: string }) => t.task_key)).toEqual(['a', 'b', 'c']);
    expect(got.body.settings.tasks[1].timeout_seconds).toBe(60);
    expect(got.body.settings.tags).toBeUndefined();
    await call(ws, 'POST', '/api/2.2/jobs/reset', { body: { job_id: body.job_id, new_settings: { name: 'renamed', tasks: [task('z')] } } });
    got = await call(ws, 'GET', '/api/2.2/jobs/get', { query: { job_id: body.job_id } });
    expect(got.body.settings.name).toBe('renamed');
    expect(got.body.settings.tasks.map((t: { task_key: string }) => t.task_key)).toEqual(['z']);
  });

  it('a missing job is 400 INVALID_PARAMETER_VALUE "Job <id> does not exist." for get, reset and delete', async () => {
    for (const [method, path, opts] of [
      ['GET', '/api/2.2/jobs/get', { query: { job_id: 42 } }],
      ['POST', '/api/2.2/jobs/reset', { body: { job_id: 42, new_settings: { name: 'x' } } }],
      ['POST', '/api/2.2/jobs/delete', { body: { job_id: 42 } }],
    ] as const) {
      const res = await call(ws, method, path, opts);
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({ error_code: 'INVALID_PARAMETER_VALUE', message: 'Job 42 does not exist.' });
    }
  });

  it('delete removes the job', async () => {
    const { body } = await create({ name: 'j', tasks: [task('a')] });
    expect((await call(ws, 'POST', '/api/2.2/jobs/delete', { body: { job_id: body.job_id } })).status).toBe(200);
    expect((await call(ws, 'GET', '/api/2.2/jobs/get', { query: { job_id: body.job_id } })).status).toBe(400);
  });

  it('rejects duplicate task keys, unknown dependencies and cycles', async () => {
    const dup = await create({ name: 'j', tasks: [task('a'), task('a')] });
    expect(dup.status).toBe(400);
    expect(dup.body.message).toContain('more than once');
    const unknown = await create({ name: 'j', tasks: [task('a', ['ghost'])] });
    expect(unknown.status).toBe(400);
    const cycle = await create({ name: 'j', tasks: [task('a', ['b']), task('b', ['a'])] });
    expect(cycle.status).toBe(400);
    expect(cycle.body.message).toContain('cycle');
  });

  it('list pages with page_token and filters by exact, case-insensitive name', async () => {
    for (let i = 0; i < 5; i++) await create({ name: `job-${i}`, tasks: [task('a')] });
    await create({ name: 'Unified_Workflow_Job', tasks: [task('a')] });
    const seen: string[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const res = await call(ws, 'GET', '/api/2.2/jobs/list', { query: { limit: 2, ...(token ? { page_token: token } : {}) } });
      seen.push(...res.body.jobs.map((j: { settings: { name: string } }) => j.settings.name));
      expect(res.body.jobs[0].settings.tasks).toBeUndefined();
      token = res.body.next_page_token;
      pages++;
    } while (token);
    expect(pages).toBe(3);
    expect(seen).toEqual(['job-0', 'job-1', 'job-2', 'job-3', 'job-4', 'Unified_Workflow_Job']);
    const named = await call(ws, 'GET', '/api/2.2/jobs/list', { query: { name: 'unified_workflow_job' } });
    expect(named.body.jobs).toHaveLength(1);
    const none = await call(ws, 'GET', '/api/2.2/jobs/list', { query: { name: 'nothing' } });
    expect(none.body).toEqual({ has_more: false });
    expect((await call(ws, 'GET', '/api/2.2/jobs/list', { query: { limit: 101 } })).status).toBe(400);
    expect((await call(ws, 'GET', '/api/2.2/jobs/list', { query: { page_token: 'garbage' } })).status).toBe(400);
  });

  it('get pages more than 100 tasks; concatenating pages gives them all', async () => {
    const tasks = Array.from({ length: 230 }, (_, i) => task(`t${i}`));
    const { body } = await create({ name: 'wide', tasks, job_clusters: [{ job_cluster_key: 'c', new_cluster: { num_workers: 1 } }] });
    const all: string[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const res = await call(ws, 'GET', '/api/2.2/jobs/get', { query: { job_id: body.job_id, ...(token ? { page_token: token } : {}) } });
      all.push(...res.body.settings.tasks.map((t: { task_key: string }) => t.task_key));
      if (pages === 0) expect(res.body.settings.job_clusters).toHaveLength(1);
      else expect(res.body.settings.job_clusters).toBeUndefined();
      token = res.body.next_page_token;
      pages++;
    } while (token);
    expect(pages).toBe(3);
    expect(all).toEqual(tasks.map((t) => t.task_key));
  });
});
