// Continuous mode: like a DLT pipeline with `continuous: true`, an update runs whenever new files land
// in any Auto Loader source, until the signal aborts. Polling (not fs.watch) behaves the same everywhere.
// `watchLanding` is the loop alone: `run --continuous` uses it to run the whole job again on new files.

import { setTimeout as sleep } from 'node:timers/promises';
import type { TableModel } from '../../model/types.ts';
import { newFiles, listLandingFiles } from './autoloader.ts';
import type { LocalDatabase } from './database.ts';
import { Executor } from './executor.ts';
import { displayName, parseTableName } from './names.ts';
import type { RunTablesOptions, UpdateResult } from './run-tables.ts';
import { runTables } from './run-tables.ts';
import { resolveLocation } from './volumes.ts';

/** How often the landing folders are checked by default. */
export const DEFAULT_POLL_INTERVAL_MS = 500;

export interface ContinuousOptions extends Omit<RunTablesOptions, 'updateId'> {
  signal: AbortSignal;
  /** How often the landing folders are checked (default 500 ms). */
  pollIntervalMs?: number;
  /** Called after each update. */
  onUpdate?: (result: UpdateResult) => void;
}

export interface WatchLandingOptions extends Pick<RunTablesOptions, 'catalog' | 'landingRoot'> {
  signal: AbortSignal;
  /** How often the landing folders are checked (default 500 ms). */
  pollIntervalMs?: number;
  /**
   * Called with the volume paths of the files no consumer has taken yet; the next check waits until it is done.
   * It must take them (or record them bad): files still untaken are reported again on the next check.
   */
  onNewFiles: (files: string[]) => Promise<void>;
}

/** Runs one update now, then one each time new files arrive; resolves with all updates once aborted. */
export async function runContinuous(db: LocalDatabase, tables: readonly TableModel[], options: ContinuousOptions): Promise<UpdateResult[]> {
  const { signal, pollIntervalMs = DEFAULT_POLL_INTERVAL_MS, onUpdate, ...runOptions } = options;
  const updates: UpdateResult[] = [];
  const update = async () => {
    const result = await runTables(db, tables, runOptions);
    updates.push(result);
    onUpdate?.(result);
  };
  if (signal.aborted) return updates;
  await update();
  await watchLanding(db, tables, { catalog: runOptions.catalog, landingRoot: runOptions.landingRoot, signal, pollIntervalMs, onNewFiles: update });
  return updates;
}

/** Checks the tables' landing folders every `pollIntervalMs` and hands new files to `onNewFiles`, until aborted. */
export async function watchLanding(db: LocalDatabase, tables: readonly TableModel[], options: WatchLandingOptions): Promise<void> {
  const { signal, pollIntervalMs = DEFAULT_POLL_INTERVAL_MS } = options;
  while (!signal.aborted) {
    try {
      await sleep(pollIntervalMs, undefined, { signal });
    } catch {
      break; // aborted while waiting
    }
    const files = await untakenFiles(db, tables, options);
    if (files.length > 0 && !signal.aborted) await options.onNewFiles(files);
  }
}

/** Whether any Auto Loader source of these tables has a file its consumer has not taken. */
export async function hasNewFiles(db: LocalDatabase, tables: readonly TableModel[], options: Pick<RunTablesOptions, 'catalog' | 'landingRoot'>): Promise<boolean> {
  return (await untakenFiles(db, tables, options, 1)).length > 0;
}

/** Volume paths of files some Auto Loader source of these tables has not taken (at most `limit`). */
export async function untakenFiles(
  db: LocalDatabase,
  tables: readonly TableModel[],
  options: Pick<RunTablesOptions, 'catalog' | 'landingRoot'>,
  limit = Infinity,
): Promise<string[]> {
  const found = new Set<string>();
  const connection = await db.connect();
  try {
    const ex = new Executor(connection);
    for (const table of tables) {
      if (table.source?.type !== 'files') continue;
      const location = resolveLocation(table.source.path, options.catalog, options.landingRoot);
      const files = listLandingFiles(location, table.source.options);
      if (files.length === 0) continue;
      const consumer = displayName(parseTableName(table.name, options.catalog));
      for (const file of await newFiles(ex, options.catalog, consumer, files, table.source.options)) {
        found.add(file.volumePath);
        if (found.size >= limit) return [...found];
      }
    }
    return [...found];
  } finally {
    connection.closeSync();
  }
}
