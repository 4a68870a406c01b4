// An inventory of a YAML bundle written as a dbx-ts definition: app.ts (the Bundle: name, variables, targets,
// settings), one module per YAML file that declares resources (the typed constructs, task handles in
// depends_on, `${resources...}` and `${var...}` turned into values where they can be), and bundle.ts, which
// imports them all and exports the app. What the types cannot say is wrapped in `unchecked(...)`; what no
// construct can say goes into `app.verbatim(...)`. Every such case is noted for the report.
import { posix } from 'node:path';
import { validateBundleConfig } from '../schema/validators.ts';
import type { Inventory, ResourceEntry } from './inventory.ts';
import { referenceKeys, referencePattern } from './references.ts';
import { Expression, identifierFor, quote, valueExpression, type WriteContext } from './ts-writer.ts';

type Obj = Record<string, unknown>;
type Keys = (string | number)[];

export interface EmittedFile {
  /** Path relative to the output folder. */
  path: string;
  content: string;
}

export interface ImportNote {
  severity: 'info' | 'warning' | 'error';
  /** Where in the YAML (bundle-relative file and line), when known. */
  file?: string;
  line?: number;
  message: string;
}

export interface EmitOptions {
  /** From the output folder to the bundle's folder (`.` when the definition sits beside the YAML). */
  sourceRoot: string;
}

/** The construct a resource becomes. */
type Kind = 'Job' | 'Pipeline' | 'Dashboard' | 'SecretScope' | 'Catalog' | 'Schema' | 'Volume' | 'Resource' | 'verbatim';

interface Symbol_ {
  entry: ResourceEntry;
  kind: Kind;
  name: string;
  module: string;
}

function isMap(v: unknown): v is Obj {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** The TypeScript module a YAML file becomes (`resources/x.job.yml` → `resources/x.job.ts`; `../` → `_parent/`). */
export function modulePathFor(yamlPath: string): string {
  const parts = yamlPath.split('/').map((p) => (p === '..' ? '_parent' : p));
  let path = parts.join('/').replace(/\.(ya?ml|json)$/i, '.ts');
  if (path === 'app.ts' || path === 'bundle.ts') path = path.replace(/\.ts$/, '.resources.ts');
  return path;
}

function relativeImport(from: string, to: string): string {
  const rel = posix.relative(posix.dirname(from), to);
  return rel.startsWith('.') ? rel : `./${rel}`;
}

/** `resources.jobs.x.tasks[0]["a.b"]` → `['resources', 'jobs', 'x', 'tasks', 0, 'a.b']`. */
function pathKeys(path: string): Keys {
  const keys: Keys = [];
  const re = /([^.[\]]+)|\[(\d+)\]|\["((?:[^"\\]|\\.)*)"\]/g;
  for (const m of path.matchAll(re)) {
    if (m[1] !== undefined) keys.push(m[1]);
    else if (m[2] !== undefined) keys.push(Number(m[2]));
    else keys.push(JSON.parse(`"${m[3]!}"`) as string);
  }
  return keys;
}

function startsWith(keys: Keys, prefix: Keys): boolean {
  return prefix.every((k, i) => keys[i] === k);
}

/** Where the schema refuses a value (an enum it does not list, a missing required field): those go through unchecked. */
function schemaProblems(doc: Obj, prefix: Keys, partial: boolean): { keys: Keys; message: string }[] {
  return validateBundleConfig(doc)
    .filter((i) => !(partial && i.message.startsWith('missing required')))
    .map((i) => ({ keys: pathKeys(i.path).slice(prefix.length), message: i.message }));
}

