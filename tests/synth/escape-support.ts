// Shared by the synth tests: hostile values and python3 helpers (compile checks, evaluating literals back).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

export const HOSTILE_STRINGS: string[] = [
  '',
  'plain',
  "it's",
  'say "hi"',
  '"""triple double"""',
  "'''triple single'''",
  'back\\slash',
  'trailing backslash\\',
  '\\\\server\\share',
  'line one\nline two',
  'cr\rlf\r\n',
  'tab\tseparated',
  '{{mustache}} and }}{{',
  '{{{triple}}}',
  '# not a comment',
  '-- not a comment',
  '/* not a comment */',
  '# COMMAND ----------',
  '\n# COMMAND ----------\nimport os',
  '# MAGIC %sh rm -rf /',
  '${catalog}.gold.x',
  "'; DROP TABLE x; --",
  '`backtick` and ``double``',
  'f"{__import__(\'os\')}"',
  'naïve café – “quotes” ✓',
  '日本語テキスト',
  'emoji 😀 and 𝄞',
  'nul\u0000byte',
  'bell\u0007 del\u007f',
  'line\u2028separator\u2029para',
  'lone \ud800 surrogate',
  '%s %d {0} {name}',
];


export function tempDir(): string {
  return mkdtempSync(path.join(tmpdir(), 'dbx-ts-synth-'));
}

/** Compiles a Python source file with py_compile; throws with python's message when it does not compile. */
export function pyCompile(source: string, name = 'generated.py'): void {
  const file = path.join(tempDir(), name);
  writeFileSync(file, source, 'utf8');
  execFileSync('python3', ['-m', 'py_compile', file], { stdio: 'pipe' });
}

/** Runs a Python program (written to a temp file) and returns its stdout. */
export function runPython(source: string, args: string[] = []): string {
  const file = path.join(tempDir(), 'program.py');
  writeFileSync(file, source, 'utf8');
  return execFileSync('python3', [file, ...args], { encoding: 'utf8', stdio: ['pipe', 'pipe', 'pipe'] });
}
