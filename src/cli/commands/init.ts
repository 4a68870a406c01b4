// dbx-ts init: scaffolds a project from templates/init/<template> (and templates/init/common: package.json,
// tsconfig.json, .gitignore). Non-interactive; existing files stay unless --force.
import { readFileSync } from 'node:fs';
import { access, mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, join, relative, resolve as resolvePath } from 'node:path';
import type { Command } from 'commander';
import Handlebars from 'handlebars';
import { UserError } from '../../errors/index.ts';
import { PACKAGE_ROOT, packageFile, packageVersion } from '../../package-root.ts';
import type { CliContext } from '../context.ts';

const TEMPLATE_DIR = packageFile('templates', 'init');

type PackageJson = Record<string, unknown> & { dependencies?: Record<string, string>; devDependencies?: Record<string, string> };

async function readJson(file: string): Promise<PackageJson | undefined> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    return undefined;
  }
  try {
    return JSON.parse(text) as PackageJson;
  } catch (error) {
    throw new UserError(`${file} is not valid JSON: ${(error as Error).message}`);
  }
}

/**
 * How the new project at `target` depends on dbx-ts. From a clone (or a link): that folder. Installed in a
 * project: the spec that project used, so a tarball or folder install (`file:...`) carries over, rebased
 * onto the new folder; otherwise the registry version.
 */
export async function dependencySpec(version: string, target: string, root: string = PACKAGE_ROOT): Promise<string> {
  const parts = resolvePath(root).split(/[\\/]/);
  if (!parts.includes('node_modules')) return `file:${resolvePath(root)}`;
  const project = resolvePath(root, '..', '..');
  const pkg = await readJson(join(project, 'package.json')).catch(() => undefined);
  const spec = pkg?.dependencies?.['dbx-ts'] ?? pkg?.devDependencies?.['dbx-ts'];
  if (spec?.startsWith('file:')) {
    const rebased = relative(target, resolvePath(project, spec.slice('file:'.length))) || '.';
    return `file:${rebased.replace(/\\/g, '/')}`;
  }
  return spec ?? `^${version}`;
}

/** The templates `init` offers: what each scaffolds. */
export const TEMPLATES = {
  lakehouse: 'landing folder → bronze → silver (expectations, dedupe, quarantine) → gold materialized view; a job with a pipeline task and a notebook task; a vitest test of the pipeline',
  minimal: 'one notebook and a job that runs it',
} as const;
export type TemplateName = keyof typeof TEMPLATES;

/** Files in the scaffold, by output name: the template's own over the common ones. */
async function templateFiles(dir: string, prefix = ''): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const rel = join(prefix, entry.name);
    if (entry.isDirectory()) for (const [name, file] of await templateFiles(join(dir, entry.name), rel)) out.set(name, file);
    else out.set(rel, join(dir, entry.name));
  }
  return out;
}

/** Notebook templates are the project's own sources (dbx-ts renders them at build time): copied as they are. */
const isNotebookSource = (rel: string) => rel.split(/[\\/]/)[0] === 'notebooks-src';

/** `x.hbs` renders to `x`; `gitignore` becomes `.gitignore` (npm drops dotfiles from packages). */
function outputName(rel: string): string {
  const name = rel.endsWith('.hbs') && !isNotebookSource(rel) ? rel.slice(0, -4) : rel;
  return name === 'gitignore' ? '.gitignore' : name;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** What `npm init -y` writes as the test script: a placeholder, not the project's tests. */
const NPM_INIT_TEST = 'echo "Error: no test specified" && exit 1';

/**
 * The scaffold's package.json fills in what an existing one lacks; what the existing one says stays, except that
 * with `force` the scaffold's scripts, dependencies and settings win. Name and module type always stay.
 */
function mergePackageJson(existing: PackageJson, scaffold: PackageJson, force: boolean): PackageJson {
  const out: PackageJson = { ...existing };
  const scripts = out['scripts'];
  if (isRecord(scripts) && scripts['test'] === NPM_INIT_TEST) {
    const { test: _placeholder, ...rest } = scripts;
    out['scripts'] = rest;
  }
  for (const [key, value] of Object.entries(scaffold)) {
    // the module type decides how the project's own JavaScript loads: never changed in an existing project
    if (key === 'type' || (key === 'name' && key in out)) continue;
    if (!(key in out)) out[key] = value;
    else if (isRecord(value) && isRecord(out[key])) out[key] = force ? { ...(out[key] as Record<string, unknown>), ...value } : { ...value, ...(out[key] as Record<string, unknown>) };
  }
  return out;
}

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}

export interface InitResult {
  dir: string;
  template: TemplateName;
  /** Files written (package.json when created or extended). */
  files: string[];
  /** Files that existed already and were left as they are (without `force`). */
  kept: string[];
}

export interface InitOptions {
  name?: string;
  template?: string;
  /** Overwrite files that exist (package.json is still merged, the scaffold's entries winning). */
  force?: boolean;
}

