// Finding deployed ids in the deploy state kept in the workspace: under the user's bundle folder by default,
// under an interpolated root_path when the target sets one, and a clear error when nothing was deployed.
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_USER } from '../../src/emulator/index.ts';
import { UserError } from '../../src/errors/index.ts';
import { deployedIds, requireDeployedJob } from '../../src/run/deployed-ids.ts';
import { sampleModel, virtualWorkspace, type VirtualSetup } from './helpers.ts';

let setup: VirtualSetup | undefined;
afterEach(async () => {
  await setup?.ws.close();
  setup = undefined;
});

async function writeState(s: VirtualSetup, dir: string, target: string, resources: Record<string, { id: string; hash: string }>) {
  await s.client.workspace.mkdirs({ path: dir });
  const state = { version: 1, bundle: 'sales_lakehouse', target, root_path: dir, serial: 3, lineage: 'l-1', resources };
  await s.client.workspace.import({ path: `${dir}/deployment.json`, content: Buffer.from(JSON.stringify(state)), format: 'RAW', overwrite: true });
}

describe('deployed ids', () => {
  it('reads the state under the user\'s bundle folder for a target without root_path', async () => {
    setup = await virtualWorkspace();
    await writeState(setup, `/Workspace/Users/${DEFAULT_USER.userName}/.bundle/sales_lakehouse/dev/state`, 'dev', {
      'jobs.unified-workflow': { id: '9007199254740993', hash: 'h' },
      'pipelines.pl': { id: 'p-1', hash: 'h' },
    });
    const lookup = deployedIds({ client: setup.client, model: sampleModel(), repoRoot: '/nonexistent' });
    expect(await lookup('jobs', 'unified-workflow')).toBe('9007199254740993');
    expect(await lookup('pipelines', 'pl')).toBe('p-1');
    expect(await lookup('jobs', 'other')).toBeUndefined();
    // Read once (with its journal, in case a deploy was interrupted), answered from memory afterwards.
    expect(setup.ws.requests.filter((r) => r.path === '/api/2.0/workspace/export' && String(r.query['path']).endsWith('/deployment.json'))).toHaveLength(1);
  });

  it('follows a root_path that uses ${bundle.name} and ${bundle.target}', async () => {
    setup = await virtualWorkspace();
    await writeState(setup, '/Workspace/Shared/.bundle/sales_lakehouse/prod/state', 'prod', { 'jobs.unified-workflow': { id: '42', hash: 'h' } });
    const model = sampleModel();
    model.target = { ...model.target, name: 'prod', mode: 'production', workspace: { root_path: '/Workspace/Shared/.bundle/${bundle.name}/${bundle.target}' } };
    const lookup = deployedIds({ client: setup.client, model, repoRoot: '/nonexistent' });
    expect(await requireDeployedJob(lookup, model, 'unified-workflow')).toBe('42');
  });

  it('says to deploy first when the job is not in the state', async () => {
    setup = await virtualWorkspace();
    const model = sampleModel();
    const lookup = deployedIds({ client: setup.client, model, repoRoot: '/nonexistent' });
    const error = await requireDeployedJob(lookup, model, 'unified-workflow').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UserError);
    expect((error as UserError).hint).toBe('Deploy the bundle first: dbx-ts deploy -t dev');
  });
});
