// npm run bench:import -- <dir> — how many YAML bundles under <dir> dbx-ts import reproduces: each bundle is
// imported into a scratch folder, the definition built for every target, and the build's resolved
// configuration compared with the YAML's (as `databricks bundle validate` resolves it). Prints one line per
// bundle, the differences and errors of those that do not round-trip, and whether the imported TypeScript
// type-checks (BENCH_TYPECHECK=0 skips that).
import module from 'node:module';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { typeErrors } from './lib/typecheck.ts';

const REPO = fileURLToPath(new URL('../', import.meta.url));
// Definitions import 'dbx-ts': give them this checkout's sources, as bin/dbx-ts.mjs does in a clone.
const INDEX = pathToFileURL(join(REPO, 'src', 'index.ts')).href;
module.registerHooks({ resolve: (specifier, context, next) => (specifier === 'dbx-ts' ? { url: INDEX, shortCircuit: true } : next(specifier, context)) });

const { loadBundle: loadDefinition } = await import('../src/cli/load-bundle.ts');
const { ENTRY_FILES } = await import('../src/import/load.ts');
const { importBundle } = await import('../src/import/index.ts');
const { compareTargets } = await import('../src/import/round-trip.ts');
const { formatDifference } = await import('../src/import/compare.ts');

/** Every folder holding a bundle entry file; template folders (`{{...}}` in the path) are not bundles. */
async function bundles(dir: string, out: string[] = []): Promise<string[]> {
  if (ENTRY_FILES.some((f) => existsSync(join(dir, f)))) out.push(dir);
  for (const entry of (await readdir(dir)).sort()) {
    if (entry.startsWith('.') || entry === 'node_modules' || entry.includes('{{')) continue;
    const path = join(dir, entry);
    if ((await stat(path)).isDirectory()) await bundles(path, out);
  }
  return out;
}

interface Outcome {
  bundle: string;
  targets: number;
  ok: boolean;
  lines: string[];
  outDir?: string;
  ms: number;
}

async function measure(dir: string, root: string): Promise<Outcome> {
  const name = relative(root, dir) || '.';
  const start = performance.now();
  const outDir = await mkdtemp(join(tmpdir(), 'dbx-ts-bench-import-'));
  try {
    const result = await importBundle(dir, { outDir, dependency: `file:${REPO}` });
    const loaded = await loadDefinition(outDir, join(outDir, 'bundle.ts'));
    const comparisons = await compareTargets(dir, loaded.bundle, loaded.root, result.targets);
    const lines: string[] = [];
    for (const c of comparisons) {
      for (const e of c.errors) lines.push(`${c.target}: does not build: ${e}`);
      for (const d of c.differences.slice(0, 10)) lines.push(`${c.target}: ${formatDifference(d)}`);
      if (c.differences.length > 10) lines.push(`${c.target}: ... and ${c.differences.length - 10} more differences`);
    }
    return { bundle: name, targets: comparisons.length, ok: lines.length === 0, lines, outDir, ms: performance.now() - start };
  } catch (error) {
    await rm(outDir, { recursive: true, force: true });
    return { bundle: name, targets: 0, ok: false, lines: [`import failed: ${(error as Error).message.split('\n')[0]!}`], ms: performance.now() - start };
  }
}

const root = process.argv[2];
if (!root) {
  process.stderr.write('usage: npm run bench:import -- <folder with bundles>\n');
  process.exit(2);
}
const found = await bundles(root);
if (found.length === 0) {
  process.stderr.write(`no bundle (${ENTRY_FILES.join(', ')}) under ${root}\n`);
  process.exit(2);
}
const outcomes: Outcome[] = [];
for (const dir of found) {
  const o = await measure(dir, root);
  outcomes.push(o);
  process.stdout.write(`${o.ok ? 'round-trip' : 'DIFFERS   '}  ${o.bundle}  (${o.targets} target(s), ${Math.round(o.ms)} ms)\n`);
}

const failed = outcomes.filter((o) => !o.ok);
if (failed.length > 0) {
  process.stdout.write('\nDifferences and errors of the bundles that do not round-trip:\n');
  for (const o of failed) {
    process.stdout.write(`\n${o.bundle}\n`);
    for (const line of o.lines) process.stdout.write(`  ${line}\n`);
  }
}

if (process.env['BENCH_TYPECHECK'] !== '0') {
  const dirs = outcomes.flatMap((o) => (o.outDir ? [o.outDir] : []));
  const errors = typeErrors(dirs, REPO);
  const byBundle = new Map(outcomes.filter((o) => o.outDir).map((o) => [o.outDir!, errors.filter((e) => e.startsWith(o.outDir!))]));
  const clean = [...byBundle.values()].filter((e) => e.length === 0).length;
  process.stdout.write(`\ntsc --noEmit: ${clean}/${byBundle.size} imported projects type-check\n`);
  for (const [dir, list] of byBundle) {
    if (list.length === 0) continue;
    const name = outcomes.find((o) => o.outDir === dir)!.bundle;
    process.stdout.write(`  ${name}\n${list.slice(0, 5).map((e) => `    ${e.slice(dir.length + 1)}`).join('\n')}\n`);
  }
}
for (const o of outcomes) if (o.outDir) await rm(o.outDir, { recursive: true, force: true });

const ok = outcomes.length - failed.length;
process.stdout.write('\n(not a comparison: a count of bundles that round-trip, no baseline side)');
process.stdout.write(`\n${ok}/${outcomes.length} bundles round-trip (${((100 * ok) / outcomes.length).toFixed(1)}%)\n`);
