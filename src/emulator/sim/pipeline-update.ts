// A pipeline update's timeline and event log, planned when the update starts: state changes
// (WAITING_FOR_RESOURCES → INITIALIZING → SETTING_UP_TABLES → RUNNING → COMPLETED/FAILED) and
// flow_progress events carrying data-quality metrics. Reads show only what happened before "now".
import { isoTime } from '../clock.ts';
import type { JsonObject } from '../http/json.ts';
import type { FlowScript } from '../scenario.ts';
import type { PipelineEventRecord, PipelineRecord, PipelineUpdateRecord, PipelineUpdateState } from '../state.ts';

export interface UpdatePlan {
  pipeline: PipelineRecord;
  updateId: string;
  cause: PipelineUpdateRecord['cause'];
  fullRefresh: boolean;
  validateOnly: boolean;
  refreshSelection: string[];
  fullRefreshSelection: string[];
  startAt: number;
  endAt: number;
  result: 'COMPLETED' | 'FAILED';
  error?: string;
  flows: FlowScript[];
  newEventId(): string;
}

const TERMINAL: ReadonlySet<PipelineUpdateState> = new Set(['COMPLETED', 'FAILED', 'CANCELED']);

export function pipelineName(pipeline: PipelineRecord): string {
  return String(pipeline.spec['name'] ?? '');
}

/** A flow error fails the update even when the script did not say so. */
export function scriptedUpdateResult(flows: FlowScript[], result?: 'COMPLETED' | 'FAILED', error?: string) {
  const failedFlow = flows.find((f) => f.error !== undefined);
  if (result === 'FAILED' || failedFlow) {
    return { result: 'FAILED' as const, error: error ?? failedFlow?.error ?? 'Update failed.' };
  }
  return { result: 'COMPLETED' as const };
}

export function planUpdate(plan: UpdatePlan): PipelineUpdateRecord {
  const { startAt, endAt } = plan;
  const span = Math.max(0, endAt - startAt);
  const at = (fraction: number) => startAt + Math.floor(span * fraction);
  const phases: PipelineUpdateRecord['phases'] = [
    { state: 'WAITING_FOR_RESOURCES', at: startAt },
    { state: 'INITIALIZING', at: at(0.1) },
    { state: 'SETTING_UP_TABLES', at: at(0.2) },
    { state: 'RUNNING', at: at(0.3) },
    { state: plan.result, at: endAt },
  ];
  const update: PipelineUpdateRecord = {
    update_id: plan.updateId,
    pipeline_id: plan.pipeline.pipeline_id,
    cause: plan.cause,
    full_refresh: plan.fullRefresh,
    validate_only: plan.validateOnly,
    refresh_selection: plan.refreshSelection,
    full_refresh_selection: plan.fullRefreshSelection,
    created_at: startAt,
    phases,
    events: [],
  };
  const origin = { pipeline_id: plan.pipeline.pipeline_id, pipeline_name: pipelineName(plan.pipeline), update_id: plan.updateId };
  const short = plan.updateId.slice(0, 6);
  const event = (timestamp: number, event_type: string, message: string, details: JsonObject, extra: Partial<PipelineEventRecord> = {}) =>
    update.events.push({ id: plan.newEventId(), timestamp, level: 'INFO', event_type, message, origin, details, ...extra });

  event(startAt, 'create_update', `Update ${short} started by ${plan.cause}.`, {
    create_update: { cause: plan.cause, full_refresh: plan.fullRefresh, validate_only: plan.validateOnly },
  });
  for (const phase of phases.slice(0, -1)) {
    event(phase.at, 'update_progress', `Update ${short} is ${phase.state}.`, { update_progress: { state: phase.state } });
  }
  if (!plan.validateOnly) addFlowEvents(update, plan.flows, origin, at(0.2), at(0.3), endAt, plan.newEventId);
  const failure = plan.result === 'FAILED' ? { level: 'ERROR' as const, error: exceptionOf(plan.error ?? 'Update failed.') } : {};
  event(endAt, 'update_progress', `Update ${short} is ${plan.result}.`, { update_progress: { state: plan.result } }, failure);
  return update;
}

function exceptionOf(message: string): JsonObject {
  return { exceptions: [{ class_name: 'com.databricks.pipelines.common.errors.DLTAnalysisException', message }], fatal: true };
}

