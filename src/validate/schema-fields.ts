// Which fields the bundle schema allows at a config path: for "did you mean" and the list of task types.
import { readFileSync } from 'node:fs';
import { readCached, writeCached } from '../cache-dir.ts';
import { bundleSchemaKey } from '../schema/validators.ts';
import { pathKeys } from './config-path.ts';

type Node = Record<string, unknown>;

let root: Node | undefined;

function schema(): Node {
  root ??= JSON.parse(readFileSync(new URL('../schema/bundle-schema.json', import.meta.url), 'utf8')) as Node;
  return root;
}

function isNode(value: unknown): value is Node {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** A schema node with `$ref`s followed and `oneOf`/`anyOf`/`allOf` flattened into its alternatives. */
function alternatives(node: Node, seen = new Set<Node>()): Node[] {
  if (seen.has(node)) return [];
  seen.add(node);
  const ref = node['$ref'];
  if (typeof ref === 'string' && ref.startsWith('#/$defs/')) {
    const target = (schema()['$defs'] as Node)[ref.slice('#/$defs/'.length)];
    return isNode(target) ? alternatives(target, seen) : [];
  }
  const branches = ['oneOf', 'anyOf', 'allOf'].flatMap((k) => (Array.isArray(node[k]) ? (node[k] as unknown[]) : []));
  if (branches.length === 0) return [node];
  return branches.filter(isNode).flatMap((b) => alternatives(b, seen));
}

function step(nodes: Node[], key: string): Node[] {
  const next: Node[] = [];
  for (const node of nodes) {
    const props = node['properties'];
    if (isNode(props) && isNode(props[key])) next.push(props[key]);
    else if (isNode(node['additionalProperties'])) next.push(node['additionalProperties']);
    if (/^\d+$/.test(key) && isNode(node['items'])) next.push(node['items']);
  }
  return next.flatMap((n) => alternatives(n));
}

/** Field names the schema declares for the object at `path` (empty when the path leaves the schema). */
export function knownFields(path: string): string[] {
  let nodes = alternatives(schema());
  for (const key of path === '' ? [] : pathKeys(path)) nodes = step(nodes, key);
  const names = new Set<string>();
  for (const node of nodes) {
    if (isNode(node['properties'])) for (const name of Object.keys(node['properties'])) names.add(name);
  }
  return [...names].sort();
}

let taskTypes: string[] | undefined;

/**
 * Every `*_task` field of a job task in the schema: a task must have exactly one. Kept in the cache folder by the
 * schema's hash, so validating a bundle need not parse the whole schema.
 */
export function jobTaskTypes(): string[] {
  if (taskTypes) return taskTypes;
  const entry = `job-task-types-${bundleSchemaKey()}.json`;
  try {
    const cached: unknown = JSON.parse(readCached(entry) ?? 'null');
    if (Array.isArray(cached) && cached.every((t) => typeof t === 'string')) return (taskTypes = cached as string[]);
  } catch {
    // unreadable: computed below
  }
  taskTypes = knownFields('resources.jobs.job.tasks[0]').filter((f) => f.endsWith('_task'));
  writeCached(entry, JSON.stringify(taskTypes));
  return taskTypes;
}
