import { describe, expect, it } from 'vitest';
import { desiredResources } from '../../src/deploy/desired.ts';
import { settingsHash } from '../../src/deploy/hash.ts';
import { resolveResourceIds } from '../../src/deploy/interpolate.ts';
import { planDeploy, planSummary, type RemoteLookup } from '../../src/deploy/plan.ts';
import { bundlePaths } from '../../src/deploy/presets.ts';
import type { DeployState, DesiredResource } from '../../src/deploy/types.ts';
import { sampleFiles, sampleModel } from './helpers.ts';

const user = { userName: 'ann@example.com', shortName: 'ann' };
const paths = bundlePaths({ bundle: 'shop', target: 'dev', userName: user.userName });
const variables = { catalog: 'shop_cat', warehouse_id: 'wh1', kv_id: '/subscriptions/s/kv' };

function desired(version = 1, edit?: (m: ReturnType<typeof sampleModel>) => void): DesiredResource[] {
  const model = sampleModel();
  edit?.(model);
  return desiredResources({ model, files: sampleFiles(model, version), variables, user, paths });
}

const IDS: Record<string, string> = {
  'secret_scopes.kv': 'kv_scope',
  'pipelines.pl': 'pl-1',
  'dashboards.dash': 'dash-1',
  'jobs.wf': '101',
};
const idOf = (address: string) => IDS[address] ?? `/ws/${address}`;

/** State and remote as they are after a clean deploy of `resources`. */
function deployed(resources: DesiredResource[]): { state: DeployState; remote: Map<string, RemoteLookup> } {
  const state: DeployState = { version: 1, bundle: 'shop', target: 'dev', root_path: paths.root, serial: 1, resources: {} };
  const remote = new Map<string, RemoteLookup>();
  for (const r of resources) {
    const settings = resolveResourceIds(r.settings, (k, key) => IDS[`${k}.${key}`]);
    state.resources[r.address] = { id: idOf(r.address), hash: settingsHash(settings, r.payload), ...(r.kind === 'files' ? {} : { settings }), etag: '1' };
    remote.set(r.address, { object: { id: idOf(r.address), settings: structuredClone(settings), etag: '1' } });
  }
  return { state, remote };
}

const plan = (d: DesiredResource[], state: DeployState, remote: Map<string, RemoteLookup>) =>
  planDeploy({ bundle: 'shop', target: 'dev', root_path: paths.root, desired: d, state, remote });

const emptyState = (): DeployState => ({ version: 1, bundle: 'shop', target: 'dev', root_path: paths.root, serial: 0, resources: {} });

describe('planDeploy', () => {
  it('creates everything in dependency order on a first deploy', () => {
    const p = plan(desired(), emptyState(), new Map());
    expect(p.actions.map((a) => `${a.action} ${a.address}`)).toEqual([
      'create secret_scopes.kv',
      'create files.src/notebooks/ingest.py',
      'create files.src/pipelines/pl.sql',
      'create pipelines.pl',
      'create dashboards.dash',
      'create jobs.wf',
    ]);
  });

  it('changes nothing when state and workspace match the bundle', () => {
    const d = desired();
    const { state, remote } = deployed(d);
    const p = plan(d, state, remote);
    expect(planSummary(p)).toEqual({ create: 0, update: 0, replace: 0, delete: 0, noop: 6 });
  });

  it('updates a job whose definition changed, naming the field', () => {
    const { state, remote } = deployed(desired());
    const d = desired(1, (m) => {
      m.resources.jobs['wf']!.settings.tasks[0]!['timeout_seconds'] = 600;
    });
    const job = plan(d, state, remote).actions.find((a) => a.address === 'jobs.wf')!;
    expect(job.action).toBe('update');
    expect(job.changes).toEqual([{ path: 'tasks[ingest].timeout_seconds', after: 600, source: 'local' }]);
  });

  it('sees edits made in the workspace and puts them back', () => {
    const d = desired();
    const { state, remote } = deployed(d);
    remote.get('jobs.wf')!.object!.settings['name'] = 'renamed by hand';
    const job = plan(d, state, remote).actions.find((a) => a.address === 'jobs.wf')!;
    expect(job.action).toBe('update');
    expect(job.changes).toEqual([{ path: 'name', before: 'renamed by hand', after: '[dev ann] Workflow', source: 'remote' }]);
  });

  it('updates a file whose content changed', () => {
    const { state, remote } = deployed(desired(1));
    const file = plan(desired(2), state, remote).actions.find((a) => a.address === 'files.src/notebooks/ingest.py')!;
    expect(file).toMatchObject({ action: 'update', changes: [{ path: 'content', source: 'local' }] });
  });

  it('replaces a secret scope whose Key Vault changed, and says so per field', () => {
    const { state, remote } = deployed(desired());
    const d = desired(1, (m) => {
      m.resources.secret_scopes['kv']!.settings.keyvault_metadata!.dns_name = 'https://other.vault.azure.net/';
    });
    const scope = plan(d, state, remote).actions.find((a) => a.address === 'secret_scopes.kv')!;
    expect(scope.action).toBe('replace');
    expect(scope.changes).toEqual([
      { path: 'backend_azure_keyvault.dns_name', before: 'https://kv.vault.azure.net/', after: 'https://other.vault.azure.net/', source: 'local', recreate: true },
    ]);
  });

  it('updates a job that refers to a pipeline being created again', () => {
    const d = desired();
    const { state, remote } = deployed(d);
    remote.set('pipelines.pl', {});
    const p = plan(d, state, remote);
    expect(p.actions.find((a) => a.address === 'pipelines.pl')).toMatchObject({ action: 'create', reason: 'deleted outside dbx-ts; creating it again' });
    const job = p.actions.find((a) => a.address === 'jobs.wf')!;
    expect(job.action).toBe('update');
    expect(job.changes).toContainEqual({ path: 'tasks[pipeline].pipeline_task.pipeline_id', before: 'pl-1', after: '${resources.pipelines.pl.id}', source: 'local' });
  });

  it('deletes what the bundle no longer defines, dependents first', () => {
    const { state, remote } = deployed(desired());
    const d = desired().filter((r) => r.kind === 'secret_scopes');
    const p = plan(d, state, remote);
    expect(p.actions.filter((a) => a.action === 'delete').map((a) => a.address)).toEqual([
      'jobs.wf',
      'dashboards.dash',
      'pipelines.pl',
      'files.src/notebooks/ingest.py',
      'files.src/pipelines/pl.sql',
    ]);
  });

  it('adopts what exists without a state record instead of creating a copy', () => {
    const d = desired();
    const { remote } = deployed(d);
    for (const [address, lookup] of remote) remote.set(address, { ...lookup, adopted: true });
    const p = plan(d, emptyState(), remote);
    expect(p.actions.every((a) => a.adopted && a.action !== 'create')).toBe(true);
    expect(p.actions.find((a) => a.address === 'jobs.wf')).toMatchObject({ action: 'noop', id: '101' });
    // Contents were never recorded, so files and the dashboard are sent again.
    expect(p.actions.find((a) => a.address === 'dashboards.dash')?.action).toBe('update');
  });

  it('updates a dashboard edited in the workspace (its etag moved)', () => {
    const d = desired();
    const { state, remote } = deployed(d);
    remote.get('dashboards.dash')!.object!.etag = '7';
    expect(plan(d, state, remote).actions.find((a) => a.address === 'dashboards.dash')).toMatchObject({ action: 'update', changes: [{ path: 'serialized_dashboard', source: 'remote' }] });
  });
});