/** The test runner the scaffold's tests use: the version dbx-ts itself is tested with. */
function vitestSpec(): string {
  const pkg = JSON.parse(readFileSync(packageFile('package.json'), 'utf8')) as PackageJson;
  return pkg.devDependencies?.['vitest'] ?? pkg.dependencies?.['vitest'] ?? 'latest';
}

/**
 * Scaffolds a project in `targetDir`, which may already hold files (e.g. after `npm init -y` and installing
 * dbx-ts): an existing package.json is extended, and no other existing file is overwritten unless `force`.
 */
export async function initProject(targetDir: string, opts: InitOptions = {}): Promise<InitResult> {
  const template = (opts.template ?? 'lakehouse') as TemplateName;
  if (!(template in TEMPLATES)) {
    throw new UserError(`--template ${opts.template}: no such template.`, `Templates: ${Object.entries(TEMPLATES).map(([name, what]) => `${name} (${what})`).join('; ')}.`);
  }
  const dir = resolvePath(targetDir);
  const existingPkg = await readJson(join(dir, 'package.json'));
  const base = (opts.name ?? basename(dir)).toLowerCase().replace(/[^a-z0-9_-]+/g, '_').replace(/^[-_]+|[-_]+$/g, '') || 'my_lakehouse';
  const files = new Map([...(await templateFiles(join(TEMPLATE_DIR, 'common'))), ...(await templateFiles(join(TEMPLATE_DIR, template)))]);
  const values = {
    packageName: base.replace(/_/g, '-'),
    bundleName: base,
    jobKey: 'main-job',
    localCatalog: `${base.replace(/-/g, '_')}_local`,
    jobName: `${base}_job`,
    dbxTsVersion: await dependencySpec(packageVersion(), dir),
    // TypeScript sees .ts files of a CommonJS package as CommonJS, where verbatimModuleSyntax forbids `import`
    esm: !existingPkg || existingPkg['type'] === 'module',
    // a template with tests gets the test runner and `npm test`
    vitest: [...files.keys()].some((rel) => /\.test\.ts(\.hbs)?$/.test(rel)) ? vitestSpec() : '',
  };
  const hb = Handlebars.create();
  hb.registerHelper('json', (v: unknown) => JSON.stringify(v));
  const rendered = new Map<string, string>();
  for (const [rel, file] of [...files].sort(([a], [b]) => a.localeCompare(b))) {
    const source = await readFile(file, 'utf8');
    const isTemplate = rel.endsWith('.hbs') && !isNotebookSource(rel);
    rendered.set(outputName(rel), isTemplate ? hb.compile(source, { noEscape: true, strict: true })(values) : source);
  }
  const kept: string[] = [];
  if (!opts.force) {
    for (const name of rendered.keys()) {
      if (name !== 'package.json' && (await exists(join(dir, name)))) kept.push(name);
    }
    for (const name of kept) rendered.delete(name);
  }
  if (existingPkg) {
    rendered.set('package.json', `${JSON.stringify(mergePackageJson(existingPkg, JSON.parse(rendered.get('package.json')!) as PackageJson, opts.force === true), null, 2)}\n`);
  }
  const written: string[] = [];
  for (const [name, content] of rendered) {
    const out = join(dir, name);
    await mkdir(dirname(out), { recursive: true });
    await writeFile(out, content);
    written.push(name);
  }
  return { dir, template, files: written, kept };
}

export function registerInit(program: Command, ctx: CliContext): void {
  program
    .command('init [dir]')
    .description('Scaffold a dbx-ts project that validates, runs locally, tests and type-checks out of the box (keeps existing files unless --force; extends an existing package.json)')
    .option('--template <name>', `what to scaffold: ${Object.entries(TEMPLATES).map(([name, what]) => `${name} (${what})`).join('; ')}`, 'lakehouse')
    .option('--name <name>', 'bundle name (default: the directory name)')
    .option('--force', 'overwrite files that exist')
    .action(async (dirArg: string | undefined, opts: { name?: string; template: string; force?: boolean }) => {
      const dir = resolvePath(ctx.cwd, dirArg ?? '.');
      if ((await stat(dir).catch(() => undefined))?.isFile()) throw new UserError(`${dir} is a file.`, 'init makes a project in a folder.');
      const result = await initProject(dir, opts);
      const where = relative(ctx.cwd, result.dir);
      ctx.stdout.write(`Wrote ${result.files.length} files of the ${result.template} template in ${where || '.'}:\n`);
      for (const f of result.files) ctx.stdout.write(`  ${f}\n`);
      if (result.kept.length > 0) {
        ctx.stdout.write(`Kept ${result.kept.length} existing file${result.kept.length > 1 ? 's' : ''} as they are (--force overwrites them):\n`);
        for (const f of result.kept) ctx.stdout.write(`  ${f}\n`);
      }
      const steps = ['npm install', 'npx dbx-ts validate', 'npm run run:local', ...(result.files.some((f) => f.endsWith('.test.ts')) ? ['npm test'] : [])];
      ctx.stdout.write(`Next: ${where ? `cd ${where} && ` : ''}${steps.join(' && ')}\n`);
    });
}