/** flow_progress events: QUEUED, RUNNING, then COMPLETED with data-quality metrics or FAILED, spread up to `endAt`. */
function addFlowEvents(update: PipelineUpdateRecord, flows: FlowScript[], origin: JsonObject, queuedAt: number, runningAt: number, endAt: number, newEventId: () => string) {
  const n = flows.length;
  const span = Math.max(0, endAt - runningAt);
  flows.forEach((flow, i) => {
    const dataset = flow.dataset ?? flow.name;
    const flowOrigin = { ...origin, flow_name: flow.name, dataset_name: dataset };
    const push = (timestamp: number, status: string, details: JsonObject = {}, extra: Partial<PipelineEventRecord> = {}) =>
      update.events.push({
        id: newEventId(),
        timestamp,
        level: 'INFO',
        event_type: 'flow_progress',
        message: `Flow '${flow.name}' ${['COMPLETED', 'FAILED'].includes(status) ? 'has' : 'is'} ${status}.`,
        origin: flowOrigin,
        details: { flow_progress: { status, ...details } },
        ...extra,
      });
    push(queuedAt, 'QUEUED');
    push(runningAt, 'RUNNING');
    const doneAt = runningAt + Math.floor(((i + 1) * span) / (n + 1));
    if (flow.error !== undefined) {
      push(doneAt, 'FAILED', {}, { level: 'ERROR', error: exceptionOf(flow.error) });
      return;
    }
    push(doneAt, 'COMPLETED', {
      metrics: { num_output_rows: flow.output_records ?? 0 },
      data_quality: {
        dropped_records: flow.dropped_records ?? 0,
        expectations: (flow.expectations ?? []).map((e) => ({
          name: e.name,
          dataset: e.dataset ?? dataset,
          passed_records: e.passed_records,
          failed_records: e.failed_records,
        })),
      },
    });
  });
  // Stable: events of one instant keep the order they were written in.
  update.events.sort((a, b) => a.timestamp - b.timestamp);
}

/** State at `now`, or undefined before the update exists. */
export function updateStateAt(update: PipelineUpdateRecord, now: number): PipelineUpdateState | undefined {
  let state: PipelineUpdateState | undefined;
  for (const phase of update.phases) if (phase.at <= now) state = phase.state;
  return state;
}

export function isUpdateActive(update: PipelineUpdateRecord, now: number): boolean {
  const state = updateStateAt(update, now);
  return state !== undefined && !TERMINAL.has(state);
}

/** Stops an update at `at`: later phases and events never happen; it ends CANCELED. */
export function cancelUpdate(update: PipelineUpdateRecord, at: number, newEventId: () => string): void {
  const last = update.phases[update.phases.length - 1];
  if (last && TERMINAL.has(last.state) && last.at <= at) return;
  update.phases = update.phases.filter((p) => p.at <= at && !TERMINAL.has(p.state));
  update.phases.push({ state: 'CANCELED', at });
  update.events = update.events.filter((e) => e.timestamp <= at);
  const origin = update.events[0]?.origin ?? { pipeline_id: update.pipeline_id, update_id: update.update_id };
  update.events.push({
    id: newEventId(),
    timestamp: at,
    level: 'INFO',
    event_type: 'update_progress',
    message: `Update ${update.update_id.slice(0, 6)} is CANCELED.`,
    origin,
    details: { update_progress: { state: 'CANCELED' } },
  });
}

export function renderUpdate(update: PipelineUpdateRecord, spec: JsonObject, now: number): JsonObject {
  return {
    pipeline_id: update.pipeline_id,
    update_id: update.update_id,
    state: updateStateAt(update, now),
    cause: update.cause,
    creation_time: update.created_at,
    full_refresh: update.full_refresh,
    validate_only: update.validate_only,
    ...(update.refresh_selection.length > 0 ? { refresh_selection: update.refresh_selection } : {}),
    ...(update.full_refresh_selection.length > 0 ? { full_refresh_selection: update.full_refresh_selection } : {}),
    cluster_id: `emulator-${update.pipeline_id.slice(-6)}`,
    config: spec,
  };
}

export function renderEvent(event: PipelineEventRecord): JsonObject {
  return {
    id: event.id,
    timestamp: isoTime(event.timestamp),
    level: event.level,
    maturity_level: 'STABLE',
    event_type: event.event_type,
    message: event.message,
    origin: event.origin,
    details: event.details,
    ...(event.error !== undefined ? { error: event.error } : {}),
  };
}

/** What a start-update asked for. */
export interface UpdateRequest {
  cause: PipelineUpdateRecord['cause'];
  fullRefresh: boolean;
  validateOnly: boolean;
  refreshSelection: string[];
  fullRefreshSelection: string[];
}

function updateOrigin(pipeline: PipelineRecord, updateId: string): JsonObject {
  return { pipeline_id: pipeline.pipeline_id, pipeline_name: pipelineName(pipeline), update_id: updateId };
}

