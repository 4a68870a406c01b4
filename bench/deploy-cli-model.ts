// The baseline of bench:deploy: the request schedule of `databricks bundle deploy` with the direct engine,
// modelled from databricks/cli (read, not copied) and replayed against the same fake workspace as dbx-ts:
//
//   1. who am I (scim/Me)
//   2. state pull (cmd/bundle/deploy.go AlwaysPull, statemgmt/state_pull.go): resources.json and
//      terraform.tfstate read in parallel, then deployment.json (plan phase, deploy/state_pull.go); each read
//      is a get-status then an export (libs/filer/workspace_files_client.go Read), or only the get-status
//      when the file is missing
//   3. lock (libs/locker): import-file deploy.lock without overwrite (404 → mkdirs → import again when the
//      folder is new), then read it back (get-status + export)
//   4. file sync (libs/sync): get-status of the files root (mkdirs when missing), mkdirs of new leaf folders,
//      then one import-file per new or changed file, 20 in flight (MaxRequestsInFlight); unchanged files are
//      known from the local snapshot and cost nothing
//   5. deployment.json pushed (deploy/state_push.go), resources folder made (deploy/resource_path_mkdir.go)
//   6. plan (direct/bundle_plan.go): one read per resource recorded in the state, 10 in flight in dependency
//      order (defaultParallelism); new resources are not read, nothing is adopted
//   7. apply (direct/bundle_apply.go): one create / update / delete call per resource, 10 in flight in
//      dependency order; state entries go to a local write-ahead log
//   8. resources.json written once (statemgmt PushResourcesState), metadata.json uploaded (metadata/upload.go)
//   9. unlock: get-status, read back (get-status + export), delete
//
// Resource calls go through dbx-ts' adapters, which make one API call per create, update, read and delete as
// the CLI's do; files and state files go through plain workspace calls.
import { ADAPTERS, Memo, type AdapterContext } from '../src/deploy/adapters/index.ts';
import { settingsHash } from '../src/deploy/hash.ts';
import { resolveResourceIds } from '../src/deploy/interpolate.ts';
import type { BundlePaths, DesiredResource } from '../src/deploy/types.ts';
import { isNotFound, type WorkspaceClient } from '../src/workspace/index.ts';

const UPLOADS_IN_FLIGHT = 20;
const RESOURCE_CALLS_IN_FLIGHT = 10;

/** What the CLI keeps between deploys: its local sync snapshot and its state (ids and applied hashes). */
export interface CliMemory {
  snapshot: Map<string, string>;
  resources: Map<string, { id: string; hash: string }>;
}

export function emptyCliMemory(): CliMemory {
  return { snapshot: new Map(), resources: new Map() };
}

export interface CliDeployResult {
  uploads: number;
  resourceCalls: number;
}

export async function modelledCliDeploy(client: WorkspaceClient, paths: BundlePaths, desired: DesiredResource[], memory: CliMemory): Promise<CliDeployResult> {
  await client.scim.me();
  await Promise.all([readFile(client, `${paths.state}/resources.json`), readFile(client, `${paths.state}/terraform.tfstate`)]);
  await readFile(client, `${paths.state}/deployment.json`);
  await lock(client, paths);

  const files = desired.filter((d) => d.kind === 'files');
  const changed = files.filter((f) => memory.snapshot.get(f.address) !== settingsHash(f.settings, f.payload));
  const known = await exists(client, paths.files);
  if (!known) await client.workspace.mkdirs({ path: paths.files });
  const newFolders = [...new Set(changed.filter((f) => !memory.snapshot.has(f.address)).map((f) => parentOf(String(f.settings['path']))))];
  await limit(newFolders, UPLOADS_IN_FLIGHT, (dir) => client.workspace.mkdirs({ path: dir }));
  await limit(changed, UPLOADS_IN_FLIGHT, async (f) => {
    await upload(client, f);
    memory.snapshot.set(f.address, settingsHash(f.settings, f.payload));
  });
  await writeFile(client, `${paths.state}/deployment.json`, JSON.stringify([...memory.snapshot]));
  await client.workspace.mkdirs({ path: paths.resources });

  const ctx: AdapterContext = { client, creator: client, memo: new Memo() };
  const resources = desired.filter((d) => d.kind !== 'files');
  const remote = new Map<string, boolean>();
  await inDependencyOrder(resources, async (r) => {
    const recorded = memory.resources.get(r.address);
    if (recorded) remote.set(r.address, (await ADAPTERS[r.kind].read(ctx, recorded.id)) !== undefined);
  });
  let resourceCalls = 0;
  await inDependencyOrder(resources, async (r) => {
    const recorded = memory.resources.get(r.address);
    const settings = resolveResourceIds(r.settings, (kind, key) => memory.resources.get(`${kind}.${key}`)?.id);
    const wanted = { ...r, settings };
    const hash = settingsHash(settings, r.payload);
    if (recorded && remote.get(r.address) && recorded.hash === hash) return;
    resourceCalls += 1;
    const result = recorded && remote.get(r.address) ? await ADAPTERS[r.kind].update(ctx, recorded.id, wanted, undefined) : await ADAPTERS[r.kind].create(ctx, wanted);
    memory.resources.set(r.address, { id: result.id, hash });
  });
  const gone = [...memory.resources.keys()].filter((address) => !desired.some((d) => d.address === address) && !address.startsWith('files.'));
  await limit(gone, RESOURCE_CALLS_IN_FLIGHT, async (address) => {
    const kind = address.slice(0, address.indexOf('.')) as DesiredResource['kind'];
    await ADAPTERS[kind].delete(ctx, memory.resources.get(address)!.id);
    memory.resources.delete(address);
    resourceCalls += 1;
  });

  await writeFile(client, `${paths.state}/resources.json`, JSON.stringify([...memory.resources]));
  await writeFile(client, `${paths.state}/metadata.json`, '{"version":1}');
  await unlock(client, paths);
  return { uploads: changed.length, resourceCalls };
}

