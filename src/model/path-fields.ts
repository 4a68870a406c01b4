// Which configuration fields hold local paths, and which of their values are local relative paths, as the
// Databricks CLI decides when it translates paths (bundle/config/mutator/paths/*_visitor.go and
// bundle/libraries/local_path.go). In YAML a relative path is relative to the file that holds it; in a
// dbx-ts definition and in the resolved configuration it is relative to the bundle root.

/**
 * How a field's value is read: a notebook (deployed without its extension), a file, a directory, a glob, a
 * local library file, or a dependency that may also be a package or a pip flag.
 */
export type PathMode = 'notebook' | 'file' | 'directory' | 'glob' | 'library' | 'dependency';

export interface PathField {
  pattern: string;
  mode: PathMode;
}

const TASK_PATHS: PathField[] = [
  { pattern: 'notebook_task.notebook_path', mode: 'notebook' },
  { pattern: 'spark_python_task.python_file', mode: 'file' },
  { pattern: 'dbt_task.project_directory', mode: 'directory' },
  { pattern: 'sql_task.file.path', mode: 'file' },
  { pattern: 'alert_task.workspace_path', mode: 'file' },
  { pattern: 'libraries[*].requirements', mode: 'file' },
  { pattern: 'libraries[*].whl', mode: 'library' },
  { pattern: 'libraries[*].jar', mode: 'library' },
  { pattern: 'ai_runtime_task.deployments[*].command_path', mode: 'file' },
];

const under = (prefix: string, fields: PathField[]): PathField[] => fields.map((f) => ({ ...f, pattern: `${prefix}.${f.pattern}` }));

/** Per resource type, the path fields inside one resource's settings. */
export const RESOURCE_PATH_FIELDS: Record<string, PathField[]> = {
  jobs: [...under('tasks[*]', TASK_PATHS), ...under('tasks[*].for_each_task.task', TASK_PATHS), { pattern: 'environments[*].spec.dependencies[*]', mode: 'dependency' }],
  pipelines: [
    { pattern: 'libraries[*].notebook.path', mode: 'notebook' },
    { pattern: 'libraries[*].file.path', mode: 'file' },
    { pattern: 'libraries[*].glob.include', mode: 'glob' },
    { pattern: 'root_path', mode: 'directory' },
    { pattern: 'environment.dependencies[*]', mode: 'dependency' },
  ],
  dashboards: [{ pattern: 'file_path', mode: 'file' }],
  alerts: [{ pattern: 'file_path', mode: 'file' }],
  genie_spaces: [{ pattern: 'file_path', mode: 'file' }],
  apps: [{ pattern: 'source_code_path', mode: 'directory' }],
};

/** The names of a YAML bundle's entry file, in the order the Databricks CLI looks for them. */
export const ENTRY_FILES = ['databricks.yml', 'databricks.yaml', 'bundle.yml', 'bundle.yaml'];

/** Path fields outside resources, relative to the configuration root. */
export const ROOT_PATH_FIELDS: PathField[] = [
  { pattern: 'artifacts.*.path', mode: 'directory' },
  { pattern: 'artifacts.*.files[*].source', mode: 'glob' },
  { pattern: 'sync.paths[*]', mode: 'directory' },
  { pattern: 'sync.include[*]', mode: 'glob' },
  { pattern: 'sync.exclude[*]', mode: 'glob' },
];

const PIP_FLAGS = ['-r', '-e'];
const PEP440 = String.raw`(\d+!)?\d+(\.\d+)*([-_.]?(a|b|rc)\d+)?([-_.]?post\d+)?([-_.]?dev\d+)?(\+[a-zA-Z0-9]+([-_.][a-zA-Z0-9]+)*)?`;
const PACKAGE = new RegExp(String.raw`^[a-zA-Z0-9\-_]+\s?(\[.*\])?\s?((==|!=|<=|>=|~=|==|>|<)\s?${PEP440},?)*$`);
const PIP_FLAG_ANYWHERE = /(^|\s+)--?[a-zA-Z0-9-]+(([\s|=]+)|$)/;

function hasRemoteScheme(value: string): boolean {
  const m = /^([A-Za-z][A-Za-z0-9+.-]*):/.exec(value);
  return m !== null && value.startsWith(`${m[1]!}:/`) && m[1]!.toLowerCase() !== 'file';
}

/** A relative path on this machine: not absolute, and no URL scheme (dbfs:/, s3://, file://, ...). */
export function isLocalRelativePath(value: string): boolean {
  return value !== '' && !value.startsWith('/') && !/^[A-Za-z][A-Za-z0-9+.-]*:/.test(value);
}