export function emitProject(inv: Inventory, opts: EmitOptions): { files: EmittedFile[]; notes: ImportNote[] } {
  const notes: ImportNote[] = inv.issues.map((i) => ({ severity: i.severity, file: i.file, line: i.line, message: i.message }));
  if (isMap(inv.settings['python']) && inv.settings['python']['resources'] !== undefined) {
    notes.push({
      severity: 'info',
      file: inv.files[0],
      message: 'resources defined in Python (python.resources) stay in Python: the Databricks CLI loads them when it deploys the built bundle; dbx-ts neither imports nor deploys them',
    });
  }
  const symbols = new Map<string, Symbol_>();
  const used = new Set<string>(['app']);
  for (const entry of inv.resources) {
    const kind = kindOf(entry, notes);
    let name = identifierFor(entry.key);
    if (used.has(name)) name = identifierFor(`${entry.key}_${entry.type}`);
    for (let n = 2; used.has(name); n++) name = `${identifierFor(entry.key)}_${n}`;
    used.add(name);
    symbols.set(`${entry.type}.${entry.key}`, { entry, kind, name, module: modulePathFor(entry.file) });
  }
  const { order, imports } = declarationOrder(inv, symbols);
  const files: EmittedFile[] = [{ path: 'app.ts', content: emitApp(inv, opts, notes) }];
  const modules = [...new Set(inv.resources.map((r) => modulePathFor(r.file)))];
  for (const module of modules) {
    const yaml = inv.resources.find((r) => modulePathFor(r.file) === module)!.file;
    const members = order.filter((s) => s.module === module);
    files.push({ path: module, content: emitModule({ module, symbols, allowed: imports.get(module) ?? new Set(), declared: new Set(), imports: new Map(), classes: new Set(), usedUnchecked: false, notes }, yaml, members) });
  }
  files.push({ path: 'bundle.ts', content: emitEntry(inv, modules) });
  return { files, notes };
}

function kindOf(entry: ResourceEntry, notes: ImportNote[]): Kind {
  const s = entry.settings;
  const hasOverrides = entry.overrides.length > 0 || entry.targets !== undefined;
  const verbatim = (why: string): Kind => {
    notes.push({ severity: 'warning', file: entry.file, line: entry.line, message: `resources.${entry.type}.${entry.key} kept verbatim (app.verbatim): ${why}; dbx-ts builds it into the bundle but does not deploy it` });
    return 'verbatim';
  };
  // Catalog, Schema and Volume take grants as a list; a `${var...}` standing for the list cannot go there.
  if (['catalogs', 'schemas', 'volumes'].includes(entry.type) && s['grants'] !== undefined && !Array.isArray(s['grants'])) {
    return verbatim('its grants are a reference, where the construct takes a list');
  }
  switch (entry.type) {
    case 'jobs':
      return 'Job';
    case 'pipelines':
      return 'Pipeline';
    case 'secret_scopes':
      return 'SecretScope';
    case 'dashboards':
      return typeof s['file_path'] === 'string' ? 'Dashboard' : verbatim('the dashboard has no file_path');
    case 'catalogs':
      if (hasOverrides) return verbatim('catalogs with per-target settings are not expressible with Catalog');
      return s['lifecycle'] === undefined ? 'Catalog' : verbatim('Catalog has no lifecycle');
    case 'schemas':
      if (hasOverrides) return verbatim('schemas with per-target settings are not expressible with Schema');
      return s['lifecycle'] === undefined && typeof s['catalog_name'] === 'string' ? 'Schema' : verbatim('Schema needs a catalog_name and has no lifecycle');
    case 'volumes': {
      if (hasOverrides) return verbatim('volumes with per-target settings are not expressible with Volume');
      const schema = typeof s['schema_name'] === 'string' ? /^\$\{resources\.schemas\.([^.]+)\.name\}$/.exec(s['schema_name'])?.[1] : undefined;
      const fits =
        schema !== undefined &&
        s['catalog_name'] === `\${resources.schemas.${schema}.catalog_name}` &&
        s['volume_type'] === (s['storage_location'] ? 'EXTERNAL' : 'MANAGED') &&
        s['lifecycle'] === undefined;
      return fits ? 'Volume' : verbatim("Volume takes its catalog and schema from a Schema of the bundle, and this volume names them otherwise");
    }
    default:
      return 'Resource';
  }
}

