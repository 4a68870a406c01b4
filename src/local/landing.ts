// The landing folders a job's tables read on the local target (files sources through Auto Loader): where
// their files go on this machine, and whether any has arrived. A run says where to put files for each
// empty one, and a bundle's simulator fills a landing zone that is empty altogether.
import type { BundleModel, TableModel, TaskSettings } from '../model/types.ts';
import { listLandingFiles } from './engine/autoloader.ts';
// From the modules themselves, not engine/index.ts: that loads DuckDB, which a bundle file importing dbx-ts
// (through the testing API) must not pay for on every command.
import { displayName, parseTableName } from './engine/names.ts';
import { resolveLocation } from './engine/volumes.ts';
import type { LocalPaths } from './paths.ts';

export interface LandingSource {
  /** `catalog.schema.table` of the table that reads the folder. */
  table: string;
  format: string;
  /** The path as the bundle names it, e.g. `/Volumes/main/landing/raw/orders`. */
  volumeDir: string;
  /** The folder on this machine. */
  localDir: string;
  /** Files waiting or taken (names starting with `_` or `.` do not count, as Auto Loader skips them). */
  files: number;
}

/** Tables the job's pipeline and notebook tasks build. */
export function jobTables(model: BundleModel, tasks: readonly TaskSettings[]): TableModel[] {
  const out: TableModel[] = [];
  for (const task of tasks) {
    const pipelineRef = String((task['pipeline_task'] as { pipeline_id?: unknown } | undefined)?.pipeline_id ?? '');
    const pipeline = Object.entries(model.resources.pipelines).find(([key]) => pipelineRef === `\${resources.pipelines.${key}.id}`)?.[1];
    if (pipeline) out.push(...pipeline.tables);
    const path = (task['notebook_task'] as { notebook_path?: unknown } | undefined)?.notebook_path;
    const nb = Object.values(model.notebooks).find((n) => n.path === path);
    if (nb) out.push(...nb.tables);
  }
  return out;
}

export function landingSources(model: BundleModel, tasks: readonly TaskSettings[], paths: LocalPaths): LandingSource[] {
  const out: LandingSource[] = [];
  for (const table of jobTables(model, tasks)) {
    if (table.source?.type !== 'files') continue;
    const location = resolveLocation(table.source.path, model.catalog, paths.volumes);
    out.push({
      table: displayName(parseTableName(table.name, model.catalog)),
      format: table.source.format,
      volumeDir: location.volumeDir,
      localDir: location.localDir,
      files: listLandingFiles(location, table.source.options ?? {}).length,
    });
  }
  return out;
}
