/**
 * Generates the committed schema artefacts under src/schema/ from the reference files in
 * ../shared/reference/ (override with DBX_REFERENCE_DIR):
 *
 *   dab-jsonschema.json    -> src/schema/bundle-types.ts, src/schema/bundle-schema.json
 *   api-shapes.schema.json -> src/schema/api-types.ts,    src/schema/api-schema.json
 *   (api-shapes.json supplies the alias table and api_version of each endpoint)
 *
 * The reference files are never copied; only trimmed, description-free derivatives are written.
 * Output is deterministic: keys are sorted and nothing depends on time or locale.
 *
 * Run with `npm run gen:schema`. DBX_SCHEMA_OUT_DIR overrides the output directory.
 */
import { readFileSync, writeFileSync, mkdirSync, existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

// ---------------------------------------------------------------------------------------------
// Shared helpers
// ---------------------------------------------------------------------------------------------

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
type JsonObject = { [k: string]: Json };
/** A JSON Schema node (loosely typed: the inputs are trusted reference files). */
type Schema = JsonObject;

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const refDir = process.env.DBX_REFERENCE_DIR
  ? path.resolve(process.env.DBX_REFERENCE_DIR)
  : path.resolve(repoRoot, '../shared/reference');
/** DBX_SCHEMA_OUT_DIR lets tests regenerate into a scratch directory and compare. */
const outDir = process.env.DBX_SCHEMA_OUT_DIR
  ? path.resolve(process.env.DBX_SCHEMA_OUT_DIR)
  : path.join(repoRoot, 'src/schema');

const BUNDLE_SCHEMA_FILE = 'dab-jsonschema.json';
const API_SCHEMA_FILE = 'api-shapes.schema.json';
const API_SHAPES_FILE = 'api-shapes.json';

function isObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function readJson(file: string): JsonObject {
  const full = path.join(refDir, file);
  if (!existsSync(full)) {
    throw new Error(`reference file not found: ${full} (set DBX_REFERENCE_DIR to the directory holding it)`);
  }
  const parsed: unknown = JSON.parse(readFileSync(full, 'utf8'));
  if (!isObject(parsed)) throw new Error(`${full}: expected a JSON object`);
  return parsed;
}

/** Code-unit comparison: deterministic, independent of locale. */
function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function sortedKeys(o: object): string[] {
  return Object.keys(o).sort(cmp);
}

/** JSON.stringify with object keys sorted recursively (array order is kept). */
function stableStringify(value: Json): string {
  const sortDeep = (v: Json): Json => {
    if (Array.isArray(v)) return v.map(sortDeep);
    if (isObject(v)) {
      const out: JsonObject = {};
      for (const k of sortedKeys(v)) out[k] = sortDeep(v[k] as Json);
      return out;
    }
    return v;
  };
  return JSON.stringify(sortDeep(value), null, 1) + '\n';
}

/** `resources.Job` -> `ResourcesJob`, `jobs/run-now` -> `JobsRunNow`. */
function pascal(name: string): string {
  return name
    .split(/[^A-Za-z0-9]+/)
    .filter((p) => p.length > 0)
    .map((p) => p.charAt(0).toUpperCase() + p.slice(1))
    .join('');
}

function tsPropName(name: string): string {
  return /^[A-Za-z_$][A-Za-z0-9_$]*$/.test(name) ? name : JSON.stringify(name);
}

function tsLiteral(v: Json): string {
  return JSON.stringify(v);
}

function unionText(members: string[]): string {
  return members.length === 0 ? 'never' : members.join(' | ');
}

function pushUnique(into: string[], items: string[]): void {
  for (const i of items) if (!into.includes(i)) into.push(i);
}

/** Keywords that carry no validation meaning and are dropped from the trimmed schemas. */
const ANNOTATIONS = new Set([
  'description',
  'markdownDescription',
  'deprecationMessage',
  'deprecated',
  'enumDescriptions',
  'x-databricks-launch-stage',
  'doNotSuggest',
  'title',
  'examples',
  'default',
]);
/** Keywords whose value is a single subschema / a list of subschemas / a map of subschemas. */
const SUB_ONE = new Set(['items', 'additionalProperties', 'not']);
const SUB_LIST = new Set(['oneOf', 'anyOf', 'allOf']);
const SUB_MAP = new Set(['properties']);
/** Validation keywords copied verbatim. Anything else aborts generation (so nothing is silently lost). */
const VERBATIM = new Set(['type', 'required', 'enum', 'pattern', 'const', 'format']);

/**
 * Returns a copy of `schema` with annotations removed and every `$ref` passed through `mapRef`.
 * Only schema positions are interpreted, so a *property* named `description` is kept.
 */
function trimSchema(schema: Json, mapRef: (ref: string) => string, where: string): Json {
  if (typeof schema === 'boolean') return schema;
  if (!isObject(schema)) throw new Error(`${where}: not a schema`);
  const out: JsonObject = {};
  for (const k of sortedKeys(schema)) {
    const v = schema[k] as Json;
    if (ANNOTATIONS.has(k)) continue;
    if (k === '$ref') {
      if (typeof v !== 'string') throw new Error(`${where}: bad $ref`);
      out[k] = mapRef(v);
    } else if (SUB_ONE.has(k)) {
      out[k] = trimSchema(v, mapRef, `${where}/${k}`);
    } else if (SUB_LIST.has(k)) {
      if (!Array.isArray(v)) throw new Error(`${where}/${k}: expected an array`);
      out[k] = v.map((s, i) => trimSchema(s, mapRef, `${where}/${k}/${i}`));
    } else if (SUB_MAP.has(k)) {
      if (!isObject(v)) throw new Error(`${where}/${k}: expected an object`);
      const m: JsonObject = {};
      for (const p of sortedKeys(v)) m[p] = trimSchema(v[p] as Json, mapRef, `${where}/${k}/${p}`);
      out[k] = m;
    } else if (VERBATIM.has(k)) {
      out[k] = v;
    } else {
      throw new Error(`${where}: unsupported keyword "${k}" (extend gen-schema.ts before regenerating)`);
    }
  }
  return out;
}

function header(source: string): string {
  return `// generated by scripts/gen-schema.ts from ${source}; do not edit\n`;
}

function write(file: string, content: string): void {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, content);
  console.log(`wrote ${path.relative(process.cwd(), file)} (${content.length} bytes)`);
}

