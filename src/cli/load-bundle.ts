// Finds and loads the user's bundle definition (TypeScript, run by Node's own type stripping: no compile step).
import { realpathSync } from 'node:fs';
import { access, readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, isAbsolute, join, relative, resolve as resolvePath } from 'node:path';
import { Bundle } from '../constructs/bundle.ts';
import { UserError } from '../errors/index.ts';
import { PACKAGE_ROOT } from '../package-root.ts';
import { importBundleFile } from './import-bundle-file.ts';

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}

/** The bundle file: --bundle, else package.json's "dbx-ts".bundle, else bundle.ts; searched up from cwd. */
export async function findBundleFile(cwd: string, explicit?: string): Promise<string> {
  if (explicit) {
    const path = isAbsolute(explicit) ? explicit : resolvePath(cwd, explicit);
    if (!(await exists(path))) throw new UserError(`Bundle file not found: ${path}`);
    return path;
  }
  for (let dir = resolvePath(cwd); ; dir = dirname(dir)) {
    const pkgPath = join(dir, 'package.json');
    if (await exists(pkgPath)) {
      const pkg = JSON.parse(await readFile(pkgPath, 'utf8')) as { 'dbx-ts'?: { bundle?: string } };
      const configured = pkg['dbx-ts']?.bundle;
      if (configured) return join(dir, configured);
    }
    if (await exists(join(dir, 'bundle.ts'))) return join(dir, 'bundle.ts');
    if (dirname(dir) === dir) break;
  }
  throw new UserError(
    'No bundle definition found.',
    'Pass --bundle <file.ts>, add "dbx-ts": { "bundle": "<file.ts>" } to package.json, or create bundle.ts (dbx-ts init scaffolds one).',
  );
}

export interface LoadedBundle {
  bundle: Bundle;
  file: string;
  /** The project root: where package.json (or the bundle file) is; notebooks-src/ and templates/ live here. */
  root: string;
}

export async function loadBundle(cwd: string, explicit?: string): Promise<LoadedBundle> {
  const file = await findBundleFile(cwd, explicit);
  const mod = await importBundleFile(file, cwd);
  const shown = relative(cwd, file).startsWith('..') ? file : relative(cwd, file);
  const hint = "End it with `export default app`, where app is the `new Bundle({...})` from 'dbx-ts'.";
  if (!('default' in mod) || mod.default === undefined) throw new UserError(`${shown} has no default export.`, hint);
  if (!(mod.default instanceof Bundle)) {
    const other = otherDbxTs(mod.default, file);
    if (other) {
      throw new UserError(
        `${shown} builds its Bundle with the dbx-ts in ${other}, but this dbx-ts runs from ${PACKAGE_ROOT}.`,
        "Run the project's own dbx-ts (npx dbx-ts ...), so the command and the bundle use the same one.",
      );
    }
    throw new UserError(`The default export of ${shown} is ${describeExport(mod.default)}, not a Bundle.`, hint);
  }
  return { bundle: mod.default, file, root: await projectRoot(dirname(file)) };
}

/** Where the bundle file's own dbx-ts is, when its default export is a Bundle made by another copy of dbx-ts. */
function otherDbxTs(value: unknown, file: string): string | undefined {
  if (typeof value !== 'object' || value === null || value.constructor?.name !== 'Bundle') return undefined;
  try {
    const theirs = dirname(createRequire(file).resolve('dbx-ts/package.json'));
    return realpathSync(theirs) === realpathSync(PACKAGE_ROOT) ? undefined : theirs;
  } catch {
    return undefined;
  }
}

function describeExport(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value === 'function') return `a function (${value.name || 'anonymous'})`;
  if (typeof value === 'object') return `an object (${value.constructor?.name ?? 'Object'})`;
  return `a ${typeof value}`;
}

async function projectRoot(start: string): Promise<string> {
  for (let dir = start; ; dir = dirname(dir)) {
    if (await exists(join(dir, 'package.json'))) return dir;
    if (dirname(dir) === dir) return start;
  }
}
