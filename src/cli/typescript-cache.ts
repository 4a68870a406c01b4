// Bundle files stripped of their types once per content, not once per path: Node's compile cache keys its entries
// by file path, so a project in a new folder (a fresh clone, a CI checkout, a copied project) strips every bundle
// file again, which loads and runs Node's TypeScript parser (about half a second for the reference bundle). The
// stripped text is kept in the OS temp folder under a hash of the source and the Node version; the output is
// Node's own (module.stripTypeScriptTypes, the function its loader uses), so lines and columns are unchanged.
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import module from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const CACHE_DIR = join(tmpdir(), 'dbx-ts-strip-cache');

/** The source without its types, or undefined to let Node strip it (and report any error its usual way). */
export function strippedSource(source: string): string | undefined {
  const strip = (module as { stripTypeScriptTypes?: (code: string) => string }).stripTypeScriptTypes;
  if (typeof strip !== 'function') return undefined;
  const file = join(CACHE_DIR, `${createHash('sha256').update(process.version).update('\0').update(source).digest('hex')}.js`);
  try {
    return readFileSync(file, 'utf8');
  } catch {
    // not cached yet
  }
  let stripped: string;
  try {
    stripped = withoutExperimentalWarning(() => strip(source));
  } catch {
    return undefined;
  }
  try {
    mkdirSync(CACHE_DIR, { recursive: true });
    // Written whole, then renamed: a reader never sees half a file.
    const partial = `${file}.${process.pid}.tmp`;
    writeFileSync(partial, stripped);
    renameSync(partial, file);
  } catch {
    // A cache that cannot be written only costs the next run the stripping.
  }
  return stripped;
}

/** Node flags stripTypeScriptTypes as experimental once per process; it is the function its own loader runs. */
function withoutExperimentalWarning<T>(body: () => T): T {
  const emit = process.emitWarning;
  process.emitWarning = ((warning: string | Error, ...rest: unknown[]) => {
    const text = typeof warning === 'string' ? warning : warning.message;
    if (/stripTypeScriptTypes/.test(text)) return;
    (emit as (...args: unknown[]) => void).call(process, warning, ...rest);
  }) as typeof process.emitWarning;
  try {
    return body();
  } finally {
    process.emitWarning = emit;
  }
}
