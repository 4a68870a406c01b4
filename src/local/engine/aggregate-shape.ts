// The GROUP_AGGREGATE shape of a materialized view's query (DuckDB's parse tree): one GROUP BY over a linear input
// (query-shape.ts), every output column a grouping expression or an aggregate whose partial results merge
// exactly, so the aggregate of the new rows can be merged into the stored groups.

import type { TreeNode } from '../../sql/parse-tree.ts';
import { fail, has, isAggregateIn, isSubquery, isWindow, linearShape, statementNode, type BaseNode, type Shape, type ShapeContext } from './query-shape.ts';

/** Aggregates whose partial results merge exactly, and how. */
export const MERGEABLE = { sum: 'sum', count: 'count', count_star: 'count', min: 'min', max: 'max' } as const;
export type MergeKind = (typeof MERGEABLE)[keyof typeof MERGEABLE];

export interface AggregateShape {
  /** Per select-list position: a grouping column, or an aggregate and how its partial results merge. */
  columns: ({ group: true } | { group: false; merge: MergeKind })[];
  /** Base tables of the aggregate's input (linear). */
  bases: BaseNode[];
}

/** One GROUP BY over a linear input, every output column a grouping expression or a mergeable aggregate. */
export function aggregateShape(tree: TreeNode, ctx: ShapeContext): Shape<AggregateShape> {
  const node = statementNode(tree);
  if (!node || node['type'] !== 'SELECT_NODE') return fail('not a single SELECT');
  const groups = (node['group_expressions'] as TreeNode[] | undefined) ?? [];
  if (groups.length === 0) return fail('no GROUP BY');
  if (node['having'] || node['qualify']) return fail('HAVING or QUALIFY over the groups');
  if ((node['modifiers'] as TreeNode[] | undefined)?.some((m) => m['type'] !== 'ORDER_MODIFIER')) return fail('a LIMIT or DISTINCT over the groups');
  const strip = (e: unknown) => JSON.stringify(e, (k, v: unknown) => (k === 'alias' || k === 'query_location' ? undefined : v));
  const groupTexts = new Set(groups.map(strip));
  const columns: AggregateShape['columns'] = [];
  for (const e of (node['select_list'] as TreeNode[] | undefined) ?? []) {
    if (groupTexts.has(strip(e))) {
      columns.push({ group: true });
      continue;
    }
    const fn = String(e['function_name'] ?? '').toLowerCase() as keyof typeof MERGEABLE;
    const aggregate = isAggregateIn(ctx);
    if (!aggregate(e) || !(fn in MERGEABLE)) return fail(`${aggregate(e) ? `${fn}()` : 'an expression'} that does not merge (only sum, count, min and max)`);
    if (e['distinct'] === true || e['filter'] || (e['order_bys'] as { orders?: unknown[] } | undefined)?.orders?.length) return fail(`${fn}() with DISTINCT, FILTER or ORDER BY`);
    if (has(e['children'], (o) => aggregate(o) || isWindow(o) || isSubquery(o))) return fail(`a nested aggregate in ${fn}()`);
    columns.push({ group: false, merge: MERGEABLE[fn] });
  }
  if (columns.filter((c) => c.group).length !== groups.length) return fail('a GROUP BY expression that is not selected');
  // The input of the aggregate: the same query without its GROUP BY and select list must be linear.
  const input: TreeNode = { ...node, select_list: [{ class: 'STAR', type: 'STAR', alias: '', exclude_list: [], replace_list: [], columns: false, expr: null, unpacked: false }], group_expressions: [], group_sets: [], aggregate_handling: 'STANDARD_HANDLING', modifiers: [] };
  const flow = linearShape({ ...tree, statements: [{ node: input }] }, ctx);
  if (!flow.ok) return flow;
  return { ok: true, value: { columns, bases: flow.value } };
}