/** Assigns unique TS names to def paths; returns the notes describing collisions. */
function assignNames(
  paths: string[],
  baseName: (p: string) => string,
  qualifiedSegments: (p: string) => string[],
): { names: Map<string, string>; notes: Map<string, string> } {
  const names = new Map<string, string>();
  const notes = new Map<string, string>();
  const byBase = new Map<string, string[]>();
  for (const p of [...paths].sort(cmp)) {
    const b = baseName(p);
    byBase.set(b, [...(byBase.get(b) ?? []), p]);
  }
  const taken = new Set(byBase.keys());
  for (const b of [...byBase.keys()].sort(cmp)) {
    const group = byBase.get(b) ?? [];
    if (group.length === 1) {
      names.set(group[0] as string, b);
      continue;
    }
    // Collision: prefix with as many parent path segments as needed to make every name unique.
    for (let depth = 1; ; depth++) {
      const candidate = group.map((p) => {
        const segs = qualifiedSegments(p);
        return pascal(segs.slice(Math.max(0, segs.length - depth)).join('.')) + b;
      });
      const unique = new Set(candidate).size === candidate.length && candidate.every((c) => !taken.has(c));
      if (unique || depth > 20) {
        group.forEach((p, i) => {
          const n = candidate[i] as string;
          names.set(p, n);
          taken.add(n);
          notes.set(p, `name collision on "${b}" (${group.join(', ')}); disambiguated by path prefix`);
        });
        break;
      }
    }
  }
  return { names, notes };
}

