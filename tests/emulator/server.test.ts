import { afterEach, describe, expect, it } from 'vitest';
import {
  type FakeWorkspace,
  FIRST_UNSAFE_ID,
  VirtualClock,
  faults,
  startFakeWorkspace,
} from '../../src/emulator/index.ts';
import { b64, call } from './client.ts';

const open: FakeWorkspace[] = [];
async function start(...args: Parameters<typeof startFakeWorkspace>): Promise<FakeWorkspace> {
  const ws = await startFakeWorkspace(...args);
  open.push(ws);
  return ws;
}
afterEach(async () => {
  await Promise.all(open.splice(0).map((ws) => ws.close()));
});

const job = { name: 'j', tasks: [{ task_key: 'a', condition_task: { op: 'EQUAL_TO', left: '1', right: '1' } }] };

describe('authentication', () => {
  it('needs a bearer token from the configured set', async () => {
    const ws = await start();
    expect(ws.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const none = await call(ws, 'GET', '/api/2.0/preview/scim/v2/Me', { token: null });
    expect([none.status, none.body.error_code]).toEqual([401, 'UNAUTHENTICATED']);
    const wrong = await call(ws, 'GET', '/api/2.0/preview/scim/v2/Me', { token: 'dapi-wrong' });
    expect([wrong.status, wrong.body.message]).toEqual([403, 'Invalid access token.']);
    const me = await call(ws, 'GET', '/api/2.0/preview/scim/v2/Me');
    expect(me.body).toMatchObject({ userName: 'emulator-user@example.com', active: true });
  });

  it('issues OAuth M2M tokens at /oidc/v1/token for configured clients', async () => {
    const ws = await start({ oauthClients: [{ client_id: 'sp-app', client_secret: 'sp-secret', user: 'sp-app-id' }] });
    const discovery = await call(ws, 'GET', '/oidc/.well-known/oauth-authorization-server', { token: null });
    expect(discovery.body.token_endpoint).toBe(`${ws.url}/oidc/v1/token`);
    const form = 'grant_type=client_credentials&scope=all-apis';
    const basic = (id: string, secret: string) => `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`;
    const post = (authorization: string) =>
      fetch(`${ws.url}/oidc/v1/token`, { method: 'POST', headers: { authorization, 'content-type': 'application/x-www-form-urlencoded' }, body: form });
    const bad = await post(basic('sp-app', 'nope'));
    expect(bad.status).toBe(401);
    const good = await post(basic('sp-app', 'sp-secret'));
    const token = (await good.json()) as { access_token: string; token_type: string; expires_in: number };
    expect(token).toMatchObject({ token_type: 'Bearer', expires_in: 3600 });
    const me = await call(ws, 'GET', '/api/2.0/preview/scim/v2/Me', { token: token.access_token });
    expect(me.body.userName).toBe('sp-app-id');
    const logged = JSON.stringify(ws.requests);
    expect(logged).not.toContain('sp-secret');
    expect(logged).not.toContain(token.access_token);
  });
});

describe('big int64 ids', () => {
  it('issues ids above 2^53 and keeps every digit in both directions', async () => {
    const ws = await start({ bigIds: true });
    const created = await call(ws, 'POST', '/api/2.2/jobs/create', { body: job });
    expect(typeof created.body.job_id).toBe('bigint');
    expect(created.body.job_id).toBeGreaterThanOrEqual(FIRST_UNSAFE_ID);
    expect(created.text).toContain(`"job_id":${created.body.job_id.toString()}`);
    // A client that parses with JSON.parse would round the id and ask for a different job.
    const rounded = BigInt(Number(created.body.job_id));
    expect(rounded).not.toBe(created.body.job_id);
    expect((await call(ws, 'GET', '/api/2.2/jobs/get', { query: { job_id: rounded } })).status).toBe(400);
    const got = await call(ws, 'GET', '/api/2.2/jobs/get', { query: { job_id: created.body.job_id } });
    expect(got.body.job_id).toBe(created.body.job_id);
    const run = await call(ws, 'POST', '/api/2.2/jobs/run-now', { body: { job_id: created.body.job_id } });
    expect(run.body.run_id).toBeGreaterThan(FIRST_UNSAFE_ID);
    const runGot = await call(ws, 'GET', '/api/2.2/jobs/runs/get', { query: { run_id: run.body.run_id } });
    expect(runGot.body.job_id).toBe(created.body.job_id);
    expect(runGot.body.tasks[0].run_id).toBeGreaterThan(FIRST_UNSAFE_ID);
  });
});

describe('fault injection', () => {
  it('429 with Retry-After, then the retried request goes through once', async () => {
    const ws = await start({ faults: { rules: [{ match: 'POST /api/2.2/jobs/create', fault: faults.tooManyRequests(3) }] } });
    const limited = await call(ws, 'POST', '/api/2.2/jobs/create', { body: job });
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('3');
    expect(limited.body.error_code).toBe('REQUEST_LIMIT_EXCEEDED');
    expect(Object.keys(ws.state.jobs)).toHaveLength(0);
    expect((await call(ws, 'POST', '/api/2.2/jobs/create', { body: job })).status).toBe(200);
    expect(Object.keys(ws.state.jobs)).toHaveLength(1);
    expect(ws.requests.map((r) => [r.status, r.fault])).toEqual([
      [429, 'status-429'],
      [200, undefined],
    ]);
  });

  it('503, skip and times: the 2nd and 3rd matching requests fail', async () => {
    const ws = await start({ faults: { rules: [{ match: '* /api/2.0/workspace/*', fault: faults.unavailable(), skip: 1, times: 2 }] } });
    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push((await call(ws, 'GET', '/api/2.0/workspace/get-status', { query: { path: '/Shared' } })).status);
    expect(statuses).toEqual([200, 503, 503, 200]);
  });

  it('a connection reset drops the request before it is applied', async () => {
    const ws = await start({ faults: { rules: [{ match: 'POST /api/2.2/jobs/create', fault: faults.reset() }] } });
    await expect(call(ws, 'POST', '/api/2.2/jobs/create', { body: job })).rejects.toThrow();
    expect(Object.keys(ws.state.jobs)).toHaveLength(0);
    expect(ws.requests[0]?.status).toBe('reset');
  });

  it('a lost response applies the request; retrying run-now with the same idempotency token finds the same run', async () => {
    const ws = await start({ faults: { rules: [{ match: 'POST /api/2.2/jobs/run-now', fault: faults.lostResponse(), times: 1 }] } });
    const { body } = await call(ws, 'POST', '/api/2.2/jobs/create', { body: job });
    const request = { body: { job_id: body.job_id, idempotency_token: 'tok-1' } };
    await expect(call(ws, 'POST', '/api/2.2/jobs/run-now', request)).rejects.toThrow();
    expect(Object.keys(ws.state.runs)).toHaveLength(1);
    const retried = await call(ws, 'POST', '/api/2.2/jobs/run-now', request);
    expect(retried.status).toBe(200);
    expect(String(retried.body.run_id)).toBe(Object.keys(ws.state.runs)[0]);
    expect(Object.keys(ws.state.runs)).toHaveLength(1);
  });

  it('a lost response can also surface as a 503 after the change was made', async () => {
    const ws = await start({ faults: { rules: [{ match: 'POST /api/2.2/jobs/create', fault: faults.lostResponse('status503') }] } });
    expect((await call(ws, 'POST', '/api/2.2/jobs/create', { body: job })).status).toBe(503);
    expect(Object.keys(ws.state.jobs)).toHaveLength(1);
  });

  it('random faults are reproducible from the seed', async () => {
    const pattern = async (seed: number) => {
      const ws = await start({ seed, faults: { random: { rate: 0.4, faults: [faults.tooManyRequests(), faults.unavailable()] } } });
      const out: number[] = [];
      for (let i = 0; i < 30; i++) out.push((await call(ws, 'GET', '/api/2.0/preview/scim/v2/Me')).status);
      return out;
    };
    const a = await pattern(7);
    expect(await pattern(7)).toEqual(a);
    expect(await pattern(8)).not.toEqual(a);
    const failures = a.filter((s) => s !== 200).length;
    expect(failures).toBeGreaterThan(3);
    expect(failures).toBeLessThan(27);
  });

  it('setFaults replaces the rules at run time', async () => {
    const ws = await start();
    ws.setFaults({ rules: [{ match: '/api/2.0/preview/scim/v2/Me', fault: faults.unavailable(1), times: Infinity }] });
    expect((await call(ws, 'GET', '/api/2.0/preview/scim/v2/Me')).status).toBe(503);
    expect((await call(ws, 'GET', '/api/2.0/preview/scim/v2/Me')).headers.get('retry-after')).toBe('1');
    ws.setFaults({});
    expect((await call(ws, 'GET', '/api/2.0/preview/scim/v2/Me')).status).toBe(200);
  });
});

describe('request log', () => {
  it('keeps no request bodies unless asked to', async () => {
    const ws = await start();
    await call(ws, 'POST', '/api/2.0/workspace/mkdirs', { body: { path: '/Shared/app' } });
    expect(ws.requests).toEqual([{ method: 'POST', path: '/api/2.0/workspace/mkdirs', query: {}, headers: { authorization: 'Bearer [REDACTED]', 'content-type': 'application/json' }, status: 200 }]);
  });

  it('records method, path, query and body with the Authorization header redacted', async () => {
    const ws = await start({ clock: 'virtual', logBodies: true });
    await call(ws, 'POST', '/api/2.0/workspace/mkdirs', { body: { path: '/Shared/app' } });
    await call(ws, 'POST', '/api/2.0/workspace/import', { body: { path: '/Shared/app/nb', content: b64('x'), format: 'SOURCE', language: 'PYTHON' } });
    await call(ws, 'GET', '/api/2.0/workspace/list', { query: { path: '/Shared/app' } });
    expect(ws.requests).toEqual([
      { method: 'POST', path: '/api/2.0/workspace/mkdirs', query: {}, body: { path: '/Shared/app' }, headers: { authorization: 'Bearer [REDACTED]', 'content-type': 'application/json' }, status: 200 },
      {
        method: 'POST',
        path: '/api/2.0/workspace/import',
        query: {},
        body: { path: '/Shared/app/nb', content: 'eA==', format: 'SOURCE', language: 'PYTHON' },
        headers: { authorization: 'Bearer [REDACTED]', 'content-type': 'application/json' },
        status: 200,
      },
      { method: 'GET', path: '/api/2.0/workspace/list', query: { path: '/Shared/app' }, headers: { authorization: 'Bearer [REDACTED]' }, status: 200 },
    ]);
    expect(JSON.stringify(ws.requests)).not.toContain(ws.token);
    ws.clearRequests();
    expect(ws.requests).toHaveLength(0);
  });

  it('keeps only the newest entries when a limit is set', async () => {
    const ws = await start({ requestLogLimit: 2 });
    for (const path of ['/Shared', '/Users', '/']) await call(ws, 'GET', '/api/2.0/workspace/get-status', { query: { path } });
    expect(ws.requests.map((r) => r.query['path'])).toEqual(['/Users', '/']);
  });
});

describe('server behaviour', () => {
  it('unknown endpoints are ENDPOINT_NOT_FOUND and malformed JSON is MALFORMED_REQUEST', async () => {
    const ws = await start();
    const unknown = await call(ws, 'GET', '/api/2.0/nothing/here');
    expect([unknown.status, unknown.body.error_code]).toEqual([404, 'ENDPOINT_NOT_FOUND']);
    const malformed = await call(ws, 'POST', '/api/2.2/jobs/create', { raw: '{"name":', headers: { 'content-type': 'application/json' } });
    expect([malformed.status, malformed.body.error_code]).toEqual([400, 'MALFORMED_REQUEST']);
    expect(malformed.body.details[1].request_id).toBe(malformed.headers.get('x-request-id'));
  });

  it('adds the configured latency to every request', async () => {
    const ws = await start({ latencyMs: 50 });
    const t0 = performance.now();
    await call(ws, 'GET', '/api/2.0/preview/scim/v2/Me');
    expect(performance.now() - t0).toBeGreaterThanOrEqual(45);
  });

  it('a virtual clock with perRequestMs lets a polling client see a run finish', async () => {
    const ws = await start({ clock: new VirtualClock(undefined, 500) });
    const { body } = await call(ws, 'POST', '/api/2.2/jobs/create', { body: job });
    const run = await call(ws, 'POST', '/api/2.2/jobs/run-now', { body: { job_id: body.job_id } });
    let state = '';
    let polls = 0;
    while (state !== 'TERMINATED' && polls < 10) {
      state = (await call(ws, 'GET', '/api/2.2/jobs/runs/get', { query: { run_id: run.body.run_id } })).body.state.life_cycle_state;
      polls++;
    }
    expect(state).toBe('TERMINATED');
    expect(polls).toBeGreaterThan(0);
  });

  it('a real-clock run finishes on its own within the default durations', async () => {
    const ws = await start();
    const { body } = await call(ws, 'POST', '/api/2.2/jobs/create', { body: job });
    const run = await call(ws, 'POST', '/api/2.2/jobs/run-now', { body: { job_id: body.job_id } });
    await new Promise((resolve) => setTimeout(resolve, 150));
    const got = await call(ws, 'GET', '/api/2.2/jobs/runs/get', { query: { run_id: run.body.run_id } });
    expect(got.body.state).toMatchObject({ life_cycle_state: 'TERMINATED', result_state: 'SUCCESS' });
  });
});

describe('scenario input', () => {
  it('accepts a partial script (e.g. loaded from JSON) and fills in the default durations', async () => {
    const ws = await start({ clock: 'virtual', scenario: { defaults: { runningMs: 5000 }, tasks: { a: { outcomes: [{ result: 'FAILED' }] } } } });
    const { body } = await call(ws, 'POST', '/api/2.2/jobs/create', { body: job });
    const run = await call(ws, 'POST', '/api/2.2/jobs/run-now', { body: { job_id: body.job_id } });
    ws.advanceClock(4000);
    const running = await call(ws, 'GET', '/api/2.2/jobs/runs/get', { query: { run_id: run.body.run_id } });
    expect(running.body.state.life_cycle_state).toBe('RUNNING');
    ws.advanceClock(2000);
    const done = await call(ws, 'GET', '/api/2.2/jobs/runs/get', { query: { run_id: run.body.run_id } });
    expect(done.body.state.result_state).toBe('FAILED');
  });

  it('advanceClock is refused on the real clock', async () => {
    const ws = await start();
    expect(() => ws.advanceClock(10)).toThrow(/virtual clock/);
  });
});

describe('request bodies', () => {
  it('refuses a request without a valid token before reading its body', async () => {
    const ws = await start();
    const big = Buffer.alloc(32 * 1024 * 1024, 0x61);
    let status: number | string;
    try {
      const res = await fetch(`${ws.url}/api/2.0/workspace/import`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: big });
      status = res.status;
      expect(res.headers.get('connection')).toBe('close');
    } catch {
      status = 'closed before the answer was read';
    }
    expect([401, 'closed before the answer was read']).toContain(status);
    expect(ws.requests.at(-1)?.status).toBe(401);
  });

  it('answers an import over 10 MB with MAX_NOTEBOOK_SIZE_EXCEEDED, by its declared size or as it streams in', async () => {
    const ws = await start();
    const content = Buffer.alloc(10 * 1024 * 1024 + 1).toString('base64');
    const declared = await call(ws, 'POST', '/api/2.0/workspace/import', { body: { path: '/Shared/big', content, format: 'RAW' } });
    expect([declared.status, declared.body.error_code]).toEqual([400, 'MAX_NOTEBOOK_SIZE_EXCEEDED']);
    const exact = await call(ws, 'POST', '/api/2.0/workspace/import', { body: { path: '/Shared/max', content: Buffer.alloc(10 * 1024 * 1024).toString('base64'), format: 'RAW' } });
    expect(exact.status).toBe(200);
    // Chunked, with no declared length: refused once the decoded content passes 10 MB, before the body ends.
    const piece = Buffer.from('QUJD'.repeat(256 * 1024)); // 1 MB of base64, 768 KB decoded
    let sent = 0;
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(Buffer.from('{"path": "/Shared/chunked", "format": "RAW", "content": "'));
      },
      pull(controller) {
        // Never closed: only an early answer ends the request.
        sent += piece.length;
        if (sent < 64 * 1024 * 1024) controller.enqueue(piece);
      },
    });
    const chunked = await fetch(`${ws.url}/api/2.0/workspace/import`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ws.token}`, 'content-type': 'application/json' },
      body: stream,
      duplex: 'half',
    } as RequestInit);
    expect([chunked.status, ((await chunked.json()) as { error_code: string }).error_code]).toEqual([400, 'MAX_NOTEBOOK_SIZE_EXCEEDED']);
  });
});

describe('SQL warehouses', () => {
  it('lists and gets the configured warehouses; publishing a dashboard needs one that exists', async () => {
    const ws = await start({ warehouses: [{ id: 'abc123', name: 'Shared' }] });
    const list = await call(ws, 'GET', '/api/2.0/sql/warehouses');
    expect(list.body.warehouses).toEqual([expect.objectContaining({ id: 'abc123', name: 'Shared', state: 'RUNNING' })]);
    expect((await call(ws, 'GET', '/api/2.0/sql/warehouses/abc123')).body.odbc_params.path).toBe('/sql/1.0/warehouses/abc123');
    const missing = await call(ws, 'GET', '/api/2.0/sql/warehouses/nope');
    expect([missing.status, missing.body.error_code]).toEqual([404, 'RESOURCE_DOES_NOT_EXIST']);
    const created = await call(ws, 'POST', '/api/2.0/lakeview/dashboards', { body: { display_name: 'D', parent_path: '/Shared', serialized_dashboard: '{}' } });
    const id = created.body.dashboard_id;
    const refused = await call(ws, 'POST', `/api/2.0/lakeview/dashboards/${id}/published`, { body: { warehouse_id: 'nope', embed_credentials: false } });
    expect([refused.status, refused.body.error_code]).toEqual([404, 'RESOURCE_DOES_NOT_EXIST']);
    expect((await call(ws, 'POST', `/api/2.0/lakeview/dashboards/${id}/published`, { body: { warehouse_id: 'abc123', embed_credentials: false } })).status).toBe(200);
  });
});
