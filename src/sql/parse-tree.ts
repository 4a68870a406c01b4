// DuckDB's own parse tree of a statement (json_serialize_sql), and the questions asked of it: which tables a
// statement reads, and the statement text back from an edited tree (json_deserialize_sql). Validate and the local
// engine's refresh planning both read SQL through here, so neither tokenizes SQL by hand.

/** A table reference found by DuckDB's parser. */
export interface ParsedTableRef {
  catalog: string;
  schema: string;
  table: string;
  /** Character offset in the parsed text. */
  offset: number;
}

/** A node of the serialized tree: plain JSON objects keyed as DuckDB names them. */
export type TreeNode = Record<string, unknown>;

/** Runs one SELECT returning one value; both a DuckDBConnection and the engine's Executor can provide it. */
export type ScalarQuery = (sql: string) => Promise<unknown>;

export type SerializedSql = { tree: TreeNode } | { error: string };

/** The parse tree of `sql`, or the parser's error. */
export async function serializeSql(query: ScalarQuery, sql: string): Promise<SerializedSql> {
  const text = await query(`SELECT json_serialize_sql('${sql.replaceAll("'", "''")}')`);
  // "No location" is the largest uint64, which a JS number cannot hold (and json_deserialize_sql would refuse back).
  const json = String(text).replaceAll('"query_location":18446744073709551615', '"query_location":0');
  const tree = JSON.parse(json) as TreeNode & { error: boolean; error_message?: string; error_type?: string };
  if (tree.error) return { error: `${tree.error_type === 'parser' ? 'Parser Error: ' : ''}${tree.error_message ?? 'cannot parse'}` };
  return { tree };
}

/** SQL text for a (possibly edited) tree that serializeSql returned. */
export async function deserializeSql(query: ScalarQuery, tree: TreeNode): Promise<string> {
  const json = JSON.stringify(tree);
  return String(await query(`SELECT json_deserialize_sql('${json.replaceAll("'", "''")}'::JSON)`));
}

/** The names of a statement's CTEs (lower case), which BASE_TABLE nodes may name without being tables. */
export function cteNames(tree: unknown): Set<string> {
  const names = new Set<string>();
  walkTree(tree, (o) => {
    const map = (o['cte_map'] as { map?: { key: string }[] } | undefined)?.map;
    for (const entry of map ?? []) names.add(entry.key.toLowerCase());
  });
  return names;
}

/** Every BASE_TABLE node of a serialized parse tree whose name is not a CTE of the statement. */
export function baseTables(tree: unknown): ParsedTableRef[] {
  const ctes = cteNames(tree);
  const found: ParsedTableRef[] = [];
  walkTree(tree, (o) => {
    if (o['type'] === 'BASE_TABLE' && typeof o['table_name'] === 'string') {
      found.push({
        catalog: String(o['catalog_name'] ?? ''),
        schema: String(o['schema_name'] ?? ''),
        table: o['table_name'],
        offset: Number(o['query_location'] ?? 0),
      });
    }
  });
  return found.filter((r) => r.schema !== '' || r.catalog !== '' || !ctes.has(r.table.toLowerCase()));
}

/** Calls `visit` on every object node, parents before children. */
export function walkTree(node: unknown, visit: (o: TreeNode) => void): void {
  if (Array.isArray(node)) {
    for (const child of node) walkTree(child, visit);
    return;
  }
  if (node === null || typeof node !== 'object') return;
  visit(node as TreeNode);
  for (const value of Object.values(node)) walkTree(value, visit);
}
