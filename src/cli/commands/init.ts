// dbx-ts init: scaffolds a project (bundle, notebook, package.json, tsconfig.json) from templates/init.
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

/** Files in the scaffold: `x.hbs` renders to `x`; `gitignore` becomes `.gitignore` (npm drops dotfiles). */
async function templateFiles(dir: string, prefix = ''): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const rel = join(prefix, entry.name);
    if (entry.isDirectory()) out.push(...(await templateFiles(join(dir, entry.name), rel)));
    else out.push(rel);
  }
  return out.sort();
}

function outputName(rel: string): string {
  const name = rel.endsWith('.hbs') && !rel.startsWith('notebooks-src') ? rel.slice(0, -4) : rel;
  return name === 'gitignore' ? '.gitignore' : name;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** What `npm init -y` writes as the test script: a placeholder, not the project's tests. */
const NPM_INIT_TEST = 'echo "Error: no test specified" && exit 1';

/** The scaffold's package.json fills in what an existing one lacks; what the existing one says stays. */
function mergePackageJson(existing: PackageJson, scaffold: PackageJson): PackageJson {
  const out: PackageJson = { ...existing };
  const scripts = out['scripts'];
  if (isRecord(scripts) && scripts['test'] === NPM_INIT_TEST) {
    const { test: _placeholder, ...rest } = scripts;
    out['scripts'] = rest;
  }
  for (const [key, value] of Object.entries(scaffold)) {
    // the module type decides how the project's own JavaScript loads: never changed in an existing project
    if (key === 'type') continue;
    if (!(key in out)) out[key] = value;
    else if (isRecord(value) && isRecord(out[key])) out[key] = { ...value, ...(out[key] as Record<string, unknown>) };
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
  files: string[];
}

/**
 * Scaffolds a project in `targetDir`, which may already hold files (e.g. after `npm init -y` and installing
 * dbx-ts): an existing package.json is extended, and no other existing file is overwritten.
 */
export async function initProject(targetDir: string, opts: { name?: string } = {}): Promise<InitResult> {
  const dir = resolvePath(targetDir);
  const existingPkg = await readJson(join(dir, 'package.json'));
  const base = (opts.name ?? basename(dir)).toLowerCase().replace(/[^a-z0-9_-]+/g, '_').replace(/^[-_]+|[-_]+$/g, '') || 'my_lakehouse';
  const values = {
    packageName: base.replace(/_/g, '-'),
    bundleName: base,
    jobKey: 'main-job',
    localCatalog: `${base.replace(/-/g, '_')}_local`,
    jobName: `${base}_job`,
    dbxTsVersion: await dependencySpec(packageVersion(), dir),
    // TypeScript sees .ts files of a CommonJS package as CommonJS, where verbatimModuleSyntax forbids `import`
    esm: !existingPkg || existingPkg['type'] === 'module',
  };
  const hb = Handlebars.create();
  hb.registerHelper('json', (v: unknown) => JSON.stringify(v));
  const rendered = new Map<string, string>();
  for (const rel of await templateFiles(TEMPLATE_DIR)) {
    const source = await readFile(join(TEMPLATE_DIR, rel), 'utf8');
    const isTemplate = rel.endsWith('.hbs') && !rel.startsWith('notebooks-src');
    rendered.set(outputName(rel), isTemplate ? hb.compile(source, { noEscape: true, strict: true })(values) : source);
  }
  const clashes: string[] = [];
  for (const name of rendered.keys()) if (name !== 'package.json' && (await exists(join(dir, name)))) clashes.push(name);
  if (clashes.length > 0) {
    throw new UserError(`dbx-ts init would overwrite ${clashes.join(', ')} in ${dir}; it never overwrites files.`, 'Move them away, or init another folder.');
  }
  if (existingPkg) {
    rendered.set('package.json', `${JSON.stringify(mergePackageJson(existingPkg, JSON.parse(rendered.get('package.json')!) as PackageJson), null, 2)}\n`);
  }
  const written: string[] = [];
  for (const [name, content] of rendered) {
    const out = join(dir, name);
    await mkdir(dirname(out), { recursive: true });
    await writeFile(out, content);
    written.push(name);
  }
  return { dir, files: written };
}

export function registerInit(program: Command, ctx: CliContext): void {
  program
    .command('init [dir]')
    .description('Scaffold a dbx-ts project that builds and validates out of the box (never overwrites a file; extends an existing package.json)')
    .option('--name <name>', 'bundle name (default: the directory name)')
    .action(async (dirArg: string | undefined, opts: { name?: string }) => {
      const dir = resolvePath(ctx.cwd, dirArg ?? '.');
      if (dirArg && (await stat(dir).catch(() => undefined))?.isFile()) throw new UserError(`${dir} is a file.`);
      const result = await initProject(dir, opts);
      ctx.stdout.write(`Wrote ${result.files.length} files in ${relative(ctx.cwd, result.dir) || '.'}:\n`);
      for (const f of result.files) ctx.stdout.write(`  ${f}\n`);
      const where = relative(ctx.cwd, result.dir);
      ctx.stdout.write(`Next: ${where ? `cd ${where} && ` : ''}npm install && npx dbx-ts validate\n`);
    });
}
