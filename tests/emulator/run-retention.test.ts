// Runs are kept 60 days after they end, as Databricks keeps a job's run history; older ones are gone when the
// workspace next starts (runs/list, runs/get), and a retried run-now with their idempotency token is refused.
import { afterEach, describe, expect, it } from 'vitest';
import { type FakeWorkspace, VirtualClock, startFakeWorkspace } from '../../src/emulator/index.ts';
import { RUN_RETENTION_MS } from '../../src/emulator/sim/run-retention.ts';
import { b64, call } from './client.ts';

const open: FakeWorkspace[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((ws) => ws.close()));
});

async function start(clock: VirtualClock, state?: FakeWorkspace['state']): Promise<FakeWorkspace> {
  const ws = await startFakeWorkspace({ clock, ...(state ? { state } : {}) });
  open.push(ws);
  ws.scenario.defaults({ queuedMs: 0, pendingMs: 100, runningMs: 1000 });
  return ws;
}

describe('run history retention', () => {
  it('drops the runs that ended more than 60 days ago at the next start, and keeps the others', async () => {
    const clock = new VirtualClock();
    const first = await start(clock);
    await call(first, 'POST', '/api/2.0/workspace/import', { body: { path: '/Shared/nb', content: b64('print(1)'), format: 'SOURCE', language: 'PYTHON' } });
    const created = await call(first, 'POST', '/api/2.2/jobs/create', { body: { name: 'daily', tasks: [{ task_key: 'a', notebook_task: { notebook_path: '/Shared/nb' } }] } });
    const jobId = String(created.body.job_id);
    const old = String((await call(first, 'POST', '/api/2.2/jobs/run-now', { body: { job_id: jobId, idempotency_token: 'old-run' } })).body.run_id);
    // The old run ended about a second after it started; the recent one starts 60 days and 5 s later.
    clock.advance(RUN_RETENTION_MS + 5_000);
    const recent = String((await call(first, 'POST', '/api/2.2/jobs/run-now', { body: { job_id: jobId } })).body.run_id);
    clock.advance(10_000);
    await first.close();
    open.length = 0;

    const second = await start(clock, first.state);
    const listed = await call(second, 'GET', '/api/2.2/jobs/runs/list', { query: { job_id: jobId } });
    expect((listed.body.runs as { run_id: string }[]).map((r) => String(r.run_id))).toEqual([recent]);
    expect((await call(second, 'GET', '/api/2.2/jobs/runs/get', { query: { run_id: recent } })).status).toBe(200);
    const gone = await call(second, 'GET', '/api/2.2/jobs/runs/get', { query: { run_id: old } });
    expect(gone.status).toBeGreaterThanOrEqual(400);
    const retried = await call(second, 'POST', '/api/2.2/jobs/run-now', { body: { job_id: jobId, idempotency_token: 'old-run' } });
    expect(retried.status).toBe(400);
  });
});
