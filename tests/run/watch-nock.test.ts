// The watcher against hand-written API responses (nock): responses with only the 2.2 `status`, run-now retried
// with the same idempotency token, 429 with Retry-After while polling, task arrays paged with next_page_token,
// and ids above 2^53 as raw JSON numbers.
import nock from 'nock';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { recordingSink } from '../../src/events/types.ts';
import type { WatchClock } from '../../src/run/clock.ts';
import { explainFailures } from '../../src/run/failures.ts';
import { fixedInterval } from '../../src/run/schedule.ts';
import { startJobRun } from '../../src/run/start.ts';
import { watchRun } from '../../src/run/watch.ts';
import { createWorkspaceClient } from '../../src/workspace/index.ts';

const HOST = 'https://adb-1234567890123456.7.azuredatabricks.net';

beforeAll(() => nock.disableNetConnect());
afterEach(() => nock.cleanAll());
afterAll(() => nock.enableNetConnect());

function setup() {
  let now = 1_700_000_000_000;
  const sleeps: number[] = [];
  const sleep = async (ms: number) => {
    sleeps.push(ms);
    now += ms;
  };
  const client = createWorkspaceClient({ env: { DATABRICKS_HOST: HOST, DATABRICKS_TOKEN: 'dapi-test' }, configFile: null, now: () => now, sleep, random: () => 0.5 });
  const clock: WatchClock = { now: () => now, sleep, random: () => 0.5 };
  return { client, clock, sleeps };
}

const v2 = (state: string, code?: string, message?: string) => ({ status: { state, ...(code ? { termination_details: { code, type: 'SUCCESS', ...(message ? { message } : {}) } } : {}) } });

describe('2.2 status without the legacy state', () => {
  it('follows QUEUED → RUNNING → TERMINATED and reads the termination code', async () => {
    const { client, clock } = setup();
    nock(HOST)
      .get('/api/2.2/jobs/runs/get')
      .query({ run_id: '55' })
      .reply(200, { run_id: 55, ...v2('QUEUED'), tasks: [{ task_key: 'a', run_id: 56, ...v2('BLOCKED') }] })
      .get('/api/2.2/jobs/runs/get')
      .query({ run_id: '55' })
      .reply(200, { run_id: 55, ...v2('RUNNING'), tasks: [{ task_key: 'a', run_id: 56, start_time: 1, ...v2('RUNNING') }] })
      .get('/api/2.2/jobs/runs/get')
      .query({ run_id: '55' })
      .reply(200, { run_id: 55, ...v2('TERMINATED', 'SUCCESS'), tasks: [{ task_key: 'a', run_id: 56, start_time: 1, end_time: 9, ...v2('TERMINATED', 'SUCCESS') }] });
    const sink = recordingSink();
    const result = await watchRun({ client, runId: '55', sink, schedule: fixedInterval(1000), clock });
    expect(result.snapshot.state).toEqual({ lifeCycle: 'TERMINATED', result: 'SUCCESS' });
    const states = sink.events.filter((e) => e.code === 'task.state').map((e) => (e.data as { state: string; result?: string }));
    expect(states.map((s) => [s.state, s.result])).toEqual([
      ['BLOCKED', undefined],
      ['RUNNING', undefined],
      ['TERMINATED', 'SUCCESS'],
    ]);
  });
});

describe('starting a run', () => {
  it('retries run-now after a 503 with the same idempotency token and job parameters', async () => {
    const { client } = setup();
    const bodies: unknown[] = [];
    nock(HOST)
      .post('/api/2.2/jobs/run-now', (body: unknown) => (bodies.push(body), true))
      .reply(503, { error_code: 'TEMPORARILY_UNAVAILABLE', message: 'try later' })
      .post('/api/2.2/jobs/run-now', (body: unknown) => (bodies.push(body), true))
      .reply(200, { run_id: 77, number_in_job: 3 });
    const started = await startJobRun(client, '12', { catalog: 'dev' });
    expect(started.runId).toBe('77');
    expect(bodies).toHaveLength(2);
    expect(bodies[0]).toEqual(bodies[1]);
    expect(bodies[0]).toMatchObject({ job_id: 12, job_parameters: { catalog: 'dev' }, idempotency_token: started.idempotencyToken });
  });
});