/** `${resources.<type>.<key>...}` references in a resource's settings, overrides and tasks. */
function referencedAddresses(entry: ResourceEntry): string[] {
  const found = new Set<string>();
  const walk = (v: unknown) => {
    if (typeof v === 'string') {
      for (const m of v.matchAll(referencePattern())) {
        const keys = referenceKeys(m[1]!);
        if (keys[0] === 'resources' && keys.length >= 3) found.add(`${String(keys[1])}.${String(keys[2])}`);
      }
    } else if (Array.isArray(v)) v.forEach(walk);
    else if (isMap(v)) Object.values(v).forEach(walk);
  };
  walk(entry.settings);
  for (const o of entry.overrides) walk(o.value);
  return [...found];
}

/**
 * The order declarations are written in, and which references may become values: a module imports another
 * only if that adds no import cycle, and within a module a resource refers to those declared before it.
 */
function declarationOrder(inv: Inventory, symbols: Map<string, Symbol_>): { order: Symbol_[]; imports: Map<string, Set<string>> } {
  const imports = new Map<string, Set<string>>();
  const reaches = (from: string, to: string, seen = new Set<string>()): boolean => {
    if (from === to) return true;
    if (seen.has(from)) return false;
    seen.add(from);
    return [...(imports.get(from) ?? [])].some((n) => reaches(n, to, seen));
  };
  for (const entry of inv.resources) {
    const from = modulePathFor(entry.file);
    for (const address of referencedAddresses(entry)) {
      const target = symbols.get(address);
      if (!target || target.kind === 'verbatim' || target.module === from) continue;
      if (!reaches(target.module, from)) imports.set(from, new Set([...(imports.get(from) ?? []), target.module]));
    }
  }
  const out: Symbol_[] = [];
  const state = new Map<Symbol_, 'visiting' | 'done'>();
  const visit = (s: Symbol_) => {
    if (state.get(s)) return;
    state.set(s, 'visiting');
    for (const address of referencedAddresses(s.entry)) {
      const dep = symbols.get(address);
      if (dep && dep.module === s.module && dep !== s && !state.get(dep)) visit(dep);
    }
    state.set(s, 'done');
    out.push(s);
  };
  for (const entry of inv.resources) visit(symbols.get(`${entry.type}.${entry.key}`)!);
  return { order: out, imports };
}

// --- app.ts ---------------------------------------------------------------------------------------------

/** A target's variables as dbx-ts writes them: plain values short, complex values and lookups in full. */
function targetVariables(variables: unknown, declared: Record<string, Obj>): Obj | undefined {
  if (!isMap(variables)) return undefined;
  const out: Obj = {};
  for (const [name, setting] of Object.entries(variables)) {
    if (!isMap(setting)) continue;
    const complex = declared[name]?.['type'] === 'complex' || isMap(setting['default']) || Array.isArray(setting['default']);
    if (setting['lookup'] !== undefined) out[name] = { lookup: setting['lookup'] };
    else if (setting['default'] !== undefined && !complex && Object.keys(setting).every((k) => k === 'default' || k === 'type')) out[name] = setting['default'];
    else out[name] = setting;
  }
  return out;
}

