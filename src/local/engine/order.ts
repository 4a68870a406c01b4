// Tables run in dependency order, as DLT builds its graph: a table runs after every table of the same
// update that it reads (its source table, or a table its query names). Otherwise the given order stands.

import { UserError } from '../../errors/index.ts';
import type { TableModel } from '../../model/types.ts';
import { displayName, parseTableName } from './names.ts';

export function dependencyOrder(tables: readonly TableModel[], catalog: string): TableModel[] {
  const byName = new Map(tables.map((t) => [displayName(parseTableName(t.name, catalog)), t]));
  if (byName.size !== tables.length) throw new UserError('Two tables of the same update have the same name.');
  const dependsOn = new Map<TableModel, TableModel[]>();
  for (const table of tables) {
    const deps = new Set<TableModel>();
    if (table.source?.type === 'table') {
      const source = byName.get(displayName(parseTableName(table.source.table, catalog)));
      if (source) deps.add(source);
    }
    const text = [table.query ?? '', ...(table.expectations.map((e) => e.condition)), table.where ?? ''].join('\n');
    for (const [name, other] of byName) {
      if (other !== table && mentions(text, name, catalog)) deps.add(other);
    }
    dependsOn.set(table, [...deps]);
  }
  const ordered: TableModel[] = [];
  const state = new Map<TableModel, 'visiting' | 'done'>();
  const visit = (table: TableModel, path: string[]) => {
    const seen = state.get(table);
    if (seen === 'done') return;
    if (seen === 'visiting') throw new UserError(`Tables depend on each other in a cycle: ${[...path, table.name].join(' → ')}.`);
    state.set(table, 'visiting');
    for (const dep of dependsOn.get(table) ?? []) visit(dep, [...path, table.name]);
    state.set(table, 'done');
    ordered.push(table);
  };
  for (const table of tables) visit(table, []);
  return ordered;
}

/** Whether SQL text names the table, as `${catalog}.schema.table`, `catalog.schema.table` or `schema.table`. */
function mentions(text: string, fullName: string, catalog: string): boolean {
  const [, schema, table] = fullName.split('.');
  const short = `${schema}.${table}`;
  const pattern = new RegExp(`(^|[^A-Za-z0-9_.])(\\$\\{catalog\\}\\.|${escape(catalog)}\\.)?${escape(short)}(?![A-Za-z0-9_])`, 'i');
  return pattern.test(text);
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
