// One bundle configuration file read as the Databricks CLI reads it: YAML 1.2 with anchors, aliases and `<<`
// merge keys (JSON is YAML too), plus where each value was written, for messages that name file and line.
import { readFileSync } from 'node:fs';
import { isAlias, isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node } from 'yaml';
import { UserError } from '../errors/index.ts';

export interface YamlFile {
  /** Path relative to the bundle root, with `/` (may start with `../` for files outside it). */
  path: string;
  absolute: string;
  /** The document as plain data (a map; an empty file is an empty map). */
  value: Record<string, unknown>;
  /** The 1-based line where the value at `keys` was written (or its nearest ancestor). */
  lineOf(keys: readonly (string | number)[]): number;
}

function isPlainMap(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

export function readYamlFile(absolute: string, path: string): YamlFile {
  let text: string;
  try {
    text = readFileSync(absolute, 'utf8');
  } catch (error) {
    throw new UserError(`Cannot read ${path}: ${(error as Error).message}`);
  }
  const lines = new LineCounter();
  const doc = parseDocument(text, { merge: true, lineCounter: lines, prettyErrors: false });
  const problem = doc.errors[0];
  if (problem) {
    const line = problem.linePos?.[0]?.line ?? lines.linePos(problem.pos[0]).line;
    throw new UserError(`${path}:${line}: invalid YAML: ${problem.message.split('\n')[0]!}`, 'Fix the file; the Databricks CLI cannot read it either.');
  }
  const value: unknown = doc.toJS({ maxAliasCount: -1 }) ?? {};
  if (!isPlainMap(value)) throw new UserError(`${path}:1: a bundle configuration file must hold a map of settings.`);
  return { path, absolute, value, lineOf: (keys) => lineOf(doc, lines, keys) };
}

function lineOf(doc: Document, lines: LineCounter, keys: readonly (string | number)[]): number {
  let node: unknown = doc.contents;
  let line = 1;
  const at = (n: unknown) => {
    const range = (n as Node | null)?.range;
    if (range) line = lines.linePos(range[0]).line;
  };
  at(node);
  for (const key of keys) {
    const next = child(doc, node, key);
    if (next === undefined) break;
    at(next.keyNode ?? next.value);
    node = next.value;
  }
  return line;
}

/** The child of a map or sequence node, following aliases and `<<` merges. */
function child(doc: Document, node: unknown, key: string | number): { keyNode?: unknown; value: unknown } | undefined {
  const target = isAlias(node) ? node.resolve(doc) : node;
  if (isSeq(target) && typeof key === 'number') {
    const item = target.items[key];
    return item === undefined ? undefined : { value: item };
  }
  if (!isMap(target)) return undefined;
  for (const pair of target.items) {
    if (!isPair(pair)) continue;
    const k = isScalar(pair.key) ? pair.key.value : pair.key;
    if (String(k) === String(key)) return { keyNode: pair.key, value: pair.value };
  }
  for (const pair of target.items) {
    if (isPair(pair) && isScalar(pair.key) && pair.key.value === '<<') {
      const merged = child(doc, pair.value, key);
      if (merged) return merged;
    }
  }
  return undefined;
}
