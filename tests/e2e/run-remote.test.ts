// The real dbx-ts CLI running the reference bundle's job on the fake workspace over real HTTP, after a real
// `dbx-ts deploy -t dev`: every task starts and finishes, a failed task is named with its error and what it
// skipped, Ctrl-C cancels the remote run, and the exit codes say which.
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EXIT } from '../../src/cli/exit-codes.ts';
import { fakeWorkspace, type FakeSetup } from '../deploy/fake.ts';
import { scratchProject, type CliResult, captureCli } from '../build/helpers.ts';

// A project folder of its own, so tests never touch a developer's .dbx-ts/ state in the checkout.
const REPO = await scratchProject();
const CACHE = join(REPO, '.dbx-ts', 'state', 'dev.json');
const VARS = {
  BUNDLE_VAR_warehouse_id: 'wh-1234',
  BUNDLE_VAR_keyvault_resource_id: '/subscriptions/0000/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/sales-kv',
  BUNDLE_VAR_keyvault_dns_name: 'https://sales-kv.vault.azure.net/',
};
const TASKS = [
  'DLT_streaming_data',
  'task_ingest_batch_data',
  'batch_and_stream_processing',
  'optimize_gold_and_create_view',
  'gpt_summary',
  'update_dashboard',
];

let setup: FakeSetup;

async function cli(args: string[], signal = new AbortController().signal): Promise<CliResult> {
  return captureCli(args, { cwd: REPO, env: { ...setup.env, ...VARS, HOME: '/nonexistent', CI: '1' }, signal });
}

/** Removes the local state cache if this test's fake workspace wrote it (other test files deploy too). */
async function dropLocalCache(host: string): Promise<void> {
  try {
    const cache = JSON.parse(await readFile(CACHE, 'utf8')) as { host?: string };
    if (cache.host === host) await rm(CACHE, { force: true });
  } catch {
    // no cache
  }
}

beforeEach(async () => {
  setup = await fakeWorkspace();
  const deployed = await cli(['deploy', '-t', 'dev', '--auto-approve']);
  expect(deployed.code, deployed.stderr + deployed.stdout).toBe(0);
  setup.ws.clearRequests();
});
afterEach(async () => {
  await dropLocalCache(setup.ws.url);
  await setup.ws.close();
});

function taskLines(stdout: string, task: string): string[] {
  return stdout.split('\n').filter((line) => line.startsWith(`task ${task}:`));
}

describe('dbx-ts run unified-workflow -t dev', () => {
  it('shows each of the six tasks start and finish, the pipeline\'s data quality, and exits 0', async () => {
    setup.ws.scenario.pipeline('[dev emulator_user] pl_streaming_data_to_silver', {
      flows: [
        {
          name: 'sales_stream',
          output_records: 940,
          dropped_records: 35,
          expectations: [
            { name: 'valid_product_id', passed_records: 960, failed_records: 35 },
            { name: 'known_channel', passed_records: 990, failed_records: 5 },
          ],
        },
      ],
    });
    const { code, stdout, stderr } = await cli(['run', 'unified-workflow', '-t', 'dev', '--no-show-results']);
    expect(code, stderr + stdout).toBe(EXIT.ok);
    expect(stdout).toMatch(/Started Unified_Workflow_Job \(unified-workflow\) on target dev: run \d+\n {2}http:\/\/127\.0\.0\.1:\d+\/\?o=\d+#job\/\d+\/run\/\d+/);
    for (const task of TASKS) {
      const lines = taskLines(stdout, task);
      expect(lines.some((l) => l === `task ${task}: RUNNING`), `${task} started in\n${stdout}`).toBe(true);
      expect(lines.at(-1)).toMatch(new RegExp(`^task ${task}: TERMINATED SUCCESS in \\d`));
    }
    expect(stdout).toMatch(/Run \d+ SUCCESS/);
    // From the pipeline update's event log, with the actions the bundle declares.
    expect(stdout).toMatch(/DLT_streaming_data: 2 expectations, 40 failed records \(update [0-9a-f-]{36}\)/);
    expect(stdout).toMatch(/sales_stream\s+known_channel\s+warn\s+990\s+5\s+0/);
    expect(stdout).toMatch(/sales_stream\s+valid_product_id\s+drop\s+960\s+35\s+35/);
    // One run started, with an idempotency token.
    const runNows = setup.ws.requests.filter((r) => r.path === '/api/2.2/jobs/run-now');
    expect(runNows).toHaveLength(1);
    expect((runNows[0]!.body as { idempotency_token?: string }).idempotency_token).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('names the failed task, shows its error and what it skipped, and exits non-zero', async () => {
    setup.ws.scenario.taskOutcome('gpt_summary', {
      result: 'FAILED',
      error: 'AuthenticationError: Incorrect API key provided',
      error_trace: 'Traceback (most recent call last):\n  File "<command-1>", line 12, in <module>\n    client.chat.completions.create(...)\nopenai.AuthenticationError: Incorrect API key provided',
    });
    const { code, stdout, stderr } = await cli(['run', 'unified-workflow', '-t', 'dev']);
    expect(code).toBe(EXIT.failed);
    expect(taskLines(stdout, 'gpt_summary').at(-1)).toMatch(/TERMINATED FAILED/);
    expect(taskLines(stdout, 'update_dashboard').at(-1)).toMatch(/SKIPPED UPSTREAM_FAILED|TERMINATED UPSTREAM_FAILED/);
    expect(stderr).toContain('Task gpt_summary failed: AuthenticationError: Incorrect API key provided');
    expect(stderr).toContain('openai.AuthenticationError: Incorrect API key provided');
    expect(stderr).toContain('skipped because of it: update_dashboard');
    expect(stderr).toMatch(/error: Run \d+ failed: task gpt_summary failed/);
    // The error came from runs/get-output of the failed task's own run.
    expect(setup.ws.requests.some((r) => r.path === '/api/2.2/jobs/runs/get-output')).toBe(true);
  });

  it('cancels the remote run on Ctrl-C and exits with the cancelled code', async () => {
    setup.ws.scenario.defaults({ runningMs: 30_000 });
    const controller = new AbortController();
    const watchForStart = setInterval(() => {
      if (setup.ws.requests.some((r) => r.path === '/api/2.2/jobs/runs/get')) controller.abort(new Error('interrupted'));
    }, 20);
    try {
      const { code, stdout, stderr } = await cli(['run', 'unified-workflow', '-t', 'dev'], controller.signal);
      expect(code, stderr).toBe(EXIT.cancelled);
      expect(stdout).not.toContain('Interrupted');
      expect(stderr).toMatch(/Interrupted: cancelling run \d+/);
      expect(stderr).toMatch(/Run \d+ CANCELED/);
    } finally {
      clearInterval(watchForStart);
    }
    const cancels = setup.ws.requests.filter((r) => r.path === '/api/2.2/jobs/runs/cancel');
    expect(cancels).toHaveLength(1);
    const run = Object.values(setup.ws.state.runs)[0]!;
    expect(run.cancelled_at).toBeDefined();
  });

  it('says how to deploy when the bundle is not deployed to the target', async () => {
    await dropLocalCache(setup.ws.url);
    await setup.ws.close();
    // A workspace the bundle was never deployed to (the local cache names the other one's host, so it is ignored).
    setup = await fakeWorkspace();
    const { code, stderr } = await cli(['run', 'unified-workflow', '-t', 'dev']);
    expect(code).toBe(EXIT.usage);
    expect(stderr).toContain('Job "unified-workflow" is not deployed to target "dev"');
    expect(stderr).toContain('dbx-ts deploy -t dev');
  });
});
