// Start-up: whole-command wall times of the built package's bin (node_modules/.bin/dbx-ts in a project, as
// npm scripts and npx start it) for `--version`, `validate` and `build` of the reference bundle, beside
// `node -e 0` (the floor any Node CLI pays) measured in the same rounds. Each round runs every command once, each
// in its own process, in alternating order (forward, then reversed); each command is paired with the round's
// `node -e 0`, and the summary gives the min / median / max of those paired ratios. CPU time and peak RSS of
// each command (and of every process it waited for) come from GNU time (bench/harness.ts commandSide).
// Targets (issue 8): --version within 4x of node -e 0; validate under 0.8 s. `validate (cold checks)` runs without
// the SQL checks' cache, as the first validate after editing a table does.
// BENCH_RUNS (or BENCH_REPS) sets the number of rounds (default 11, at least 3).
import { rmSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { buildPackageCopy, projectUsing } from '../scripts/package-copy.ts';
import { commandSide, formatMs, pairedRatios, sideSpread, spread, Targets, type Comparison, type Pair, type Sample, type Side } from './harness.ts';
import { BUNDLE_DIR, copyReferenceBundle } from './lib/reference-bundle.ts';

const RUNS = Number(process.env['BENCH_RUNS'] ?? process.env['BENCH_REPS'] ?? 11);
if (!Number.isInteger(RUNS) || RUNS < 3) {
  console.error(`BENCH_RUNS must be a whole number of at least 3 (paired ratios need repeats), got "${process.env['BENCH_RUNS'] ?? process.env['BENCH_REPS']}"`);
  process.exit(2);
}

interface Command {
  side: Side;
  /** Run before each timing, untimed. */
  before?: () => void;
}

console.log('building the package (scripts/build.ts) into a scratch folder ...');
const pkg = await buildPackageCopy();
const project = await projectUsing(pkg, {
  'package.json': JSON.stringify({ name: 'bench', private: true, type: 'module', 'dbx-ts': { bundle: `${BUNDLE_DIR}/index.ts` } }),
});
copyReferenceBundle(project);
console.log(`scratch project: ${project}`);
const bin = join(project, 'node_modules', '.bin', 'dbx-ts');
const env = { CI: 'true' };
const dbx = (label: string, args: string[]) => commandSide(label, bin, args, { cwd: project, env, quietStderr: true });
const NODE = 'node -e 0';
const commands: Command[] = [
  { side: commandSide(NODE, 'node', ['-e', '0'], { cwd: project, env }) },
  { side: dbx('dbx-ts --version', ['--version']) },
  { side: dbx('dbx-ts validate', ['validate']) },
  // validate keeps DuckDB's SQL checks of unchanged tables in .dbx-ts/cache; the first run of a change pays for DuckDB
  { side: dbx('validate (cold checks)', ['validate']), before: () => rmSync(join(project, '.dbx-ts', 'cache'), { recursive: true, force: true }) },
  { side: dbx('dbx-ts build', ['build']) },
  // what `npx dbx-ts` adds: npm's own start (not a target; its stderr must stay empty too: no npm notices)
  { side: commandSide('npx dbx-ts --version', 'npx', ['dbx-ts', '--version'], { cwd: project, env, quietStderr: true }) },
];
const timeOnce = async (cmd: Command, round: number): Promise<Sample> => {
  cmd.before?.();
  return cmd.side.run(round);
};

try {
  // one unmeasured round: the first start fills Node's compile cache, as a user's first command does
  for (const cmd of commands) await timeOnce(cmd, -1);
  const samples = new Map(commands.map((c) => [c.side.label, [] as { sample: Sample; position: number; load: number }[]]));
  for (let round = 0; round < RUNS; round++) {
    const order = round % 2 === 0 ? commands : [...commands].reverse();
    const load = loadavg()[0]!;
    for (const [position, cmd] of order.entries()) samples.get(cmd.side.label)!.push({ sample: await timeOnce(cmd, round), position, load });
  }

  // Each command against the same round's node -e 0: one comparison per command, in the harness's terms.
  const node = samples.get(NODE)!;
  const comparisonOf = (label: string): Comparison => ({
    title: label,
    measured: label,
    baseline: NODE,
    pairs: samples.get(label)!.map((s, rep): Pair => ({ rep, first: s.position < node[rep]!.position ? 'measured' : 'baseline', measured: s.sample, baseline: node[rep]!.sample, load: s.load })),
  });
  const loads = spread(node.map((s) => s.load));
  const nodeVersion = spawnSync('node', ['--version'], { encoding: 'utf8' }).stdout.trim();
  const rows = [['command', 'wall median (min–max)', 'vs node -e 0, paired (min / median / max)', 'cpu median', 'peak RSS (max)']];
  for (const cmd of commands) {
    const c = comparisonOf(cmd.side.label);
    const wall = sideSpread(c, 'measured', (s) => s.wallMs);
    const ratio = pairedRatios(c, (s) => s.wallMs);
    rows.push([
      cmd.side.label,
      `${formatMs(wall.median)} (${formatMs(wall.min)}–${formatMs(wall.max)})`,
      cmd.side.label === NODE ? 'baseline' : `${ratio.min.toFixed(2)} / ${ratio.median.toFixed(2)} / ${ratio.max.toFixed(2)}`,
      formatMs(sideSpread(c, 'measured', (s) => s.cpuMs).median),
      `${Math.round(sideSpread(c, 'measured', (s) => s.peakRssMb).max)} MB`,
    ]);
  }
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  console.log(`\nstart-up, whole commands, ${RUNS} rounds, order alternated, each command in its own process (node ${nodeVersion}, ${cpus().length} cores, 1-min load average ${loads.min.toFixed(1)}–${loads.max.toFixed(1)})`);
  for (const r of rows) console.log(`  ${r.map((cell, i) => cell.padEnd(widths[i]!)).join('   ')}`.trimEnd());
  console.log('  peak RSS: the command and every process it waited for (GNU time), per command, never summed across commands');

  const targets = new Targets();
  const versionRatio = pairedRatios(comparisonOf('dbx-ts --version'), (s) => s.wallMs).median;
  const validate = sideSpread(comparisonOf('dbx-ts validate'), 'measured', (s) => s.wallMs).median;
  console.log('');
  console.log(targets.check('--version within 4x of node -e 0 (median of paired ratios)', versionRatio, 4, (n) => `${n.toFixed(2)}x`));
  console.log(targets.check('validate under 0.8 s (median wall)', validate, 800, formatMs));
  targets.finish();
} finally {
  rmSync(project, { recursive: true, force: true });
  rmSync(pkg, { recursive: true, force: true });
}
