// The local target goes through the same plan/apply and REST client, to the in-process fake workspace whose
// state is kept on disk between processes.
import { mkdtemp, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadBundle } from '../../src/cli/load-bundle.ts';
import { deployBundle } from '../../src/deploy/deploy.ts';
import { openLocalWorkspace } from '../../src/deploy/local.ts';
import { resolve } from '../../src/model/resolve.ts';

const REPO = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

describe('deploy -t local', () => {
  it('deploys the reference bundle to the local workspace and remembers it across processes', async () => {
    const root = await mkdtemp(join(tmpdir(), 'dbx-ts-local-'));
    const { model } = resolve((await loadBundle(REPO)).bundle, 'local');
    expect(model.target.local).toBe(true);

    const first = await openLocalWorkspace(root);
    const created = await deployBundle({ model, repoRoot: REPO, cacheDir: join(root, 'cache'), client: first.client, creator: first.creator, env: {} });
    expect(created.plan.actions.filter((a) => a.action === 'create')).toHaveLength(16);
    expect(created.paths.root).toBe('/Workspace/Users/emulator-user@example.com/.bundle/sales_lakehouse/local');
    expect(Object.values(first.workspace.state.jobs).map((j) => j.settings['name'])).toEqual(['[dev emulator_user] Unified_Workflow_Job']);
    // The schemas and the landing volume, in the local target's catalog (which exists on demand locally).
    expect(Object.keys(first.workspace.state.unityCatalog!.schemas).sort()).toEqual(['sales_lakehouse.bronze', 'sales_lakehouse.gold', 'sales_lakehouse.landing', 'sales_lakehouse.silver']);
    expect(Object.keys(first.workspace.state.unityCatalog!.volumes)).toEqual(['sales_lakehouse.landing.raw']);
    expect(Object.values(first.workspace.state.pipelines)[0]!.spec['schema']).toBe('silver');
    await first.close();
    expect((await readdir(first.dir)).sort()).toContain('state.json');

    // As in a new process: a new server, the same workspace state.
    const second = await openLocalWorkspace(root);
    const again = await deployBundle({ model, repoRoot: REPO, cacheDir: join(root, 'cache'), client: second.client, creator: second.creator, env: {} });
    expect(again.stateSource).toBe('workspace');
    expect(again.plan.actions.every((a) => a.action === 'noop')).toBe(true);
    await second.close();
  });
});
