// `dbx-ts local serve` started in-process for end-to-end tests, driven with the official Databricks SDK, and
// what the tests read back (pipeline event details, counts in the served workspace's DuckDB databases).
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { WorkspaceClient } from '@databricks/sdk-experimental';
import { main } from '../../src/cli/main.ts';

/** `args`: more options of `local serve` (e.g. `--dir`). */
export async function serve(cwd: string, env: Record<string, string> = {}, args: string[] = []) {
  const controller = new AbortController();
  let stdout = '';
  const done = main(['node', 'dbx-ts', 'local', 'serve', ...args], {
    cwd,
    env: { ...process.env, CI: 'true', ...env },
    stdout: { write: (s: string) => void (stdout += s), isTTY: false },
    stderr: { write: (s: string) => void (stdout += s) },
    signal: controller.signal,
  });
  const end = Date.now() + 20_000;
  while (!/DATABRICKS_TOKEN=(\S+)/.test(stdout)) {
    if (Date.now() > end) throw new Error(`serve did not start:\n${stdout}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  const host = /export DATABRICKS_HOST=(\S+)/.exec(stdout)![1]!;
  const token = /export DATABRICKS_TOKEN=(\S+)/.exec(stdout)![1]!;
  return {
    host,
    token,
    w: new WorkspaceClient({ host, token, authType: 'pat', configFile: join(cwd, 'no-databrickscfg') }),
    stop: async () => {
      controller.abort();
      return { code: await done, stdout };
    },
  };
}

/** The SDK's PipelineEvent type leaves out `details`, which the API returns (flow_progress, update_progress). */
export function details(event: object): {
  flow_progress?: { status?: string; metrics?: { num_output_rows?: number }; data_quality?: { expectations?: unknown[] } };
  update_progress?: { state?: string };
} {
  return (event as { details?: ReturnType<typeof details> }).details ?? {};
}

export async function count(database: string, sql: string): Promise<number> {
  const db = await DuckDBInstance.create(database, { access_mode: 'READ_ONLY' });
  const c = await db.connect();
  try {
    const rows = (await c.runAndReadAll(sql)).getRows();
    return Number(rows[0]![0]);
  } finally {
    c.closeSync();
    db.closeSync();
  }
}

