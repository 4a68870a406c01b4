import nock from 'nock';
import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { RemoteApiError, UserError } from '../../src/errors/index.ts';
import { recordingSink } from '../../src/events/types.ts';
import { RequestOutcomeUnknownError } from '../../src/workspace/errors.ts';
import { HttpClient } from '../../src/workspace/http.ts';
import { patProvider } from '../../src/workspace/auth/static-providers.ts';
import { apiError, fakeClock, HOST, makeClient, socketError, TOKEN, useNock } from './helpers.ts';

useNock();

async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected the call to fail');
}

describe('HttpClient basics', () => {
  it('sends the bearer token and JSON headers, and parses the response', async () => {
    nock(HOST, { reqheaders: { authorization: `Bearer ${TOKEN}`, accept: 'application/json', 'content-type': 'application/json' } })
      .post('/api/2.2/jobs/delete', { job_id: 5 })
      .reply(200, {});
    const { client } = makeClient();
    await expect(client.jobs.delete({ job_id: 5 })).resolves.toEqual({});
  });

  it('encodes booleans as true/false and arrays as repeated keys, skipping undefined', async () => {
    nock(HOST).get('/q').query({ a: 'true', b: ['x', 'y'], n: '9007199254740993' }).reply(200, { ok: true });
    const { client } = makeClient();
    const result = await client.http.json({ method: 'GET', path: '/q', query: { a: true, b: ['x', 'y'], c: undefined, n: 9007199254740993n } });
    expect(result).toEqual({ ok: true });
  });

  it('refuses plain http to a non-loopback host', () => {
    expect(() => new HttpClient({ host: 'http://example.com', credentials: patProvider('t') })).toThrow(UserError);
  });
});

