// Finds and loads the user's bundle definition (TypeScript, loaded through tsx: no compile step).
import { access, readFile } from 'node:fs/promises';
import { dirname, isAbsolute, join, resolve as resolvePath } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Bundle } from '../constructs/bundle.ts';
import { UserError } from '../errors/index.ts';

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
  let mod: { default?: unknown };
  try {
    mod = (await import(pathToFileURL(file).href)) as { default?: unknown };
  } catch (error) {
    if (error instanceof UserError) throw error;
    throw new UserError(`Could not load ${file}: ${(error as Error).message}`);
  }
  if (!(mod.default instanceof Bundle)) {
    throw new UserError(`${file} must export a Bundle as its default export (export default new Bundle({...})).`);
  }
  return { bundle: mod.default, file, root: await projectRoot(dirname(file)) };
}

async function projectRoot(start: string): Promise<string> {
  for (let dir = start; ; dir = dirname(dir)) {
    if (await exists(join(dir, 'package.json'))) return dir;
    if (dirname(dir) === dir) return start;
  }
}
