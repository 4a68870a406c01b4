// Continuous mode: like a DLT pipeline with `continuous: true`, an update runs whenever new files land
// in any Auto Loader source, until the signal aborts. Polling (not fs.watch) behaves the same everywhere.

import { setTimeout as sleep } from 'node:timers/promises';
import type { TableModel } from '../../model/types.ts';
import { newFiles, listLandingFiles } from './autoloader.ts';
import type { LocalDatabase } from './database.ts';
import { Executor } from './executor.ts';
import { displayName, parseTableName } from './names.ts';
import type { RunTablesOptions, UpdateResult } from './run-tables.ts';
import { runTables } from './run-tables.ts';
import { resolveLocation } from './volumes.ts';

export interface ContinuousOptions extends Omit<RunTablesOptions, 'updateId'> {
  signal: AbortSignal;
  /** How often the landing folders are checked (default 500 ms). */
  pollIntervalMs?: number;
  /** Called after each update. */
  onUpdate?: (result: UpdateResult) => void;
}

/** Runs one update now, then one each time new files arrive; resolves with all updates once aborted. */
export async function runContinuous(db: LocalDatabase, tables: readonly TableModel[], options: ContinuousOptions): Promise<UpdateResult[]> {
  const { signal, pollIntervalMs = 500, onUpdate, ...runOptions } = options;
  const updates: UpdateResult[] = [];
  const update = async () => {
    const result = await runTables(db, tables, runOptions);
    updates.push(result);
    onUpdate?.(result);
  };
  if (signal.aborted) return updates;
  await update();
  while (!signal.aborted) {
    try {
      await sleep(pollIntervalMs, undefined, { signal });
    } catch {
      break; // aborted while waiting
    }
    if (await hasNewFiles(db, tables, runOptions)) await update();
  }
  return updates;
}

/** Whether any Auto Loader source of these tables has a file its consumer has not taken. */
export async function hasNewFiles(db: LocalDatabase, tables: readonly TableModel[], options: Pick<RunTablesOptions, 'catalog' | 'landingRoot'>): Promise<boolean> {
  const connection = await db.connect();
  try {
    const ex = new Executor(connection);
    for (const table of tables) {
      if (table.source?.type !== 'files') continue;
      const location = resolveLocation(table.source.path, options.catalog, options.landingRoot);
      const files = listLandingFiles(location, table.source.options);
      if (files.length === 0) continue;
      const consumer = displayName(parseTableName(table.name, options.catalog));
      if ((await newFiles(ex, options.catalog, consumer, files, table.source.options)).length > 0) return true;
    }
    return false;
  } finally {
    connection.closeSync();
  }
}
