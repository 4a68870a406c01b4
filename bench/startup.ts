// Start-up: whole-command wall times of the built package's bin (node_modules/.bin/dbx-ts in a project, as
// npm scripts and npx start it) for `--version`, `validate` and `build` of the reference bundle, beside
// `node -e 0` (the floor any Node CLI pays) measured in the same rounds. Each round runs every command once,
// in alternating order; the figures are medians over rounds, the ratios medians of per-round ratios.
// Targets (issue 8): --version within 4x of node -e 0; validate under 0.8 s. `validate (cold checks)` runs without
// the SQL checks' cache, as the first validate after editing a table does. On Linux the CPU time each command
// used is shown too (from /proc): on a busy machine wall times grow while CPU times stay put.
// BENCH_RUNS sets the number of rounds (default 11).
import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { buildPackageCopy, projectUsing } from '../scripts/package-copy.ts';
import { BUNDLE_DIR, copyReferenceBundle } from './lib/reference-bundle.ts';

const RUNS = Number(process.env['BENCH_RUNS'] ?? 11);

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** CPU time (user + system, ms) of this process' waited-for children so far; undefined off Linux. */
function childrenCpuMs(): number | undefined {
  try {
    const stat = readFileSync('/proc/self/stat', 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // cutime and cstime (fields 16 and 17 of proc(5)), in clock ticks of 10 ms
    return (Number(fields[13]) + Number(fields[14])) * 10;
  } catch {
    return undefined;
  }
}

interface Command {
  label: string;
  file: string;
  args: string[];
  /** Run before each timing, untimed. */
  before?: () => void;
}

function timeOnce(cmd: Command, cwd: string): { wall: number; cpu: number | undefined } {
  cmd.before?.();
  const cpuBefore = childrenCpuMs();
  const started = process.hrtime.bigint();
  const r = spawnSync(cmd.file, cmd.args, { cwd, encoding: 'utf8', env: { ...process.env, CI: 'true' } });
  const wall = Number(process.hrtime.bigint() - started) / 1e6;
  const cpuAfter = childrenCpuMs();
  if (r.status !== 0) throw new Error(`${cmd.label} failed (${r.status}): ${r.stderr}`);
  if (cmd.label !== 'node -e 0' && r.stderr !== '') throw new Error(`${cmd.label} printed to stderr: ${r.stderr}`);
  return { wall, cpu: cpuBefore === undefined || cpuAfter === undefined ? undefined : cpuAfter - cpuBefore };
}

console.log('building the package (scripts/build.ts) into a scratch folder ...');
const pkg = await buildPackageCopy();
const project = await projectUsing(pkg, {
  'package.json': JSON.stringify({ name: 'bench', private: true, type: 'module', 'dbx-ts': { bundle: `${BUNDLE_DIR}/index.ts` } }),
});
copyReferenceBundle(project);
console.log(`scratch project: ${project}`);
const bin = join(project, 'node_modules', '.bin', 'dbx-ts');
const commands: Command[] = [
  { label: 'node -e 0', file: 'node', args: ['-e', '0'] },
  { label: 'dbx-ts --version', file: bin, args: ['--version'] },
  { label: 'dbx-ts validate', file: bin, args: ['validate'] },
  // validate keeps DuckDB's SQL checks of unchanged tables in .dbx-ts/cache; the first run of a change pays for DuckDB
  { label: 'validate (cold checks)', file: bin, args: ['validate'], before: () => rmSync(join(project, '.dbx-ts', 'cache'), { recursive: true, force: true }) },
  { label: 'dbx-ts build', file: bin, args: ['build'] },
  // what `npx dbx-ts` adds: npm's own start (not a target; its stderr must stay empty too: no npm notices)
  { label: 'npx dbx-ts --version', file: 'npx', args: ['dbx-ts', '--version'] },
];

// one unmeasured round: the first start fills Node's compile cache, as a user's first command does
for (const cmd of commands) timeOnce(cmd, project);
const times = new Map(commands.map((c) => [c.label, [] as number[]]));
const cpu = new Map(commands.map((c) => [c.label, [] as number[]]));
const loadBefore = loadavg()[0]!;
for (let round = 0; round < RUNS; round++) {
  const order = round % 2 === 0 ? commands : [...commands].reverse();
  for (const cmd of order) {
    const t = timeOnce(cmd, project);
    times.get(cmd.label)!.push(t.wall);
    if (t.cpu !== undefined) cpu.get(cmd.label)!.push(t.cpu);
  }
}
const loadAfter = loadavg()[0]!;

const node = times.get('node -e 0')!;
const nodeVersion = spawnSync('node', ['--version'], { encoding: 'utf8' }).stdout.trim();
console.log(`\nstart-up, whole command, median of ${RUNS} rounds (node ${nodeVersion}, ${cpus().length} cores, load average ${loadBefore.toFixed(1)} → ${loadAfter.toFixed(1)})`);
console.log(`  ${'command'.padEnd(22)} ${'wall'.padStart(7)}   ${'vs node -e 0'.padEnd(14)} cpu`);
for (const cmd of commands) {
  const t = times.get(cmd.label)!;
  const ratio = median(t.map((v, i) => v / node[i]!));
  const note = cmd.label === 'node -e 0' ? 'baseline' : `${ratio.toFixed(1)}x`;
  const c = cpu.get(cmd.label)!;
  const cpuNote = c.length > 0 ? `${(median(c) / 1000).toFixed(2)} s` : 'n/a';
  console.log(`  ${cmd.label.padEnd(22)} ${(median(t) / 1000).toFixed(3)} s   ${note.padEnd(14)} ${cpuNote}`);
}
const versionRatio = median(times.get('dbx-ts --version')!.map((v, i) => v / node[i]!));
const validate = median(times.get('dbx-ts validate')!) / 1000;
console.log(`\ntargets: --version within 4x of node -e 0: ${versionRatio <= 4 ? 'met' : 'MISSED'} (${versionRatio.toFixed(1)}x)`);
console.log(`         validate under 0.8 s: ${validate < 0.8 ? 'met' : 'MISSED'} (${validate.toFixed(3)} s)`);
