// Which incremental technique a materialized view's query allows, read from DuckDB's parse tree
// (json_serialize_sql): the same questions Databricks' planner asks before it picks ROW_BASED, APPEND_ONLY or
// GROUP_AGGREGATE over a complete recompute. Pure: it sees the tree and which tables changed, never data.
//
// Three shapes are recognised, each with the operators that keep it exact:
// - by key (ROW_BASED): each output row for key value v comes only from rows of the "keyed" tables with key v
//   (and from tables that did not change): projections, filters, UNION [ALL] of keyed branches, GROUP BY and
//   windows that include the key, and joins whose other side did not change. Refreshed as: recompute the rows of
//   the keys that changed.
// - linear (APPEND_ONLY): projections, filters, UNION ALL and joins with unchanged tables only; with append-only
//   inputs the new output is the query over the new rows.
// - one GROUP BY over a linear input whose aggregates merge (sum, count, min, max): aggregate-shape.ts.

import type { TreeNode } from '../../sql/parse-tree.ts';
import { walkTree } from '../../sql/parse-tree.ts';

/** A base table node of the tree, with the name the engine knows it by. */
export interface BaseNode {
  node: TreeNode;
  /** `catalog.schema.table`. */
  name: string;
}

export interface ShapeContext {
  /** `catalog.schema.table` of a BASE_TABLE node, or undefined for a CTE name. */
  nameOf(node: TreeNode): string | undefined;
  /** Tables whose version moved since the last refresh. */
  changed: ReadonlySet<string>;
  /** Whether a table has a column of this name (key columns must exist where they are filtered). */
  hasColumn(table: string, column: string): boolean;
  /** Names of aggregate functions (the parser does not tell `sum(x)` from `abs(x)`; DuckDB's catalog does). */
  aggregates: ReadonlySet<string>;
}

export type Shape<T> = { ok: true; value: T } | { ok: false; why: string };

export const fail = (why: string): { ok: false; why: string } => ({ ok: false, why });

type Mode = { kind: 'key'; key: string } | { kind: 'linear' };

/** The top query node of a single SELECT statement. */
export function statementNode(tree: TreeNode): TreeNode | undefined {
  const statements = tree['statements'] as { node: TreeNode }[] | undefined;
  return statements?.length === 1 ? statements[0]!.node : undefined;
}

/** The CTEs defined anywhere in the tree, by lower-case name. */
function cteDefinitions(tree: unknown): Map<string, TreeNode> {
  const ctes = new Map<string, TreeNode>();
  walkTree(tree, (o) => {
    const map = (o['cte_map'] as { map?: { key: string; value: { query: { node: TreeNode } } }[] } | undefined)?.map;
    for (const entry of map ?? []) ctes.set(entry.key.toLowerCase(), entry.value.query.node);
  });
  return ctes;
}

export function has(node: unknown, test: (o: TreeNode) => boolean): boolean {
  let found = false;
  walkTree(node, (o) => {
    if (!found && test(o)) found = true;
  });
  return found;
}

export const isSubquery = (o: TreeNode) => o['class'] === 'SUBQUERY';
export const isWindow = (o: TreeNode) => o['class'] === 'WINDOW';
const lastName = (o: TreeNode) => {
  const names = o['column_names'] as string[] | undefined;
  return names && names.length > 0 ? names[names.length - 1]!.toLowerCase() : undefined;
};
const isColumn = (o: unknown, name: string) => (o as TreeNode)['class'] === 'COLUMN_REF' && lastName(o as TreeNode) === name;

/** A relation's analysis: the base tables rows flow from (to filter or replace), and whether any changed. */
interface Flow {
  bases: BaseNode[];
  changing: boolean;
}

class Analyzer {
  private readonly ctes: Map<string, TreeNode>;
  private readonly isAggregate: (o: TreeNode) => boolean;

  constructor(
    tree: TreeNode,
    private readonly ctx: ShapeContext,
  ) {
    this.ctes = cteDefinitions(tree);
    this.isAggregate = isAggregateIn(ctx);
  }