async function lock(client: WorkspaceClient, paths: BundlePaths): Promise<void> {
  const path = `${paths.state}/deploy.lock`;
  try {
    await writeFile(client, path, '{"ID":"bench"}', false);
  } catch (error) {
    if (!isNotFound(error)) throw error;
    await client.workspace.mkdirs({ path: paths.state });
    await writeFile(client, path, '{"ID":"bench"}', false);
  }
  await readFile(client, path);
}

async function unlock(client: WorkspaceClient, paths: BundlePaths): Promise<void> {
  const path = `${paths.state}/deploy.lock`;
  await exists(client, path);
  await readFile(client, path);
  await client.workspace.delete({ path, recursive: false });
}

async function exists(client: WorkspaceClient, path: string): Promise<boolean> {
  try {
    await client.workspace.getStatus({ path });
    return true;
  } catch (error) {
    if (isNotFound(error)) return false;
    throw error;
  }
}

/** The filer's Read: a get-status, then the export when the file exists. */
async function readFile(client: WorkspaceClient, path: string): Promise<void> {
  if (await exists(client, path)) await client.workspace.export({ path, format: 'SOURCE' });
}

function writeFile(client: WorkspaceClient, path: string, text: string, overwrite = true): Promise<unknown> {
  return client.http.json({
    method: 'POST',
    path: `/api/2.0/workspace-files/import-file/${encodeURI(path.replace(/^\//, ''))}`,
    query: { overwrite: String(overwrite) },
    rawBody: { data: text, contentType: 'application/octet-stream' },
    idempotent: overwrite,
  });
}

function upload(client: WorkspaceClient, f: DesiredResource): Promise<unknown> {
  const notebook = f.settings['object_type'] === 'NOTEBOOK';
  return client.workspace.import({
    path: String(f.settings['path']),
    content: typeof f.payload === 'string' || f.payload === undefined ? Buffer.from(f.payload ?? '', 'utf8') : f.payload,
    overwrite: true,
    ...(notebook ? { format: 'SOURCE' as const, language: f.settings['language'] as 'PYTHON' } : { format: 'RAW' as const }),
  });
}

function parentOf(path: string): string {
  return path.slice(0, path.lastIndexOf('/'));
}

async function limit<T>(items: readonly T[], inFlight: number, fn: (item: T) => Promise<unknown>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await fn(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(inFlight, items.length) }, worker));
}

/** Runs `fn` for each resource once everything it depends on (among `items`) has finished, 10 at a time. */
async function inDependencyOrder(items: DesiredResource[], fn: (r: DesiredResource) => Promise<void>): Promise<void> {
  const addresses = new Set(items.map((i) => i.address));
  const done = new Set<string>();
  const waiting = [...items];
  let running = 0;
  await new Promise<void>((resolve, reject) => {
    const pump = () => {
      for (const item of [...waiting]) {
        if (running >= RESOURCE_CALLS_IN_FLIGHT) break;
        if (!item.dependsOn.every((d) => done.has(d) || !addresses.has(d))) continue;
        waiting.splice(waiting.indexOf(item), 1);
        running += 1;
        fn(item).then(() => {
          running -= 1;
          done.add(item.address);
          pump();
        }, reject);
      }
      if (running === 0 && waiting.length === 0) resolve();
      else if (running === 0) reject(new Error(`unresolvable dependencies: ${waiting.map((w) => w.address).join(', ')}`));
    };
    pump();
  });
}