// ---------------------------------------------------------------------------------------------
// TypeScript emission from JSON Schema
// ---------------------------------------------------------------------------------------------

interface TsContext {
  /** TS members (union parts) for a `$ref` value. */
  refMembers(ref: string): string[];
  /** Is this a string schema that only admits `${...}` interpolations? */
  isInterpolation(s: Schema): boolean;
  indent: string;
}

/** Union members (TS type expressions) describing `schema`. */
function tsMembers(schema: Json, ctx: TsContext): string[] {
  if (schema === true) return ['unknown'];
  if (schema === false) return ['never'];
  if (!isObject(schema)) throw new Error('not a schema');
  if (typeof schema.$ref === 'string') return ctx.refMembers(schema.$ref);
  for (const key of ['oneOf', 'anyOf'] as const) {
    const list = schema[key];
    if (Array.isArray(list)) {
      const out: string[] = [];
      for (const s of list) pushUnique(out, tsMembers(s, ctx));
      return out;
    }
  }
  if ('const' in schema) return [tsLiteral(schema.const as Json)];
  if (Array.isArray(schema.enum)) return schema.enum.map(tsLiteral);
  switch (schema.type) {
    case 'string':
      return [ctx.isInterpolation(schema) ? 'VarRef' : 'string'];
    case 'boolean':
      return ['boolean'];
    case 'integer':
    case 'number':
      return ['number'];
    case 'null':
      return ['null'];
    case 'array': {
      const items = schema.items === undefined ? ['unknown'] : tsMembers(schema.items, ctx);
      return [items.length === 1 && /^[\w.<>, ]+$/.test(items[0] as string) ? `${items[0]}[]` : `(${unionText(items)})[]`];
    }
    case 'object':
    case undefined: {
      if (isObject(schema.properties)) return [tsObjectLiteral(schema, ctx)];
      if (schema.type === undefined && Object.keys(schema).length === 0) return ['unknown'];
      const ap = schema.additionalProperties;
      if (ap === false) return ['Record<string, never>'];
      const values = ap === undefined || ap === true ? ['unknown'] : tsMembers(ap, ctx);
      return [`Record<string, ${unionText(values)}>`];
    }
    default:
      throw new Error(`unsupported schema type ${JSON.stringify(schema.type)}`);
  }
}

/** `{ a?: T; ... }` body lines for an object schema's properties (no index signature, ever). */
function tsPropertyLines(schema: Schema, ctx: TsContext): string[] {
  const props = isObject(schema.properties) ? schema.properties : {};
  const required = new Set(Array.isArray(schema.required) ? schema.required.map(String) : []);
  const lines: string[] = [];
  for (const name of sortedKeys(props)) {
    const p = props[name] as Json;
    if (isObject(p) && p.deprecated === true) lines.push(`${ctx.indent}/** @deprecated */`);
    const opt = required.has(name) ? '' : '?';
    lines.push(`${ctx.indent}${tsPropName(name)}${opt}: ${unionText(tsMembers(p, ctx))};`);
  }
  return lines;
}

function tsObjectLiteral(schema: Schema, ctx: TsContext): string {
  const inner: TsContext = { ...ctx, indent: ctx.indent + '  ' };
  const lines = tsPropertyLines(schema, inner);
  return lines.length === 0 ? 'Record<string, never>' : `{\n${lines.join('\n')}\n${ctx.indent}}`;
}

/** Declares a named type: an interface for objects with properties, else a type alias. */
function tsDeclaration(name: string, core: Json, ctx: TsContext, comment?: string): string {
  const lead = comment ? `/** ${comment} */\n` : '';
  const hasProps = isObject(core) && isObject(core.properties) && Object.keys(core.properties).length > 0;
  if (isObject(core) && hasProps && core.$ref === undefined && !core.oneOf && !core.anyOf) {
    const lines = tsPropertyLines(core, { ...ctx, indent: '  ' });
    return `${lead}export interface ${name} {\n${lines.join('\n')}${lines.length ? '\n' : ''}}\n`;
  }
  return `${lead}export type ${name} = ${unionText(tsMembers(core, { ...ctx, indent: '' }))};\n`;
}