describe('retries', () => {
  it('honours Retry-After in seconds on 429', async () => {
    nock(HOST).get('/api/2.2/jobs/get').query(true).reply(429, apiError('REQUEST_LIMIT_EXCEEDED', 'slow down'), { 'Retry-After': '3' });
    nock(HOST).get('/api/2.2/jobs/get').query({ job_id: '7' }).reply(200, { job_id: 7 });
    const { client, clock } = makeClient();
    await expect(client.jobs.get({ job_id: 7 })).resolves.toMatchObject({ job_id: 7 });
    expect(clock.sleeps).toEqual([3000]);
  });

  it('honours Retry-After as an HTTP date on 503', async () => {
    const { client, clock } = makeClient();
    const date = new Date(clock.time + 7000).toUTCString();
    nock(HOST).get('/api/2.0/pipelines/p1').reply(503, 'Service Unavailable', { 'Retry-After': date });
    nock(HOST).get('/api/2.0/pipelines/p1').reply(200, { pipeline_id: 'p1' });
    await expect(client.pipelines.get('p1')).resolves.toMatchObject({ pipeline_id: 'p1' });
    expect(clock.sleeps).toEqual([7000]);
  });

  it('uses exponential backoff with full jitter when there is no Retry-After', async () => {
    nock(HOST).get('/api/2.0/pipelines/p1').times(3).reply(503, apiError('TEMPORARILY_UNAVAILABLE', 'busy'));
    nock(HOST).get('/api/2.0/pipelines/p1').reply(200, { pipeline_id: 'p1' });
    const { client, clock } = makeClient(); // random() = 0.5
    await client.pipelines.get('p1');
    expect(clock.sleeps).toEqual([500, 1000, 2000]);
  });

  it('reads RetryInfo retry_delay from the error details', async () => {
    nock(HOST)
      .get('/api/2.0/pipelines/p1')
      .reply(429, apiError('RESOURCE_EXHAUSTED', 'quota', { details: [{ '@type': 'type.googleapis.com/google.rpc.RetryInfo', retry_delay: '2.5s' }] }));
    nock(HOST).get('/api/2.0/pipelines/p1').reply(200, {});
    const { client, clock } = makeClient();
    await client.pipelines.get('p1');
    expect(clock.sleeps).toEqual([2500]);
  });

  it('retries an idempotent call on 500, 502 and 504, but not on 400 or 404', async () => {
    nock(HOST).get('/api/2.0/pipelines/a').reply(500, apiError('INTERNAL_ERROR', 'boom'));
    nock(HOST).get('/api/2.0/pipelines/a').reply(502, '<html><title>Bad Gateway</title></html>', { 'Content-Type': 'text/html' });
    nock(HOST).get('/api/2.0/pipelines/a').reply(504, '');
    nock(HOST).get('/api/2.0/pipelines/a').reply(200, { pipeline_id: 'a' });
    nock(HOST).post('/api/2.0/workspace/mkdirs').reply(500, apiError('INTERNAL_ERROR', 'boom'));
    nock(HOST).post('/api/2.0/workspace/mkdirs').reply(200, {});
    nock(HOST).get('/api/2.0/pipelines/b').reply(400, apiError('INVALID_PARAMETER_VALUE', 'no'));
    const { client, clock } = makeClient();
    await expect(client.pipelines.get('a')).resolves.toMatchObject({ pipeline_id: 'a' });
    await expect(client.workspace.mkdirs({ path: '/x' })).resolves.toEqual({});
    expect(clock.sleeps).toHaveLength(4);
    const error = await rejection(client.pipelines.get('b'));
    expect((error as RemoteApiError).details).toMatchObject({ status: 400, error_code: 'INVALID_PARAMETER_VALUE', method: 'GET', path: '/api/2.0/pipelines/b' });
    expect(clock.sleeps).toHaveLength(4);
  });

  it('does not retry a create answered with a 5xx: its outcome is unknown, so the caller looks first', async () => {
    nock(HOST).post('/api/2.2/jobs/create').reply(503, apiError('TEMPORARILY_UNAVAILABLE', 'busy'));
    const { client, requests } = makeClient();
    const error = await rejection(client.jobs.create({ name: 'job' }));
    expect(error).toBeInstanceOf(RequestOutcomeUnknownError);
    expect((error as RemoteApiError).details).toMatchObject({ status: 503, error_code: 'TEMPORARILY_UNAVAILABLE' });
    expect(error.message).toContain('may or may not have been applied');
    expect(requests).toHaveLength(1);
  });

  it('gives up once the next wait would exceed the time budget', async () => {
    nock(HOST).get('/api/2.0/pipelines/p1').times(3).reply(503, apiError('TEMPORARILY_UNAVAILABLE', 'busy'), { 'Retry-After': '4' });
    const { client, clock } = makeClient({ retry: { timeoutMs: 10_000 } });
    const error = await rejection(client.pipelines.get('p1'));
    expect(error).toBeInstanceOf(RemoteApiError);
    expect(error.message).toContain('gave up after 3 attempts in 8.0 s');
    expect((error as RemoteApiError).details.status).toBe(503);
    expect(clock.sleeps).toEqual([4000, 4000]);
  });

  it('defaults the budget to 300 s', async () => {
    nock(HOST).get('/api/2.0/pipelines/p1').times(6).reply(429, {}, { 'Retry-After': '60' });
    const { client, clock } = makeClient();
    const error = await rejection(client.pipelines.get('p1'));
    expect(error.message).toContain('gave up after 6 attempts in 300.0 s');
    expect(clock.sleeps.reduce((a, b) => a + b, 0)).toBe(300_000);
  });

  it('does not sleep when Retry-After alone exceeds the budget', async () => {
    nock(HOST).get('/api/2.0/pipelines/p1').reply(429, {}, { 'Retry-After': '3600' });
    const { client, clock } = makeClient();
    await expect(client.pipelines.get('p1')).rejects.toThrow(/TOO_MANY_REQUESTS/);
    expect(clock.sleeps).toEqual([]);
  });

  it('retries an idempotent call after a connection reset', async () => {
    nock(HOST).get('/api/2.0/pipelines/p1').replyWithError(socketError('ECONNRESET', 'socket hang up'));
    nock(HOST).get('/api/2.0/pipelines/p1').reply(200, { pipeline_id: 'p1' });
    const { client, clock } = makeClient();
    await expect(client.pipelines.get('p1')).resolves.toMatchObject({ pipeline_id: 'p1' });
    expect(clock.sleeps).toHaveLength(1);
  });

  it('retries an idempotent call after a timeout', async () => {
    nock(HOST).get('/api/2.0/pipelines/p1').delay(300).reply(200, { late: true });
    nock(HOST).get('/api/2.0/pipelines/p1').reply(200, { pipeline_id: 'p1' });
    const { client } = makeClient({ requestTimeoutMs: 50 });
    await expect(client.pipelines.get('p1')).resolves.toEqual({ pipeline_id: 'p1' });
  });

  it('does not blindly retry a create whose response was lost; it reports an unknown outcome', async () => {
    nock(HOST).post('/api/2.2/jobs/create').replyWithError(socketError('ECONNRESET', 'socket hang up'));
    const { client, requests } = makeClient();
    const error = await rejection(client.jobs.create({ name: 'job', tasks: [] }));
    expect(error).toBeInstanceOf(RequestOutcomeUnknownError);
    expect(error).toBeInstanceOf(RemoteApiError);
    expect((error as RemoteApiError).details).toMatchObject({ error_code: 'ECONNRESET', method: 'POST', path: '/api/2.2/jobs/create' });
    expect(requests).toHaveLength(1);
  });

  it('retries a create when the connection was refused (nothing was sent)', async () => {
    nock(HOST).post('/api/2.2/jobs/create').replyWithError(socketError('ECONNREFUSED'));
    nock(HOST).post('/api/2.2/jobs/create').reply(200, { job_id: 11 });
    const { client } = makeClient();
    await expect(client.jobs.create({ name: 'job' })).resolves.toEqual({ job_id: 11 });
  });

  it('gives up within 20 s on a host that refuses every connection, naming the host', async () => {
    nock(HOST).get('/api/2.0/pipelines/p1').times(100).replyWithError(socketError('ECONNREFUSED'));
    const { client, clock } = makeClient();
    const error = await rejection(client.pipelines.get('p1'));
    expect(error).toBeInstanceOf(UserError);
    expect(error.message).toContain(`Cannot connect to the workspace at ${HOST}`);
    const waited = clock.sleeps.reduce((a, b) => a + b, 0);
    expect(waited).toBeGreaterThan(0);
    expect(waited).toBeLessThanOrEqual(20_000);
    nock.cleanAll();
  });

  it('keeps the full retry budget for a host that answered before', async () => {
    nock(HOST).get('/api/2.0/pipelines/p1').reply(503, {}, { 'Retry-After': '15' });
    nock(HOST).get('/api/2.0/pipelines/p1').replyWithError(socketError('ECONNREFUSED'));
    nock(HOST).get('/api/2.0/pipelines/p1').reply(503, {}, { 'Retry-After': '15' });
    nock(HOST).get('/api/2.0/pipelines/p1').reply(200, { pipeline_id: 'p1' });
    const { client, clock } = makeClient();
    await expect(client.pipelines.get('p1')).resolves.toMatchObject({ pipeline_id: 'p1' });
    expect(clock.sleeps.reduce((a, b) => a + b, 0)).toBeGreaterThan(20_000);
  });

  it('retries a create on 429, since the server refused it', async () => {
    nock(HOST).post('/api/2.2/jobs/create').reply(429, apiError('REQUEST_LIMIT_EXCEEDED', 'too many'), { 'Retry-After': '1' });
    nock(HOST).post('/api/2.2/jobs/create').reply(200, { job_id: 12 });
    const { client } = makeClient();
    await expect(client.jobs.create({ name: 'job' })).resolves.toEqual({ job_id: 12 });
  });

  it('emits an info event per retry', async () => {
    nock(HOST).get('/api/2.0/pipelines/p1').reply(503, {}, { 'Retry-After': '2' });
    nock(HOST).get('/api/2.0/pipelines/p1').reply(200, {});
    const events = recordingSink();
    const { client } = makeClient({ events });
    await client.pipelines.get('p1');
    const retries = events.events.filter((e) => e.level === 'info');
    expect(retries).toHaveLength(1);
    expect(retries[0]?.message).toBe('GET /api/2.0/pipelines/p1 got 503 TEMPORARILY_UNAVAILABLE; retrying in 2.0 s');
  });

  it('fails fast with a UserError when the host does not resolve', async () => {
    nock(HOST).get('/api/2.0/pipelines/p1').replyWithError(socketError('ENOTFOUND', 'getaddrinfo ENOTFOUND'));
    const { client, clock } = makeClient();
    await expect(client.pipelines.get('p1')).rejects.toBeInstanceOf(UserError);
    expect(clock.sleeps).toEqual([]);
  });
});

