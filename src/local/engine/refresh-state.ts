// What a table was last computed from, kept in `_system.refresh_state` beside the data (so it commits or rolls
// back with the write): a hash of the table's definition as the engine runs it, the versions of the tables it
// read, and the technique used. The next update compares against it to skip a table or refresh it incrementally.

import { canonicalJson, sha256 } from '../../deploy/hash.ts';
import type { TableModel } from '../../model/types.ts';
import { quoteLiteral } from '../../sql/quote.ts';
import type { Executor } from './executor.ts';
import type { TableRef } from './names.ts';
import { displayName, substituteCatalog } from './names.ts';
import { localSemantics } from './quality.ts';
import { systemTable } from './system-tables.ts';

/** Raised whenever the way the engine computes a table changes, so tables computed the old way recompute once. */
const REFRESH_FORMAT = 1;

export interface RefreshRecord {
  definition_hash: string;
  /** `catalog.schema.table` → the version read. */
  inputs: Record<string, number>;
  technique: string;
}

/** The table's definition as the engine runs it (semantics with the catalog filled in, the query, the source). */
export function definitionHash(table: TableModel, catalog: string): string {
  const semantics = localSemantics(table, catalog);
  return sha256(
    canonicalJson({
      format: REFRESH_FORMAT,
      semantics,
      query: semantics.query === undefined ? undefined : substituteCatalog(semantics.query, catalog),
      source: table.source,
    }),
  );
}

export async function readRefreshRecord(ex: Executor, catalog: string, ref: TableRef): Promise<RefreshRecord | undefined> {
  const [row] = await ex.rows(
    `SELECT definition_hash, inputs, technique FROM ${systemTable(catalog, 'refresh_state')} WHERE table_name = ${quoteLiteral(displayName(ref))}`,
  );
  if (!row) return undefined;
  return { definition_hash: String(row.definition_hash), inputs: JSON.parse(String(row.inputs)) as Record<string, number>, technique: String(row.technique) };
}

/** Replaces the table's record; runs inside the table's write transaction. */
export async function saveRefreshRecord(ex: Executor, catalog: string, ref: TableRef, record: RefreshRecord, updateId: string): Promise<void> {
  const state = systemTable(catalog, 'refresh_state');
  const name = quoteLiteral(displayName(ref));
  await ex.run(`DELETE FROM ${state} WHERE table_name = ${name}`);
  await ex.run(
    `INSERT INTO ${state} VALUES (${name}, ${quoteLiteral(record.definition_hash)}, ${quoteLiteral(canonicalJson(record.inputs))}, ${quoteLiteral(record.technique)}, ${quoteLiteral(updateId)}, now())`,
  );
}

export async function forgetRefreshRecord(ex: Executor, catalog: string, ref: TableRef): Promise<void> {
  await ex.run(`DELETE FROM ${systemTable(catalog, 'refresh_state')} WHERE table_name = ${quoteLiteral(displayName(ref))}`);
}