// ---------------------------------------------------------------------------------------------
// Bundle schema (dab-jsonschema.json)
// ---------------------------------------------------------------------------------------------

const PRIMITIVES = new Set(['string', 'bool', 'int', 'int64', 'float64', 'interface']);

function generateBundle(): void {
  const src = readJson(BUNDLE_SCHEMA_FILE);
  const rawDefs = src.$defs;
  if (!isObject(rawDefs)) throw new Error(`${BUNDLE_SCHEMA_FILE}: no $defs`);

  // 1. Collect the leaf definitions of the path-nested $defs tree.
  const SCHEMA_KEYS = ['type', 'oneOf', 'anyOf', 'allOf', '$ref', 'properties', 'enum', 'const', 'items'];
  const defs = new Map<string, Schema>();
  const collect = (node: JsonObject, segs: string[]): void => {
    for (const k of sortedKeys(node)) {
      const v = node[k];
      if (!isObject(v)) throw new Error(`$defs/${[...segs, k].join('/')}: unexpected value`);
      const isLeaf = Object.keys(v).length === 0 || SCHEMA_KEYS.some((s) => s in v);
      if (isLeaf) defs.set([...segs, k].join('/'), v);
      else collect(v, [...segs, k]);
    }
  };
  collect(rawDefs, []);

  // 2. Names. Named types: every def except primitives and slice/ map/ wrappers.
  const isWrapper = (p: string): boolean => p.startsWith('slice/') || p.startsWith('map/');
  const namedPaths = [...defs.keys()].filter((p) => !PRIMITIVES.has(p) && !isWrapper(p));
  const { names, notes } = assignNames(
    namedPaths,
    (p) => pascal(p.split('/').pop() as string),
    (p) => p.split('/').slice(0, -1),
  );
  if ([...names.values()].includes('BundleRoot') || [...names.values()].includes('VarRef')) {
    throw new Error('a schema type collides with BundleRoot/VarRef');
  }
  const schemaKey = (p: string): string => {
    if (PRIMITIVES.has(p)) return p;
    if (p.startsWith('slice/')) return `slice.${schemaKey(p.slice('slice/'.length))}`;
    if (p.startsWith('map/')) return `map.${schemaKey(p.slice('map/'.length))}`;
    const n = names.get(p);
    if (!n) throw new Error(`no name for ${p}`);
    return n;
  };
  const refPath = (ref: string): string => {
    if (!ref.startsWith('#/$defs/')) throw new Error(`unsupported $ref ${ref}`);
    const p = ref.slice('#/$defs/'.length);
    if (!defs.has(p)) throw new Error(`dangling $ref ${ref}`);
    return p;
  };
  const mapRef = (ref: string): string => `#/$defs/${schemaKey(refPath(ref))}`;

  // 3. bundle-schema.json
  const outDefs: JsonObject = {};
  for (const [p, s] of defs) outDefs[schemaKey(p)] = trimSchema(s, mapRef, `$defs/${p}`);
  const rootCopy: JsonObject = { ...src };
  delete rootCopy.$defs;
  const trimmedRoot = trimSchema(rootCopy, mapRef, '#') as JsonObject;
  const bundleJson: JsonObject = {
    $comment: `generated by scripts/gen-schema.ts from ${BUNDLE_SCHEMA_FILE}; do not edit`,
    ...trimmedRoot,
    $defs: outDefs,
  };
  write(path.join(outDir, 'bundle-schema.json'), stableStringify(bundleJson));

  // 4. bundle-types.ts
  const INTERPOLATION = /^\\\$\\\{/; // patterns of the form \$\{(...)\}
  const isInterpolation = (s: Schema): boolean =>
    s.type === 'string' && typeof s.pattern === 'string' && INTERPOLATION.test(s.pattern) && !('enum' in s);
  /** Splits `oneOf: [core, ...interpolation strings]` into its core and whether `${...}` is allowed. */
  const splitVarAlternative = (s: Schema): { core: Json; varRef: boolean } => {
    if (Array.isArray(s.oneOf)) {
      const rest = s.oneOf.filter((b) => !(isObject(b) && isInterpolation(b)));
      if (rest.length === 1 && rest.length < s.oneOf.length) return { core: rest[0] as Json, varRef: true };
    }
    return { core: s, varRef: false };
  };
  const ctx: TsContext = {
    indent: '',
    isInterpolation,
    refMembers(ref: string): string[] {
      const p = refPath(ref);
      const def = defs.get(p) as Schema;
      const name = names.get(p);
      if (name === undefined) return tsMembers(def, ctx); // primitive or slice/map wrapper: inline
      return splitVarAlternative(def).varRef ? [name, 'VarRef'] : [name];
    },
  };

  const decls: string[] = [];
  decls.push(tsDeclaration('BundleRoot', rootCopy, ctx, 'Root of a bundle configuration (databricks.yml)'));
  const ordered = namedPaths.map((p) => [names.get(p) as string, p] as const).sort((a, b) => cmp(a[0], b[0]));
  for (const [name, p] of ordered) {
    const def = defs.get(p) as Schema;
    const { core } = splitVarAlternative(def);
    const note = notes.get(p);
    decls.push(tsDeclaration(name, core, ctx, note));
  }
  const ts =
    header(BUNDLE_SCHEMA_FILE) +
    '// Field names are exactly the schema\'s (snake_case). Objects have no index signature, so a misspelled\n' +
    '// field in an object literal is a compile error. `X | VarRef` marks fields that also accept a ${...}\n' +
    '// interpolation string.\n\n' +
    '/** A `${...}` interpolation (e.g. `${var.catalog}`, `${resources.jobs.x.id}`). */\n' +
    'export type VarRef = `\\${${string}}`;\n\n' +
    decls.join('\n');
  write(path.join(outDir, 'bundle-types.ts'), ts);
  console.log(`bundle: ${defs.size} defs, ${namedPaths.length} named types, ${notes.size} renamed for collisions`);
}

// ---------------------------------------------------------------------------------------------
// REST API shapes (api-shapes.schema.json + api-shapes.json)
// ---------------------------------------------------------------------------------------------

/**
 * Endpoints we call that api-shapes.json has no alias for, keyed by "METHOD path".
 * (Aliased endpoints are all taken from api-shapes.json `aliases`.) Not present in the reference at
 * all, so not generated: the Files API (/api/2.0/fs/...) and SCIM Me (/api/2.0/preview/scim/v2/Me).
 */
const EXTRA_ALIASES: Record<string, string> = {
  'GET /api/2.0/pipelines/{pipeline_id}/events': 'pipelines/events',
  'GET /api/2.0/pipelines/{pipeline_id}/updates': 'pipelines/list-updates',
  'POST /api/2.0/pipelines/{pipeline_id}/stop': 'pipelines/stop',
  'GET /api/2.0/secrets/acls/get': 'secrets/acls/get',
  'GET /api/2.0/secrets/acls/list': 'secrets/acls/list',
  'POST /api/2.0/secrets/acls/delete': 'secrets/acls/delete',
  'GET /api/2.0/lakeview/dashboards/{dashboard_id}/published': 'lakeview/get-published',
  'DELETE /api/2.0/lakeview/dashboards/{dashboard_id}': 'lakeview/trash',
  'DELETE /api/2.0/lakeview/dashboards/{dashboard_id}/published': 'lakeview/unpublish',
  'POST /api/2.0/sql/statements/{statement_id}/cancel': 'sql/statements/cancel',
  'GET /api/2.0/sql/warehouses/{id}': 'sql/warehouses/get',
  'GET /api/2.0/sql/warehouses': 'sql/warehouses/list',
};

const PARTS = ['path_params', 'query', 'body', 'response'] as const;
type Part = (typeof PARTS)[number];
const PART_SUFFIX: Record<Part, string> = {
  path_params: 'PathParams',
  query: 'Query',
  body: 'Request',
  response: 'Response',
};

function generateApi(): void {
  const schemaSrc = readJson(API_SCHEMA_FILE);
  const shapes = readJson(API_SHAPES_FILE);
  const srcEndpoints = schemaSrc.endpoints;
  const srcDefs = schemaSrc.$defs;
  const aliases = shapes.aliases;
  const shapeEndpoints = shapes.endpoints;
  if (!isObject(srcEndpoints) || !isObject(srcDefs) || !isObject(aliases) || !isObject(shapeEndpoints)) {
    throw new Error('unexpected api-shapes layout');
  }

  // 1. Select endpoints: alias -> "METHOD path".
  const selected = new Map<string, string>();
  for (const alias of sortedKeys(aliases)) selected.set(alias, String(aliases[alias]));
  for (const key of sortedKeys(EXTRA_ALIASES)) {
    const alias = EXTRA_ALIASES[key] as string;
    if (!(key in srcEndpoints)) {
      console.warn(`skipping ${alias}: ${key} not in ${API_SCHEMA_FILE}`);
      continue;
    }
    if (selected.has(alias)) throw new Error(`alias ${alias} already defined`);
    selected.set(alias, key);
  }
  const aliasList = [...selected.keys()].sort(cmp);

  // 2. Referenced defs, transitively.
  const used = new Set<string>();
  const refName = (ref: string): string => {
    if (!ref.startsWith('#/$defs/')) throw new Error(`unsupported $ref ${ref}`);
    const n = ref.slice('#/$defs/'.length);
    if (!(n in srcDefs)) throw new Error(`dangling $ref ${ref}`);
    return n;
  };
  const visit = (s: Json): void => {
    if (Array.isArray(s)) s.forEach(visit);
    else if (isObject(s)) {
      for (const [k, v] of Object.entries(s)) {
        if (k === '$ref' && typeof v === 'string') {
          const n = refName(v);
          if (!used.has(n)) {
            used.add(n);
            visit(srcDefs[n] as Json);
          }
        } else visit(v as Json);
      }
    }
  };
  const endpointOf = (alias: string): JsonObject => {
    const e = srcEndpoints[selected.get(alias) as string];
    if (!isObject(e)) throw new Error(`endpoint for ${alias} missing`);
    return e;
  };
  for (const alias of aliasList) {
    const e = endpointOf(alias);
    for (const part of PARTS) if (e[part] !== undefined) visit(e[part] as Json);
  }

  // 3. Names for defs (`jobs.Task` -> `JobsTask`) and per-endpoint types.
  const { names, notes } = assignNames(
    [...used],
    (n) => pascal(n),
    () => ['api'],
  );
  const defNames = new Set(names.values());
  const mapRef = (ref: string): string => `#/$defs/${names.get(refName(ref)) as string}`;

  // 4. api-schema.json
  const outDefs: JsonObject = {};
  for (const n of used) outDefs[names.get(n) as string] = trimSchema(srcDefs[n] as Json, mapRef, `$defs/${n}`);
  const outEndpoints: JsonObject = {};
  for (const alias of aliasList) {
    const e = endpointOf(alias);
    const info = shapeEndpoints[selected.get(alias) as string];
    const apiVersion = isObject(info) && typeof info.api_version === 'string' ? info.api_version : null;
    const entry: JsonObject = { method: String(e.http_method), path: String(e.path), api_version: apiVersion };
    for (const part of PARTS) {
      if (e[part] === undefined) continue;
      const trimmed = trimSchema(e[part] as Json, mapRef, `endpoints/${alias}/${part}`) as JsonObject;
      // Path parameters are exactly the placeholders of the path: make them strict like the rest.
      if (part === 'path_params' && trimmed.additionalProperties === undefined) trimmed.additionalProperties = false;
      entry[part] = trimmed;
    }
    outEndpoints[alias] = entry;
  }
  const apiJson: JsonObject = {
    $comment: `generated by scripts/gen-schema.ts from ${API_SCHEMA_FILE} and ${API_SHAPES_FILE}; do not edit`,
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    endpoints: outEndpoints,
    $defs: outDefs,
  };
  write(path.join(outDir, 'api-schema.json'), stableStringify(apiJson));

  // 5. api-types.ts
  const ctx: TsContext = {
    indent: '',
    isInterpolation: () => false,
    refMembers: (ref) => [names.get(refName(ref)) as string],
  };
  const decls: string[] = [];
  for (const n of [...used].sort((a, b) => cmp(names.get(a) as string, names.get(b) as string))) {
    decls.push(tsDeclaration(names.get(n) as string, srcDefs[n] as Json, ctx, notes.get(n)));
  }
  const endpointDecls: string[] = [];
  const endpointMap: string[] = [];
  const constLines: string[] = [];
  const endpointTypeNames = new Set<string>();
  for (const alias of aliasList) {
    const e = outEndpoints[alias] as JsonObject;
    const base = pascal(alias);
    const members: string[] = [];
    for (const part of PARTS) {
      const s = e[part];
      let typeName: string;
      if (s === undefined) {
        typeName = part === 'response' ? 'EmptyResponse' : 'never';
      } else {
        typeName = base + PART_SUFFIX[part];
        const src = endpointOf(alias)[part] as Json;
        const pureRef = isObject(src) && typeof src.$ref === 'string' && Object.keys(src).length === 1;
        const target = pureRef ? (names.get(refName(src.$ref as string)) as string) : undefined;
        if (target === typeName) {
          // e.g. jobs/create response is jobs.CreateResponse, already exported as JobsCreateResponse
        } else {
          if (defNames.has(typeName) || endpointTypeNames.has(typeName)) {
            const alt = typeName + 'Of' + base;
            endpointDecls.push(`// ${typeName} is a schema type; ${alias} ${part} is named ${alt}\n`);
            typeName = alt;
          }
          endpointTypeNames.add(typeName);
          endpointDecls.push(
            target !== undefined
              ? `export type ${typeName} = ${target};\n`
              : tsDeclaration(typeName, (s as Json), { ...ctx, refMembers: (ref) => [ref.slice('#/$defs/'.length)] }),
          );
        }
      }
      members.push(`    ${part}: ${typeName};`);
    }
    endpointMap.push(`  ${JSON.stringify(alias)}: {\n${members.join('\n')}\n  };`);
    constLines.push(
      `  ${JSON.stringify(alias)}: { method: ${JSON.stringify(e.method)}, path: ${JSON.stringify(e.path)}, api_version: ${JSON.stringify(e.api_version)} },`,
    );
  }
  const ts =
    header(`${API_SCHEMA_FILE} and ${API_SHAPES_FILE}`) +
    '// Request/response types of the Databricks REST endpoints dbx-ts calls. int64 fields are plain `number`s\n' +
    '// (IDs are close to Number.MAX_SAFE_INTEGER: parse responses defensively).\n\n' +
    '/** Endpoints that return an empty JSON object. */\n' +
    'export type EmptyResponse = Record<string, never>;\n\n' +
    'export const ENDPOINTS = {\n' +
    constLines.join('\n') +
    '\n} as const;\n\n' +
    'export type ApiAlias = keyof typeof ENDPOINTS;\n\n' +
    '/** Per endpoint: path parameters, query, JSON body and response (`never` where the endpoint has none). */\n' +
    'export interface Endpoints {\n' +
    endpointMap.join('\n') +
    '\n}\n\n' +
    endpointDecls.join('\n') +
    '\n' +
    decls.join('\n');
  write(path.join(outDir, 'api-types.ts'), ts);
  console.log(`api: ${aliasList.length} endpoints, ${used.size} types`);
}

generateBundle();
generateApi();
