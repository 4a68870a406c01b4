// Output for scripts through the real CLI against the fake workspace: validate -o json is the resolved
// configuration, plan -o json is a plan file that deploy --plan applies (and refuses once stale), --select
// narrows plan and deploy, errors go to stderr with nothing on stdout, no colour codes when not a terminal.
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { bundlePaths } from '../../src/deploy/presets.ts';
import { DEFAULT_USER } from '../../src/emulator/index.ts';
import { scratchProject, type CliResult, captureCli } from '../build/helpers.ts';
import { census, fakeWorkspace, type FakeSetup } from '../deploy/fake.ts';

const REPO = await scratchProject();
const CACHE = join(REPO, '.dbx-ts', 'state', 'dev.json');
const paths = bundlePaths({ bundle: 'sales_lakehouse', target: 'dev', userName: DEFAULT_USER.userName });
const VARS = {
  BUNDLE_VAR_warehouse_id: 'wh-1234',
  BUNDLE_VAR_keyvault_resource_id: '/subscriptions/0000/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/sales-kv',
  BUNDLE_VAR_keyvault_dns_name: 'https://sales-kv.vault.azure.net/',
};
const ESC = String.fromCharCode(27);

let setup: FakeSetup;

async function cli(args: string[], extraEnv: Record<string, string> = {}, isTTY = false): Promise<CliResult> {
  // The test runner's own colour settings are not the user's.
  const env: NodeJS.ProcessEnv = { ...setup.env, ...VARS, HOME: '/nonexistent', ...extraEnv };
  for (const name of ['CI', 'NO_COLOR', 'FORCE_COLOR']) if (!(name in extraEnv)) delete env[name];
  return captureCli(args, { cwd: REPO, env, isTTY });
}

async function dropLocalCache(): Promise<void> {
  await rm(CACHE, { force: true });
}

beforeEach(async () => {
  setup = await fakeWorkspace();
  await dropLocalCache();
});
afterEach(async () => {
  await setup.ws.close();
});
afterAll(dropLocalCache);

describe('validate -o json', () => {
  it('prints one JSON document: the configuration resolved for the target, with its resources and variable values', async () => {
    const result = await cli(['validate', '-t', 'dev', '-o', 'json']);
    expect(result.code).toBe(0);
    const doc = JSON.parse(result.stdout) as { bundle: { name: string; target: string }; resources: Record<string, Record<string, unknown>>; variables: Record<string, { value?: unknown }>; targets?: unknown };
    expect(doc.bundle).toMatchObject({ name: 'sales_lakehouse', target: 'dev' });
    expect(doc.targets).toBeUndefined();
    expect(Object.keys(doc.resources.jobs!)).toEqual(['unified-workflow']);
    expect(Object.keys(doc.resources.pipelines!)).toEqual(['pl_streaming_data_to_silver']);
    expect(doc.variables['warehouse_id']!.value).toBe('wh-1234');
    // Variable references are resolved; paths are relative to the bundle root.
    expect(JSON.stringify(doc.resources)).not.toContain('${var.');
    expect(result.stderr).toContain('Validation OK');
  });

  it('reports a bad option on stderr, once, with nothing on stdout', async () => {
    const result = await cli(['validate', '-t', 'dev', '-o', 'yaml']);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe('error: --output yaml: expected text or json\n');
  });
});

describe('plan files', () => {
  it('plan -o json writes a plan that deploy --plan applies, and nothing else', async () => {
    const planned = await cli(['plan', '-t', 'dev', '-o', 'json']);
    expect(planned.code).toBe(0);
    const plan = JSON.parse(planned.stdout) as { plan_version: number; serial: number; plan: Record<string, { action: string }>; summary: { create: number } };
    expect(plan.plan_version).toBe(1);
    expect(plan.plan['resources.jobs.unified-workflow']!.action).toBe('create');
    expect(plan.summary.create).toBeGreaterThan(5);
    // The plan's progress went to stderr: stdout is the document alone.
    expect(planned.stderr).toContain('Plan for bundle sales_lakehouse');
    const file = join(REPO, 'plan.json');
    await writeFile(file, planned.stdout);

    const applied = await cli(['deploy', '-t', 'dev', '--plan', file, '-o', 'json']);
    expect(applied.stderr).not.toContain('error');
    expect(applied.code).toBe(0);
    const doc = JSON.parse(applied.stdout) as { applied: { done: string[] }; plan: Record<string, unknown> };
    expect(doc.applied.done).toContain('resources.jobs.unified-workflow');
    expect(Object.keys(doc.plan).sort()).toEqual(Object.keys(plan.plan).sort());
    expect(census(setup.ws, paths.files).jobs).toEqual(['[dev emulator_user] Unified_Workflow_Job']);

    // The same plan again: the workspace has changed since (it was applied), so it is refused.
    const again = await cli(['deploy', '-t', 'dev', '--plan', file]);
    expect(again.code).toBe(2);
    // A refusal prints nothing on stdout (not even the plan it made under the lock): the error is on stderr alone.
    expect(again.stdout).toBe('');
    expect(again.stderr).toContain(`Deploy refused: ${file} is not what deploying now would do, so nothing was changed.`);
    expect(again.stderr).toMatch(/another deploy ran/);
    expect(again.stderr).toContain('resources.jobs.unified-workflow: planned to create, would now noop');
  });

  it('refuses a plan made for another version of the bundle, before any change', async () => {
    const planned = await cli(['plan', '-t', 'dev', '-o', 'json']);
    const file = join(REPO, 'plan-old.json');
    await writeFile(file, planned.stdout);
    const refused = await cli(['deploy', '-t', 'dev', '--plan', file], { BUNDLE_VAR_warehouse_id: 'wh-target' });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('the bundle changed since the plan was made');
    expect(refused.stdout).toBe('');
    expect(census(setup.ws, paths.files).jobs).toEqual([]);
  });

  it('names a file that is not a plan', async () => {
    const file = join(REPO, 'not-a-plan.json');
    await writeFile(file, '{"hello": 1}');
    const refused = await cli(['deploy', '-t', 'dev', '--plan', file]);
    expect(refused.code).toBe(2);
    expect(refused.stdout).toBe('');
    expect(refused.stderr).toContain(`--plan ${file}: not a dbx-ts plan`);
  });
});

