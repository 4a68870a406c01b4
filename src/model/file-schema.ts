// The schema a files source declares (`options: { schema: 'id STRING, amount DECIMAL(10,2)' }`), as Auto Loader and
// read_files take it: with it nothing is inferred, so an empty landing folder still gives an (empty) table, on
// Databricks and locally. Parsed once here for the local engine and for validate.

export interface FileSchemaColumn {
  name: string;
  /** The type as written, upper-cased (Spark SQL). */
  type: string;
  /** The same type as DuckDB names it. */
  duckdb: string;
}

const SIMPLE: Record<string, string> = {
  STRING: 'VARCHAR',
  VARCHAR: 'VARCHAR',
  CHAR: 'VARCHAR',
  BOOLEAN: 'BOOLEAN',
  TINYINT: 'TINYINT',
  BYTE: 'TINYINT',
  SMALLINT: 'SMALLINT',
  SHORT: 'SMALLINT',
  INT: 'INTEGER',
  INTEGER: 'INTEGER',
  BIGINT: 'BIGINT',
  LONG: 'BIGINT',
  FLOAT: 'FLOAT',
  REAL: 'FLOAT',
  DOUBLE: 'DOUBLE',
  DATE: 'DATE',
  TIMESTAMP: 'TIMESTAMP',
  TIMESTAMP_NTZ: 'TIMESTAMP',
  BINARY: 'BLOB',
};

const COLUMN = /^\s*(`(?:[^`]|``)+`|[A-Za-z_][A-Za-z0-9_]*)\s+([A-Za-z_]+(?:\s*\(\s*\d+\s*(?:,\s*\d+\s*)?\))?)\s*(?:NOT\s+NULL\s*)?$/i;

/** The columns, or what is wrong with the text (naming the part that is). */
export function parseFileSchema(ddl: string): { columns: FileSchemaColumn[] } | { problem: string } {
  const parts = splitTopLevel(ddl);
  if (parts.length === 0) return { problem: 'declares no columns' };
  const columns: FileSchemaColumn[] = [];
  for (const part of parts) {
    const m = COLUMN.exec(part);
    if (!m) return { problem: `has a column "${part.trim()}" that is not \`name TYPE\`` };
    const name = m[1]!.startsWith('`') ? m[1]!.slice(1, -1).replaceAll('``', '`') : m[1]!;
    const type = m[2]!.toUpperCase().replace(/\s+/g, '');
    const duckdb = duckdbType(type);
    if (!duckdb) {
      return { problem: `gives column "${name}" the type ${type}, which dbx-ts does not map (use STRING, INT, BIGINT, DOUBLE, DECIMAL(p,s), BOOLEAN, DATE, TIMESTAMP, ...)` };
    }
    if (columns.some((c) => c.name.toLowerCase() === name.toLowerCase())) return { problem: `declares column "${name}" twice` };
    columns.push({ name, type, duckdb });
  }
  return { columns };
}

function duckdbType(type: string): string | undefined {
  const decimal = /^(?:DECIMAL|DEC|NUMERIC)(?:\((\d+)(?:,(\d+))?\))?$/.exec(type);
  if (decimal) return `DECIMAL(${decimal[1] ?? '10'},${decimal[2] ?? '0'})`;
  return SIMPLE[type];
}

/** Splits on commas outside parentheses. */
function splitTopLevel(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let current = '';
  for (const ch of text) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === ',' && depth === 0) {
      parts.push(current);
      current = '';
    } else current += ch;
  }
  parts.push(current);
  return parts.filter((p) => p.trim() !== '');
}

/** The declared schema option of a files source (`schema`, matched without regard to case), if any. */
export function declaredSchemaText(options: Readonly<Record<string, string>> | undefined): string | undefined {
  const key = Object.keys(options ?? {}).find((k) => k.toLowerCase() === 'schema');
  return key !== undefined ? options![key] : undefined;
}
