// Ownership and isolation, end to end with the real CLI: dev and prod of the reference bundle in one fake
// workspace and one catalog (BUNDLE_VAR_catalog), next to a hand-made pipeline with the prod pipeline's name.
// Nothing is taken over by its name alone; dev writes its own schemas (dev_<user>_...), prod the declared ones;
// `destroy -t dev` removes dev's objects and nothing of prod's or the hand-made one.
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { bundlePaths } from '../../src/deploy/presets.ts';
import { DEFAULT_USER } from '../../src/emulator/index.ts';
import { scratchProject, type CliResult, captureCli } from '../build/helpers.ts';
import { describeRequest, fakeWorkspace, PREREQUISITES, writes, type FakeSetup } from '../deploy/fake.ts';

const REPO = await scratchProject();
const VARS = {
  BUNDLE_VAR_warehouse_id: 'wh-1234',
  BUNDLE_VAR_keyvault_resource_id: '/subscriptions/0000/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/sales-kv',
  BUNDLE_VAR_keyvault_dns_name: 'https://sales-kv.vault.azure.net/',
};
// Both targets in one catalog: development mode's schema prefix keeps them apart.
const CATALOG = 'sales_x';
const DEV = 'dev_emulator_user_';
const PIPELINE = 'pl_streaming_data_to_silver';
const prodPaths = bundlePaths({ bundle: 'sales_lakehouse', target: 'prod', userName: DEFAULT_USER.userName, rootPath: '/Workspace/Shared/.bundle/sales_lakehouse/prod' });

let setup: FakeSetup;

async function cli(target: 'dev' | 'prod', args: string[]): Promise<CliResult> {
  return captureCli([...args, '-t', target], { cwd: REPO, env: { ...setup.env, ...VARS, BUNDLE_VAR_catalog: CATALOG, HOME: '/nonexistent' } });
}

/** A pipeline someone made in the UI: no dbx-ts tags. */
async function handMadePipeline(allowDuplicateNames: boolean): Promise<string> {
  const created = await setup.client.pipelines.create({ name: PIPELINE, catalog: CATALOG, schema: 'silver', allow_duplicate_names: allowDuplicateNames, serverless: true });
  return created.pipeline_id!;
}

const pipelineNames = () => Object.values(setup.ws.state.pipelines).map((p) => String(p.spec['name'])).sort();

beforeEach(async () => {
  await rm(join(REPO, '.dbx-ts', 'state'), { recursive: true, force: true });
  setup = await fakeWorkspace({ unityCatalog: { catalogs: [...PREREQUISITES.unityCatalog.catalogs, CATALOG] } });
});
afterEach(async () => {
  await setup.ws.close();
});

