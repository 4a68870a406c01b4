// What a table needs before code can be generated for it, checked the same way for pipeline SQL and notebooks.
import { UserError } from '../errors/index.ts';
import type { TableModel, TableSource } from '../model/types.ts';

export { unknownKind } from '../model/table-semantics.ts';

export function requireQuery(t: TableModel): string {
  if (!t.query) throw new UserError(`Table ${t.name} (${t.kind}) has no query.`, 'Give materialized views and views a `query`.');
  return t.query;
}

export function requireSource(t: TableModel): TableSource {
  if (!t.source) throw new UserError(`Streaming table ${t.name} has no source.`, 'Give streaming tables a `source` (files or another table).');
  return t.source;
}
