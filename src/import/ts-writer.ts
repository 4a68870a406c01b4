// Plain data as TypeScript source: object literals with the bundle's field names, strings whose `${...}`
// references become values (`app.var('x')`, `job.idRef`) where the importer knows them, and values the types
// cannot express wrapped in `unchecked(...)`. Deterministic: the same input gives the same text.
import { referencePattern, pureReference } from './references.ts';

export interface WriteContext {
  /** The TypeScript expression for a reference (the text inside `${...}`), or undefined to keep it as written. */
  reference(path: string): string | undefined;
  /** Whether the value at these keys must be passed through `unchecked(...)`. */
  unchecked(keys: readonly (string | number)[]): boolean;
  /** Set when any value was wrapped, so the file imports `unchecked`. */
  usedUnchecked: boolean;
}

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/** A TypeScript expression placed in a value as it is (a task handle, a construct, `unchecked(undefined)`). */
export class Expression {
  constructor(readonly text: string) {}
}

export function tsKey(key: string): string {
  return IDENTIFIER.test(key) ? key : quote(key);
}

/** A single-quoted string literal. */
export function quote(s: string): string {
  return `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'").replace(/\n/g, '\\n').replace(/\r/g, '\\r').replace(/\t/g, '\\t').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029')}'`;
}

function templatePart(s: string): string {
  return s.replace(/\\/g, '\\\\').replace(/`/g, '\\`').replace(/\$\{/g, '\\${').replace(/\r/g, '\\r');
}

/** A string as an expression: references the context knows become values, the rest stays as written. */
export function stringExpression(s: string, ctx: WriteContext): string {
  const pure = pureReference(s);
  if (pure !== undefined) return ctx.reference(pure) ?? quote(s);
  let known = false;
  let out = '';
  let last = 0;
  for (const m of s.matchAll(referencePattern())) {
    const expr = ctx.reference(m[1]!);
    out += templatePart(s.slice(last, m.index));
    if (expr === undefined) out += templatePart(m[0]);
    else {
      known = true;
      out += `\${${expr}}`;
    }
    last = m.index + m[0].length;
  }
  if (!known) return quote(s);
  return `\`${out}${templatePart(s.slice(last))}\``;
}

/** `value` as a TypeScript expression, indented for its position (`indent` is the current line's indent). */
export function valueExpression(value: unknown, ctx: WriteContext, indent: string, keys: (string | number)[] = []): string {
  if (value instanceof Expression) return value.text;
  if (keys.length > 0 && ctx.unchecked(keys)) {
    ctx.usedUnchecked = true;
    return `unchecked(${plain(value, indent)})`;
  }
  if (typeof value === 'string') return stringExpression(value, ctx);
  if (value === null || value === undefined) return 'undefined';
  if (typeof value !== 'object') return String(value);
  const inner = `${indent}  `;
  if (Array.isArray(value)) {
    if (value.length === 0) return '[]';
    const items = value.map((v, i) => valueExpression(v, ctx, inner, [...keys, i]));
    const oneLine = `[${items.join(', ')}]`;
    return oneLine.length <= 100 && !oneLine.includes('\n') ? oneLine : `[\n${items.map((i) => `${inner}${i},`).join('\n')}\n${indent}]`;
  }
  const entries = Object.entries(value as Record<string, unknown>);
  if (entries.length === 0) return '{}';
  const fields = entries.map(([k, v]) => `${tsKey(k)}: ${valueExpression(v, ctx, inner, [...keys, k])}`);
  const oneLine = `{ ${fields.join(', ')} }`;
  return oneLine.length <= 100 && !oneLine.includes('\n') ? oneLine : `{\n${fields.map((f) => `${inner}${f},`).join('\n')}\n${indent}}`;
}

/** A value exactly as written (inside `unchecked`, references are not turned into values). */
function plain(value: unknown, indent: string): string {
  return valueExpression(value, { reference: () => undefined, unchecked: () => false, usedUnchecked: false }, indent);
}

const RESERVED = new Set(
  'break case catch class const continue debugger default delete do else enum export extends false finally for function if import in instanceof new null return super switch this throw true try typeof var void while with yield let static implements interface package private protected public await app undefined'.split(' '),
);

/** A JavaScript identifier for a resource key (`set1-job-1` → `set1_job_1`), never a reserved word. */
export function identifierFor(key: string): string {
  let id = key.replace(/[^A-Za-z0-9_$]/g, '_');
  if (/^[0-9]/.test(id)) id = `_${id}`;
  if (RESERVED.has(id)) id = `${id}_`;
  return id || '_';
}