function progressEvent(update: PipelineUpdateRecord, state: PipelineUpdateState, at: number, newEventId: () => string, extra: Partial<PipelineEventRecord> = {}): void {
  update.events.push({
    id: newEventId(),
    timestamp: at,
    level: 'INFO',
    event_type: 'update_progress',
    message: `Update ${update.update_id.slice(0, 6)} is ${state}.`,
    origin: update.events[0]?.origin ?? { pipeline_id: update.pipeline_id, update_id: update.update_id },
    details: { update_progress: { state } },
    ...extra,
  });
}

/**
 * An update that executes (a Pipelines-API update on a workspace that runs them): WAITING_FOR_RESOURCES from `at`;
 * each later state is recorded when it is reached (advanceUpdate), and the end with the flows' events (endUpdate).
 */
export function beginUpdate(pipeline: PipelineRecord, updateId: string, request: UpdateRequest, at: number, newEventId: () => string): PipelineUpdateRecord {
  const update: PipelineUpdateRecord = {
    update_id: updateId,
    pipeline_id: pipeline.pipeline_id,
    cause: request.cause,
    full_refresh: request.fullRefresh,
    validate_only: request.validateOnly,
    refresh_selection: request.refreshSelection,
    full_refresh_selection: request.fullRefreshSelection,
    created_at: at,
    phases: [{ state: 'WAITING_FOR_RESOURCES', at }],
    events: [],
  };
  update.events.push({
    id: newEventId(),
    timestamp: at,
    level: 'INFO',
    event_type: 'create_update',
    message: `Update ${updateId.slice(0, 6)} started by ${request.cause}.`,
    origin: updateOrigin(pipeline, updateId),
    details: { create_update: { cause: request.cause, full_refresh: request.fullRefresh, validate_only: request.validateOnly } },
  });
  progressEvent(update, 'WAITING_FOR_RESOURCES', at, newEventId);
  return update;
}

/** The executing update reached `state` (ignored once it is stopping or has ended). */
export function advanceUpdate(update: PipelineUpdateRecord, state: PipelineUpdateState, at: number, newEventId: () => string): void {
  const last = update.phases.at(-1)?.state;
  if (last === undefined || last === 'STOPPING' || TERMINAL.has(last)) return;
  update.phases.push({ state, at });
  progressEvent(update, state, at, newEventId);
}

/** The executing update ended: the flows' progress and data-quality events, then COMPLETED or FAILED with the error. */
export function endUpdate(update: PipelineUpdateRecord, at: number, result: 'COMPLETED' | 'FAILED', flows: FlowScript[], error: string | undefined, newEventId: () => string): void {
  const reached = (state: PipelineUpdateState) => update.phases.find((p) => p.state === state)?.at;
  if (!update.validate_only && flows.length > 0) {
    const origin = update.events[0]?.origin ?? {};
    addFlowEvents(update, flows, origin, reached('SETTING_UP_TABLES') ?? update.created_at, reached('RUNNING') ?? at, at, newEventId);
  }
  update.phases.push({ state: result, at });
  progressEvent(update, result, at, newEventId, result === 'FAILED' ? { level: 'ERROR', error: exceptionOf(error ?? 'Update failed.') } : {});
}

/** A stop was asked for: STOPPING until the engine lets go (then cancelUpdate). */
export function stoppingUpdate(update: PipelineUpdateRecord, at: number, newEventId: () => string): void {
  advanceUpdate(update, 'STOPPING', at, newEventId);
}

/** Whether an update was left without an end (its process stopped while it executed). */
export function isUnfinished(update: PipelineUpdateRecord): boolean {
  const last = update.phases.at(-1)?.state;
  return last !== undefined && !TERMINAL.has(last);
}

/**
 * An update an executing job task started at `at`: RUNNING until the task ends (the job task's executor reports no
 * finer progress), then finishLiveUpdate records its end and the flows' progress and data-quality events.
 */
export function startLiveUpdate(pipeline: PipelineRecord, updateId: string, at: number, fullRefresh: boolean, newEventId: () => string): PipelineUpdateRecord {
  const request: UpdateRequest = { cause: 'JOB_TASK', fullRefresh, validateOnly: false, refreshSelection: [], fullRefreshSelection: [] };
  const update = beginUpdate(pipeline, updateId, request, at, newEventId);
  for (const state of ['INITIALIZING', 'SETTING_UP_TABLES', 'RUNNING'] as const) advanceUpdate(update, state, at, newEventId);
  pipeline.updates.push(update);
  return update;
}

/** The task ended: the update gets its end state and the flows' progress and data-quality events. */
export function finishLiveUpdate(
  _pipeline: PipelineRecord,
  update: PipelineUpdateRecord,
  at: number,
  result: 'COMPLETED' | 'FAILED' | 'CANCELED',
  flows: FlowScript[],
  error: string | undefined,
  newEventId: () => string,
): void {
  if (result === 'CANCELED') cancelUpdate(update, at, newEventId);
  else endUpdate(update, at, result, flows, error, newEventId);
}