describe('error responses', () => {
  const cases: { name: string; status: number; body: string | object; headers?: Record<string, string>; code: string; message: string }[] = [
    {
      name: 'standard JSON with a request id',
      status: 404,
      body: apiError('RESOURCE_DOES_NOT_EXIST', 'Pipeline p1 not found', { details: [{ '@type': 'type.googleapis.com/google.rpc.RequestInfo', request_id: 'req-42' }] }),
      code: 'RESOURCE_DOES_NOT_EXIST',
      message: 'Pipeline p1 not found',
    },
    { name: 'legacy {error}', status: 400, body: { error: 'bad thing' }, code: 'BAD_REQUEST', message: 'bad thing' },
    { name: 'SCIM', status: 403, body: { detail: 'no access', status: '403', scimType: 'x' }, code: 'SCIM_403', message: 'no access' },
    { name: 'plain CODE: message text', status: 400, body: 'INVALID_PARAMETER_VALUE: bad value', headers: { 'content-type': 'text/plain' }, code: 'INVALID_PARAMETER_VALUE', message: 'bad value' },
    { name: 'HTML with <pre>', status: 501, body: '<html><body><pre>upstream broke</pre></body></html>', headers: { 'content-type': 'text/html' }, code: 'NOT_IMPLEMENTED', message: 'upstream broke' },
    { name: 'empty body', status: 403, body: '', code: 'PERMISSION_DENIED', message: 'PERMISSION_DENIED' },
  ];
  for (const c of cases) {
    it(`maps ${c.name}`, async () => {
      nock(HOST).get('/api/2.0/pipelines/p1').reply(c.status, c.body, c.headers);
      const { client } = makeClient();
      const error = (await rejection(client.pipelines.get('p1'))) as RemoteApiError;
      expect(error).toBeInstanceOf(RemoteApiError);
      expect(error.details.status).toBe(c.status);
      expect(error.details.error_code).toBe(c.code);
      expect(error.message).toContain(c.message);
      expect(error.message).toContain('GET /api/2.0/pipelines/p1');
    });
  }

  it('keeps the request id', async () => {
    nock(HOST)
      .get('/api/2.0/pipelines/p1')
      .reply(404, apiError('RESOURCE_DOES_NOT_EXIST', 'gone', { details: [{ '@type': 'type.googleapis.com/google.rpc.RequestInfo', request_id: 'req-42' }] }));
    const { client } = makeClient();
    const error = (await rejection(client.pipelines.get('p1'))) as RemoteApiError;
    expect(error.details.request_id).toBe('req-42');
  });

  it('reports a Private Link login redirect without following it', async () => {
    nock(HOST).get('/api/2.0/pipelines/p1').reply(303, '', { Location: `${HOST}/login.html?error=private-link-validation-error` });
    const { client } = makeClient();
    const error = (await rejection(client.pipelines.get('p1'))) as RemoteApiError;
    expect(error.details.error_code).toBe('PRIVATE_LINK_VALIDATION_ERROR');
  });

  it('does not retry a 401 with a static token', async () => {
    nock(HOST).get('/api/2.0/pipelines/p1').reply(401, apiError('UNAUTHENTICATED', 'Invalid access token'));
    const { client } = makeClient();
    await expect(client.pipelines.get('p1')).rejects.toMatchObject({ details: { status: 401, error_code: 'UNAUTHENTICATED' } });
  });
});