function emitApp(inv: Inventory, opts: EmitOptions, notes: ImportNote[]): string {
  const props: Obj = { name: inv.name };
  if (Object.keys(inv.variables).length > 0) props['variables'] = inv.variables;
  const targets: Obj = {};
  for (const [name, t] of Object.entries(inv.targets)) {
    const { variables, ...rest } = t;
    const vars = targetVariables(variables, inv.variables);
    targets[name] = { ...rest, ...(vars ? { variables: vars } : {}) };
  }
  // The Databricks CLI gives a bundle without targets one named "default".
  props['targets'] = Object.keys(targets).length > 0 ? targets : { default: {} };
  const settings: Obj = { ...(Object.keys(inv.bundle).length > 0 ? { bundle: inv.bundle } : {}), ...inv.settings };
  if (Object.keys(settings).length > 0) props['settings'] = settings;
  if (opts.sourceRoot !== '.') props['source_root'] = opts.sourceRoot;
  const problems = schemaProblems({ ...settings, bundle: { ...inv.bundle, name: inv.name }, targets: props['targets'], variables: inv.variables }, [], false);
  const uncheckedAt = (keys: readonly (string | number)[]): boolean => {
    const mapped = keys[0] === 'settings' ? keys.slice(1) : keys;
    return problems.some((p) => p.keys.length > 0 && p.keys.length === mapped.length && startsWith(mapped as Keys, p.keys));
  };
  const ctx: WriteContext = { reference: () => undefined, unchecked: uncheckedAt, usedUnchecked: false };
  const body = valueExpression(props, ctx, '');
  if (ctx.usedUnchecked) notes.push({ severity: 'warning', file: inv.files[0], message: 'app.ts: values the schema does not accept are kept with unchecked(...)' });
  const sources = inv.files.filter((f, i) => i === 0 || !inv.resources.some((r) => r.file === f));
  return [
    `// The bundle ${inv.name}, imported by dbx-ts import from ${sources.join(', ')}:`,
    '// its name, variables, targets and settings. Its resources are in the modules bundle.ts imports.',
    `import { Bundle${ctx.usedUnchecked ? ', unchecked' : ''} } from 'dbx-ts';`,
    '',
    `export const app = new Bundle(${body});`,
    '',
  ].join('\n');
}

// --- bundle.ts ------------------------------------------------------------------------------------------

function emitEntry(inv: Inventory, modules: string[]): string {
  return [
    `// The bundle definition of ${inv.name}, imported by dbx-ts import: build, validate and deploy it with dbx-ts.`,
    "import { app } from './app.ts';",
    ...modules.map((m) => `import ${quote(relativeImport('bundle.ts', m))};`),
    '',
    'export default app;',
    '',
  ].join('\n');
}

// --- resource modules -----------------------------------------------------------------------------------

interface ModuleState {
  module: string;
  symbols: Map<string, Symbol_>;
  /** Modules this one may import without an import cycle. */
  allowed: Set<string>;
  /** Declared so far in this module (references to them are values). */
  declared: Set<Symbol_>;
  /** Modules imported and the names taken from each. */
  imports: Map<string, Set<string>>;
  classes: Set<string>;
  usedUnchecked: boolean;
  notes: ImportNote[];
}

/** The expression for `${resources.<type>.<key>.<field>}` from this module, or undefined to keep the text. */
function resourceReference(path: string, st: ModuleState, self: Symbol_ | undefined): string | undefined {
  const keys = referenceKeys(path);
  if (keys[0] !== 'resources' || keys.length !== 4 || typeof keys[3] !== 'string') return undefined;
  const target = st.symbols.get(`${String(keys[1])}.${String(keys[2])}`);
  if (!target || target === self || target.kind === 'verbatim') return undefined;
  const field = keys[3];
  let expr: string | undefined;
  switch (target.kind) {
    case 'Catalog':
      expr = field === 'name' ? `${target.name}.nameRef` : undefined;
      break;
    case 'Schema':
      expr = field === 'name' ? `${target.name}.nameRef` : field === 'catalog_name' ? `${target.name}.catalogRef` : undefined;
      break;
    case 'Volume':
      expr = undefined;
      break;
    default:
      expr = field === 'id' && target.kind !== 'SecretScope' ? `${target.name}.idRef` : `${target.name}.ref(${quote(field)})`;
  }
  if (expr === undefined) return undefined;
  const kept = (why: string) => {
    const message = `\${${path}} in ${st.module} stays a string: ${why}`;
    if (!st.notes.some((n) => n.message === message)) st.notes.push({ severity: 'info', message });
    return undefined;
  };
  if (target.module === st.module) {
    if (!st.declared.has(target)) return kept(`${target.name} is declared after the resource that refers to it`);
  } else {
    if (!st.allowed.has(target.module)) return kept(`${target.module} refers back to this module, and modules cannot import each other`);
    st.imports.set(target.module, new Set([...(st.imports.get(target.module) ?? []), target.name]));
  }
  return expr;
}

