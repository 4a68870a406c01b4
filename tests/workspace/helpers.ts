// Shared test setup: a client against a nock'ed workspace with a fake clock, and schema checks of every
// request body the services send.
import nock from 'nock';
import { afterAll, afterEach, beforeAll, expect } from 'vitest';
import { ENDPOINTS, type ApiAlias } from '../../src/schema/api-types.ts';
import { validateApiRequest } from '../../src/schema/validators.ts';
import { createWorkspaceClient, type WorkspaceClientOptions } from '../../src/workspace/api.ts';
import type { RequestRecord } from '../../src/workspace/http.ts';
import { stringifyJson } from '../../src/workspace/json.ts';

export const HOST = 'https://adb-1234567890123456.7.azuredatabricks.net';
export const TOKEN = 'dapi0123456789abcdef-SECRET-TOKEN';

/** A clock that only moves when the client sleeps, so retry tests run instantly and can assert the waits. */
export function fakeClock(start = 1_700_000_000_000) {
  const clock = {
    time: start,
    sleeps: [] as number[],
    now: () => clock.time,
    sleep: async (ms: number) => {
      clock.sleeps.push(ms);
      clock.time += ms;
    },
  };
  return clock;
}

export interface TestClient {
  client: ReturnType<typeof createWorkspaceClient>;
  clock: ReturnType<typeof fakeClock>;
  requests: RequestRecord[];
}

/** Bodies sent with an endpoint alias must satisfy the strict API schema. */
function schemaIssues(record: RequestRecord): string[] {
  if (record.operation === undefined || !(record.operation in ENDPOINTS) || record.body === undefined) return [];
  // The schema knows JSON numbers, not bigints: check the body as the server receives it.
  const asSent: unknown = JSON.parse(stringifyJson(record.body));
  return validateApiRequest(record.operation as ApiAlias, 'body', asSent).map((i) => `${record.operation} ${i.path}: ${i.message}`);
}

export function makeClient(options: WorkspaceClientOptions = {}): TestClient {
  const clock = fakeClock();
  const requests: RequestRecord[] = [];
  const client = createWorkspaceClient({
    env: { DATABRICKS_HOST: HOST, DATABRICKS_TOKEN: TOKEN },
    configFile: null,
    now: clock.now,
    sleep: clock.sleep,
    random: () => 0.5,
    onRequest: (record) => {
      requests.push(record);
      const issues = schemaIssues(record);
      expect(issues, `request body of ${record.operation} violates the API schema`).toEqual([]);
    },
    ...options,
  });
  return { client, clock, requests };
}

/** Blocks real network and checks every test consumed exactly the interceptors it declared. */
export function useNock(): void {
  beforeAll(() => nock.disableNetConnect());
  afterEach(() => {
    const pending = nock.pendingMocks();
    nock.cleanAll();
    expect(pending, 'unused HTTP interceptors').toEqual([]);
  });
  afterAll(() => nock.enableNetConnect());
}

/** A socket error as Node raises it. */
export function socketError(code: string, message = code): Error {
  return Object.assign(new Error(message), { code });
}

/** Databricks' standard error body. */
export function apiError(error_code: string, message: string, extra: Record<string, unknown> = {}) {
  return { error_code, message, ...extra };
}
