/**
 * Runtime validation against the generated schemas (bundle-schema.json, api-schema.json).
 * Schemas are loaded and compiled lazily, once per process.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Ajv2020, ErrorObject, ValidateFunction } from 'ajv/dist/2020.js';
import { readCached, writeCached } from '../cache-dir.ts';
import type { ApiAlias } from './api-types.ts';

/** One validation problem; `path` is dotted (`resources.jobs.x.tasks[0].notebook_task`), '' for the root. */
export interface SchemaIssue {
  path: string;
  message: string;
}

export type ApiRequestPart = 'body' | 'query' | 'path_params';

type JsonObject = Record<string, unknown>;

function loadJson(name: string): JsonObject {
  return JSON.parse(readFileSync(new URL(`./${name}`, import.meta.url), 'utf8')) as JsonObject;
}

const GOOGLE_TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/;
const GOOGLE_DURATION = /^-?\d+(\.\d{1,9})?s$/;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

// ajv (a hundred CommonJS files) loads only to compile: the package ships the bundle validator compiled
const moduleRequire = createRequire(import.meta.url);

function newAjv(code?: { source: boolean }): Ajv2020 {
  const { Ajv2020 } = moduleRequire('ajv/dist/2020.js') as typeof import('ajv/dist/2020.js');
  const ajv = new Ajv2020({ allErrors: true, verbose: true, unicodeRegExp: true, strict: true, ...(code ? { code } : {}) });
  ajv.addFormat('int32', { type: 'number', validate: (n: number) => Number.isInteger(n) && n >= -(2 ** 31) && n < 2 ** 31 });
  ajv.addFormat('int64', { type: 'number', validate: (n: number) => Number.isInteger(n) });
  ajv.addFormat('byte', { type: 'string', validate: (s: string) => BASE64.test(s) });
  ajv.addFormat('google-timestamp', { type: 'string', validate: (s: string) => GOOGLE_TIMESTAMP.test(s) });
  ajv.addFormat('google-duration', { type: 'string', validate: (s: string) => GOOGLE_DURATION.test(s) });
  ajv.addFormat('field-mask', true);
  return ajv;
}

// ---------------------------------------------------------------------------------------------
// Error reporting
// ---------------------------------------------------------------------------------------------

/** `/resources/jobs/x/tasks/0` -> `resources.jobs.x.tasks[0]` (array indexes decided from the data). */
function dottedPath(pointer: string, data: unknown): string {
  if (pointer === '') return '';
  let out = '';
  let node: unknown = data;
  for (const raw of pointer.slice(1).split('/')) {
    const seg = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (Array.isArray(node)) {
      out += `[${seg}]`;
      node = node[Number(seg)];
    } else {
      out += /^[A-Za-z_][A-Za-z0-9_-]*$/.test(seg) ? (out === '' ? seg : `.${seg}`) : `[${JSON.stringify(seg)}]`;
      node = node !== null && typeof node === 'object' ? (node as JsonObject)[seg] : undefined;
    }
  }
  return out;
}

function appendKey(path: string, key: string): string {
  if (/^[A-Za-z_][A-Za-z0-9_-]*$/.test(key)) return path === '' ? key : `${path}.${key}`;
  return `${path}[${JSON.stringify(key)}]`;
}

/** The `{type: string, pattern: \$\{...\}}` alternative the bundle schema offers next to most fields. */
function isInterpolationBranch(e: ErrorObject): boolean {
  const ps = e.parentSchema as JsonObject | undefined;
  return (
    (e.keyword === 'type' || e.keyword === 'pattern') &&
    ps !== undefined &&
    ps.type === 'string' &&
    typeof ps.pattern === 'string' &&
    ps.pattern.startsWith('\\$\\{')
  );
}

function isAtOrBelow(base: string, p: string): boolean {
  return p === base || p.startsWith(`${base}/`);
}

/**
 * Turns ajv's errors into a short list: with `oneOf: [object, ${...} string]` everywhere, ajv reports
 * every failed alternative on every ancestor; keep only the errors that explain the failure.
 */
