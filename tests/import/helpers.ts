// Shared by the import tests: fixture bundles, importing one into a scratch folder, loading the result, and
// type-checking imported projects the way a user's `tsc --noEmit` would.
import { join } from 'node:path';
import { typeErrors as checkTypes } from '../../bench/lib/typecheck.ts';
import { loadBundle as loadDefinition } from '../../src/cli/load-bundle.ts';
import { importBundle, type ImportResult } from '../../src/import/index.ts';
import { REPO_ROOT, tempDir } from '../build/helpers.ts';

export const FIXTURES = join(REPO_ROOT, 'tests', 'fixtures', 'import');

export async function importFixture(name: string): Promise<ImportResult> {
  const out = await tempDir(`import-${name.replace(/\W+/g, '-')}`);
  return importBundle(join(FIXTURES, name), { outDir: out, dependency: `file:${REPO_ROOT}` });
}

export async function loadImported(result: ImportResult) {
  return loadDefinition(result.outDir, join(result.outDir, 'bundle.ts'));
}

/** Type errors in the given projects' TypeScript, with 'dbx-ts' being this checkout's sources. */
export function typeErrors(projectDirs: string[]): string[] {
  return checkTypes(projectDirs, REPO_ROOT);
}
