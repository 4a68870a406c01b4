import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import nock from 'nock';
import { afterEach, beforeAll, afterAll, describe, expect, it } from 'vitest';
import { OFFLINE_MODEL, renderSummaryPrompt, summarize, type SalesMetrics, type SummarizeOptions } from '../../../bundles/sales-lakehouse/summary/index.ts';
import { RemoteApiError, UserError } from '../../../src/errors/index.ts';
import { recordingSink, type DbxEvent } from '../../../src/events/types.ts';

const API = 'https://api.openai.com';
const PATH = '/v1/chat/completions';
const KEY = 'sk-test-SECRETkey0123456789abcdefXYZ';

const metrics: SalesMetrics = {
  period_start: '2024-03-01 08:00:00',
  period_end: '2024-03-03 19:30:00',
  total_revenue: 1000,
  transactions: 10,
  units: 20,
  average_order_value: 100,
  revenue_by_category: [{ category: 'Home', revenue: 1000, units: 20, share_pct: 100 }],
  top_stores: [{ store_id: 'S1', store_name: 'Downtown', city: 'Seattle', region: 'West', revenue: 1000, transactions: 10 }],
  top_products: [{ product_id: 'P1', product_name: 'Lamp', category: 'Home', revenue: 1000, units: 20 }],
  daily_revenue: [{ date: '2024-03-03', revenue: 1000, transactions: 10 }],
  day_over_day: null,
};

function completion(text: string, model = 'gpt-4o-mini-2024-07-18'): Record<string, unknown> {
  return {
    id: 'chatcmpl-1',
    object: 'chat.completion',
    created: 1_700_000_000,
    model,
    choices: [{ index: 0, finish_reason: 'stop', logprobs: null, message: { role: 'assistant', content: text, refusal: null } }],
    usage: { prompt_tokens: 10, completion_tokens: 5, total_tokens: 15 },
  };
}

/** Everything a caller could show or log about a failure, to check that the key is in none of it. */
function everythingVisible(error: unknown, events: DbxEvent[]): string {
  const e = error as Error & Record<string, unknown>;
  return [String(e), e.stack ?? '', JSON.stringify(e), JSON.stringify({ ...e }), JSON.stringify(events)].join('\n');
}

function expectNoKey(text: string): void {
  expect(text).not.toContain(KEY);
  expect(text).not.toContain('SECRETkey');
  expect(text).not.toMatch(/sk-test/);
}

async function failure(options: SummarizeOptions): Promise<unknown> {
  try {
    await summarize(metrics, options);
  } catch (error) {
    return error;
  }
  throw new Error('summarize should have failed');
}

beforeAll(() => nock.disableNetConnect());
afterAll(() => nock.enableNetConnect());
afterEach(() => {
  const pending = nock.pendingMocks();
  nock.cleanAll();
  expect(pending).toEqual([]);
});

