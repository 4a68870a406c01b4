// How rows reach a table: streaming tables append or upsert (SCD type 1), materialized views are replaced,
// views are redefined, rejected rows are appended to a quarantine table. Tables evolve by adding columns.

import { RunFailedError } from '../../errors/index.ts';
import type { DedupeSemantics } from '../../model/table-semantics.ts';
import { dedupeSql } from '../../synth/cleanse-code.ts';
import { quoteIdent, quoteLiteral } from '../../sql/quote.ts';
import type { Executor } from './executor.ts';
import { COMMIT_VERSION, objectKind } from './history.ts';
import type { TableRef } from './names.ts';
import { displayName, sqlName } from './names.ts';

const WINNERS = '__dbx_winners';

export async function ensureSchema(ex: Executor, ref: TableRef): Promise<void> {
  await ex.run(`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(ref.catalog)}.${quoteIdent(ref.schema)}`);
}

/** Creates the table from the shape of `rowsSql` (plus `extra` columns) if needed, and adds columns it lacks. */
async function ensureTable(ex: Executor, ref: TableRef, rowsSql: string, extra = ''): Promise<void> {
  await ensureSchema(ex, ref);
  const kind = await objectKind(ex, ref);
  if (kind === 'view') await ex.run(`DROP VIEW ${sqlName(ref)}`);
  await ex.run(`CREATE TABLE IF NOT EXISTS ${sqlName(ref)} AS SELECT *${extra} FROM (${rowsSql}) AS __dbx_rows LIMIT 0`);
  const existing = new Set((await ex.rows(`DESCRIBE ${sqlName(ref)}`)).map((r) => String(r.column_name)));
  for (const column of await ex.rows(`DESCRIBE SELECT * FROM (${rowsSql}) AS __dbx_rows`)) {
    const name = String(column.column_name);
    if (!existing.has(name)) await ex.run(`ALTER TABLE ${sqlName(ref)} ADD COLUMN ${quoteIdent(name)} ${String(column.column_type)}`);
  }
}

export async function appendRows(ex: Executor, ref: TableRef, rowsSql: string, version: number): Promise<number> {
  await ensureTable(ex, ref, rowsSql, `, CAST(NULL AS BIGINT) AS ${COMMIT_VERSION}`);
  return ex.count(`INSERT INTO ${sqlName(ref)} BY NAME SELECT *, ${version} AS ${COMMIT_VERSION} FROM (${rowsSql}) AS __dbx_rows`);
}

export interface UpsertCounts {
  inserted: number;
  updated: number;
  /** Rows that survived in-batch dedupe. */
  winners: number;
  /** Winners no newer than the row already stored for their key. */
  stale: number;
}

/**
 * SCD type 1 upsert (DLT's AUTO CDC ... STORED AS SCD TYPE 1) as the table's semantics decide: one row per key;
 * within the batch the greatest `sequence_by` wins, and it replaces the stored row only when it is newer.
 */
