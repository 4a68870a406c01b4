// What a pipeline task did: which pipeline update the task started, and that update's data quality, read
// from the pipeline event log (flow_progress events carry passed and failed records per expectation), in the
// same ExpectationMetric shape the local engine reports.
import type { ExpectationMetric } from '../events/types.ts';
import type { BundleModel, ExpectationAction } from '../model/types.ts';
import type { PipelineEvent, WorkspaceClient } from '../workspace/index.ts';

/** Job tasks start their update a moment after the task starts; allow for clock skew between services. */
const START_SLACK_MS = 60_000;

/**
 * The update a pipeline task started: the job API does not name it, so take the pipeline's update created
 * closest after the task started (and, once the task ended, before it ended), preferring cause JOB_TASK.
 */
export async function findPipelineUpdate(client: WorkspaceClient, pipelineId: string, taskStart: number, taskEnd?: number): Promise<string | undefined> {
  let best: { id: string; created: number; fromJob: boolean } | undefined;
  // Newest first: stop once updates are older than the task.
  for await (const update of client.pipelines.listUpdates(pipelineId, { max_results: 25 })) {
    const created = Number(update.creation_time ?? 0);
    if (created < taskStart - START_SLACK_MS) break;
    if (!update.update_id || (taskEnd !== undefined && created > taskEnd)) continue;
    const fromJob = update.cause === 'JOB_TASK';
    const better =
      !best || (fromJob && !best.fromJob) || (fromJob === best.fromJob && Math.abs(created - taskStart) < Math.abs(best.created - taskStart));
    if (better) best = { id: update.update_id, created, fromJob };
  }
  return best?.id;
}

export type ActionLookup = (dataset: string, expectation: string) => ExpectationAction | undefined;

/** The action each expectation declares in the bundle, found by table name (with or without schema) and name. */
export function expectationActions(model: BundleModel): ActionLookup {
  const actions = new Map<string, ExpectationAction>();
  for (const pipeline of Object.values(model.resources.pipelines)) {
    for (const table of pipeline.tables) {
      const short = table.name.split('.').pop() ?? table.name;
      for (const e of table.expectations) actions.set(`${short}\u0000${e.name}`, e.action);
    }
  }
  return (dataset, expectation) => actions.get(`${dataset.split('.').pop() ?? dataset}\u0000${expectation}`);
}

interface DataQuality {
  dropped_records?: number;
  expectations?: { name?: string; dataset?: string; passed_records?: number; failed_records?: number }[];
}

/** `details` is not in the generated event type, but the event log returns it. */
function dataQualityOf(event: PipelineEvent): DataQuality | undefined {
  const details = (event as { details?: { flow_progress?: { data_quality?: DataQuality } } }).details;
  return details?.flow_progress?.data_quality;
}

export interface UpdateQuality {
  pipeline: string;
  metrics: ExpectationMetric[];
}

/** Sums expectation metrics of one update from its flow_progress events. */
export async function readUpdateQuality(
  client: WorkspaceClient,
  pipelineId: string,
  updateId: string,
  since: number,
  actionOf: ActionLookup,
): Promise<UpdateQuality> {
  const totals = new Map<string, ExpectationMetric>();
  let pipeline = pipelineId;
  const events = client.pipelines.listEvents(pipelineId, {
    // The only filters the API offers are level, id and timestamp: narrow by time, then by update here.
    filter: `timestamp >= '${new Date(since - START_SLACK_MS).toISOString()}'`,
    order_by: ['timestamp asc'],
    max_results: 100,
  });
  for await (const event of events) {
    if (event.origin?.update_id !== updateId || event.event_type !== 'flow_progress') continue;
    if (event.origin.pipeline_name) pipeline = event.origin.pipeline_name;
    for (const e of dataQualityOf(event)?.expectations ?? []) {
      const dataset = e.dataset ?? event.origin.dataset_name ?? '';
      const name = e.name ?? '';
      const key = `${dataset}\u0000${name}`;
      const action = actionOf(dataset, name) ?? 'warn';
      const metric = totals.get(key) ?? { dataset, expectation: name, action, passed_records: 0, failed_records: 0, dropped_records: 0 };
      metric.passed_records += Number(e.passed_records ?? 0);
      metric.failed_records += Number(e.failed_records ?? 0);
      // DLT counts drops per flow, not per expectation; a failed record of a `drop` expectation is a dropped one.
      metric.dropped_records = action === 'drop' ? metric.failed_records : 0;
      totals.set(key, metric);
    }
  }
  const metrics = [...totals.values()].sort((a, b) => a.dataset.localeCompare(b.dataset) || a.expectation.localeCompare(b.expectation));
  return { pipeline, metrics };
}
