// Configuration values normalised to the bundle schema as the Databricks CLI does when it loads a file
// (convert.Normalize): scalars become the field's type where they convert (`1` → "1" for a string field,
// "2" → 2 for an integer), a `${...}` reference stays as written anywhere, and fields the schema does not
// know are dropped with a warning. What cannot convert is dropped with a warning too.
import { readFileSync } from 'node:fs';
import { pureReference } from './references.ts';

type Node = Record<string, unknown>;

export interface NormaliseIssue {
  keys: (string | number)[];
  message: string;
}

let schemaRoot: Node | undefined;

function root(): Node {
  schemaRoot ??= JSON.parse(readFileSync(new URL('../schema/bundle-schema.json', import.meta.url), 'utf8')) as Node;
  return schemaRoot;
}

function isNode(v: unknown): v is Node {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** The `{type: string, pattern: \$\{...}}` alternative the schema puts next to every field. */
function isInterpolationOnly(node: Node): boolean {
  return node['type'] === 'string' && typeof node['pattern'] === 'string' && node['pattern'].startsWith('\\$\\{');
}

const cache = new Map<Node, Node[]>();

/** A schema node's concrete alternatives: `$ref`s followed, `oneOf`/`anyOf` flattened, interpolation-only ones left out. */
function alternatives(node: Node): Node[] {
  const hit = cache.get(node);
  if (hit) return hit;
  let out: Node[];
  const ref = node['$ref'];
  if (typeof ref === 'string' && ref.startsWith('#/$defs/')) {
    const target = (root()['$defs'] as Node)[ref.slice('#/$defs/'.length)];
    out = isNode(target) ? alternatives(target) : [];
  } else {
    const branches = [...(Array.isArray(node['oneOf']) ? node['oneOf'] : []), ...(Array.isArray(node['anyOf']) ? node['anyOf'] : [])].filter(isNode);
    out = branches.length === 0 ? [node] : branches.flatMap(alternatives).filter((n) => !isInterpolationOnly(n));
  }
  cache.set(node, out);
  return out;
}

function typeOf(node: Node): string | undefined {
  if (typeof node['type'] === 'string') return node['type'];
  if (isNode(node['properties']) || node['additionalProperties'] !== undefined) return 'object';
  return undefined;
}

/** Normalises `value` against the schema of the whole configuration; problems are pushed onto `issues`. */
export function normaliseConfig(value: unknown, issues: NormaliseIssue[]): unknown {
  return normalise(value, alternatives(root()), [], issues);
}

function normalise(value: unknown, nodes: Node[], keys: (string | number)[], issues: NormaliseIssue[]): unknown {
  if (nodes.length === 0 || value === null || value === undefined) return value;
  if (typeof value === 'string' && pureReference(value) !== undefined) return value;
  const types = new Set(nodes.map(typeOf));
  if (types.has(undefined)) return value;
  if (Array.isArray(value)) {
    const node = nodes.find((n) => typeOf(n) === 'array');
    if (!node) return drop(keys, `expected ${[...types].join(' or ')}, found a sequence`, issues);
    const items = isNode(node['items']) ? alternatives(node['items']) : [];
    return value.map((v, i) => normalise(v, items, [...keys, i], issues));
  }
  if (isNode(value)) {
    const node = nodes.find((n) => typeOf(n) === 'object');
    if (!node) return drop(keys, `expected ${[...types].join(' or ')}, found a map`, issues);
    const props = isNode(node['properties']) ? node['properties'] : {};
    const extra = node['additionalProperties'];
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      const prop = props[k];
      if (isNode(prop)) out[k] = normalise(v, alternatives(prop), [...keys, k], issues);
      // The schema lets the root hold anything (files keep YAML anchors there); the CLI drops unknown keys.
      else if (isNode(extra) && keys.length > 0) out[k] = normalise(v, alternatives(extra), [...keys, k], issues);
      else if (extra === true) out[k] = v;
      else issues.push({ keys: [...keys, k], message: `unknown field: ${k}` });
    }
    return out;
  }
  return scalar(value, types as Set<string>, keys, issues);
}

function drop(keys: (string | number)[], message: string, issues: NormaliseIssue[]): undefined {
  issues.push({ keys, message });
  return undefined;
}

function scalar(value: unknown, types: Set<string>, keys: (string | number)[], issues: NormaliseIssue[]): unknown {
  const kind = typeof value === 'number' ? (Number.isInteger(value) ? 'integer' : 'number') : typeof value;
  if (types.has(kind) || (kind === 'integer' && types.has('number'))) return value;
  if (types.has('string') && (kind === 'number' || kind === 'integer' || kind === 'boolean')) return String(value);
  if (typeof value === 'string') {
    if (types.has('integer') && /^[-+]?\d+$/.test(value.trim())) return Number(value.trim());
    if (types.has('number') && value.trim() !== '' && !Number.isNaN(Number(value))) return Number(value);
    if (types.has('boolean') && (value === 'true' || value === 'false')) return value === 'true';
  }
  if (types.has('integer') && kind === 'number') return drop(keys, `cannot use ${String(value)} where an integer is expected`, issues);
  if (types.has('boolean') && (kind === 'integer' || kind === 'number')) return drop(keys, `expected a bool, found ${String(value)}`, issues);
  if (types.has('object') || types.has('array')) return drop(keys, `expected ${[...types].join(' or ')}, found ${kind}`, issues);
  return drop(keys, `cannot use ${JSON.stringify(value)} here: expected ${[...types].join(' or ')}`, issues);
}
