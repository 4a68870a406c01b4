import type { SourceLocation, TableModel, TableSource } from '../model/types.ts';
import { callerLocation } from './construct.ts';
import { tableNameOf, type TableHandle } from './table-handle.ts';

/**
 * A table as the user writes it: expectations default to none, and the table itself, a table source and the
 * quarantine table may be named with handles (`silver.table('orders')`) instead of `<schema>.<table>` strings.
 */
export type TableDefinition = Omit<TableModel, 'name' | 'source' | 'quarantine_table' | 'expectations' | 'location'> & {
  name: string | TableHandle;
  source?: Exclude<TableSource, { type: 'table' }> | { type: 'table'; table: string | TableHandle };
  quarantine_table?: string | TableHandle;
  expectations?: TableModel['expectations'];
};

export function tableDefinition(def: TableDefinition, location?: SourceLocation): TableModel {
  const { name, source, quarantine_table, expectations, ...rest } = def;
  const model: TableModel = { ...rest, name: tableNameOf(name), expectations: expectations ?? [] };
  if (source) model.source = source.type === 'table' ? { type: 'table', table: tableNameOf(source.table) } : source;
  if (quarantine_table !== undefined) model.quarantine_table = tableNameOf(quarantine_table);
  const loc = location ?? callerLocation();
  if (loc) model.location = loc;
  return model;
}