  /** Rows of `node` flow from `bases`, through operators the mode allows. */
  query(node: TreeNode, mode: Mode): Shape<Flow> {
    if (node['type'] === 'SET_OPERATION_NODE') return this.setOperation(node, mode);
    if (node['type'] !== 'SELECT_NODE') return fail(`a ${String(node['type']).toLowerCase().replaceAll('_', ' ')}`);
    for (const modifier of (node['modifiers'] as TreeNode[] | undefined) ?? []) {
      if (modifier['type'] === 'LIMIT_MODIFIER' || modifier['type'] === 'LIMIT_PERCENT_MODIFIER') return fail('a LIMIT');
      if (modifier['type'] === 'DISTINCT_MODIFIER' && mode.kind === 'linear') return fail('SELECT DISTINCT');
    }
    const expressions = [node['select_list'], node['where_clause'], node['having'], node['qualify'], node['group_expressions']];
    if (has(expressions, isSubquery)) return fail('a subquery in an expression');
    const groups = (node['group_expressions'] as TreeNode[] | undefined) ?? [];
    if (mode.kind === 'linear') {
      if (groups.length > 0 || has(expressions, this.isAggregate)) return fail('an aggregate');
      if (has(expressions, isWindow)) return fail('a window function');
    } else {
      const key = mode.key;
      if (!this.outputs(node, key)) return fail(`the key ${key} is not passed through`);
      if (groups.length > 0 && !groups.some((g) => isColumn(g, key))) return fail(`a GROUP BY without ${key}`);
      if (groups.length === 0 && has(expressions, this.isAggregate)) return fail('an aggregate over all rows');
      let unpartitioned = false;
      walkTree(expressions, (o) => {
        if (isWindow(o) && !((o['partitions'] as unknown[] | undefined) ?? []).some((p) => isColumn(p, key))) unpartitioned = true;
      });
      if (unpartitioned) return fail(`a window not partitioned by ${key}`);
    }
    const from = node['from_table'] as TreeNode | undefined;
    if (!from || from['type'] === 'EMPTY') return { ok: true, value: { bases: [], changing: false } };
    return this.relation(from, mode, this.qualifierOf(node, mode));
  }

  /** The table alias the key is taken from in the select list (`s.transaction_id` → `s`), if qualified. */
  private qualifierOf(node: TreeNode, mode: Mode): string | undefined {
    if (mode.kind !== 'key') return undefined;
    const ref = ((node['select_list'] as TreeNode[] | undefined) ?? []).find((e) => isColumn(e, mode.key));
    const names = ref?.['column_names'] as string[] | undefined;
    return names && names.length === 2 ? names[0]!.toLowerCase() : undefined;
  }

  /** Whether the select list passes the key column through under its own name. */
  private outputs(node: TreeNode, key: string): boolean {
    return ((node['select_list'] as TreeNode[] | undefined) ?? []).some((e) => {
      if (e['class'] === 'STAR') {
        const excluded = JSON.stringify(e['exclude_list'] ?? []).toLowerCase().includes(`"${key}"`);
        const replaced = JSON.stringify(e['replace_list'] ?? []).toLowerCase().includes(`"${key}"`);
        return !excluded && !replaced && !e['expr'];
      }
      const alias = String(e['alias'] ?? '').toLowerCase();
      return isColumn(e, key) && (alias === '' || alias === key);
    });
  }

  private setOperation(node: TreeNode, mode: Mode): Shape<Flow> {
    const op = String(node['setop_type']);
    const all = node['setop_all'] === true;
    if (mode.kind === 'linear' && !(op === 'UNION' && all)) return fail(`${op}${all ? ' ALL' : ''} (only UNION ALL adds up)`);
    if (mode.kind === 'key') {
      // The key must be at the same position on both sides: set operations match columns by position.
      const left = keyPosition(node['left'] as TreeNode, mode.key);
      const right = keyPosition(node['right'] as TreeNode, mode.key);
      if (left === undefined || left !== right) return fail(`${op} branches without ${mode.key} in the same position`);
    }
    const children = [node['left'], node['right'], ...((node['children'] as unknown[] | undefined) ?? [])].filter((c): c is TreeNode => !!c);
    const flows: Flow[] = [];
    for (const child of children) {
      const flow = this.query(child, mode);
      if (!flow.ok) return flow;
      flows.push(flow.value);
    }
    return { ok: true, value: { bases: flows.flatMap((f) => f.bases), changing: flows.some((f) => f.changing) } };
  }

  private relation(rel: TreeNode, mode: Mode, qualifier: string | undefined): Shape<Flow> {
    switch (rel['type']) {
      case 'BASE_TABLE': {
        const name = this.ctx.nameOf(rel);
        if (name === undefined) {
          const cte = this.ctes.get(String(rel['table_name']).toLowerCase());
          return cte ? this.query(cte, mode) : fail(`an unknown relation ${String(rel['table_name'])}`);
        }
        if (mode.kind === 'key' && !this.ctx.hasColumn(name, mode.key)) return fail(`${name} has no column ${mode.key}`);
        return { ok: true, value: { bases: [{ node: rel, name }], changing: this.ctx.changed.has(name) } };
      }
      case 'SUBQUERY':
        return this.query((rel['subquery'] as { node: TreeNode }).node, mode);
      case 'JOIN':
        return this.join(rel, mode, qualifier);
      default:
        return fail(`a ${String(rel['type']).toLowerCase().replaceAll('_', ' ')} in FROM`);
    }
  }

