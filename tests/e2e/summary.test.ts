// Bundle views through the real CLI against the fake workspace: summary lists every resource with its key, id,
// URL and state (text and -o json), open prints a deployed resource's URL and refuses one that is not deployed.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EXIT } from '../../src/cli/exit-codes.ts';
import type { BundleSummary } from '../../src/run/summary.ts';
import { fakeWorkspace, type FakeSetup } from '../deploy/fake.ts';
import { scratchProject, type CliResult, captureCli } from '../build/helpers.ts';

const VARS = {
  BUNDLE_VAR_warehouse_id: 'wh-1234',
  BUNDLE_VAR_keyvault_resource_id: '/subscriptions/0000/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/sales-kv',
  BUNDLE_VAR_keyvault_dns_name: 'https://sales-kv.vault.azure.net/',
};

let repo: string;
let setup: FakeSetup;

async function cli(args: string[]): Promise<CliResult> {
  return captureCli(args, { cwd: repo, env: { ...setup.env, ...VARS, HOME: '/nonexistent', CI: '1' } });
}

beforeEach(async () => {
  repo = await scratchProject();
  setup = await fakeWorkspace();
});
afterEach(async () => {
  await setup.ws.close();
});

describe('summary and open', () => {
  it('summary lists every resource, not deployed before the first deploy and with id and URL after it', async () => {
    const before = await cli(['summary', '-t', 'dev', '-o', 'json']);
    expect(before.code, before.stderr).toBe(EXIT.ok);
    const empty = JSON.parse(before.stdout) as BundleSummary;
    expect(empty.resources.map((r) => `${r.kind}.${r.key}`)).toContain('jobs.unified-workflow');
    expect(new Set(empty.resources.map((r) => r.state))).toEqual(new Set(['not deployed']));

    expect((await cli(['deploy', '-t', 'dev', '--auto-approve'])).code).toBe(EXIT.ok);
    const after = JSON.parse((await cli(['summary', '-t', 'dev', '-o', 'json'])).stdout) as BundleSummary;
    expect(after).toMatchObject({ bundle: 'sales_lakehouse', target: 'dev', host: setup.ws.url });
    const job = after.resources.find((r) => r.kind === 'jobs')!;
    expect(job).toMatchObject({ key: 'unified-workflow', state: 'deployed', url: `${setup.ws.url}/jobs/${job.id}` });
    const schema = after.resources.find((r) => r.kind === 'schemas' && r.key === 'landing')!;
    // dev is a development target: its schemas carry the user's prefix (dev_<short name>_), as the CLI's presets do.
    expect(schema.url).toBe(`${setup.ws.url}/explore/data/sales_lakehouse/dev_emulator_user_landing`);
    expect(after.resources.every((r) => r.state === 'deployed' && r.id)).toBe(true);

    const text = await cli(['summary', '-t', 'dev']);
    expect(text.stdout).toMatch(new RegExp(`^jobs\\.unified-workflow\\s+deployed\\s+${job.id}\\s+${setup.ws.url.replace(/[.]/g, '\\.')}/jobs/${job.id}$`, 'm'));
  });

  it('open prints the URL of a deployed resource, and refuses one that is not deployed', async () => {
    const notYet = await cli(['open', 'unified-workflow', '-t', 'dev']);
    expect(notYet.code).toBe(EXIT.usage);
    expect(notYet.stdout).toBe('');
    expect(notYet.stderr).toContain('jobs.unified-workflow is not deployed to target "dev".');
    expect((await cli(['deploy', '-t', 'dev', '--auto-approve'])).code).toBe(EXIT.ok);
    const opened = await cli(['open', 'pl_streaming_data_to_silver', '-t', 'dev']);
    expect(opened.code, opened.stderr).toBe(EXIT.ok);
    expect(opened.stdout).toMatch(new RegExp(`^${setup.ws.url.replace(/[.]/g, '\\.')}/pipelines/[0-9a-f-]+\\n$`));
    const unknown = await cli(['open', 'nope', '-t', 'dev']);
    expect(unknown.code).toBe(EXIT.usage);
    expect(unknown.stderr).toContain('No resource "nope"');
    const scope = await cli(['open', 'adls_scope', '-t', 'dev']);
    expect(scope.code).toBe(EXIT.usage);
    expect(scope.stderr).toContain('secret_scopes.adls_scope has no page in the workspace');
  });
});
