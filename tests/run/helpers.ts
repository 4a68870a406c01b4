// A fake workspace on a virtual clock for run tests: the watcher's sleeps advance the workspace's time, so a
// 10-minute run is watched in milliseconds and every delay is exact. Plus a job of notebook tasks to run.
import { startFakeWorkspace, VirtualClock, type FakeWorkspace, type FakeWorkspaceOptions } from '../../src/emulator/index.ts';
import type { BundleModel } from '../../src/model/types.ts';
import type { WatchClock } from '../../src/run/clock.ts';
import type { DeployedIdLookup } from '../../src/run/deployed-ids.ts';
import { createWorkspaceClient, int64ToString, type WorkspaceClient } from '../../src/workspace/index.ts';
import { seededRandom } from '../../src/seeded-random.ts';

export { seededRandom };


export interface VirtualSetup {
  ws: FakeWorkspace;
  clock: VirtualClock;
  client: WorkspaceClient;
  watchClock: WatchClock & { sleeps: number[] };
}

export async function virtualWorkspace(options: FakeWorkspaceOptions & { seed?: number } = {}): Promise<VirtualSetup> {
  const clock = new VirtualClock();
  const ws = await startFakeWorkspace({ logBodies: true, ...options, clock });
  const sleeps: number[] = [];
  const sleep = async (ms: number) => {
    sleeps.push(ms);
    clock.advance(Math.max(0, Math.round(ms)));
  };
  const client = createWorkspaceClient({
    env: { DATABRICKS_HOST: ws.url, DATABRICKS_TOKEN: ws.token },
    configFile: null,
    now: () => clock.now(),
    sleep,
    random: () => 0.5,
  });
  const watchClock = { now: () => clock.now(), sleep, random: seededRandom(options.seed ?? 7), sleeps };
  return { ws, clock, client, watchClock };
}

export interface TaskSpec {
  key: string;
  deps?: string[];
  extra?: Record<string, unknown>;
}

/** Creates notebooks and a job running them; returns the job id as text. */
export async function createNotebookJob(client: WorkspaceClient, tasks: TaskSpec[], name = 'Unified_Workflow_Job'): Promise<string> {
  await client.workspace.mkdirs({ path: '/Shared/nb' });
  for (const t of tasks) {
    await client.workspace.import({ path: `/Shared/nb/${t.key}`, content: Buffer.from('print(1)'), format: 'SOURCE', language: 'PYTHON', overwrite: true });
  }
  const created = await client.jobs.create({
    name,
    tasks: tasks.map((t) => ({
      task_key: t.key,
      notebook_task: { notebook_path: `/Shared/nb/${t.key}` },
      ...(t.deps && t.deps.length > 0 ? { depends_on: t.deps.map((d) => ({ task_key: d })) } : {}),
      ...t.extra,
    })),
  });
  return int64ToString(created.job_id!);
}

/** The unified workflow's shape with notebook tasks only: two roots, then a chain of four. */
export const WORKFLOW: TaskSpec[] = [
  { key: 'DLT_streaming_data' },
  { key: 'task_ingest_batch_data' },
  { key: 'batch_and_stream_processing', deps: ['DLT_streaming_data', 'task_ingest_batch_data'] },
  { key: 'optimize_gold_and_create_view', deps: ['batch_and_stream_processing'] },
  { key: 'gpt_summary', deps: ['optimize_gold_and_create_view'] },
  { key: 'update_dashboard', deps: ['gpt_summary'] },
];

/** Just enough of a resolved bundle for the remote run: one job, one pipeline with expectations, a workspace target. */
export function sampleModel(): BundleModel {
  const target = { name: 'dev', local: false, mode: 'development' as const, workspace: {}, variables: {} };
  return {
    bundle: { name: 'sales_lakehouse' },
    catalog: 'sales_lakehouse',
    target,
    targets: { dev: target },
    variables: {},
    resources: {
      jobs: { 'unified-workflow': { settings: { name: 'Unified_Workflow_Job', tasks: WORKFLOW.map((t) => ({ task_key: t.key })) } } },
      pipelines: {
        pl: {
          settings: { name: 'pl_streaming_data_to_silver' },
          tables: [
            {
              name: 'silver.sales_stream',
              layer: 'silver',
              kind: 'streaming_table',
              expectations: [
                { name: 'valid_product_id', condition: 'product_id IS NOT NULL', action: 'drop' },
                { name: 'known_channel', condition: "channel IN ('store')", action: 'warn' },
              ],
            },
          ],
          source_path: 'src/pipelines/pl.sql',
        },
      },
      secret_scopes: {},
      dashboards: {},
      catalogs: {},
      schemas: {},
      volumes: {},
    },
    notebooks: {},
    locations: {},
  };
}

/** A deployed-id lookup answering from a fixed map of `<kind>.<key>` → id. */
export function fixedIds(ids: Record<string, string>): DeployedIdLookup {
  return async (kind, key) => ids[`${kind}.${key}`];
}
