// Bundle files stripped of their types once per content, not once per path: Node's compile cache keys its entries
// by file path, so a project in a new folder (a fresh clone, a CI checkout, a copied project) strips every bundle
// file again, which loads and runs Node's TypeScript parser (about half a second for the reference bundle). The
// stripped text is cached under a hash of the source and the Node version; the output is Node's own
// (module.stripTypeScriptTypes, the function its loader uses), so lines and columns are unchanged.
import { createHash } from 'node:crypto';
import module from 'node:module';
import { readCached, writeCached } from '../cache-dir.ts';

/** The source without its types, or undefined to let Node strip it (and report any error its usual way). */
export function strippedSource(source: string): string | undefined {
  const strip = (module as { stripTypeScriptTypes?: (code: string) => string }).stripTypeScriptTypes;
  if (typeof strip !== 'function') return undefined;
  const name = `stripped-${createHash('sha256').update(process.version).update('\0').update(source).digest('hex')}.js`;
  const cached = readCached(name);
  if (cached !== undefined) return cached;
  let stripped: string;
  try {
    stripped = withoutExperimentalWarning(() => strip(source));
  } catch {
    return undefined;
  }
  writeCached(name, stripped);
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