function contextFor(st: ModuleState, self: Symbol_ | undefined, problems: { keys: Keys }[], base: Keys): WriteContext {
  const ctx: WriteContext = {
    reference: (path) => {
      const keys = referenceKeys(path);
      if ((keys[0] === 'var' && keys.length === 2) || (keys[0] === 'variables' && keys.length === 3 && keys[2] === 'value')) {
        return `app.var(${quote(String(keys[1]))})`;
      }
      return resourceReference(path, st, self);
    },
    unchecked: (keys) => {
      const full = [...base, ...keys];
      const hit = problems.some((p) => p.keys.length > 0 && p.keys.length === full.length && startsWith(full, p.keys));
      if (hit) st.usedUnchecked = true;
      return hit;
    },
    usedUnchecked: false,
  };
  return ctx;
}

function emitModule(st: ModuleState, yaml: string, members: Symbol_[]): string {
  const module = st.module;
  const blocks: string[] = [];
  for (const s of members) {
    blocks.push(emitResource(s, st));
    st.declared.add(s);
  }
  const header = [`// Imported by dbx-ts import from ${yaml}.`];
  const classes = [...st.classes].sort();
  if (st.usedUnchecked) classes.push('unchecked');
  const lines = [...header, `import { ${classes.join(', ')} } from 'dbx-ts';`, `import { app } from ${quote(relativeImport(module, 'app.ts'))};`];
  for (const [from, names] of [...st.imports.entries()].sort(([a], [b]) => a.localeCompare(b))) {
    lines.push(`import { ${[...names].sort().join(', ')} } from ${quote(relativeImport(module, from))};`);
  }
  return `${lines.join('\n')}\n\n${blocks.join('\n\n')}\n`;
}

function options(entry: ResourceEntry): string {
  return entry.targets ? `, { targets: [${entry.targets.map(quote).join(', ')}] }` : '';
}

/** Schema problems of one resource's settings (of an override: missing fields are fine there). */
function problemsOf(s: Symbol_, settings: Obj, partial = false): { keys: Keys; message: string }[] {
  return schemaProblems({ resources: { [s.entry.type]: { [s.entry.key]: settings } } }, ['resources', s.entry.type, s.entry.key], partial);
}

function noteUnchecked(s: Symbol_, problems: { keys: Keys; message: string }[], st: ModuleState): void {
  for (const p of problems) {
    st.notes.push({
      severity: 'warning',
      file: s.entry.file,
      line: s.entry.line,
      message: `resources.${s.entry.type}.${s.entry.key}${p.keys.length > 0 ? `.${p.keys.join('.')}` : ''}: ${p.message}; kept with unchecked(...)`,
    });
  }
}