describe('ownership across targets and hand-made objects', () => {
  it('prod stops before any change when a hand-made pipeline holds its pipeline name, and names the bind', async () => {
    const handMade = await handMadePipeline(false);
    const before = structuredClone(setup.ws.state.pipelines[handMade]!.spec);
    setup.ws.clearRequests();
    const result = await cli('prod', ['deploy', '--auto-approve']);
    expect(result.code).toBe(2);
    expect(result.stdout).toContain(`blocked pipelines.${PIPELINE} — blocked: a pipeline with this name exists (${handMade}) and is not this bundle's on target prod`);
    expect(result.stderr).toContain(`dbx-ts bind ${PIPELINE} ${handMade} -t prod`);
    // Nothing but taking and releasing the lock.
    expect(writes(setup.ws.requests).map(describeRequest)).toEqual([
      `POST /api/2.0/workspace/import ${prodPaths.state}/deploy.lock`,
      `POST /api/2.0/workspace/mkdirs ${prodPaths.state}`,
      `POST /api/2.0/workspace/import ${prodPaths.state}/deploy.lock`,
      `POST /api/2.0/workspace/delete ${prodPaths.state}/deploy.lock`,
    ]);
    expect(setup.ws.state.pipelines[handMade]!.spec).toEqual(before);
  });

  it('dev and prod side by side: lost state adopts only its own pipeline, and destroy -t dev leaves prod and the hand-made pipeline', async () => {
    expect((await cli('prod', ['deploy', '--auto-approve'])).code).toBe(0);
    // Someone copies the prod pipeline by hand, under the same name.
    const handMade = await handMadePipeline(true);
    const handMadeSpec = structuredClone(setup.ws.state.pipelines[handMade]!.spec);

    // Prod loses its state: its own pipeline is found by its tags, never the hand-made one.
    await setup.client.workspace.delete({ path: `${prodPaths.state}/deployment.json` });
    await rm(join(REPO, '.dbx-ts', 'state', 'prod.json'), { force: true });
    const stopped = await cli('prod', ['deploy', '--auto-approve']);
    expect(stopped.stdout).toMatch(new RegExp(`adopt\\s+pipelines\\.${PIPELINE} — not in the deploy state`));
    expect(stopped.code).toBe(2); // the scope, schemas and volume have no tags: they need a bind
    for (const line of stopped.stderr.split('\n').map((l) => l.trim()).filter((l) => l.startsWith('dbx-ts bind '))) {
      const [, , key, id] = line.split(' ');
      expect((await cli('prod', ['bind', key!, id!])).code).toBe(0);
    }
    expect((await cli('prod', ['deploy', '--auto-approve'])).code).toBe(0);
    expect(setup.ws.state.pipelines[handMade]!.spec).toEqual(handMadeSpec);
    const prodPipelineIds = Object.keys(setup.ws.state.pipelines).filter((id) => id !== handMade);
    expect(prodPipelineIds).toHaveLength(1);

    // dev: the same catalog, its own schemas; the Key Vault scope exists (prod's) and is bound, not taken by name.
    const devFirst = await cli('dev', ['deploy', '--auto-approve']);
    expect(devFirst.code).toBe(2);
    expect(devFirst.stderr).toContain('dbx-ts bind adls_scope adls_scope -t dev');
    const bound = await cli('dev', ['bind', 'adls_scope', 'adls_scope']);
    expect(bound.stderr).toContain('also recorded by target prod');
    expect((await cli('dev', ['deploy', '--auto-approve'])).code).toBe(0);
    expect(pipelineNames()).toEqual([`[dev emulator_user] ${PIPELINE}`, PIPELINE, PIPELINE]);
    expect(Object.keys(setup.ws.state.unityCatalog!.schemas).filter((s) => s.startsWith(`${CATALOG}.${DEV}`))).toHaveLength(4);
    expect(Object.keys(setup.ws.state.unityCatalog!.volumes).sort()).toEqual([`${CATALOG}.${DEV}landing.raw`, `${CATALOG}.landing.raw`]);
    // Everything that reads or writes data follows its target's schemas: the pipeline, the notebook tasks, the dashboard.
    const pipelineOf = (name: string) => Object.values(setup.ws.state.pipelines).find((p) => p.spec['name'] === name && p.pipeline_id !== handMade)!.spec;
    for (const [name, prefix] of [[`[dev emulator_user] ${PIPELINE}`, DEV], [PIPELINE, '']] as const) {
      const spec = pipelineOf(name);
      expect(spec['schema']).toBe(`${prefix}silver`);
      expect(spec['configuration']).toMatchObject({ catalog: CATALOG, schema_bronze: `${prefix}bronze`, schema_silver: `${prefix}silver`, landing_root: `/Volumes/${CATALOG}/${prefix}landing/raw` });
    }
    const jobOf = (name: string) => Object.values(setup.ws.state.jobs).find((j) => j.settings['name'] === name)!;
    for (const [name, prefix] of [['[dev emulator_user] Unified_Workflow_Job', DEV], ['Unified_Workflow_Job', '']] as const) {
      const tasks = jobOf(name).settings['tasks'] as { task_key: string; notebook_task?: { base_parameters?: Record<string, string> } }[];
      const gold = tasks.find((t) => t.task_key === 'batch_and_stream_processing')!;
      expect(gold.notebook_task!.base_parameters).toMatchObject({ catalog: CATALOG, schema_gold: `${prefix}gold`, schema_silver: `${prefix}silver` });
    }
    const active = Object.values(setup.ws.state.dashboards).filter((d) => d.lifecycle_state === 'ACTIVE');
    const datasets = Object.fromEntries(active.map((d) => [d.display_name, (JSON.parse(d.serialized_dashboard) as { datasets: { catalog?: string; schema?: string; queryLines: string[] }[] }).datasets]));
    expect(datasets['[dev emulator_user] Sales lakehouse']!.map((d) => [d.catalog, d.schema])).toEqual(Array(5).fill([CATALOG, `${DEV}gold`]));
    expect(datasets['Sales lakehouse']!.map((d) => [d.catalog, d.schema])).toEqual(Array(5).fill([CATALOG, 'gold']));
    expect(JSON.stringify(datasets)).not.toMatch(/FROM [^ ]*\./);

    const destroyed = await cli('dev', ['destroy', '--auto-approve']);
    expect(destroyed.code).toBe(0);
    expect(destroyed.stderr).toContain('Not deleting secret_scopes.adls_scope (adls_scope): target prod also records it');
    // Prod and the hand-made pipeline are untouched; dev is gone.
    expect(pipelineNames()).toEqual([PIPELINE, PIPELINE]);
    expect(setup.ws.state.pipelines[handMade]!.spec).toEqual(handMadeSpec);
    expect(Object.values(setup.ws.state.jobs).map((j) => j.settings['name'])).toEqual(['Unified_Workflow_Job']);
    expect(Object.keys(setup.ws.state.secretScopes)).toEqual(['adls_scope']);
    expect(Object.keys(setup.ws.state.unityCatalog!.schemas).sort()).toEqual(['bronze', 'gold', 'landing', 'silver'].map((s) => `${CATALOG}.${s}`));
    expect(Object.keys(setup.ws.state.unityCatalog!.volumes)).toEqual([`${CATALOG}.landing.raw`]);
    expect(Object.values(setup.ws.state.dashboards).filter((d) => d.lifecycle_state === 'ACTIVE').map((d) => d.display_name)).toEqual(['Sales lakehouse']);
    // And prod still deploys cleanly.
    expect((await cli('prod', ['plan'])).stdout).toContain('no changes');
  });
});
