// The local "metastore": one DuckDB file per catalog, named `<catalog>.duckdb`, so DuckDB calls the
// database `<catalog>` and `<catalog>.<schema>.<table>` resolves exactly as in Unity Catalog.

import { DuckDBInstance } from '@duckdb/node-api';
import type { DuckDBConnection } from '@duckdb/node-api';
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { UserError } from '../../errors/index.ts';
import { DuckDbSql } from '../../sql/duckdb.ts';
import { installDatabricksDialect } from './dialect.ts';
import { Executor } from './executor.ts';
import { ensureSystemTables } from './system-tables.ts';

export interface LocalDatabase {
  readonly catalog: string;
  /** The database file. */
  readonly path: string;
  /** A new connection set up for pipeline SQL (UTC, Databricks macros). Close it when done. */
  connect(): Promise<DuckDBConnection>;
  /** A SqlClient on its own connection, e.g. for `dbx-ts query`; closing it leaves the database open. */
  openSqlClient(): Promise<DuckDbSql>;
  close(): Promise<void>;
}

/** Database names DuckDB reserves; a Unity Catalog catalog of that name has no local twin. */
const RESERVED_CATALOGS = new Set(['main', 'system', 'temp', 'memory']);

interface SharedInstance {
  instance: DuckDBInstance;
  refs: number;
}

/** One instance per file per process: DuckDB locks the file, and every caller must share that lock holder. */
const instances = new Map<string, Promise<SharedInstance>>();

/** Opens (creating if needed) `<dir>/<catalog>.duckdb` with the bronze, silver, gold and _system schemas. */
export async function openLocalDatabase(dir: string, catalog: string): Promise<LocalDatabase> {
  if (!/^[A-Za-z0-9_][A-Za-z0-9_-]*$/.test(catalog)) {
    throw new UserError(`Catalog name "${catalog}" cannot name a local database file.`, 'Use letters, digits, _ and -.');
  }
  if (RESERVED_CATALOGS.has(catalog.toLowerCase())) {
    throw new UserError(
      `Catalog "${catalog}" cannot be used on the local target: DuckDB reserves that name.`,
      `Give the local target another catalog, e.g. targets: { local: { variables: { catalog: 'dev_${catalog}' } } }.`,
    );
  }
  mkdirSync(dir, { recursive: true });
  const path = resolve(join(dir, `${catalog}.duckdb`));
  const shared = await acquire(path, dir);
  let closed = false;
  const connect = async () => {
    const connection = await shared.instance.connect();
    await configure(new Executor(connection));
    return connection;
  };
  const setup = await connect();
  try {
    await ensureSystemTables(new Executor(setup), catalog);
  } finally {
    setup.closeSync();
  }
  return {
    catalog,
    path,
    connect,
    async openSqlClient() {
      const connection = await connect();
      return new DuckDbSql(connection, () => connection.closeSync());
    },
    async close() {
      if (closed) return;
      closed = true;
      await release(path);
    },
  };
}

async function configure(ex: Executor): Promise<void> {
  // Databricks SQL sessions default to UTC; local results must not depend on the machine's zone.
  await ex.run(`SET TimeZone = 'UTC'`);
  await installDatabricksDialect(ex);
}

async function acquire(path: string, dir: string): Promise<SharedInstance> {
  let pending = instances.get(path);
  if (!pending) {
    pending = DuckDBInstance.create(path, { temp_directory: join(dir, '.tmp') }).then(
      (instance) => ({ instance, refs: 0 }),
      (error: unknown) => {
        const message = error instanceof Error ? error.message : String(error);
        if (/lock/i.test(message)) {
          throw new UserError(`The local database ${path} is in use by another process.`, 'Stop the other dbx-ts command (e.g. a running `run --watch`) and try again.');
        }
        throw error;
      },
    );
    instances.set(path, pending);
    pending.catch(() => instances.delete(path));
  }
  const shared = await pending;
  shared.refs++;
  return shared;
}

async function release(path: string): Promise<void> {
  const pending = instances.get(path);
  if (!pending) return;
  const shared = await pending;
  shared.refs--;
  if (shared.refs === 0) {
    instances.delete(path);
    shared.instance.closeSync();
  }
}
