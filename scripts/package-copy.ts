// A built copy of the package in a scratch folder, for tests and benchmarks that must run what users run:
// dist/ loaded by Node itself (user bundles through Node's type stripping), not the sources through tsx.
import { execFile } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const REPO_ROOT = fileURLToPath(new URL('../', import.meta.url));

/** Builds dist/ into a scratch package folder (package.json, bin/, dist/; templates and dependencies linked). */
export async function buildPackageCopy(): Promise<string> {
  const pkg = await mkdtemp(join(tmpdir(), 'dbx-ts-pkg-'));
  await run(process.execPath, ['--import', 'tsx', join(REPO_ROOT, 'scripts', 'build.ts'), '--out', join(pkg, 'dist')], { cwd: REPO_ROOT });
  await copyFile(join(REPO_ROOT, 'package.json'), join(pkg, 'package.json'));
  await mkdir(join(pkg, 'bin'));
  await copyFile(join(REPO_ROOT, 'bin', 'dbx-ts.mjs'), join(pkg, 'bin', 'dbx-ts.mjs'));
  for (const name of ['templates', 'notebooks-src', 'node_modules']) await symlink(join(REPO_ROOT, name), join(pkg, name), 'dir');
  return pkg;
}

/** A project folder with the package copy as node_modules/dbx-ts (and its bin linked), holding `files`. */
export async function projectUsing(pkg: string, files: Record<string, string>): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'dbx-ts-consumer-'));
  await mkdir(join(dir, 'node_modules', '.bin'), { recursive: true });
  await symlink(pkg, join(dir, 'node_modules', 'dbx-ts'), 'dir');
  await symlink(join('..', 'dbx-ts', 'bin', 'dbx-ts.mjs'), join(dir, 'node_modules', '.bin', 'dbx-ts'));
  for (const [name, content] of Object.entries(files)) {
    await mkdir(join(dir, name, '..'), { recursive: true });
    await writeFile(join(dir, name), content);
  }
  return dir;
}
