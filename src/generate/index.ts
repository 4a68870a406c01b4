// dbx-ts generate job|pipeline|dashboard: a resource made in the workspace becomes part of the TypeScript
// definition, as `databricks bundle generate` makes it part of a YAML bundle: its settings are read, the
// notebooks and files it uses are downloaded, a module declaring it is written under the config folder, and
// the bundle's entry file gets the two lines that declare it.
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { UserError } from '../errors/index.ts';
import { emitResourceFunction } from '../import/emit.ts';
import type { WorkspaceClient } from '../workspace/index.ts';
import { isNotFound, toInt64 } from '../workspace/index.ts';
import { Downloader } from './download.ts';
import { dashboardSettings, jobSettings, pipelineSettings } from './settings.ts';
import { wireEntry, type Wiring } from './wire.ts';

export type GenerateKind = 'job' | 'pipeline' | 'dashboard';

/** The bundle resource type of each kind. */
export const RESOURCE_TYPE: Record<GenerateKind, string> = { job: 'jobs', pipeline: 'pipelines', dashboard: 'dashboards' };

export interface GenerateOptions {
  client: WorkspaceClient;
  kind: GenerateKind;
  id: string;
  /** The resource key; default: the object's name, normalised as the Databricks CLI does. */
  key?: string | undefined;
  /** The project folder (config and source folders are relative to it). */
  projectRoot: string;
  /** The bundle's source root, absolute: paths in settings are relative to it. */
  sourceRoot: string;
  /** The bundle's entry file, absolute. */
  entryFile: string;
  /** Where the module goes (default `resources`). */
  configDir?: string | undefined;
  /** Where downloaded notebooks and files go (default `src`). */
  sourceDir?: string | undefined;
  /** Overwrite files that exist. */
  force?: boolean | undefined;
}

export interface GenerateResult {
  type: string;
  key: string;
  /** The module written, relative to the project. */
  module: string;
  functionName: string;
  /** Every file written, relative to the project (module and downloads). */
  written: string[];
  /** What happened to the entry file. */
  wiring: Wiring['status'];
  /** When the entry could not be changed: why, and the two lines to add by hand. */
  manual?: { reason: string; lines: string[] };
  notes: string[];
}

/** A resource key from an object's name, as the CLI's textutil.NormalizeString makes one. */
export function keyFromName(name: string): string {
  return name
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]/gu, '_')
    .replace(/_+/g, '_')
    .replace(/^_+|_+$/g, '');
}

async function fetchObject(client: WorkspaceClient, kind: GenerateKind, id: string): Promise<Record<string, unknown>> {
  try {
    switch (kind) {
      case 'job': {
        if (!/^\d+$/.test(id)) throw new UserError(`--existing-id ${id}: a job id is a number.`);
        return (await client.jobs.get({ job_id: toInt64(id) as number })) as unknown as Record<string, unknown>;
      }
      case 'pipeline':
        return (await client.pipelines.get(id)) as unknown as Record<string, unknown>;
      case 'dashboard':
        return (await client.lakeview.get(id)) as unknown as Record<string, unknown>;
    }
  } catch (error) {
    if (isNotFound(error)) throw new UserError(`The workspace ${client.host} has no ${kind} with id ${id}.`, `List them in the workspace UI, or with the Databricks CLI (databricks ${RESOURCE_TYPE[kind]} list).`);
    throw error;
  }
}

/** Every notebook and file under a workspace folder. */
async function listFolder(client: WorkspaceClient, path: string): Promise<{ path: string; notebook: boolean }[]> {
  const out: { path: string; notebook: boolean }[] = [];
  for (const o of await client.workspace.list({ path })) {
    if (o.object_type === 'DIRECTORY' && o.path) out.push(...(await listFolder(client, o.path)));
    else if ((o.object_type === 'NOTEBOOK' || o.object_type === 'FILE') && o.path) out.push({ path: o.path, notebook: o.object_type === 'NOTEBOOK' });
  }
  return out;
}