describe('--select', () => {
  it('plans and deploys only the selected resources and the files they use', async () => {
    const planned = await cli(['plan', '-t', 'dev', '--select', 'landing', '-o', 'json']);
    expect(planned.code).toBe(0);
    const plan = JSON.parse(planned.stdout) as { select: string[]; plan: Record<string, { action: string }> };
    expect(plan.select).toEqual(['landing']);
    expect(Object.keys(plan.plan)).toEqual(['resources.schemas.landing']);

    const deployed = await cli(['deploy', '-t', 'dev', '--select', 'schemas.landing']);
    expect(deployed.code).toBe(0);
    const after = census(setup.ws, paths.files);
    // Development mode: this user's own schema.
    expect(after.schemas).toEqual(['sales_lakehouse.dev_emulator_user_landing']);
    expect(after.jobs).toEqual([]);
  });

  it('refuses a selection whose resources need unselected ones created first, and an unknown key', async () => {
    const missing = await cli(['deploy', '-t', 'dev', '--select', 'raw']);
    expect(missing.code).toBe(2);
    expect(missing.stdout).toBe('');
    expect(missing.stderr).toContain('volumes.raw needs schemas.landing');
    const unknown = await cli(['plan', '-t', 'dev', '--select', 'nope']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('--select nope: no resource of the bundle has this key');
  });
});

describe('colour', () => {
  it('writes no escape codes when output is not a terminal, and colours when FORCE_COLOR asks', async () => {
    await writeFile(join(REPO, 'plan-colour.json'), '{}');
    const plain = await cli(['deploy', '-t', 'dev', '--plan', join(REPO, 'plan-colour.json')]);
    expect(plain.stderr + plain.stdout).not.toContain(ESC);
    const forced = await cli(['deploy', '-t', 'dev', '--plan', join(REPO, 'plan-colour.json')], { FORCE_COLOR: '1' });
    expect(forced.stderr).toContain(`${ESC}[`);
    const refused = await cli(['deploy', '-t', 'dev', '--plan', join(REPO, 'plan-colour.json')], { NO_COLOR: '1' }, true);
    expect(refused.stderr).not.toContain(ESC);
    expect(JSON.parse(await readFile(join(REPO, 'plan-colour.json'), 'utf8'))).toEqual({});
  });
});

describe('event streams and query output', () => {
  it('--json streams events without debug lines, unless --debug or --log-level debug asks for them', async () => {
    const levels = (stdout: string) => stdout.trim().split('\n').map((line) => (JSON.parse(line) as { level: string; code: string }).level);
    const quiet = await cli(['plan', '-t', 'dev', '--json']);
    expect(quiet.code).toBe(0);
    expect(levels(quiet.stdout)).not.toContain('debug');
    expect(quiet.stdout.trim().split('\n').map((l) => (JSON.parse(l) as { code: string }).code)).toContain('deploy.plan');
    const debug = await cli(['--debug', 'plan', '-t', 'dev', '--json']);
    expect(levels(debug.stdout)).toContain('debug');
    const level = await cli(['plan', '-t', 'dev', '--json', '--log-level', 'debug']);
    expect(levels(level.stdout)).toContain('debug');
    const both = await cli(['plan', '-t', 'dev', '--json', '-o', 'json']);
    expect(both.code).toBe(2);
    expect(both.stdout).toBe('');
  });

  it('query -o table|json|ndjson|csv, and the former --format still works', async () => {
    const env = { DBX_TS_LOCAL_DIR: join(REPO, '.dbx-ts', 'local') };
    const sql = "SELECT 42 AS n, 'https://example.com/a/very/long/path/that/must/never/be/cut/in/a/table' AS url";
    const json = await cli(['query', sql, '-o', 'json'], env);
    expect(json.stderr).toBe('');
    expect(JSON.parse(json.stdout)).toEqual([{ n: 42, url: 'https://example.com/a/very/long/path/that/must/never/be/cut/in/a/table' }]);
    expect((await cli(['query', sql, '-o', 'ndjson'], env)).stdout.trim().split('\n')).toHaveLength(1);
    expect((await cli(['query', sql, '--format', 'csv'], env)).stdout).toBe('n,url\r\n42,https://example.com/a/very/long/path/that/must/never/be/cut/in/a/table\r\n');
    const table = await cli(['query', sql], env);
    expect(table.stdout).toContain('https://example.com/a/very/long/path/that/must/never/be/cut/in/a/table');
    const bad = await cli(['query', sql, '-o', 'xml'], env);
    expect(bad.code).toBe(2);
    expect(bad.stdout).toBe('');
    expect(bad.stderr).toContain('--output xml: expected one of table, json, ndjson, csv');
  });
});
