// The toolkit is generic: no module under src/ imports the reference bundle (bundles/), statically or on
// demand, and the modules the generic commands load never reach it either. Found by reading every import
// specifier of every src file, so a new import of demo code fails here, not in a user's project.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const REPO = fileURLToPath(new URL('../../', import.meta.url));
const SRC = join(REPO, 'src');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.ts'))
    .map((f) => join(dir, f));
}

/** Relative specifiers of `import ... from '...'`, `export ... from '...'` and `import('...')`, resolved. */
function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const specifiers = [...text.matchAll(/(?:from\s+|import\s*\(\s*|import\s+)['"]([^'"]+)['"]/g)].map((m) => m[1]!);
  return specifiers.filter((s) => s.startsWith('.')).map((s) => resolve(dirname(file), s));
}

/** Every file reachable from `entry` through relative imports. */
function reachable(entry: string): Set<string> {
  const seen = new Set<string>();
  const stack = [entry];
  while (stack.length > 0) {
    const file = stack.pop()!;
    if (seen.has(file)) continue;
    seen.add(file);
    if (file.startsWith(SRC) && file.endsWith('.ts')) stack.push(...importsOf(file));
  }
  return seen;
}

describe('the module graph of src/', () => {
  it('has no import of bundles/ (the reference bundle) anywhere', () => {
    const offending = sourceFiles(SRC).flatMap((file) =>
      importsOf(file)
        .filter((target) => !relative(REPO, target).startsWith('src'))
        .filter((target) => !target.endsWith('package.json'))
        .map((target) => `${relative(REPO, file)} -> ${relative(REPO, target)}`),
    );
    expect(offending).toEqual([]);
  });

  it.each(['show', 'query', 'runs', 'simulate', 'run'])('dbx-ts %s loads no demo code', (command) => {
    const file = join(SRC, 'cli/commands', `${command}.ts`);
    const outside = [...reachable(file)].filter((f) => !f.startsWith(SRC)).map((f) => relative(REPO, f));
    expect(outside).toEqual([]);
    // Sanity: the walk does follow imports (the command reaches the engine or the SQL clients).
    expect(reachable(file).size).toBeGreaterThan(5);
  });
});
