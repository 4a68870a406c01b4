// A full refresh on the local engine, as DLT does one for the tables it names: the table is dropped (rebuilt from
// its sources by the update that follows) and its streaming progress forgotten: the landing files its Auto Loader
// took, the schema it inferred, the files it set aside as unreadable, and how far it had read upstream tables.
// Commit history stays, with a TRUNCATE entry, so versions keep increasing, downstream streams see the rebuilt rows
// as new ones and incremental readers know rows went away.
import type { TableModel } from '../../model/types.ts';
import { quoteLiteral } from '../../sql/quote.ts';
import type { LocalDatabase } from './database.ts';
import { Executor } from './executor.ts';
import { displayName, parseTableName, sqlName } from './names.ts';
import { currentVersion, recordVersion } from './history.ts';
import { forgetRefreshRecord } from './refresh-state.ts';
import { ensureSystemTables, systemTable } from './system-tables.ts';

const PROGRESS_TABLES = ['autoloader_files', 'autoloader_schemas', 'bad_files', 'stream_offsets'] as const;

export async function resetTables(db: LocalDatabase, tables: readonly TableModel[], catalog: string): Promise<void> {
  const connection = await db.connect();
  const ex = new Executor(connection);
  try {
    await ensureSystemTables(ex, catalog);
    await ex.run('BEGIN TRANSACTION');
    try {
      for (const table of tables) {
        const ref = parseTableName(table.name, catalog);
        await ex.run(`DROP ${table.kind === 'view' ? 'VIEW' : 'TABLE'} IF EXISTS ${sqlName(ref)}`);
        const consumer = quoteLiteral(displayName(ref));
        for (const progress of PROGRESS_TABLES) await ex.run(`DELETE FROM ${systemTable(catalog, progress)} WHERE consumer = ${consumer}`);
        await forgetRefreshRecord(ex, catalog, ref);
        // Readers that refresh incrementally see in the history that rows went away, not only that rows came.
        const version = await currentVersion(ex, catalog, ref);
        if (version > 0) await recordVersion(ex, catalog, ref, version + 1, 'full-refresh', 'TRUNCATE', 0);
      }
      await ex.run('COMMIT');
    } catch (error) {
      await ex.run('ROLLBACK');
      throw error;
    }
  } finally {
    connection.closeSync();
  }
}
