import { mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, join, relative, resolve as resolvePath } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import Handlebars from 'handlebars';
import { UserError } from '../../errors/index.ts';
import type { CliContext } from '../context.ts';

const TEMPLATE_DIR = fileURLToPath(new URL('../../../templates/init/', import.meta.url));
const PACKAGE_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/**
 * How the new project depends on dbx-ts: the registry version when this dbx-ts was installed from a registry,
 * else (a clone or a link) the folder it runs from, so `npm install` in the new project works either way.
 */
export function dependencySpec(version: string, root: string = PACKAGE_ROOT): string {
  return root.split(/[\\/]/).includes('node_modules') ? `^${version}` : `file:${root.replace(/[\\/]+$/, '')}`;
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

export interface InitResult {
  dir: string;
  files: string[];
}

export async function initProject(targetDir: string, opts: { name?: string } = {}): Promise<InitResult> {
  const dir = resolvePath(targetDir);
  const existing = await readdir(dir).catch(() => [] as string[]);
  if (existing.length > 0) throw new UserError(`${dir} is not empty; dbx-ts init writes into a new or empty directory.`);
  const base = (opts.name ?? basename(dir)).toLowerCase().replace(/[^a-z0-9_-]+/g, '_').replace(/^[-_]+|[-_]+$/g, '') || 'my_lakehouse';
  const pkg = JSON.parse(await readFile(join(PACKAGE_ROOT, 'package.json'), 'utf8')) as { version: string };
  const values = {
    packageName: base.replace(/_/g, '-'),
    bundleName: base,
    jobKey: 'main-job',
    localCatalog: `${base.replace(/-/g, '_')}_local`,
    jobName: `${base}_job`,
    dbxTsVersion: dependencySpec(pkg.version),
  };
  const hb = Handlebars.create();
  hb.registerHelper('json', (v: unknown) => JSON.stringify(v));
  const written: string[] = [];
  for (const rel of await templateFiles(TEMPLATE_DIR)) {
    const source = await readFile(join(TEMPLATE_DIR, rel), 'utf8');
    const isTemplate = rel.endsWith('.hbs') && !rel.startsWith('notebooks-src');
    const content = isTemplate ? hb.compile(source, { noEscape: true, strict: true })(values) : source;
    const out = join(dir, outputName(rel));
    await mkdir(dirname(out), { recursive: true });
    await writeFile(out, content);
    written.push(relative(dir, out));
  }
  return { dir, files: written };
}

export function registerInit(program: Command, ctx: CliContext): void {
  program
    .command('init [dir]')
    .description('Scaffold a new dbx-ts project that builds and validates out of the box')
    .option('--name <name>', 'bundle name (default: the directory name)')
    .action(async (dirArg: string | undefined, opts: { name?: string }) => {
      const dir = resolvePath(ctx.cwd, dirArg ?? '.');
      if (dirArg && (await stat(dir).catch(() => undefined))?.isFile()) throw new UserError(`${dir} is a file.`);
      const result = await initProject(dir, opts);
      ctx.stdout.write(`Created ${result.files.length} files in ${relative(ctx.cwd, result.dir) || '.'}:\n`);
      for (const f of result.files) ctx.stdout.write(`  ${f}\n`);
      const where = relative(ctx.cwd, result.dir);
      ctx.stdout.write(`Next: ${where ? `cd ${where} && ` : ''}npm install && npx dbx-ts validate\n`);
    });
}