  /**
   * One side of a join carries the rows (the side the key comes from, else the side that changed); the other
   * side must not have changed, and the join must keep the carrying side's rows as they are matched.
   */
  private join(rel: TreeNode, mode: Mode, qualifier: string | undefined): Shape<Flow> {
    const left = rel['left'] as TreeNode;
    const right = rel['right'] as TreeNode;
    if (has(rel['condition'], isSubquery)) return fail('a subquery in a join condition');
    const type = String(rel['join_type']);
    const refType = String(rel['ref_type'] ?? 'REGULAR');
    if (refType !== 'REGULAR' && refType !== 'CROSS') return fail(`a ${refType.toLowerCase()} join`);
    const leftChanges = this.mentionsChanged(left);
    const rightChanges = this.mentionsChanged(right);
    if (leftChanges && rightChanges) return fail('a join of two tables that both changed');
    let carrier: 'left' | 'right';
    if (qualifier !== undefined) carrier = aliases(left).has(qualifier) ? 'left' : 'right';
    else carrier = rightChanges ? 'right' : 'left';
    if ((carrier === 'left' ? rightChanges : leftChanges)) return fail('a join whose other side changed');
    const keeps = carrier === 'left' ? ['INNER', 'LEFT', 'SEMI', 'ANTI'] : ['INNER', 'RIGHT'];
    if (!keeps.includes(type)) return fail(`a ${type} join`);
    return this.relation(carrier === 'left' ? left : right, mode, qualifier);
  }

  private mentionsChanged(rel: TreeNode): boolean {
    let changed = false;
    const seen = new Set<TreeNode>();
    const visit = (node: unknown) =>
      walkTree(node, (o) => {
        if (changed || o['type'] !== 'BASE_TABLE' || seen.has(o)) return;
        seen.add(o);
        const name = this.ctx.nameOf(o);
        if (name !== undefined) changed = this.ctx.changed.has(name);
        else {
          const cte = this.ctes.get(String(o['table_name']).toLowerCase());
          if (cte) visit(cte);
        }
      });
    visit(rel);
    return changed;
  }
}

export function isAggregateIn(ctx: ShapeContext): (o: TreeNode) => boolean {
  return (o) => o['class'] === 'AGGREGATE' || (o['class'] === 'FUNCTION' && ctx.aggregates.has(String(o['function_name']).toLowerCase()));
}

/** Position of the key column in a SELECT's list (set operations need it explicit). */
function keyPosition(node: TreeNode, key: string): number | undefined {
  if (node['type'] !== 'SELECT_NODE') return undefined;
  const list = (node['select_list'] as TreeNode[] | undefined) ?? [];
  if (list.some((e) => e['class'] === 'STAR')) return undefined;
  const i = list.findIndex((e) => (isColumn(e, key) && (e['alias'] ?? '') === '') || String(e['alias'] ?? '').toLowerCase() === key);
  return i < 0 ? undefined : i;
}

/** The aliases a FROM relation answers to (a table's alias, else its name). */
function aliases(rel: TreeNode): Set<string> {
  const out = new Set<string>();
  const visit = (r: TreeNode) => {
    if (r['type'] === 'JOIN') {
      visit(r['left'] as TreeNode);
      visit(r['right'] as TreeNode);
    } else {
      const alias = String(r['alias'] ?? '') || String(r['table_name'] ?? '');
      if (alias) out.add(alias.toLowerCase());
    }
  };
  visit(rel);
  return out;
}

export interface KeyedShape {
  key: string;
  /** Base tables rows flow from: filtered to the changed keys. */
  bases: BaseNode[];
}

/** The first output column (of those passed through as plain columns) the query is partitioned by, if any. */
export function keyedShape(tree: TreeNode, ctx: ShapeContext): Shape<KeyedShape> {
  const node = statementNode(tree);
  if (!node) return fail('not a single query');
  const analyzer = new Analyzer(tree, ctx);
  const top = node['type'] === 'SELECT_NODE' ? node : undefined;
  const candidates = ((top?.['select_list'] as TreeNode[] | undefined) ?? [])
    .filter((e) => e['class'] === 'COLUMN_REF' && (String(e['alias'] ?? '') === '' || String(e['alias']).toLowerCase() === lastName(e)))
    .map((e) => lastName(e)!);
  let why = 'no column passed through as a key';
  for (const key of [...new Set(candidates)]) {
    const flow = analyzer.query(node, { kind: 'key', key });
    if (!flow.ok) {
      why = flow.why;
      continue;
    }
    const changedBases = new Set(flow.value.bases.map((b) => b.name));
    const outside = [...ctx.changed].filter((t) => !changedBases.has(t));
    if (outside.length > 0) {
      why = `${outside.join(', ')} changed and is not read by key`;
      continue;
    }
    return { ok: true, value: { key, bases: flow.value.bases } };
  }
  return fail(why);
}

/** Rows flow linearly from `bases` (so new input rows give exactly the new output rows). */
export function linearShape(tree: TreeNode, ctx: ShapeContext): Shape<BaseNode[]> {
  const node = statementNode(tree);
  if (!node) return fail('not a single query');
  const flow = new Analyzer(tree, ctx).query(node, { kind: 'linear' });
  if (!flow.ok) return flow;
  const carried = new Set(flow.value.bases.map((b) => b.name));
  const outside = [...ctx.changed].filter((t) => !carried.has(t));
  if (outside.length > 0) return fail(`${outside.join(', ')} changed and is joined, not appended to`);
  return { ok: true, value: flow.value.bases };
}
