// Redaction at the edge, with canary secrets: a workspace task error that quotes the caller's token and
// OpenAI key, an LLM answer that quotes the key, and a local secret value. None of them may appear in what
// dbx-ts prints (plain or --json), in files it writes (run history, dashboard HTML) or in tables it writes
// (the summary table, the pipeline event log).
import { readdir, readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DuckDbSql } from '../../src/sql/duckdb.ts';
import { captureCli, runCli, scratchProject } from '../build/helpers.ts';
import { fakeWorkspace, AAD_TOKEN, type FakeSetup } from '../deploy/fake.ts';

const OPENAI_KEY = 'sk-canary-openai-key-5f0c2b9e7d1a4c3b';
const LOCAL_SECRET = 'canary-local-secret-value-93a1';

async function filesUnder(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) out.push(join(entry.parentPath, entry.name));
  }
  return out;
}

describe('a workspace task error quoting secrets', () => {
  let setup: FakeSetup;
  let project: string;
  const VARS = {
    BUNDLE_VAR_warehouse_id: 'wh-1234',
    BUNDLE_VAR_keyvault_resource_id: '/subscriptions/0000/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/sales-kv',
    BUNDLE_VAR_keyvault_dns_name: 'https://sales-kv.vault.azure.net/',
  };
  const cli = async (args: string[]) => {
    const { code, stdout, stderr } = await captureCli(args, { cwd: project, env: { ...setup.env, ...VARS, OPENAI_API_KEY: OPENAI_KEY, HOME: '/nonexistent', CI: '1' } });
    return { code, out: stdout + stderr };
  };

  beforeAll(async () => {
    project = await scratchProject();
    setup = await fakeWorkspace();
    expect((await cli(['deploy', '-t', 'dev', '--auto-approve'])).code).toBe(0);
  });
  afterAll(() => setup.ws.close());

  it('is printed scrubbed by run, run --json, runs get and runs get --json', async () => {
    setup.ws.scenario.taskOutcome('gpt_summary', {
      result: 'FAILED',
      error: `AuthenticationError: key ${OPENAI_KEY} rejected; workspace token ${AAD_TOKEN}`,
      error_trace: `Traceback:\n  headers={"Authorization": "Bearer ${AAD_TOKEN}", "api_key": "${OPENAI_KEY}"}`,
    });
    const run = await cli(['run', 'unified-workflow', '-t', 'dev']);
    expect(run.code).toBe(1);
    expect(run.out).toContain('Task gpt_summary failed: AuthenticationError: key *** rejected; workspace token ***');
    const json = await cli(['run', 'unified-workflow', '-t', 'dev', '--json']);
    const runId = /"run_id":"(\d+)"/.exec(json.out)?.[1];
    expect(runId).toBeDefined();
    const get = await cli(['runs', 'get', runId!, '-t', 'dev']);
    const getJson = await cli(['runs', 'get', runId!, '-t', 'dev', '--json']);
    for (const [what, text] of Object.entries({ run: run.out, json: json.out, get: get.out, getJson: getJson.out })) {
      expect(text, what).toContain('***');
      expect(text, what).not.toContain(OPENAI_KEY);
      expect(text, what).not.toContain(AAD_TOKEN);
      expect(text, what).not.toContain(JSON.stringify(AAD_TOKEN).slice(1, -1));
    }
  });
});

describe('an LLM answer quoting the key, on the local target', () => {
  let project: string;
  let local: string;
  let server: ReturnType<typeof createServer>;
  let env: Record<string, string>;

  beforeAll(async () => {
    project = await scratchProject();
    local = join(project, '.dbx-ts', 'local');
    server = createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        res.writeHead(200, { 'content-type': 'application/json' });
        const content = `Revenue grew. Debug: my key is ${OPENAI_KEY} and the scope holds ${LOCAL_SECRET}.`;
        res.end(JSON.stringify({ id: 'c1', object: 'chat.completion', created: 1, model: 'fake-llm-1', choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: 'stop' }] }));
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    env = {
      OPENAI_API_KEY: '',
      DBX_TS_LOCAL_DIR: local,
      DBX_TS_SECRET_ADLS_SCOPE__OPEN_AI_API_KEY: OPENAI_KEY,
      DBX_TS_SECRET_ADLS_SCOPE__SOMETHING_ELSE: LOCAL_SECRET,
      OPENAI_BASE_URL: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`,
    };
  });
  afterAll(() => server.close());

  it('never reaches the output, the summary table, the event log, the dashboard or the run history', async () => {
    const run = await runCli(['run', 'unified-workflow', '--json'], { cwd: project, env });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain('Revenue grew. Debug: my key is ***');
    const shown = await runCli(['show', 'summary'], { cwd: project, env });
    const queried = await runCli(['query', 'SELECT summary_text FROM gold.sales_summary', '-o', 'json'], { cwd: project, env });
    for (const text of [run.stdout, run.stderr, shown.stdout, shown.stderr, queried.stdout]) {
      expect(text).not.toContain(OPENAI_KEY);
      expect(text).not.toContain(LOCAL_SECRET);
    }
    expect(shown.stdout).toContain('my key is ***');

    // What is stored, read without dbx-ts in between.
    const db = await DuckDbSql.open(join(local, 'db', 'sales_lakehouse.duckdb'), { readOnly: true });
    try {
      const stored: string[] = [];
      for await (const row of db.query('SELECT summary_text FROM sales_lakehouse.gold.sales_summary')) stored.push(String(row['summary_text']));
      for await (const row of db.query('SELECT message || details || coalesce(error, \'\') AS t FROM sales_lakehouse._system.event_log')) stored.push(String(row['t']));
      expect(stored.join('\n')).toContain('my key is ***');
      expect(stored.join('\n')).not.toContain(OPENAI_KEY);
      expect(stored.join('\n')).not.toContain(LOCAL_SECRET);
    } finally {
      await db.close();
    }
    const written = [...(await filesUnder(join(local, 'dashboards'))), ...(await filesUnder(join(local, 'runs')))];
    expect(written.length).toBeGreaterThanOrEqual(2);
    for (const file of written) {
      const text = await readFile(file, 'utf8');
      expect(text, file).not.toContain(OPENAI_KEY);
      expect(text, file).not.toContain(LOCAL_SECRET);
    }
  });
});
