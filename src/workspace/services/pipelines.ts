// Lakeflow Declarative Pipelines (DLT) API: one method per endpoint; list calls iterate all pages.
import { paginate } from '../pagination.ts';
import { callEndpoint, type RequestBody, type RequestQuery, type Response, type ServiceContext } from './endpoint.ts';

export type PipelineStateInfo = NonNullable<Response<'pipelines/list'>['statuses']>[number];
export type PipelineEvent = NonNullable<Response<'pipelines/events'>['events']>[number];
export type UpdateInfo = NonNullable<Response<'pipelines/list-updates'>['updates']>[number];

export class PipelinesService {
  constructor(private readonly ctx: ServiceContext) {}

  /** Not idempotent: a lost response may still have created the pipeline (RequestOutcomeUnknownError). */
  create(body: RequestBody<'pipelines/create'>): Promise<Response<'pipelines/create'>> {
    return callEndpoint(this.ctx.http, 'pipelines/create', { body }, { idempotent: false });
  }

  /** Replaces the spec (send it complete); expected_last_modified gives optimistic concurrency. */
  edit(pipelineId: string, body: RequestBody<'pipelines/edit'>): Promise<Response<'pipelines/edit'>> {
    return callEndpoint(this.ctx.http, 'pipelines/edit', { path: { pipeline_id: pipelineId }, body }, { idempotent: true });
  }

  get(pipelineId: string): Promise<Response<'pipelines/get'>> {
    return callEndpoint(this.ctx.http, 'pipelines/get', { path: { pipeline_id: pipelineId } });
  }

  list(query: Omit<RequestQuery<'pipelines/list'>, 'page_token'> = {}): AsyncGenerator<PipelineStateInfo, void, undefined> {
    return paginate(
      (page_token) => callEndpoint(this.ctx.http, 'pipelines/list', { query: { ...query, ...(page_token ? { page_token } : {}) } }),
      (page) => page.statuses,
    );
  }

  delete(pipelineId: string, query: RequestQuery<'pipelines/delete'> = {}): Promise<Response<'pipelines/delete'>> {
    return callEndpoint(this.ctx.http, 'pipelines/delete', { path: { pipeline_id: pipelineId }, query });
  }

  /** Every event matching the query, across pages (newest first unless order_by says otherwise). */
  listEvents(pipelineId: string, query: Omit<RequestQuery<'pipelines/events'>, 'page_token'> = {}): AsyncGenerator<PipelineEvent, void, undefined> {
    return paginate(
      (page_token) =>
        callEndpoint(this.ctx.http, 'pipelines/events', { path: { pipeline_id: pipelineId }, query: { ...query, ...(page_token ? { page_token } : {}) } }),
      (page) => page.events,
    );
  }

  listUpdates(pipelineId: string, query: Omit<RequestQuery<'pipelines/list-updates'>, 'page_token'> = {}): AsyncGenerator<UpdateInfo, void, undefined> {
    return paginate(
      (page_token) =>
        callEndpoint(this.ctx.http, 'pipelines/list-updates', { path: { pipeline_id: pipelineId }, query: { ...query, ...(page_token ? { page_token } : {}) } }),
      (page) => page.updates,
    );
  }

  /** Not idempotent: a lost response may still have started an update; check listUpdates before retrying. */
  startUpdate(pipelineId: string, body: RequestBody<'pipelines/start-update'> = {}): Promise<Response<'pipelines/start-update'>> {
    return callEndpoint(this.ctx.http, 'pipelines/start-update', { path: { pipeline_id: pipelineId }, body }, { idempotent: false });
  }

  getUpdate(pipelineId: string, updateId: string): Promise<Response<'pipelines/get-update'>> {
    return callEndpoint(this.ctx.http, 'pipelines/get-update', { path: { pipeline_id: pipelineId, update_id: updateId } });
  }

  /** Asks the active update to stop; poll get() until the state is IDLE. */
  stop(pipelineId: string): Promise<Response<'pipelines/stop'>> {
    return callEndpoint(this.ctx.http, 'pipelines/stop', { path: { pipeline_id: pipelineId }, body: {} }, { idempotent: true });
  }
}