function emitResource(s: Symbol_, st: ModuleState): string {
  const e = s.entry;
  if (s.kind === 'verbatim') return emitVerbatim(s);
  const problems = problemsOf(s, e.settings);
  noteUnchecked(s, problems, st);
  const whole = problems.some((p) => p.keys.length === 0);
  const ctx = contextFor(st, s, problems, []);
  const lines: string[] = [];
  const exportConst = `export const ${s.name} = `;
  const propsExpr = (value: Obj, keys: Keys = []) => {
    if (whole) {
      st.usedUnchecked = true;
      return `unchecked(${valueExpression(value, { reference: ctx.reference, unchecked: () => false, usedUnchecked: false }, '')})`;
    }
    return valueExpression(value, contextFor(st, s, problems, keys), '');
  };
  switch (s.kind) {
    case 'Job': {
      st.classes.add('Job');
      const { tasks, ...props } = e.settings;
      // JobProps wants a name; a job without one stays without one (the CLI names it "Untitled").
      if (props['name'] === undefined) st.usedUnchecked = true;
      const jobProps = props['name'] === undefined ? { name: new Expression('unchecked(undefined)'), ...props } : props;
      lines.push(`${exportConst}new Job(app, ${quote(e.key)}, ${propsExpr(jobProps)}${options(e)});`);
      lines.push(...emitTasks(s, Array.isArray(tasks) ? (tasks as Obj[]) : [], st, problems));
      break;
    }
    case 'Pipeline': {
      st.classes.add('Pipeline');
      // A pipeline without libraries says so, so dbx-ts generates no SQL source for it.
      const props = e.settings['libraries'] === undefined ? { ...e.settings, libraries: [] } : e.settings;
      lines.push(`${exportConst}new Pipeline(app, ${quote(e.key)}, ${propsExpr(props)}${options(e)});`);
      break;
    }
    case 'Dashboard':
    case 'SecretScope':
    case 'Catalog': {
      st.classes.add(s.kind);
      lines.push(`${exportConst}new ${s.kind}(app, ${quote(e.key)}, ${propsExpr(e.settings)}${s.kind === 'Catalog' ? '' : options(e)});`);
      break;
    }
    case 'Schema': {
      st.classes.add('Schema');
      const { catalog_name, ...rest } = e.settings;
      const catalogKey = typeof catalog_name === 'string' ? /^\$\{resources\.catalogs\.([^.]+)\.name\}$/.exec(catalog_name)?.[1] : undefined;
      const catalogSym = catalogKey ? st.symbols.get(`catalogs.${catalogKey}`) : undefined;
      const catalogExpr = catalogSym && catalogSym.kind === 'Catalog' ? resourceReference(`resources.catalogs.${catalogKey}.name`, st, s)?.replace(/\.nameRef$/, '') : undefined;
      const catalog = catalogExpr !== undefined ? new Expression(catalogExpr) : catalog_name;
      lines.push(`${exportConst}new Schema(app, ${quote(e.key)}, ${propsExpr({ catalog, ...rest, name: e.settings['name'] ?? e.key })});`);
      break;
    }
    case 'Volume': {
      st.classes.add('Volume');
      const schemaKey = /^\$\{resources\.schemas\.([^.]+)\.name\}$/.exec(String(e.settings['schema_name']))![1]!;
      const schemaExpr = resourceReference(`resources.schemas.${schemaKey}.name`, st, s)?.replace(/\.nameRef$/, '') ?? `unchecked(${quote(schemaKey)})`;
      const { catalog_name: _c, schema_name: _s, volume_type: _v, ...rest } = e.settings;
      lines.push(`${exportConst}new Volume(app, ${quote(e.key)}, ${propsExpr({ schema: new Expression(schemaExpr), ...rest, name: e.settings['name'] ?? e.key })});`);
      break;
    }
    case 'Resource': {
      st.classes.add('Resource');
      lines.push(`${exportConst}new Resource(app, ${quote(e.type)}, ${quote(e.key)}, ${propsExpr(e.settings)}${options(e)});`);
      break;
    }
  }
  for (const o of e.overrides) {
    const oProblems = problemsOf(s, o.value, !o.replace);
    noteUnchecked(s, oProblems, st);
    const octx = contextFor(st, s, oProblems, []);
    const how = o.replace ? ', { replace: true }' : '';
    lines.push(`${s.name}.forTarget(${quote(o.target)}, ${valueExpression(o.value, octx, '')}${how});`);
  }
  return lines.join('\n');
}

function emitVerbatim(s: Symbol_): string {
  const e = s.entry;
  const fragment: Obj = {};
  if (!e.targets) fragment['resources'] = { [e.type]: { [e.key]: e.settings } };
  const targets: Obj = {};
  for (const t of e.targets ?? []) targets[t] = { resources: { [e.type]: { [e.key]: e.overrides.find((o) => o.target === t)?.value ?? e.settings } } };
  for (const o of e.overrides) if (!e.targets) targets[o.target] = { resources: { [e.type]: { [e.key]: o.value } } };
  if (Object.keys(targets).length > 0) fragment['targets'] = targets;
  const plain: WriteContext = { reference: () => undefined, unchecked: () => false, usedUnchecked: false };
  return `// Not expressible with a construct: kept as written.\napp.verbatim(${valueExpression(fragment, plain, '')});`;
}

