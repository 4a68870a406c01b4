// Streams query rows as text for `dbx-ts query -o`: an aligned table (the layout every dbx-ts table has), a JSON array, NDJSON or CSV.
// Output is produced as rows arrive; only the table format looks ahead, at a bounded sample, to size its columns.

import { displayWidth, ruleLine, tableLine } from '../text/table.ts';
import type { SqlRow } from './types.ts';

export type OutputFormat = 'table' | 'json' | 'ndjson' | 'csv';

export const OUTPUT_FORMATS: readonly OutputFormat[] = ['table', 'json', 'ndjson', 'csv'];

export interface FormatOptions {
  /** Column order and header; defaults to the keys of the first row. Needed to print a header for an empty result. */
  columns?: readonly string[];
  /** Table format: how many leading rows decide the column widths. */
  sampleRows?: number;
}

/** Text pieces are gathered up to this size before they are handed on, so output is not one write per row. */
const FLUSH_AT = 64 * 1024;

export function formatRows(rows: AsyncIterable<SqlRow>, format: OutputFormat, options: FormatOptions = {}): AsyncGenerator<string> {
  switch (format) {
    case 'json':
      return batched(jsonArray(rows));
    case 'ndjson':
      return batched(ndjson(rows));
    case 'csv':
      return batched(csv(rows, options.columns));
    case 'table':
      return batched(table(rows, options));
  }
}

async function* batched(pieces: AsyncIterable<string>): AsyncGenerator<string> {
  let buffer = '';
  for await (const piece of pieces) {
    buffer += piece;
    if (buffer.length >= FLUSH_AT) {
      yield buffer;
      buffer = '';
    }
  }
  if (buffer) yield buffer;
}

/** JSON for one value: bigints as digit strings, bytes as hex, so the output is always valid JSON. */
export function toJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => {
    if (typeof v === 'bigint') return v.toString();
    if (v instanceof Uint8Array) return Buffer.from(v).toString('hex');
    return v;
  });
}

async function* jsonArray(rows: AsyncIterable<SqlRow>): AsyncGenerator<string> {
  let first = true;
  for await (const row of rows) {
    yield (first ? '[\n' : ',\n') + toJson(row);
    first = false;
  }
  yield first ? '[]\n' : '\n]\n';
}

async function* ndjson(rows: AsyncIterable<SqlRow>): AsyncGenerator<string> {
  for await (const row of rows) yield toJson(row) + '\n';
}

/** A cell's text: nested values as JSON, bytes as hex, null as empty (CSV) or NULL (table). */
function cellText(value: unknown, nullText: string): string {
  if (value === null || value === undefined) return nullText;
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'bigint' || typeof value === 'boolean') return String(value);
  if (value instanceof Date) return value.toISOString();
  if (value instanceof Uint8Array) return Buffer.from(value).toString('hex');
  return toJson(value);
}

/** RFC 4180: quote a field holding a comma, quote or line break, doubling the quotes inside. */
function csvField(value: unknown): string {
  const text = cellText(value, '');
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

async function* csv(rows: AsyncIterable<SqlRow>, columns: readonly string[] | undefined): AsyncGenerator<string> {
  let header = columns;
  if (header) yield header.map(csvField).join(',') + '\r\n';
  for await (const row of rows) {
    if (!header) {
      header = Object.keys(row);
      yield header.map(csvField).join(',') + '\r\n';
    }
    yield header.map((name) => csvField(row[name])).join(',') + '\r\n';
  }
}

async function* table(rows: AsyncIterable<SqlRow>, options: FormatOptions): AsyncGenerator<string> {
  const sampleSize = options.sampleRows ?? 200;
  const iterator = rows[Symbol.asyncIterator]();
  const sample: SqlRow[] = [];
  let done = false;
  while (sample.length < sampleSize) {
    const next = await iterator.next();
    if (next.done) {
      done = true;
      break;
    }
    sample.push(next.value);
  }
  const columns = options.columns ?? (sample[0] ? Object.keys(sample[0]) : []);
  if (columns.length === 0) {
    yield '(0 rows)\n';
    return;
  }
  const numeric = columns.map((name) => sample.some((row) => isNumber(row[name])) && sample.every((row) => isNumber(row[name]) || row[name] == null));
  // Widths come from the sample; a later, wider value widens its own line rather than being cut.
  const widths = columns.map((name) => Math.max(displayWidth(name), ...sample.map((row) => displayWidth(tableCell(row[name])))));
  const line = (cells: string[]) => `${tableLine(cells, widths, { alignRight: numeric })}\n`;
  yield `${tableLine(columns, widths)}\n`;
  yield `${ruleLine(widths)}\n`;
  let count = 0;
  for (const row of sample) {
    yield line(columns.map((name) => tableCell(row[name])));
    count++;
  }
  while (!done) {
    const next = await iterator.next();
    if (next.done) break;
    yield line(columns.map((name) => tableCell(next.value[name])));
    count++;
  }
  yield `(${count} row${count === 1 ? '' : 's'})\n`;
}

function isNumber(value: unknown): boolean {
  return typeof value === 'number' || typeof value === 'bigint';
}

/** Table cells stay on one line: control characters are shown escaped. */
function tableCell(value: unknown): string {
  return cellText(value, 'NULL').replace(/[\r\n\t]/g, (c) => (c === '\n' ? '\\n' : c === '\r' ? '\\r' : '\\t'));
}