/** For a dependency: the local path it names and the pip flag before it, or undefined for a package or URL. */
export function localDependency(value: string): { path: string; flag?: string } | undefined {
  for (const flag of PIP_FLAGS) {
    if (value.startsWith(`${flag} `)) {
      const path = value.slice(flag.length + 1).trim();
      return isLocalRelativePath(path) ? { path, flag } : undefined;
    }
  }
  if (value === '') return undefined;
  if (value.startsWith('.')) return { path: value };
  if (PIP_FLAG_ANYWHERE.test(value) || PACKAGE.test(value) || isUrlLookup(value)) return undefined;
  return isLocalRelativePath(value) ? { path: value } : undefined;
}

function isUrlLookup(value: string): boolean {
  const parts = value.split(' @ ');
  return parts.length === 2 && PACKAGE.test(parts[0]!) && hasRemoteScheme(parts[1]!);
}

/**
 * Rewrites the local relative path in one field value; other values (absolute paths, URLs, packages, values
 * that start with a `${...}` reference) come back unchanged.
 */
export function rewritePathValue(value: unknown, mode: PathMode, rewrite: (path: string, mode: PathMode) => string): unknown {
  if (typeof value !== 'string' || value.startsWith('${')) return value;
  if (mode === 'dependency') {
    const dep = localDependency(value);
    if (!dep) return value;
    return dep.flag ? `${dep.flag} ${rewrite(dep.path, 'file')}` : rewrite(dep.path, 'library');
  }
  return isLocalRelativePath(value) ? rewrite(value, mode) : value;
}

type Segment = { key: string } | { anyIndex: true } | { anyKey: true };

/** Parsed patterns: each field list is applied to every resource of its type. */
const parsedPatterns = new Map<string, Segment[]>();

function parsePattern(pattern: string): Segment[] {
  const known = parsedPatterns.get(pattern);
  if (known) return known;
  const out: Segment[] = [];
  for (const part of pattern.split('.')) {
    const m = /^([^[]*)((\[\*\])*)$/.exec(part)!;
    if (m[1] === '*') out.push({ anyKey: true });
    else if (m[1] !== '') out.push({ key: m[1]! });
    for (let i = 0; i < m[2]!.length / 3; i++) out.push({ anyIndex: true });
  }
  parsedPatterns.set(pattern, out);
  return out;
}

/** `value` with `fn` applied at `segments` from index `at`; the same object where nothing changed (no copies). */
function mapAt(value: unknown, segments: Segment[], fn: (v: unknown) => unknown, at = 0): unknown {
  if (at === segments.length) return fn(value);
  const head = segments[at]!;
  if ('anyIndex' in head) {
    if (!Array.isArray(value)) return value;
    let copy: unknown[] | undefined;
    value.forEach((v, i) => {
      const mapped = mapAt(v, segments, fn, at + 1);
      if (mapped !== v) (copy ??= [...value])[i] = mapped;
    });
    return copy ?? value;
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return value;
  const obj = value as Record<string, unknown>;
  if ('anyKey' in head) {
    let copy: Record<string, unknown> | undefined;
    for (const [k, v] of Object.entries(obj)) {
      const mapped = mapAt(v, segments, fn, at + 1);
      if (mapped !== v) (copy ??= { ...obj })[k] = mapped;
    }
    return copy ?? value;
  }
  if (!(head.key in obj)) return value;
  const mapped = mapAt(obj[head.key], segments, fn, at + 1);
  return mapped === obj[head.key] ? value : { ...obj, [head.key]: mapped };
}

/** `value` with every listed path field rewritten (a new object; the input is not modified). */
export type PathRewrite = (path: string, mode: PathMode) => string;

export function mapPathFields(fields: readonly PathField[], value: unknown, rewrite: PathRewrite): unknown {
  let out = value;
  for (const field of fields) out = mapAt(out, parsePattern(field.pattern), (v) => rewritePathValue(v, field.mode, rewrite));
  return out;
}

/** One resource's settings with its local paths rewritten. */
export function mapResourcePaths(type: string, settings: Record<string, unknown>, rewrite: PathRewrite): Record<string, unknown> {
  return mapPathFields(RESOURCE_PATH_FIELDS[type] ?? [], settings, rewrite) as Record<string, unknown>;
}

/** Every local relative path the listed fields hold, with how each is read (for copying sources). */
export function collectPaths(fields: readonly PathField[], value: unknown): { path: string; mode: PathMode }[] {
  const found: { path: string; mode: PathMode }[] = [];
  mapPathFields(fields, value, (path, mode) => {
    found.push({ path, mode });
    return path;
  });
  return found;
}
