// A workspace object's settings as bundle resource settings, field for field as the Databricks CLI's
// `bundle generate` writes them: read-only and deployment-specific fields left out, the notebooks and files it
// uses downloaded and named by their local copies.
import type { Downloader } from './download.ts';

type Obj = Record<string, unknown>;

function isMap(v: unknown): v is Obj {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function without(obj: Obj, fields: readonly string[]): Obj {
  const out: Obj = {};
  for (const [k, v] of Object.entries(obj)) if (!fields.includes(k) && v !== undefined && v !== null) out[k] = v;
  return out;
}

/** Tasks and for-each inner tasks, each with its notebook task. */
function notebookTasks(tasks: unknown): Obj[] {
  const out: Obj[] = [];
  for (const task of Array.isArray(tasks) ? tasks : []) {
    if (!isMap(task)) continue;
    if (isMap(task['notebook_task'])) out.push(task['notebook_task']);
    const inner = isMap(task['for_each_task']) ? task['for_each_task']['task'] : undefined;
    if (isMap(inner) && isMap(inner['notebook_task'])) out.push(inner['notebook_task']);
  }
  return out;
}

/**
 * A job's settings (jobs/get `settings`): `format` dropped (the CLI's generate leaves it out, jobs are
 * always multi-task here); notebooks downloaded unless the job takes its sources from Git.
 */
export async function jobSettings(settings: Obj, downloader: Downloader): Promise<{ settings: Obj; notes: string[] }> {
  const out = structuredClone(without(settings, ['format']));
  if (Array.isArray(out['tasks'])) out['tasks'] = (out['tasks'] as unknown[]).map((t) => (isMap(t) ? without(t, ['format']) : t));
  const notes: string[] = [];
  if (out['git_source'] !== undefined) {
    notes.push('The job takes its sources from Git (git_source): no notebook was downloaded; tasks keep their paths.');
    return { settings: out, notes };
  }
  const tasks = notebookTasks(out['tasks']).filter((nb) => nb['source'] !== 'GIT' && typeof nb['notebook_path'] === 'string' && nb['notebook_path'].startsWith('/'));
  downloader.setBase(tasks.map((nb) => String(nb['notebook_path'])));
  for (const nb of tasks) {
    nb['notebook_path'] = await downloader.notebook(String(nb['notebook_path']));
    // A local path is deployed with the bundle's files: the task reads it from the workspace.
    delete nb['source'];
  }
  return { settings: out, notes };
}

/**
 * A pipeline's spec (pipelines/get `spec`): `id`, `storage`, `edition` and `development` left out as the CLI's
 * generate does; notebook and file libraries downloaded, and the root folder with everything in it.
 */
export async function pipelineSettings(spec: Obj, downloader: Downloader, listFolder: (path: string) => Promise<{ path: string; notebook: boolean }[]>): Promise<{ settings: Obj; notes: string[] }> {
  const out = structuredClone(without(spec, ['id', 'storage', 'edition', 'development']));
  const libraries = Array.isArray(out['libraries']) ? (out['libraries'] as unknown[]).filter(isMap) : [];
  const remoteRoot = typeof out['root_path'] === 'string' ? out['root_path'] : undefined;
  const libraryPaths = libraries.flatMap((l) => [l['notebook'], l['file']].filter(isMap).map((x) => String(x['path'])));
  const rootItems = remoteRoot ? await listFolder(remoteRoot) : [];
  downloader.setBase(remoteRoot ? [`${remoteRoot}/x`, ...libraryPaths] : libraryPaths);
  for (const lib of libraries) {
    if (isMap(lib['notebook']) && typeof lib['notebook']['path'] === 'string') lib['notebook']['path'] = await downloader.notebook(lib['notebook']['path']);
    if (isMap(lib['file']) && typeof lib['file']['path'] === 'string') lib['file']['path'] = await downloader.file(lib['file']['path']);
  }
  if (remoteRoot) {
    for (const item of rootItems) {
      if (item.notebook) await downloader.notebook(item.path);
      else await downloader.file(item.path);
    }
    const rootLocal = downloader.folderFor(remoteRoot);
    out['root_path'] = rootLocal;
    for (const lib of libraries) {
      if (isMap(lib['glob']) && typeof lib['glob']['include'] === 'string') lib['glob']['include'] = lib['glob']['include'].replaceAll(remoteRoot, rootLocal);
    }
  }
  return { settings: out, notes: [] };
}

/** A Lakeview dashboard (lakeview/get): its name and warehouse; its definition goes to the file it names. */
export function dashboardSettings(dashboard: Obj, filePath: string): Obj {
  return without({ display_name: dashboard['display_name'], warehouse_id: dashboard['warehouse_id'], file_path: filePath }, []);
}