function toIssues(errors: readonly ErrorObject[] | null | undefined, data: unknown): SchemaIssue[] {
  if (!errors || errors.length === 0) return [];
  const combinator = (e: ErrorObject): boolean => e.keyword === 'oneOf' || e.keyword === 'anyOf';
  const substantive = errors.filter((e) => !combinator(e) && !isInterpolationBranch(e));
  // where a value matched several alternatives, the other alternatives' complaints are noise
  const ambiguousAt = new Set(
    errors
      .filter((e) => e.keyword === 'oneOf' && (e.params as { passingSchemas?: unknown }).passingSchemas)
      .map((e) => e.instancePath),
  );
  const kept = errors.filter((e) => {
    if (combinator(e)) {
      // oneOf that failed because several alternatives matched is itself the explanation
      if (e.keyword === 'oneOf' && (e.params as { passingSchemas?: unknown }).passingSchemas) return true;
      return !substantive.some((o) => isAtOrBelow(e.instancePath, o.instancePath));
    }
    if (ambiguousAt.has(e.instancePath)) return false;
    if (isInterpolationBranch(e)) return !substantive.some((o) => isAtOrBelow(e.instancePath, o.instancePath));
    return true;
  });
  const interpolationAt = new Set(errors.filter(isInterpolationBranch).map((e) => e.instancePath));
  const seen = new Set<string>();
  const out: SchemaIssue[] = [];
  for (const e of kept.length > 0 ? kept : errors) {
    let path = dottedPath(e.instancePath, data);
    let message = e.message ?? e.keyword;
    const params = e.params as Record<string, unknown>;
    switch (e.keyword) {
      case 'additionalProperties':
        path = appendKey(path, String(params.additionalProperty));
        message = `unknown property "${String(params.additionalProperty)}"`;
        break;
      case 'required':
        message = `missing required property "${String(params.missingProperty)}"`;
        break;
      case 'enum':
        message = `must be one of ${(params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`;
        break;
      case 'type':
        if (!isInterpolationBranch(e) && interpolationAt.has(e.instancePath)) message += ' (or a ${...} reference)';
        break;
      case 'oneOf':
        if (params.passingSchemas) message = 'matches more than one alternative (e.g. several ${...} references)';
        break;
    }
    const key = `${path}\u0000${message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({ path, message });
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Bundle configuration
// ---------------------------------------------------------------------------------------------

let bundleValidator: ValidateFunction | undefined;

/** ajv's standalone code generator (CommonJS: `module.exports = fn`, `exports.default = fn`). */
function standaloneCode(ajv: Ajv2020, validate: ValidateFunction): string {
  const mod = moduleRequire('ajv/dist/standalone/index.js') as { default?: unknown };
  return ((mod.default ?? mod) as (ajv: Ajv2020, validate: ValidateFunction) => string)(ajv, validate);
}

/** Evaluates ajv standalone code (CommonJS) with our own `require`, so the cache can live anywhere. */
function loadStandalone(code: string): ValidateFunction {
  const module = { exports: {} as { default?: ValidateFunction } & ValidateFunction };
  new Function('require', 'module', 'exports', code)(moduleRequire, module, module.exports);
  return module.exports.default ?? module.exports;
}

function bundleSchemaText(): string {
  return readFileSync(new URL('./bundle-schema.json', import.meta.url), 'utf8');
}

/** The bundle validator as ajv standalone code (CommonJS); the build writes it into the package. */
export function bundleValidatorSource(text: string = bundleSchemaText()): { code: string; validate: ValidateFunction } {
  const ajv = newAjv({ source: true });
  const validate = ajv.compile(JSON.parse(text) as JsonObject);
  return { code: standaloneCode(ajv, validate), validate };
}

/** The built package ships the compiled validator next to this module (see scripts/build.ts); a clone does not. */
function prebuiltBundleValidator(): ValidateFunction | undefined {
  try {
    return moduleRequire('./bundle-validator.cjs') as ValidateFunction;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'MODULE_NOT_FOUND') return undefined;
    throw error;
  }
}

/**
 * The bundle schema is large: compiling it takes seconds, loading the generated code tens of milliseconds.
 * The package ships it compiled; from sources it is cached as ajv standalone code, keyed by the schema text
 * and the ajv version; a missing or unreadable cache just means compiling once more.
 */
function compileBundleValidator(): ValidateFunction {
  const prebuilt = prebuiltBundleValidator();
  if (prebuilt) return prebuilt;
  const text = bundleSchemaText();
  const ajvVersion = (moduleRequire('ajv/package.json') as { version: string }).version;
  const key = createHash('sha256').update(`${ajvVersion}\0${newAjv.toString()}\0${text}`).digest('hex').slice(0, 20);
  const name = `bundle-validator-${key}.cjs`;
  const cached = readCached(name);
  if (cached !== undefined) {
    try {
      return loadStandalone(cached);
    } catch {
      // unreadable: compile below
    }
  }
  const { code, validate } = bundleValidatorSource(text);
  writeCached(name, code);
  return validate;
}

let schemaKey: string | undefined;

/** A hash of the bundle schema's text: what anything remembered about the schema's answers depends on. */
export function bundleSchemaKey(): string {
  schemaKey ??= createHash('sha256').update(bundleSchemaText()).digest('hex').slice(0, 20);
  return schemaKey;
}

/** The cache entry that says `doc` passed the schema, or undefined for a document JSON cannot write. */
function validEntryName(doc: unknown): string | undefined {
  let text: string;
  try {
    text = JSON.stringify(doc);
  } catch {
    return undefined;
  }
  return `bundle-config-valid-${createHash('sha256').update(`${bundleSchemaKey()}\0${text}`).digest('hex').slice(0, 32)}`;
}

/**
 * Validates a bundle configuration document (databricks.yml as data) against the bundle schema. Loading the
 * validator costs a few hundred milliseconds, and most commands check the very document they checked before: a
 * document found valid is remembered in the cache folder (by a hash of it and of the schema) and not checked again.
 */
export function validateBundleConfig(doc: unknown): SchemaIssue[] {
  const entry = validEntryName(doc);
  if (entry !== undefined && readCached(entry) !== undefined) return [];
  bundleValidator ??= compileBundleValidator();
  if (!bundleValidator(doc)) return toIssues(bundleValidator.errors, doc);
  if (entry !== undefined) writeCached(entry, 'valid\n');
  return [];
}

// ---------------------------------------------------------------------------------------------
// REST API
// ---------------------------------------------------------------------------------------------

interface ApiDoc {
  endpoints: Record<string, Partial<Record<ApiRequestPart | 'response', JsonObject>>>;
  $defs: JsonObject;
}

let apiDoc: ApiDoc | undefined;
let relaxedDefs: JsonObject | undefined;
let apiAjv: Ajv2020 | undefined;
const apiValidators = new Map<string, ValidateFunction>();

function api(): ApiDoc {
  apiDoc ??= loadJson('api-schema.json') as unknown as ApiDoc;
  return apiDoc;
}

/** Deep copy without `additionalProperties: false` (servers add response fields over time). */
function relax(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(relax);
  if (schema === null || typeof schema !== 'object') return schema;
  const out: JsonObject = {};
  for (const [k, v] of Object.entries(schema)) {
    if (k === 'additionalProperties' && v === false) continue;
    out[k] = relax(v);
  }
  return out;
}

function endpoint(alias: string): ApiDoc['endpoints'][string] {
  const e = api().endpoints[alias];
  if (!e) throw new Error(`unknown API endpoint alias "${alias}"`);
  return e;
}

function apiValidator(alias: string, part: ApiRequestPart | 'response'): ValidateFunction | undefined {
  const key = `${alias}\u0000${part}`;
  const cached = apiValidators.get(key);
  if (cached) return cached;
  const schema = endpoint(alias)[part];
  if (!schema) return undefined;
  apiAjv ??= newAjv();
  const v =
    part === 'response'
      ? apiAjv.compile({ ...(relax(schema) as JsonObject), $defs: (relaxedDefs ??= relax(api().$defs) as JsonObject) })
      : apiAjv.compile({ ...schema, $defs: api().$defs });
  apiValidators.set(key, v);
  return v;
}

function isEmpty(value: unknown): boolean {
  return value === undefined || (value !== null && typeof value === 'object' && Object.keys(value).length === 0);
}

/** Checks a request part against the endpoint's strict schema (unknown fields, missing required, enums, types). */
export function validateApiRequest(alias: ApiAlias, part: ApiRequestPart, value: unknown): SchemaIssue[] {
  const v = apiValidator(alias, part);
  if (!v) return isEmpty(value) ? [] : [{ path: '', message: `${alias} takes no ${part}` }];
  return v(value) ? [] : toIssues(v.errors, value);
}

/** Checks a response against the endpoint's schema with `additionalProperties: false` relaxed. */
export function validateApiResponse(alias: ApiAlias, value: unknown): SchemaIssue[] {
  const v = apiValidator(alias, 'response');
  if (!v) {
    const ok = value !== null && typeof value === 'object' && !Array.isArray(value);
    return ok ? [] : [{ path: '', message: 'must be object' }];
  }
  return v(value) ? [] : toIssues(v.errors, value);
}
