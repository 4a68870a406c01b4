// Landing files a test writes: rows in the format a files source reads (JSON lines, CSV with a header, Parquet
// through DuckDB), or a file's text as is. Files are complete when written, so Auto Loader takes them at once.
import { mkdir, rm, utimes, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { quoteLiteral } from '../sql/quote.ts';

/** A landing file's content: rows (written in the source's format) or the file's text as is. */
export type LandingContent = readonly Record<string, unknown>[] | string;

function csvCell(value: unknown): string {
  if (value === null || value === undefined) return '';
  const text = typeof value === 'object' ? JSON.stringify(value) : String(value);
  return /[",\n\r]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

function jsonLines(rows: readonly Record<string, unknown>[]): string {
  return rows.map((row) => JSON.stringify(row)).join('\n') + '\n';
}

async function writeParquet(file: string, rows: readonly Record<string, unknown>[]): Promise<void> {
  const staged = `${file}.ndjson`;
  await writeFile(staged, jsonLines(rows));
  const { DuckDBInstance } = await import('@duckdb/node-api');
  const instance = await DuckDBInstance.create(':memory:', { threads: '1' });
  const connection = await instance.connect();
  try {
    // Types as DuckDB reads them from JSON (numbers, text, booleans); declare the source's schema to cast them.
    await connection.run(`COPY (SELECT * FROM read_json_auto(${quoteLiteral(staged)})) TO ${quoteLiteral(file)} (FORMAT parquet)`);
  } finally {
    connection.closeSync();
    instance.closeSync();
    await rm(staged, { force: true });
  }
}

export async function writeLandingFile(file: string, format: string, content: LandingContent): Promise<void> {
  await mkdir(dirname(file), { recursive: true });
  if (typeof content === 'string') {
    await writeFile(file, content);
  } else if (format === 'json') {
    await writeFile(file, jsonLines(content));
  } else if (format === 'csv') {
    const columns = [...new Set(content.flatMap((row) => Object.keys(row)))];
    await writeFile(file, [columns.join(','), ...content.map((row) => columns.map((c) => csvCell(row[c])).join(','))].join('\n') + '\n');
  } else {
    await writeParquet(file, content);
  }
  // Complete files: Auto Loader takes a file once it has not changed for a second, so date it in the past.
  const past = new Date(Date.now() - 10_000);
  await utimes(file, past, past);
}