export async function generateResource(options: GenerateOptions): Promise<GenerateResult> {
  const { client, kind, id, projectRoot } = options;
  const configDir = options.configDir ?? 'resources';
  const sourceDir = join(projectRoot, options.sourceDir ?? 'src');
  const object = await fetchObject(client, kind, id);
  const name = kind === 'job' ? (object['settings'] as { name?: string } | undefined)?.name : kind === 'pipeline' ? (object['name'] ?? (object['spec'] as { name?: string } | undefined)?.name) : object['display_name'];
  const key = options.key ?? (keyFromName(String(name ?? '')) || `${kind}_${id}`);
  if (!/^[A-Za-z0-9_-]+$/.test(key)) throw new UserError(`--key ${key}: a resource key has letters, digits, _ and - only.`);
  const downloader = new Downloader(client, sourceDir, options.sourceRoot);
  const moduleFile = join(projectRoot, configDir, `${key}.${kind}.ts`);
  const extra: { path: string; content: string }[] = [];
  let settings: Record<string, unknown>;
  let notes: string[] = [];
  if (kind === 'job') ({ settings, notes } = await jobSettings((object['settings'] ?? {}) as Record<string, unknown>, downloader));
  else if (kind === 'pipeline') ({ settings, notes } = await pipelineSettings((object['spec'] ?? {}) as Record<string, unknown>, downloader, (p) => listFolder(client, p)));
  else {
    const file = join(sourceDir, `${key}.lvdash.json`);
    const serialized = typeof object['serialized_dashboard'] === 'string' ? object['serialized_dashboard'] : '{}';
    extra.push({ path: file, content: `${JSON.stringify(JSON.parse(serialized), null, 2)}\n` });
    settings = dashboardSettings(object, relative(options.sourceRoot, file).split('\\').join('/'));
  }
  await downloader.fetch();
  const clashes = [...[moduleFile, ...extra.map((e) => e.path)].filter((p) => existsSync(p)), ...(await downloader.clashes())];
  if (clashes.length > 0 && !options.force) {
    throw new UserError(`dbx-ts generate would overwrite ${clashes.map((p) => relative(projectRoot, p)).join(', ')}.`, 'Pass --force to replace them with what the workspace has now, or choose another --key.');
  }
  const header = [`Generated by dbx-ts generate from ${kind} ${id} of ${client.host}.`, 'Declared by a call in the bundle entry file; edit it freely, or generate again with --force to take the workspace version.'];
  const emitted = emitResourceFunction({ type: RESOURCE_TYPE[kind], key, file: relative(projectRoot, moduleFile), line: 1, settings, overrides: [] }, header);
  const written: string[] = [];
  const write = async (path: string, content: string | Buffer) => {
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, content);
    written.push(relative(projectRoot, path).split('\\').join('/'));
  };
  for (const local of await downloader.write()) written.push(relative(projectRoot, local).split('\\').join('/'));
  for (const e of extra) await write(e.path, e.content);
  await write(moduleFile, emitted.content);
  const entryText = await readFile(options.entryFile, 'utf8');
  const wiring = wireEntry(entryText, options.entryFile, moduleFile, emitted.functionName);
  if (wiring.status === 'added') await writeFile(options.entryFile, wiring.text);
  return {
    type: RESOURCE_TYPE[kind],
    key,
    module: relative(projectRoot, moduleFile).split('\\').join('/'),
    functionName: emitted.functionName,
    written,
    wiring: wiring.status,
    ...(wiring.status === 'manual'
      ? { manual: { reason: wiring.reason, lines: [`import { ${emitted.functionName} } from '${relative(dirname(options.entryFile), moduleFile).split('\\').join('/')}';`, `${emitted.functionName}(<your Bundle>);`] } }
      : {}),
    notes: [...notes, ...emitted.notes.map((n) => n.message)],
  };
}