describe('summarize through OpenAI', () => {
  it('sends the rendered prompt with the key and returns the model text', async () => {
    let body: { model?: string; messages?: { role: string; content: string }[] } = {};
    nock(API)
      .post(PATH)
      .matchHeader('authorization', `Bearer ${KEY}`)
      // nock 15 hands reply functions the fetch Request.
      .reply(200, async (request: Request) => {
        body = (await request.json()) as typeof body;
        return completion('Revenue was $1,000.00 over three days.');
      });
    const events = recordingSink();
    const row = await summarize(metrics, { env: { OPENAI_API_KEY: KEY }, events });
    expect(row.text).toBe('Revenue was $1,000.00 over three days.');
    expect(row.model).toBe('gpt-4o-mini-2024-07-18');
    expect(row.prompt_version).toBe(renderSummaryPrompt(metrics).prompt_version);
    expect(body.model).toBe('gpt-4o-mini');
    expect(body.messages).toEqual([{ role: 'user', content: renderSummaryPrompt(metrics).text }]);
    expectNoKey(JSON.stringify(events.events));
    expect(events.events.find((e) => e.code === 'summary.text')?.data).toEqual({ model: row.model, text: row.text });
  });

  it('prefers a key passed in (from the secret scope) and honours OPENAI_BASE_URL and OPENAI_MODEL', async () => {
    let model: string | undefined;
    nock('http://127.0.0.1:8931')
      .post('/compat/v1/chat/completions')
      .matchHeader('authorization', 'Bearer sk-from-secret-scope-000')
      .reply(200, async (request: Request) => {
        model = ((await request.json()) as { model: string }).model;
        return completion('ok', 'local-llm');
      });
    const row = await summarize(metrics, {
      apiKey: 'sk-from-secret-scope-000',
      env: { OPENAI_API_KEY: KEY, OPENAI_BASE_URL: 'http://127.0.0.1:8931/compat/v1/', OPENAI_MODEL: 'local-llm' },
    });
    expect(row.model).toBe('local-llm');
    expect(model).toBe('local-llm');
  });

  it('refuses plain http to a non-loopback host', async () => {
    const error = await failure({ env: { OPENAI_API_KEY: KEY, OPENAI_BASE_URL: 'http://llm.example.com/v1' } });
    expect(error).toBeInstanceOf(UserError);
    expect(String(error)).toMatch(/https/);
  });

  it('reports a rejected key as a user error without echoing the key', async () => {
    nock(API)
      .post(PATH)
      .reply(401, {
        error: {
          message: `Incorrect API key provided: sk-test-SEC*****************XYZ. Your key ${KEY} is invalid.`,
          type: 'invalid_request_error',
          code: 'invalid_api_key',
        },
      });
    const events = recordingSink();
    const error = await failure({ env: { OPENAI_API_KEY: KEY }, events });
    expect(error).toBeInstanceOf(UserError);
    expect(String(error)).toMatch(/rejected the API key \(HTTP 401\)/);
    expectNoKey(everythingVisible(error, events.events));
  });

  it('retries a 429 and succeeds', async () => {
    nock(API)
      .post(PATH)
      .reply(429, { error: { message: 'Rate limit reached', type: 'requests', code: 'rate_limit_exceeded' } }, {
        'retry-after-ms': '10',
      })
      .post(PATH)
      .reply(200, completion('Second time lucky.'));
    const events = recordingSink();
    const row = await summarize(metrics, { env: { OPENAI_API_KEY: KEY }, events });
    expect(row.text).toBe('Second time lucky.');
    const attempts = events.events.flatMap((e) => (e.code === 'log' && 'attempt' in e.data ? [e.data.status] : []));
    expect(attempts).toEqual([429, 200]);
  });

  it('gives up on a persistent 500 after the bounded retries with a remote API error', async () => {
    nock(API)
      .post(PATH)
      .times(2)
      .reply(500, { error: { message: `upstream exploded for key ${KEY}`, type: 'server_error', code: null } }, {
        'retry-after-ms': '10',
        'x-request-id': 'req_123',
      });
    const events = recordingSink();
    const error = await failure({ env: { OPENAI_API_KEY: KEY }, maxRetries: 1, events });
    expect(error).toBeInstanceOf(RemoteApiError);
    const remote = error as RemoteApiError;
    expect(remote.details).toMatchObject({ status: 500, method: 'POST', path: '/chat/completions', request_id: 'req_123' });
    expect(remote.message).toMatch(/HTTP 500, 2 attempts/);
    expect(remote.message).toContain('upstream exploded');
    expectNoKey(everythingVisible(error, events.events));
  });

  it('falls back to the offline summary on a 500 only when asked, with a warning', async () => {
    nock(API).post(PATH).reply(500, { error: { message: 'boom', type: 'server_error' } });
    const events = recordingSink();
    const row = await summarize(metrics, { env: { OPENAI_API_KEY: KEY }, maxRetries: 0, fallbackToOffline: true, events });
    expect(row.model).toBe(OFFLINE_MODEL);
    const warning = events.events.find((e) => e.level === 'warn');
    expect(warning?.message).toMatch(/offline template.*HTTP 500/);
    expectNoKey(JSON.stringify(events.events));
  });

  it('times out a server that never answers and says how long it waited', async () => {
    // A real socket that accepts the request and stays silent (nock's delayed replies race undici's abort).
    const server = createServer(() => {});
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    nock.enableNetConnect('127.0.0.1');
    try {
      const events = recordingSink();
      const started = Date.now();
      const error = await failure({
        env: { OPENAI_API_KEY: KEY, OPENAI_BASE_URL: `http://127.0.0.1:${port}/v1` },
        timeoutMs: 150,
        maxRetries: 1,
        events,
      });
      expect(Date.now() - started).toBeLessThan(5_000);
      expect(error).toBeInstanceOf(RemoteApiError);
      expect(String(error)).toMatch(/timed out after 150 ms \(2 attempts\)/);
      expectNoKey(everythingVisible(error, events.events));
    } finally {
      nock.disableNetConnect();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
