// Type-checks imported projects as a user's `tsc --noEmit` would, with 'dbx-ts' being this checkout's sources
// (dev-only: TypeScript is a development dependency). Used by bench:import and the import tests.
import { join } from 'node:path';
import ts from 'typescript';

/** Type errors in the projects' TypeScript files, as `file:line: message`. */
export function typeErrors(projectDirs: string[], repoRoot: string): string[] {
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
    typeRoots: [join(repoRoot, 'node_modules', '@types')],
    baseUrl: repoRoot,
    paths: { 'dbx-ts': [join(repoRoot, 'src', 'index.ts')] },
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