describe('polling through trouble', () => {
  it('waits as long as Retry-After says on a 429, and keeps watching', async () => {
    const { client, clock, sleeps } = setup();
    nock(HOST)
      .get('/api/2.2/jobs/runs/get')
      .query(true)
      .reply(429, { error_code: 'REQUEST_LIMIT_EXCEEDED', message: 'slow down' }, { 'Retry-After': '7' })
      .get('/api/2.2/jobs/runs/get')
      .query(true)
      .reply(200, { run_id: 1, state: { life_cycle_state: 'TERMINATED', result_state: 'SUCCESS' }, tasks: [] });
    const result = await watchRun({ client, runId: '1', sink: recordingSink(), schedule: fixedInterval(1000), clock });
    expect(result.snapshot.state.result).toBe('SUCCESS');
    expect(sleeps).toContain(7000);
  });
});

describe('paged task arrays', () => {
  it('merges tasks across next_page_token pages into one run', async () => {
    const { client, clock } = setup();
    const task = (i: number) => ({ task_key: `t${i}`, run_id: 1000 + i, state: { life_cycle_state: 'TERMINATED', result_state: 'SUCCESS' }, start_time: 1, end_time: 2 });
    const done = { run_id: 1, state: { life_cycle_state: 'TERMINATED', result_state: 'SUCCESS' } };
    nock(HOST)
      .get('/api/2.2/jobs/runs/get')
      .query({ run_id: '1' })
      .reply(200, { ...done, tasks: Array.from({ length: 100 }, (_, i) => task(i)), next_page_token: 'p2' })
      .get('/api/2.2/jobs/runs/get')
      .query({ run_id: '1', page_token: 'p2' })
      .reply(200, { ...done, tasks: Array.from({ length: 20 }, (_, i) => task(100 + i)) });
    const sink = recordingSink();
    const result = await watchRun({ client, runId: '1', sink, schedule: fixedInterval(1000), clock });
    expect(result.snapshot.tasks.map((t) => t.key)).toEqual(Array.from({ length: 120 }, (_, i) => `t${i}`));
    expect(new Set(sink.events.filter((e) => e.code === 'task.state').map((e) => (e.data as { task_key: string }).task_key)).size).toBe(120);
  });
});

describe('ids above 2^53', () => {
  it('keeps run and task run ids exact from the JSON text to get-output', async () => {
    const { client, clock } = setup();
    const raw = `{"run_id": 9007199254740993, "job_id": 9007199254740995, "state": {"life_cycle_state": "TERMINATED", "result_state": "FAILED"},
      "tasks": [{"task_key": "a", "run_id": 9007199254740997, "start_time": 1, "end_time": 2, "state": {"life_cycle_state": "TERMINATED", "result_state": "FAILED", "state_message": "boom"}}]}`;
    nock(HOST).get('/api/2.2/jobs/runs/get').query({ run_id: '9007199254740993' }).reply(200, raw, { 'Content-Type': 'application/json' });
    nock(HOST).get('/api/2.2/jobs/runs/get-output').query({ run_id: '9007199254740997' }).reply(200, { error: 'ZeroDivisionError: division by zero' });
    const sink = recordingSink();
    const result = await watchRun({ client, runId: '9007199254740993', sink, schedule: fixedInterval(1000), clock });
    expect(result.snapshot.runId).toBe('9007199254740993');
    expect(result.snapshot.jobId).toBe('9007199254740995');
    expect(result.snapshot.tasks[0]!.runId).toBe('9007199254740997');
    expect(sink.events.filter((e) => e.code === 'task.state').every((e) => (e.data as { run_id: string }).run_id === '9007199254740993')).toBe(true);
    const failures = await explainFailures(client, result.snapshot);
    expect(failures).toMatchObject([{ task_key: 'a', error: 'ZeroDivisionError: division by zero' }]);
  });
});
