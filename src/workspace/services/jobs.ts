// Jobs API 2.2: one method per endpoint. jobs/get and runs/get merge their paged arrays, list calls iterate
// all pages, and run-now always carries an idempotency token so it is safe to retry.
import { randomUUID } from 'node:crypto';
import { paginate } from '../pagination.ts';
import { callEndpoint, type RequestBody, type RequestQuery, type Response, type ServiceContext } from './endpoint.ts';
import { mergeObjectPages } from './merge-pages.ts';

export type Job = Response<'jobs/get'>;
export type Run = Response<'runs/get'>;
export type BaseJob = NonNullable<Response<'jobs/list'>['jobs']>[number];
export type BaseRun = NonNullable<Response<'runs/list'>['runs']>[number];

const JOB_ARRAYS = ['tasks', 'job_clusters', 'parameters', 'environments'] as const;
const RUN_ARRAYS = ['tasks', 'iterations', 'job_clusters', 'job_parameters', 'repair_history'] as const;

function pick(object: object | undefined, keys: readonly string[]): Record<string, unknown[] | undefined> {
  const source = (object ?? {}) as Record<string, unknown>;
  return Object.fromEntries(keys.map((k) => [k, Array.isArray(source[k]) ? (source[k] as unknown[]) : undefined]));
}

export class JobsService {
  constructor(private readonly ctx: ServiceContext) {}

  /** Not idempotent: a lost response may still have created the job (RequestOutcomeUnknownError). */
  create(settings: RequestBody<'jobs/create'>): Promise<Response<'jobs/create'>> {
    return callEndpoint(this.ctx.http, 'jobs/create', { body: settings }, { idempotent: false });
  }

  /** Replaces all settings (new_settings is the complete JobSettings). */
  reset(body: RequestBody<'jobs/reset'>): Promise<Response<'jobs/reset'>> {
    return callEndpoint(this.ctx.http, 'jobs/reset', { body }, { idempotent: true });
  }

  /** The whole job: tasks, job_clusters, parameters and environments of every page concatenated. */
  async get(query: RequestQuery<'jobs/get'>): Promise<Job> {
    const fetch = (page_token?: string) => callEndpoint(this.ctx.http, 'jobs/get', { query: { ...query, ...(page_token ? { page_token } : {}) } });
    return mergeObjectPages(
      await fetch(),
      (token) => fetch(token),
      (job) => pick(job.settings, JOB_ARRAYS),
      (job, key, values) => {
        job.settings = { ...job.settings, [key]: values };
      },
    );
  }

  /** Every job, across pages. With expand_tasks, jobs with `has_more` need get() for their full task list. */
  list(query: Omit<RequestQuery<'jobs/list'>, 'page_token' | 'offset'> = {}): AsyncGenerator<BaseJob, void, undefined> {
    return paginate(
      (page_token) => callEndpoint(this.ctx.http, 'jobs/list', { query: { ...query, ...(page_token ? { page_token } : {}) } }),
      (page) => page.jobs,
    );
  }

  delete(body: RequestBody<'jobs/delete'>): Promise<Response<'jobs/delete'>> {
    return callEndpoint(this.ctx.http, 'jobs/delete', { body }, { idempotent: true });
  }

  /**
   * Starts a run. Without an idempotency_token one is generated, so retries after a lost response return the
   * same run instead of starting a second one (Databricks guarantees one run per token).
   */
  runNow(body: RequestBody<'jobs/run-now'>): Promise<Response<'jobs/run-now'>> {
    const withToken = { ...body, idempotency_token: body.idempotency_token ?? randomUUID() };
    return callEndpoint(this.ctx.http, 'jobs/run-now', { body: withToken }, { idempotent: true });
  }

  /** The whole run: tasks, iterations, job_clusters, job_parameters and repair_history of every page. */
  async getRun(query: RequestQuery<'runs/get'>): Promise<Run> {
    const fetch = (page_token?: string) => callEndpoint(this.ctx.http, 'runs/get', { query: { ...query, ...(page_token ? { page_token } : {}) } });
    return mergeObjectPages(
      await fetch(),
      (token) => fetch(token),
      (run) => pick(run, RUN_ARRAYS),
      (run, key, values) => {
        (run as Record<string, unknown>)[key] = values;
      },
    );
  }

  /** Output of one task run (pass a task's run_id, not the job run's). */
  getRunOutput(query: RequestQuery<'runs/get-output'>): Promise<Response<'runs/get-output'>> {
    return callEndpoint(this.ctx.http, 'runs/get-output', { query });
  }

  /** Asynchronous: the run reaches a terminal state later. */
  cancelRun(body: RequestBody<'runs/cancel'>): Promise<Response<'runs/cancel'>> {
    return callEndpoint(this.ctx.http, 'runs/cancel', { body }, { idempotent: true });
  }

  listRuns(query: Omit<RequestQuery<'runs/list'>, 'page_token' | 'offset'> = {}): AsyncGenerator<BaseRun, void, undefined> {
    return paginate(
      (page_token) => callEndpoint(this.ctx.http, 'runs/list', { query: { ...query, ...(page_token ? { page_token } : {}) } }),
      (page) => page.runs,
    );
  }

  /** Not idempotent: a lost response may still have started the repair. */
  repairRun(body: RequestBody<'runs/repair'>): Promise<Response<'runs/repair'>> {
    return callEndpoint(this.ctx.http, 'runs/repair', { body }, { idempotent: false });
  }
}
