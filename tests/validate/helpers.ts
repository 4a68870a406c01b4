// Test helpers: source lines found by marker comments (never hard-coded), a fixture repository root,
// and small bundles built with the constructs API.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Bundle } from '../../src/index.ts';
import type { Diagnostic } from '../../src/validate/diagnostic.ts';

/**
 * The project root of the test bundles: bundles made here (testBundle) and in the tests beside it find their
 * notebook sources relative to this folder, whose notebooks/ holds `ok.py` and nothing else.
 */
export const FIXTURE_REPO = fileURLToPath(new URL('./', import.meta.url));

/** The 1-based line of `file` that carries the comment `@mark <name>` (exactly one must). */
export function markedLine(fileUrl: string, name: string): number {
  const lines = readFileSync(fileURLToPath(fileUrl), 'utf8').split('\n');
  const hits = lines.flatMap((line, i) => (new RegExp(`@mark ${name}(\\s|$)`).test(line) ? [i + 1] : []));
  if (hits.length !== 1) throw new Error(`marker "${name}" found ${hits.length} times`);
  return hits[0]!;
}

export function testBundle(variables: Record<string, { default?: string }> = {}): Bundle {
  return new Bundle({ name: 'validate_test', variables, targets: { dev: { mode: 'development', default: true } } });
}

/** The diagnostics whose message contains `text`. */
export function matching(diagnostics: Diagnostic[], text: string | RegExp): Diagnostic[] {
  return diagnostics.filter((d) => (typeof text === 'string' ? d.message.includes(text) : text.test(d.message)));
}

/** The only diagnostic whose message contains `text`; fails if there is none or several. */
export function only(diagnostics: Diagnostic[], text: string | RegExp): Diagnostic {
  const found = matching(diagnostics, text);
  if (found.length !== 1) {
    throw new Error(`expected one diagnostic matching ${String(text)}, found ${found.length}:\n${diagnostics.map((d) => `${d.severity} ${d.path}: ${d.message}`).join('\n')}`);
  }
  return found[0]!;
}