describe('redaction', () => {
  const SECRET = 'pa55-w0rd-SECRET-VALUE';

  function assertClean(value: unknown): void {
    const renderings = [
      typeof value === 'string' ? value : '',
      value instanceof Error ? value.message : '',
      value instanceof Error ? String(value.stack) : '',
      JSON.stringify(value),
      inspect(value, { showHidden: true, depth: 20 }),
    ];
    for (const text of renderings) {
      expect(text).not.toContain(TOKEN);
      expect(text).not.toContain(SECRET);
    }
  }

  it('keeps the token and the secret value out of an error, even when the server echoes them', async () => {
    nock(HOST)
      .post('/api/2.0/secrets/put')
      .reply(400, apiError('INVALID_PARAMETER_VALUE', `Value ${SECRET} rejected for token ${TOKEN}`));
    const { client } = makeClient();
    const error = await rejection(client.secrets.putSecret({ scope: 's', key: 'k', string_value: SECRET }));
    expect(error).toBeInstanceOf(RemoteApiError);
    expect(error.message).toContain('***');
    assertClean(error);
  });

  it('never exposes axios internals (request headers) on network failures', async () => {
    nock(HOST).post('/api/2.0/secrets/put').replyWithError(socketError('CERT_HAS_EXPIRED', 'certificate has expired'));
    const { client } = makeClient();
    const error = await rejection(client.secrets.putSecret({ scope: 's', key: 'k', string_value: SECRET }));
    expect(error).toBeInstanceOf(RemoteApiError);
    expect(Object.keys(error).sort()).toEqual(['details', 'name']);
    assertClean(error);
  });

  it('masks secret values in the request hook and events', async () => {
    nock(HOST).post('/api/2.0/secrets/put').reply(503, {}, { 'Retry-After': '1' });
    nock(HOST).post('/api/2.0/secrets/put').reply(200, {});
    const events = recordingSink();
    const { client, requests } = makeClient({ events });
    await client.secrets.putSecret({ scope: 's', key: 'k', string_value: SECRET });
    expect(requests).toHaveLength(2);
    expect(requests[0]?.body).toEqual({ scope: 's', key: 'k', string_value: '***' });
    expect(requests.map((r) => r.attempt)).toEqual([1, 2]);
    assertClean(requests);
    assertClean(events.events);
  });

  it('still sends the real secret value to the server', async () => {
    nock(HOST).post('/api/2.0/secrets/put', { scope: 's', key: 'k', string_value: SECRET }).reply(200, {});
    const { client } = makeClient();
    await expect(client.secrets.putSecret({ scope: 's', key: 'k', string_value: SECRET })).resolves.toEqual({});
  });
});

describe('clock injection', () => {
  it('works with a custom HttpClient (no WorkspaceClient)', async () => {
    nock(HOST).get('/x').reply(429, {}, { 'Retry-After': '5' });
    nock(HOST).get('/x').reply(200, { done: 1 });
    const clock = fakeClock();
    const http = new HttpClient({ host: HOST, credentials: patProvider(TOKEN), now: clock.now, sleep: clock.sleep });
    await expect(http.json({ method: 'GET', path: '/x' })).resolves.toEqual({ done: 1 });
    expect(clock.sleeps).toEqual([5000]);
  });
});
