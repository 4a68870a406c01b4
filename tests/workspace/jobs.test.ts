import nock from 'nock';
import { describe, expect, it } from 'vitest';
import { RemoteApiError } from '../../src/errors/index.ts';
import { isNotFound, RequestOutcomeUnknownError } from '../../src/workspace/errors.ts';
import { int64ToString, toInt64 } from '../../src/workspace/json.ts';
import { collect } from '../../src/workspace/pagination.ts';
import { retryUnlessApplied } from '../../src/workspace/side-effects.ts';
import { apiError, HOST, makeClient, socketError, useNock } from './helpers.ts';

useNock();

const BIG_ID = '9007199254740993'; // 2^53 + 1: not representable as a JS number

/** Replies with raw JSON text so numbers beyond 2^53 reach the client exactly as written. */
function rawJson(text: string): [number, string, Record<string, string>] {
  return [200, text, { 'content-type': 'application/json' }];
}

describe('jobs', () => {
  it('round-trips an id above 2^53 exactly: parsed as bigint, sent back as the same digits', async () => {
    nock(HOST).post('/api/2.2/jobs/create').reply(...rawJson(`{"job_id":${BIG_ID}}`));
    let sent = '';
    nock(HOST)
      .post('/api/2.2/jobs/reset')
      .reply(async (request: Request) => {
        sent = await request.text();
        return rawJson('{}');
      });
    nock(HOST).get('/api/2.2/jobs/get').query({ job_id: BIG_ID }).reply(...rawJson(`{"job_id":${BIG_ID},"settings":{"name":"j"}}`));

    const { client } = makeClient();
    const { job_id } = await client.jobs.create({ name: 'j', tasks: [] });
    expect(job_id).toBe(9007199254740993n);
    expect(int64ToString(job_id as bigint)).toBe(BIG_ID);

    await client.jobs.reset({ job_id: job_id as bigint, new_settings: { name: 'j', tasks: [] } });
    expect(sent).toBe(`{"job_id":${BIG_ID},"new_settings":{"name":"j","tasks":[]}}`);

    const job = await client.jobs.get({ job_id: toInt64(BIG_ID) });
    expect(job.job_id).toBe(9007199254740993n);
  });

  it('keeps ids that fit as plain numbers', async () => {
    nock(HOST).post('/api/2.2/jobs/create').reply(...rawJson('{"job_id":123456789012345}'));
    const { client } = makeClient();
    expect((await client.jobs.create({ name: 'j' })).job_id).toBe(123456789012345);
  });

  it('get merges tasks, job_clusters, parameters and environments across pages', async () => {
    nock(HOST)
      .get('/api/2.2/jobs/get')
      .query({ job_id: '1' })
      .reply(200, {
        job_id: 1,
        settings: { name: 'j', tasks: [{ task_key: 'a' }, { task_key: 'b' }], job_clusters: [{ job_cluster_key: 'c1' }] },
        next_page_token: 'p2',
      });
    nock(HOST)
      .get('/api/2.2/jobs/get')
      .query({ job_id: '1', page_token: 'p2' })
      .reply(200, { job_id: 1, settings: { name: 'j', tasks: [{ task_key: 'c' }], parameters: [{ name: 'x', default: '1' }] }, next_page_token: 'p3' });
    nock(HOST)
      .get('/api/2.2/jobs/get')
      .query({ job_id: '1', page_token: 'p3' })
      .reply(200, { job_id: 1, settings: { name: 'j', tasks: [{ task_key: 'd' }], environments: [{ environment_key: 'e' }] } });
    const { client } = makeClient();
    const job = await client.jobs.get({ job_id: 1 });
    expect(job.settings?.tasks?.map((t) => t.task_key)).toEqual(['a', 'b', 'c', 'd']);
    expect(job.settings?.job_clusters).toHaveLength(1);
    expect(job.settings?.parameters).toEqual([{ name: 'x', default: '1' }]);
    expect(job.settings?.environments).toEqual([{ environment_key: 'e' }]);
    expect(job.next_page_token).toBeUndefined();
  });

  it('a missing job (HTTP 400 INVALID_PARAMETER_VALUE) is reported as RESOURCE_DOES_NOT_EXIST', async () => {
    nock(HOST).get('/api/2.2/jobs/get').query(true).reply(400, apiError('INVALID_PARAMETER_VALUE', 'Job 42 does not exist.'));
    const { client } = makeClient();
    const error = await client.jobs.get({ job_id: 42 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RemoteApiError);
    expect((error as RemoteApiError).details).toMatchObject({ status: 400, error_code: 'RESOURCE_DOES_NOT_EXIST' });
    expect(isNotFound(error)).toBe(true);
  });

  it('other INVALID_PARAMETER_VALUE errors keep their code', async () => {
    nock(HOST).post('/api/2.2/jobs/create').reply(400, apiError('INVALID_PARAMETER_VALUE', 'Task key is invalid'));
    const { client } = makeClient();
    const error = await client.jobs.create({ name: 'j' }).catch((e: unknown) => e);
    expect((error as RemoteApiError).details.error_code).toBe('INVALID_PARAMETER_VALUE');
    expect(isNotFound(error)).toBe(false);
  });

  it('list iterates every page by page_token', async () => {
    nock(HOST).get('/api/2.2/jobs/list').query({ name: 'j', limit: '2' }).reply(200, { jobs: [{ job_id: 1 }, { job_id: 2 }], has_more: true, next_page_token: 't2' });
    nock(HOST).get('/api/2.2/jobs/list').query({ name: 'j', limit: '2', page_token: 't2' }).reply(200, { jobs: [{ job_id: 3 }], has_more: false });
    const { client } = makeClient();
    const jobs = await collect(client.jobs.list({ name: 'j', limit: 2 }));
    expect(jobs.map((j) => j.job_id)).toEqual([1, 2, 3]);
  });

  it('runNow adds an idempotency token, so it is retried after a lost response and keeps the same token', async () => {
    const tokens: string[] = [];
    nock(HOST)
      .post('/api/2.2/jobs/run-now')
      .reply(async (request: Request) => {
        tokens.push((JSON.parse(await request.text()) as { idempotency_token: string }).idempotency_token);
        return [503, '{}'];
      });
    nock(HOST)
      .post('/api/2.2/jobs/run-now')
      .reply(async (request: Request) => {
        tokens.push((JSON.parse(await request.text()) as { idempotency_token: string }).idempotency_token);
        return rawJson('{"run_id":77,"number_in_job":1}');
      });
    const { client } = makeClient();
    await expect(client.jobs.runNow({ job_id: 1, job_parameters: { a: 'b' } })).resolves.toEqual({ run_id: 77, number_in_job: 1 });
    expect(tokens).toHaveLength(2);
    expect(tokens[0]).toMatch(/^[0-9a-f-]{36}$/);
    expect(tokens[1]).toBe(tokens[0]);
  });

  it('runNow survives a connection reset (it is idempotent thanks to the token)', async () => {
    nock(HOST).post('/api/2.2/jobs/run-now').replyWithError(socketError('ECONNRESET'));
    nock(HOST).post('/api/2.2/jobs/run-now').reply(200, { run_id: 5 });
    const { client } = makeClient();
    await expect(client.jobs.runNow({ job_id: 1, idempotency_token: 'mine' })).resolves.toEqual({ run_id: 5 });
  });

  it('getRun merges tasks and other arrays across pages', async () => {
    nock(HOST)
      .get('/api/2.2/jobs/runs/get')
      .query({ run_id: '9' })
      .reply(200, { run_id: 9, tasks: [{ task_key: 'a', run_id: 10 }], job_parameters: [{ name: 'p' }], next_page_token: 'n' });
    nock(HOST)
      .get('/api/2.2/jobs/runs/get')
      .query({ run_id: '9', page_token: 'n' })
      .reply(200, { run_id: 9, tasks: [{ task_key: 'b', run_id: 11 }], repair_history: [{ id: 1 }] });
    const { client } = makeClient();
    const run = await client.jobs.getRun({ run_id: 9 });
    expect(run.tasks?.map((t) => t.task_key)).toEqual(['a', 'b']);
    expect(run.job_parameters).toEqual([{ name: 'p' }]);
    expect(run.repair_history).toEqual([{ id: 1 }]);
    expect(run.next_page_token).toBeUndefined();
  });

  it('getRunOutput, cancelRun, listRuns, repairRun and delete call their endpoints', async () => {
    nock(HOST).get('/api/2.2/jobs/runs/get-output').query({ run_id: '10' }).reply(200, { notebook_output: { result: 'ok' } });
    nock(HOST).post('/api/2.2/jobs/runs/cancel', { run_id: 9 }).reply(200, {});
    nock(HOST).get('/api/2.2/jobs/runs/list').query({ job_id: '1', active_only: 'true' }).reply(200, { runs: [{ run_id: 9 }], next_page_token: 'x' });
    nock(HOST).get('/api/2.2/jobs/runs/list').query({ job_id: '1', active_only: 'true', page_token: 'x' }).reply(200, { runs: [{ run_id: 8 }] });
    nock(HOST).post('/api/2.2/jobs/runs/repair', { run_id: 9, rerun_all_failed_tasks: true }).reply(200, { repair_id: 3 });
    nock(HOST).post('/api/2.2/jobs/delete', { job_id: 1 }).reply(200, {});
    const { client } = makeClient();
    expect(await client.jobs.getRunOutput({ run_id: 10 })).toEqual({ notebook_output: { result: 'ok' } });
    expect(await client.jobs.cancelRun({ run_id: 9 })).toEqual({});
    expect((await collect(client.jobs.listRuns({ job_id: 1, active_only: true }))).map((r) => r.run_id)).toEqual([9, 8]);
    expect(await client.jobs.repairRun({ run_id: 9, rerun_all_failed_tasks: true })).toEqual({ repair_id: 3 });
    expect(await client.jobs.delete({ job_id: 1 })).toEqual({});
  });

  it('a missing task run in get-output maps to RESOURCE_DOES_NOT_EXIST', async () => {
    nock(HOST).get('/api/2.2/jobs/runs/get-output').query(true).reply(400, apiError('INVALID_PARAMETER_VALUE', 'Run 10 does not exist.'));
    const { client } = makeClient();
    await expect(client.jobs.getRunOutput({ run_id: 10 })).rejects.toMatchObject({ details: { error_code: 'RESOURCE_DOES_NOT_EXIST' } });
  });

  it('request bodies are checked against the API schema in these tests', async () => {
    const { client } = makeClient();
    // No interceptor: the schema check in the request hook must stop the call first.
    await expect(client.jobs.create({ name: 'j', bogus_field: 1 } as never)).rejects.toThrow(/violates the API schema/);
  });
});

describe('retryUnlessApplied', () => {
  it('adopts the job a lost create did make instead of creating a duplicate', async () => {
    nock(HOST).post('/api/2.2/jobs/create').replyWithError(socketError('ECONNRESET'));
    nock(HOST).get('/api/2.2/jobs/list').query({ name: 'j' }).reply(200, { jobs: [{ job_id: 31, settings: { name: 'j' } }] });
    const { client } = makeClient();
    const created = await retryUnlessApplied(
      () => client.jobs.create({ name: 'j' }),
      async () => {
        for await (const job of client.jobs.list({ name: 'j' })) return { job_id: job.job_id };
        return undefined;
      },
    );
    expect(created).toEqual({ job_id: 31 });
  });

  it('creates again when the lookup finds nothing, and gives up after the attempt limit', async () => {
    nock(HOST).post('/api/2.2/jobs/create').replyWithError(socketError('ECONNRESET'));
    nock(HOST).post('/api/2.2/jobs/create').reply(200, { job_id: 32 });
    const { client } = makeClient();
    await expect(retryUnlessApplied(() => client.jobs.create({ name: 'j' }), async () => undefined)).resolves.toEqual({ job_id: 32 });

    nock(HOST).post('/api/2.2/jobs/create').times(2).replyWithError(socketError('ECONNRESET'));
    await expect(retryUnlessApplied(() => client.jobs.create({ name: 'j' }), async () => undefined, 2)).rejects.toBeInstanceOf(RequestOutcomeUnknownError);
  });
});
