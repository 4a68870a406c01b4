// npm run bench:poll: how quickly `dbx-ts run` notices that a run ended, and how many requests it makes for
// that, against the fake workspace on a virtual clock (a 10-minute run takes milliseconds). Compares the
// dbx-ts poller with a fixed 10 s interval and with linear backoff 1 s → 10 s (the Databricks SDK/CLI waiter),
// on a job's first run (no history) and on repeat runs (earlier runs' task durations known).
//
// The job has the unified workflow's shape (two roots, then a chain of four) with notebook tasks. Each run
// draws every task's duration from its typical share of the run length times a random factor (log-normal,
// σ = 0.1), so repeat runs vary as real ones do. Requests counted: every call after run-now until the run's end
// was noticed (runs/get pages, and for dbx-ts the runs/list read that is both its history and its first poll).
import { startFakeWorkspace, VirtualClock, type FakeWorkspace } from '../src/emulator/index.ts';
import { silentSink } from '../src/events/types.ts';
import type { BundleModel } from '../src/model/types.ts';
import type { WatchClock } from '../src/run/clock.ts';
import { runRemoteJob } from '../src/run/remote-run.ts';
import { fixedInterval, linearBackoff, type PollSchedule } from '../src/run/schedule.ts';
import { startJobRun } from '../src/run/start.ts';
import { watchRun } from '../src/run/watch.ts';
import { createWorkspaceClient, int64ToString, type WorkspaceClient } from '../src/workspace/index.ts';

const TASKS: { key: string; deps: string[]; share: number }[] = [
  { key: 'DLT_streaming_data', deps: [], share: 0.25 },
  { key: 'task_ingest_batch_data', deps: [], share: 0.15 },
  { key: 'batch_and_stream_processing', deps: ['DLT_streaming_data', 'task_ingest_batch_data'], share: 0.3 },
  { key: 'optimize_gold_and_create_view', deps: ['batch_and_stream_processing'], share: 0.15 },
  { key: 'gpt_summary', deps: ['optimize_gold_and_create_view'], share: 0.2 },
  { key: 'update_dashboard', deps: ['gpt_summary'], share: 0.1 },
];
const LENGTHS_MIN = [2, 10, 30];
const FIRST_RUNS = 100;
const WARMUP_RUNS = 5;
const REPEAT_RUNS = 30;
const SIGMA = 0.1;
/** BENCH_SEED=n draws other runs and jitter, to tell a real difference from luck (the default repeats exactly). */
const SEED = Number(process.env['BENCH_SEED'] ?? 0);

type Strategy = 'fixed 10 s' | 'linear 1→10 s' | 'dbx-ts';
const STRATEGIES: Strategy[] = ['fixed 10 s', 'linear 1→10 s', 'dbx-ts'];

function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function gaussian(random: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
}

interface Sample {
  requestsPerMinute: number;
  delayMs: number;
}

interface Bench {
  ws: FakeWorkspace;
  clock: VirtualClock;
  client: WorkspaceClient;
  watchClock: WatchClock;
}

async function setup(): Promise<Bench> {
  const clock = new VirtualClock();
  const ws = await startFakeWorkspace({ clock });
  const sleep = async (ms: number) => {
    clock.advance(Math.max(0, Math.round(ms)));
  };
  const client = createWorkspaceClient({ env: { DATABRICKS_HOST: ws.url, DATABRICKS_TOKEN: ws.token }, configFile: null, now: () => clock.now(), sleep });
  await client.workspace.mkdirs({ path: '/Shared/bench' });
  for (const t of TASKS) {
    await client.workspace.import({ path: `/Shared/bench/${t.key}`, content: Buffer.from('pass'), format: 'SOURCE', language: 'PYTHON', overwrite: true });
  }
  return { ws, clock, client, watchClock: { now: () => clock.now(), sleep, random: seeded(1) } };
}

async function createJob(b: Bench): Promise<string> {
  const created = await b.client.jobs.create({
    name: 'Unified_Workflow_Job',
    tasks: TASKS.map((t) => ({
      task_key: t.key,
      notebook_task: { notebook_path: `/Shared/bench/${t.key}` },
      ...(t.deps.length > 0 ? { depends_on: t.deps.map((d) => ({ task_key: d })) } : {}),
    })),
  });
  return int64ToString(created.job_id!);
}

/** Scripts the next run's task durations: typical share of the length, varied per run. */
function scriptRun(b: Bench, lengthMs: number, random: () => number): void {
  for (const t of TASKS) {
    const ms = Math.round(t.share * lengthMs * Math.exp(SIGMA * gaussian(random)));
    b.ws.scenario.taskDuration(t.key, { pendingMs: Math.round(ms * 0.05), runningMs: ms - Math.round(ms * 0.05) });
  }
}