export async function upsertRows(ex: Executor, ref: TableRef, rowsSql: string, dedupe: DedupeSemantics, version: number): Promise<UpsertCounts> {
  await ensureTable(ex, ref, rowsSql, `, CAST(NULL AS BIGINT) AS ${COMMIT_VERSION}`);
  const sql = dedupeSql(dedupe, 'duckdb');
  const latest = `QUALIFY ${sql.rank} = 1`;
  const stored = await ex.number(`SELECT count(*) AS n FROM ${sqlName(ref)}`);
  if (stored === 0) {
    // First load: no stored rows to compare with, so the winners go straight in.
    const inserted = await ex.count(
      `INSERT INTO ${sqlName(ref)} BY NAME SELECT *, ${version} AS ${COMMIT_VERSION} FROM (${rowsSql}) AS __dbx_rows ${latest}`,
    );
    return { inserted, updated: 0, winners: inserted, stale: 0 };
  }
  const winners = await ex.count(`CREATE OR REPLACE TEMP TABLE ${WINNERS} AS SELECT * FROM (${rowsSql}) AS __dbx_rows ${latest}`);
  const keyMatch = dedupe.keys.map((k) => `t.${quoteIdent(k)} IS NOT DISTINCT FROM w.${quoteIdent(k)}`).join(' AND ');
  const seq = quoteIdent(dedupe.sequence_by);
  const newer = sql.newer('t', 'w');
  const keys = dedupe.keys.map(quoteIdent).join(', ');
  const plan = await ex.one(
    `SELECT count(*) FILTER (WHERE t.__dbx_hit IS NULL) AS inserted, count(*) FILTER (WHERE t.__dbx_hit AND ${newer}) AS updated
     FROM ${WINNERS} AS w LEFT JOIN (SELECT ${keys}, ${seq}, true AS __dbx_hit FROM ${sqlName(ref)}) AS t ON ${keyMatch}`,
  );
  const inserted = Number(plan.inserted);
  const updated = Number(plan.updated);
  const columns = (await ex.rows(`DESCRIBE ${WINNERS}`)).map((r) => quoteIdent(String(r.column_name)));
  const changed = await ex.count(
    `MERGE INTO ${sqlName(ref)} AS t USING ${WINNERS} AS w ON ${keyMatch}
     WHEN MATCHED AND ${newer} THEN UPDATE SET ${columns.map((c) => `${c} = w.${c}`).join(', ')}, ${COMMIT_VERSION} = ${version}
     WHEN NOT MATCHED THEN INSERT (${columns.join(', ')}, ${COMMIT_VERSION}) VALUES (${columns.map((c) => `w.${c}`).join(', ')}, ${version})`,
  );
  await ex.run(`DROP TABLE ${WINNERS}`);
  if (changed !== inserted + updated) {
    throw new RunFailedError(
      `Upsert into ${displayName(ref)} changed ${changed} rows where ${inserted} inserts and ${updated} updates were planned (duplicate keys in the table?).`,
      'failed',
      displayName(ref),
    );
  }
  return { inserted, updated, winners, stale: winners - inserted - updated };
}

/**
 * The rows of `rowsSql` stamped with `version` as their commit version (replacing one they carry, e.g. from a
 * streaming table read with `SELECT *`), so readers of a materialized view can read its increments too.
 */
export function stamped(rowsSql: string, version: number): string {
  return `SELECT COLUMNS(c -> c <> ${quoteLiteral(COMMIT_VERSION)}), CAST(${version} AS BIGINT) AS ${COMMIT_VERSION} FROM (${rowsSql}) AS __dbx_rows`;
}

/** Recomputes a materialized view in full; every row carries `version`. */
export async function replaceTable(ex: Executor, ref: TableRef, rowsSql: string, version: number): Promise<number> {
  await ensureSchema(ex, ref);
  if ((await objectKind(ex, ref)) === 'view') await ex.run(`DROP VIEW ${sqlName(ref)}`);
  return ex.count(`CREATE OR REPLACE TABLE ${sqlName(ref)} AS ${stamped(rowsSql, version)}`);
}

export async function replaceView(ex: Executor, ref: TableRef, viewSql: string): Promise<void> {
  await ensureSchema(ex, ref);
  if ((await objectKind(ex, ref)) === 'table') await ex.run(`DROP TABLE ${sqlName(ref)}`);
  await ex.run(`CREATE OR REPLACE VIEW ${sqlName(ref)} AS ${viewSql}`);
}

/** Appends rejected rows; a quarantine table shared by several tables grows the columns each one brings. */
export async function quarantineRows(ex: Executor, ref: TableRef, rowsSql: string): Promise<number> {
  await ensureTable(ex, ref, rowsSql);
  return ex.count(`INSERT INTO ${sqlName(ref)} BY NAME SELECT * FROM (${rowsSql}) AS __dbx_rows`);
}