/** Tasks in an order where every dependency is declared first; handles only for tasks others depend on. */
function emitTasks(s: Symbol_, tasks: Obj[], st: ModuleState, problems: { keys: Keys }[]): string[] {
  const byKey = new Map(tasks.map((t, i) => [String(t['task_key']), { task: t, index: i }]));
  const dependedOn = new Set(tasks.flatMap((t) => (Array.isArray(t['depends_on']) ? (t['depends_on'] as Obj[]).map((d) => String(d['task_key'])) : [])));
  const ordered: { task: Obj; index: number }[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (key: string) => {
    const item = byKey.get(key);
    if (!item || state.get(key)) return;
    state.set(key, 'visiting');
    for (const d of Array.isArray(item.task['depends_on']) ? (item.task['depends_on'] as Obj[]) : []) visit(String(d['task_key']));
    state.set(key, 'done');
    ordered.push(item);
  };
  for (const t of tasks) visit(String(t['task_key']));
  const handles = new Map<string, string>();
  const out: string[] = [];
  for (const { task, index } of ordered) {
    const key = String(task['task_key']);
    const { task_key: _k, depends_on, ...props } = task;
    const deps = (Array.isArray(depends_on) ? (depends_on as Obj[]) : []).map((d) => {
      const handle = handles.get(String(d['task_key'])) ?? `${s.name}.taskRef(${quote(String(d['task_key']))})`;
      return d['outcome'] !== undefined ? `{ task: ${handle}, outcome: ${quote(String(d['outcome']))} }` : handle;
    });
    const ctx = contextFor(st, s, problems, ['tasks', index]);
    const withDeps = deps.length > 0 ? { depends_on: new Expression(`[${deps.join(', ')}]`), ...props } : props;
    const body = valueExpression(withDeps, ctx, '');
    const call = `${s.name}.task(${quote(key)}, ${body});`;
    if (dependedOn.has(key)) {
      const handle = identifierFor(`${s.name}_${key}`);
      handles.set(key, handle);
      out.push(`const ${handle} = ${call}`);
    } else out.push(call);
  }
  return out;
}

// --- one resource as a function of the app (dbx-ts generate) ------------------------------------------------

export interface ResourceFunction {
  /** The module's text. */
  content: string;
  /** The function the bundle's entry file calls with its Bundle. */
  functionName: string;
  /** The construct class the function returns (`Job`, `Pipeline`, `Dashboard`, `Resource`). */
  returns: string;
  notes: ImportNote[];
}

/**
 * One resource read from the workspace as a module exporting `function <name>(app: Bundle)` that declares it: the
 * entry file calls it with its Bundle (a module cannot import the entry's Bundle, which imports it back).
 */
export function emitResourceFunction(entry: ResourceEntry, header: string[]): ResourceFunction {
  const notes: ImportNote[] = [];
  const kind = kindOf(entry, notes);
  const name = identifierFor(entry.key);
  const symbol: Symbol_ = { entry, kind, name, module: 'generated' };
  const st: ModuleState = { module: 'generated', symbols: new Map([[`${entry.type}.${entry.key}`, symbol]]), allowed: new Set(), declared: new Set(), imports: new Map(), classes: new Set(), usedUnchecked: false, notes };
  const body = emitResource(symbol, st).replace(`export const ${name} = `, `const ${name} = `);
  const functionName = identifierFor(`add_${entry.key}`).replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
  const returns = kind === 'verbatim' ? 'void' : kind;
  const classes = [...st.classes].sort();
  if (st.usedUnchecked) classes.push('unchecked');
  // Indent the body unless a template literal could span lines (indenting would change its text).
  const indented = body.includes('`') ? body : body.replace(/^(?=.)/gm, '  ');
  const lines = [
    ...header.map((h) => `// ${h}`),
    `import { ${[...classes, 'type Bundle'].join(', ')} } from 'dbx-ts';`,
    '',
    `export function ${functionName}(app: Bundle): ${returns} {`,
    indented,
    ...(kind === 'verbatim' ? [] : [`  return ${name};`]),
    '}',
  ];
  return { content: `${lines.join('\n')}\n`, functionName, returns, notes };
}