/** Runs the job to its end without watching (history for the repeat-run measurements). */
async function runUnwatched(b: Bench, jobId: string): Promise<void> {
  const { runId } = await startJobRun(b.client, jobId, {});
  const run = b.ws.state.runs[runId]!;
  const end = Math.max(...run.attempts.map((a) => a.end_at));
  b.clock.advance(Math.max(0, end - b.clock.now()) + 1000);
}

function model(): BundleModel {
  const target = { name: 'bench', local: false, workspace: {}, variables: {} };
  return {
    bundle: { name: 'bench' },
    catalog: 'bench',
    target,
    targets: { bench: target },
    variables: {},
    resources: { jobs: { wf: { settings: { name: 'Unified_Workflow_Job', tasks: [] } } }, pipelines: {}, secret_scopes: {}, dashboards: {}, catalogs: {}, schemas: {}, volumes: {} },
    notebooks: {},
    locations: {},
  };
}

function baseline(strategy: Strategy, random: () => number): PollSchedule {
  return strategy === 'fixed 10 s' ? fixedInterval(10_000) : linearBackoff(random);
}

async function measure(b: Bench, jobId: string, strategy: Strategy, random: () => number): Promise<Sample> {
  const before = b.ws.requests.length;
  let runId: string;
  let noticedAt: number;
  if (strategy === 'dbx-ts') {
    const result = await runRemoteJob({
      model: model(),
      projectRoot: '/nonexistent',
      jobKey: 'wf',
      env: {},
      sink: silentSink,
      client: b.client,
      deployed: async () => jobId,
      clock: { ...b.watchClock, random },
      showResults: false,
    });
    runId = result.run_id;
    noticedAt = result.watch!.noticedAt;
  } else {
    runId = (await startJobRun(b.client, jobId, {})).runId;
    const watch = await watchRun({ client: b.client, runId, sink: silentSink, schedule: baseline(strategy, random), clock: { ...b.watchClock, random } });
    noticedAt = watch.noticedAt;
  }
  const run = b.ws.state.runs[runId]!;
  const end = Math.max(...run.attempts.map((a) => a.end_at));
  const requests = b.ws.requests.slice(before).filter((r) => r.path !== '/api/2.2/jobs/run-now').length;
  b.clock.advance(1000);
  return { requestsPerMinute: requests / ((end - run.created_at) / 60_000), delayMs: noticedAt - end };
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

function quantile(values: number[], q: number): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))]!;
}

interface Row {
  length: number;
  mode: 'first run' | 'repeat runs';
  strategy: Strategy;
  samples: Sample[];
}

async function main(): Promise<void> {
  const b = await setup();
  const rows: Row[] = [];
  try {
    for (const length of LENGTHS_MIN) {
      const lengthMs = length * 60_000;
      for (const strategy of STRATEGIES) {
        // Same seeds for every strategy: each watches the same runs, and draws the same jitter.
        const durations = seeded(1000 * length + 1 + 7919 * SEED);
        const jitter = seeded(1000 * length + 2 + 7919 * SEED);
        const first: Sample[] = [];
        for (let i = 0; i < FIRST_RUNS; i++) {
          const jobId = await createJob(b);
          scriptRun(b, lengthMs, durations);
          first.push(await measure(b, jobId, strategy, jitter));
        }
        rows.push({ length, mode: 'first run', strategy, samples: first });

        const jobId = await createJob(b);
        for (let i = 0; i < WARMUP_RUNS; i++) {
          scriptRun(b, lengthMs, durations);
          await runUnwatched(b, jobId);
        }
        const repeat: Sample[] = [];
        for (let i = 0; i < REPEAT_RUNS; i++) {
          scriptRun(b, lengthMs, durations);
          repeat.push(await measure(b, jobId, strategy, jitter));
        }
        rows.push({ length, mode: 'repeat runs', strategy, samples: repeat });
      }
    }
  } finally {
    await b.ws.close();
  }
  print(rows);
}

function print(rows: Row[]): void {
  const header = ['run length', 'runs', 'strategy', 'runs measured', 'requests/min (median)', 'delay median', 'delay p90'];
  const lines = rows.map((r) => [
    `${r.length} min`,
    r.mode,
    r.strategy,
    String(r.samples.length),
    median(r.samples.map((s) => s.requestsPerMinute)).toFixed(2),
    `${(median(r.samples.map((s) => s.delayMs)) / 1000).toFixed(2)} s`,
    `${(quantile(r.samples.map((s) => s.delayMs), 0.9) / 1000).toFixed(2)} s`,
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]!.length)));
  const fmt = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ');
  const out = [fmt(header), fmt(widths.map((w) => '-'.repeat(w))), ...lines.map(fmt)];
  out.push('');
  out.push(`Task durations vary log-normally (σ = ${SIGMA}) around their share of the run length; repeat runs follow ${WARMUP_RUNS} earlier runs. Seed ${SEED}.`);
  out.push('Delay: from the run\'s end_time to the poll that saw it terminal. Requests: all calls after run-now, per minute of run time.');
  process.stdout.write(`${out.join('\n')}\n`);
}

await main();
