// The bundle's own source files that its resources name (notebooks, Python and SQL files, requirements, wheels,
// dashboards, app and dbt folders, pipeline globs): copied into the built bundle at the same bundle-relative
// paths, so the build is a complete bundle the Databricks CLI can deploy, and deploy can upload them.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, posix, resolve as resolvePath } from 'node:path';
import { collectPaths, ENTRY_FILES, RESOURCE_PATH_FIELDS, type PathMode } from '../model/path-fields.ts';
import { ALL_RESOURCE_TYPES } from '../model/resource-types.ts';
import type { BundleModel } from '../model/types.ts';

export interface SourceRef {
  /** Bundle-relative path as the configuration names it (may be a folder or a glob). */
  path: string;
  mode: PathMode;
  /** Where it is named, e.g. `resources.jobs.etl`. */
  from: string;
}

export interface SourceFile {
  path: string;
  content: string | Uint8Array;
}

/** Extensions the CLI tries for a notebook path written without one. */
const NOTEBOOK_EXTENSIONS = ['.py', '.sql', '.scala', '.r', '.ipynb'];
/** Folders never copied: tools' caches and environments, version control, dbx-ts' and the CLI's own state. */
const SKIPPED = new Set(['.git', 'node_modules', '.venv', 'venv', '__pycache__', '.databricks', '.dbx-ts', '.pytest_cache', '.mypy_cache']);

/** Every local path the model's resources name that dbx-ts does not generate itself. */
export function referencedSources(model: BundleModel): SourceRef[] {
  const out: SourceRef[] = [];
  const add = (type: string, key: string, settings: Record<string, unknown>) => {
    for (const { path, mode } of collectPaths(RESOURCE_PATH_FIELDS[type] ?? [], settings)) out.push({ path, mode, from: `resources.${type}.${key}` });
  };
  const generated = new Set(Object.values(model.notebooks).map((n) => n.path));
  for (const [key, j] of Object.entries(model.resources.jobs)) add('jobs', key, j.settings);
  for (const [key, p] of Object.entries(model.resources.pipelines)) add('pipelines', key, { ...p.settings, libraries: p.settings.libraries ?? [] });
  for (const [key, d] of Object.entries(model.resources.dashboards)) if (d.from_file) out.push({ path: d.file_path, mode: 'file', from: `resources.dashboards.${key}` });
  for (const type of ALL_RESOURCE_TYPES) {
    if (type === 'jobs' || type === 'pipelines' || type === 'dashboards') continue;
    const entries = (model.resources as Record<string, Record<string, { settings?: Record<string, unknown> }> | undefined>)[type];
    for (const [key, r] of Object.entries(entries ?? {})) if (r.settings) add(type, key, r.settings);
  }
  // Libraries and dependencies (wheels, jars, requirements of environments) are built and uploaded by the
  // Databricks CLI's artifacts step, not copied as bundle files.
  return out.filter((s) => s.mode !== 'library' && s.mode !== 'dependency' && !generated.has(s.path) && !s.path.includes('${') && !s.path.startsWith('../'));
}

/** A pipeline glob (`**` crosses folders, `*` and `?` do not) as a regular expression over bundle-relative paths. */
function globRegex(pattern: string): RegExp {
  let out = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '*' && pattern[i + 1] === '*') {
      out += '.*';
      i++;
    } else if (c === '*') out += '[^/]*';
    else if (c === '?') out += '[^/]';
    else out += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${out}$`);
}

function hasGlob(p: string): boolean {
  return /[*?[]/.test(p);
}

function listFiles(root: string, dir: string, recursive: boolean, out: string[]): void {
  let entries: string[];
  try {
    entries = readdirSync(join(root, dir)).sort();
  } catch {
    return;
  }
  for (const name of entries) {
    if (SKIPPED.has(name) || (name.startsWith('.') && name !== '.gitignore')) continue;
    const rel = dir === '.' ? name : posix.join(dir, name);
    const s = statSync(join(root, rel));
    if (s.isDirectory()) {
      if (recursive) listFiles(root, rel, true, out);
    } else out.push(rel);
  }
}

/** The files a reference stands for, relative to the source root (empty when nothing is there). */
function expand(root: string, ref: SourceRef): { files: string[]; problem?: string } {
  const full = join(root, ref.path);
  if (ref.mode === 'glob' || hasGlob(ref.path)) {
    // The folder before the first pattern character holds everything the pattern can match.
    const base = ref.path.split('/').filter((_, i, parts) => !parts.slice(0, i + 1).some(hasGlob)).join('/') || '.';
    const files: string[] = [];
    listFiles(root, base, ref.mode === 'glob', files);
    const re = globRegex(ref.path);
    return { files: files.filter((f) => re.test(f)) };
  }
  if (existsSync(full) && statSync(full).isDirectory()) {
    if (ENTRY_FILES.some((f) => existsSync(join(full, f)))) return { files: [], problem: `${ref.path} holds a bundle configuration (databricks.yml); its files are not copied into the build` };
    const files: string[] = [];
    listFiles(root, ref.path === '' ? '.' : ref.path, true, files);
    return { files };
  }
  if (existsSync(full)) return { files: [ref.path] };
  if (ref.mode === 'notebook') {
    const withExtension = NOTEBOOK_EXTENSIONS.map((e) => `${ref.path}${e}`).find((p) => existsSync(join(root, p)));
    if (withExtension) return { files: [withExtension] };
  }
  return { files: [], problem: `${ref.path} (named in ${ref.from}) does not exist under the bundle's source root` };
}

/** Text when the bytes are UTF-8 without NULs (notebooks, code, JSON), else the bytes. */
function contentOf(path: string): string | Uint8Array {
  const bytes = readFileSync(path);
  if (bytes.includes(0)) return bytes;
  const text = bytes.toString('utf8');
  return Buffer.from(text, 'utf8').equals(bytes) ? text : bytes;
}

/** The source files resources name, relative to the source root, and what could not be found (nothing is read). */
export function sourcePaths(model: BundleModel, projectRoot: string): { root: string; paths: string[]; problems: { ref: SourceRef; message: string }[] } {
  const root = resolvePath(projectRoot, model.source_root ?? '.');
  const paths = new Set<string>();
  const problems: { ref: SourceRef; message: string }[] = [];
  for (const ref of referencedSources(model)) {
    const { files: found, problem } = expand(root, ref);
    if (problem) problems.push({ ref, message: problem });
    for (const path of found) paths.add(path);
  }
  return { root, paths: [...paths].sort((a, b) => a.localeCompare(b)), problems };
}

/** The source files to copy into the build, with their content. */
export function sourceFiles(model: BundleModel, projectRoot: string): SourceFile[] {
  const { root, paths } = sourcePaths(model, projectRoot);
  return paths.map((path) => ({ path, content: contentOf(join(root, path)) }));
}
