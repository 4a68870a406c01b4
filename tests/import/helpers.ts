// Shared by the import tests: fixture bundles, importing one into a scratch folder, loading the result, and
// type-checking imported projects the way a user's `tsc --noEmit` would.
import { join } from 'node:path';
import ts from 'typescript';
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
  const options: ts.CompilerOptions = {
    target: ts.ScriptTarget.ES2023,
    lib: ['lib.es2023.d.ts'],
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    strict: true,
    noEmit: true,
    allowImportingTsExtensions: true,
    verbatimModuleSyntax: true,
    noUncheckedIndexedAccess: true,
    resolveJsonModule: true,
    skipLibCheck: true,
    types: ['node'],
    typeRoots: [join(REPO_ROOT, 'node_modules', '@types')],
    baseUrl: REPO_ROOT,
    paths: { 'dbx-ts': [join(REPO_ROOT, 'src', 'index.ts')] },
  };
  const roots = projectDirs.flatMap((dir) => ts.sys.readDirectory(dir, ['.ts'], ['node_modules'], ['**/*.ts']));
  const program = ts.createProgram(roots, options);
  return ts
    .getPreEmitDiagnostics(program)
    .filter((d) => d.file === undefined || projectDirs.some((dir) => d.file!.fileName.startsWith(dir)))
    .map((d) => {
      const where = d.file && d.start !== undefined ? `${d.file.fileName}:${d.file.getLineAndCharacterOfPosition(d.start).line + 1}: ` : '';
      return `${where}${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`;
    });
}
