// A generated resource module joins the bundle through two lines in the bundle's entry file: its import and a
// call with the entry's Bundle (the Databricks CLI's bundles pick up generated YAML through include globs; a
// TypeScript definition names its modules). Nothing else in the user's file changes.
import { dirname, relative } from 'node:path';

export type Wiring = { status: 'added'; text: string } | { status: 'present' } | { status: 'manual'; reason: string };

/** The import specifier of `moduleFile` from `entryFile`, with its .ts extension as bundle files write it. */
export function importSpecifier(entryFile: string, moduleFile: string): string {
  const rel = relative(dirname(entryFile), moduleFile).split('\\').join('/');
  return rel.startsWith('.') ? rel : `./${rel}`;
}

/** The two lines that make the entry declare the resource, or why they cannot be added safely. */
export function wireEntry(entryText: string, entryFile: string, moduleFile: string, functionName: string): Wiring {
  const specifier = importSpecifier(entryFile, moduleFile);
  if (entryText.includes(`'${specifier}'`) || entryText.includes(`"${specifier}"`)) return { status: 'present' };
  const lines = entryText.split('\n');
  const exportLine = lines.findIndex((l) => /^export\s+default\s+[A-Za-z_$][\w$]*\s*;?\s*$/.test(l));
  if (exportLine < 0) return { status: 'manual', reason: 'the entry file does not end with `export default <bundle>;`' };
  const bundleName = /^export\s+default\s+([A-Za-z_$][\w$]*)/.exec(lines[exportLine]!)![1]!;
  let lastImport = -1;
  for (let i = 0; i < exportLine; i++) if (/^import\b/.test(lines[i]!) || /^\}\s*from\s+['"][^'"]+['"];?\s*$/.test(lines[i]!)) lastImport = i;
  const out = [...lines];
  out.splice(exportLine, 0, `${functionName}(${bundleName});`);
  out.splice(lastImport + 1, 0, `import { ${functionName} } from '${specifier}';`);
  return { status: 'added', text: out.join('\n') };
}
