// The one way every benchmark compares dbx-ts with its baseline, so no summary can flatter us: each side runs
// in its own child process (so peak memory is that side's alone), the order of the two alternates from one
// repetition to the next (so neither always gets the warm cache or the quiet machine), and the summary is the
// min / median / max of the per-repetition (paired) ratios, for CPU time as well as wall time, with the
// machine's load beside them (other work on a shared machine stretches wall time, much less CPU time).
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';

/** One run of one side. `metrics` holds whatever else the bench counts (requests, rows, delays). */
export interface Sample {
  wallMs: number;
  cpuMs: number;
  peakRssMb: number;
  metrics: Record<string, number>;
}

export interface Side {
  label: string;
  run: (rep: number) => Promise<Sample>;
}

export type SideName = 'measured' | 'baseline';

export interface Pair {
  rep: number;
  first: SideName;
  measured: Sample;
  baseline: Sample;
  /** 1-minute load average just before the pair ran. */
  load: number;
}

export interface Comparison {
  title: string;
  measured: string;
  baseline: string;
  pairs: Pair[];
}

export interface Spread {
  min: number;
  median: number;
  max: number;
}

/** Repetitions by default: at least 3, or BENCH_REPS. */
export function defaultReps(fallback = 3): number {
  const fromEnv = Number(process.env['BENCH_REPS']);
  return Number.isInteger(fromEnv) && fromEnv > 0 ? fromEnv : fallback;
}

/** Measured first on even repetitions, baseline first on odd ones. */
export function pairOrder(rep: number): [SideName, SideName] {
  return rep % 2 === 0 ? ['measured', 'baseline'] : ['baseline', 'measured'];
}

export function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length === 0 ? NaN : s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** Nearest-rank quantile (q = 0.9 → the value 90% of samples do not exceed). */
export function quantile(values: number[], q: number): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))]!;
}

export function spread(values: number[]): Spread {
  return { min: Math.min(...values), median: median(values), max: Math.max(...values) };
}

/** Spread of measured/baseline per pair, for a figure picked from each sample. */
export function pairedRatios(c: Comparison, pick: (s: Sample) => number): Spread {
  return spread(c.pairs.map((p) => pick(p.measured) / pick(p.baseline)));
}

export function sideSpread(c: Comparison, side: SideName, pick: (s: Sample) => number): Spread {
  return spread(c.pairs.map((p) => pick(p[side])));
}

export interface CompareOptions {
  title: string;
  measured: Side;
  baseline: Side;
  reps?: number;
  /** Runs each side once, unmeasured, first (fills caches a user's second command would find warm). */
  warmup?: boolean;
  /** Called after each pair, e.g. to print progress or check that both sides produced the same output. */
  onPair?: (pair: Pair) => void;
}

export async function comparePaired(options: CompareOptions): Promise<Comparison> {
  const reps = options.reps ?? defaultReps();
  const sides = { measured: options.measured, baseline: options.baseline };
  if (options.warmup) {
    await sides.measured.run(-1);
    await sides.baseline.run(-1);
  }
  const pairs: Pair[] = [];
  for (let rep = 0; rep < reps; rep++) {
    const load = loadavg()[0]!;
    const order = pairOrder(rep);
    const got: Partial<Record<SideName, Sample>> = {};
    for (const name of order) got[name] = await sides[name].run(rep);
    const pair: Pair = { rep, first: order[0], measured: got.measured!, baseline: got.baseline!, load };
    pairs.push(pair);
    options.onPair?.(pair);
  }
  return { title: options.title, measured: options.measured.label, baseline: options.baseline.label, pairs };
}

// ---- sides that run in a child process ------------------------------------------------------------------

const SAMPLE_MARK = '@@bench-sample ';
const REQUEST_ENV = 'DBX_BENCH_SIDE';

/**
 * A side that runs this same bench script again in a child process, with `payload` as its request; the script
 * answers through `serveSide` (see there). The child reports its own wall and CPU time of the measured part,
 * so process start-up and module loading are not counted, and its peak RSS, which is the whole child's.
 */
export function childSide(label: string, script: string, payload: unknown): Side {
  return {
    label,
    run: (rep) => runChild(script, { ...(payload as object), rep }),
  };
}

async function runChild(script: string, payload: unknown): Promise<Sample> {
  const child = spawn(process.execPath, [...process.execArgv, script], {
    env: { ...process.env, [REQUEST_ENV]: JSON.stringify(payload) },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (chunk: string) => (out += chunk));
  const code = await new Promise<number | null>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', resolve);
  });
  const line = out.split('\n').find((l) => l.startsWith(SAMPLE_MARK));
  const rest = out.split('\n').filter((l) => l !== '' && !l.startsWith(SAMPLE_MARK));
  if (rest.length > 0) process.stderr.write(rest.map((l) => `    | ${l}\n`).join(''));
  if (code !== 0 || !line) throw new Error(`bench side ${JSON.stringify(payload)} failed (exit ${code})`);
  return JSON.parse(line.slice(SAMPLE_MARK.length)) as Sample;
}

/** In a child started by `childSide`: the request it was started with, else undefined (the parent). */
export function sideRequest<T>(): (T & { rep: number }) | undefined {
  const raw = process.env[REQUEST_ENV];
  return raw === undefined ? undefined : (JSON.parse(raw) as T & { rep: number });
}

export interface SideTimer {
  /** Ends the measured part early (work after it, e.g. reading results back, is not timed). */
  stop: () => void;
}

/** In a child: times `work`, then prints the sample for the parent. `work` returns the bench's own metrics. */
export async function serveSide(work: (timer: SideTimer) => Promise<Record<string, number>>): Promise<void> {
  const cpu = process.cpuUsage();
  const started = performance.now();
  let stopped: { wallMs: number; cpuMs: number } | undefined;
  const stop = () => {
    if (stopped) return;
    const used = process.cpuUsage(cpu);
    stopped = { wallMs: performance.now() - started, cpuMs: (used.user + used.system) / 1000 };
  };
  const metrics = await work({ stop });
  stop();
  const sample: Sample = { ...stopped!, peakRssMb: process.resourceUsage().maxRSS / 1024, metrics };
  process.stdout.write(`${SAMPLE_MARK}${JSON.stringify(sample)}\n`);
}

// ---- sides that are whole commands ----------------------------------------------------------------------

const GNU_TIME = '/usr/bin/time';

export interface CommandOptions {
  cwd?: string;
  env?: Record<string, string | undefined>;
  /** Fails the run when the command writes to stderr (a warning would be timed as part of the command). */
  quietStderr?: boolean;
}

/**
 * A side that is a whole command, timed from spawn to exit as a user waits for it. CPU time and peak RSS come
 * from GNU time (the command and every process it waited for); without GNU time they are reported as n/a.
 */
export function commandSide(label: string, file: string, args: string[], options: CommandOptions = {}): Side {
  return { label, run: () => runCommand(file, args, options) };
}

async function runCommand(file: string, args: string[], options: CommandOptions): Promise<Sample> {
  const withTime = existsSync(GNU_TIME);
  const dir = withTime ? mkdtempSync(join(tmpdir(), 'dbx-bench-time-')) : '';
  const report = join(dir, 'time.txt');
  const [cmd, argv] = withTime ? [GNU_TIME, ['-f', '%U %S %M', '-o', report, file, ...args]] : [file, args];
  const started = performance.now();
  const child = spawn(cmd, argv, { cwd: options.cwd, env: { ...process.env, ...options.env }, stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (chunk: string) => (err += chunk));
  const code = await new Promise<number | null>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', resolve);
  });
  const wallMs = performance.now() - started;
  try {
    if (code !== 0) throw new Error(`${file} ${args.join(' ')} failed (exit ${code}): ${err}`);
    if (options.quietStderr && err !== '') throw new Error(`${file} ${args.join(' ')} wrote to stderr: ${err}`);
    if (!withTime) return { wallMs, cpuMs: NaN, peakRssMb: NaN, metrics: {} };
    const [user, system, rssKb] = readFileSync(report, 'utf8').trim().split('\n').at(-1)!.split(' ').map(Number);
    return { wallMs, cpuMs: (user! + system!) * 1000, peakRssMb: rssKb! / 1024, metrics: {} };
  } finally {
    if (dir) rmSync(dir, { recursive: true, force: true });
  }
}

// ---- the summary ------------------------------------------------------------------------------------------

export function formatMs(ms: number): string {
  if (Number.isNaN(ms)) return 'n/a';
  return ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${Math.round(ms)} ms`;
}

const fmtRatio = (r: Spread) => `${r.min.toFixed(2)} / ${r.median.toFixed(2)} / ${r.max.toFixed(2)}`;

/** A figure the bench counts itself (Sample.metrics), shown per side as the median over pairs. */
export interface MetricColumn {
  key: string;
  label: string;
  format?: (value: number) => string;
  /** Adds the paired measured/baseline ratio of this metric (min / median / max). */
  ratio?: boolean;
}

/**
 * The standard summary: per side the median (min–max) wall and CPU time and the peak RSS; the paired ratios
 * measured/baseline as min / median / max; the bench's own metrics per side with their paired ratios; the
 * load the machine was under.
 */
export function formatComparison(c: Comparison, metrics: MetricColumn[] = []): string {
  const noCpu = c.pairs.some((p) => Number.isNaN(p.measured.cpuMs) || Number.isNaN(p.baseline.cpuMs));
  const sides = table([
    ['', 'wall median (min–max)', 'cpu median', 'cpu/wall', 'peak RSS (max)'],
    ...(['measured', 'baseline'] as const).map((side) => {
      const wall = sideSpread(c, side, (s) => s.wallMs);
      const cpu = sideSpread(c, side, (s) => s.cpuMs);
      return [
        c[side],
        `${formatMs(wall.median)} (${formatMs(wall.min)}–${formatMs(wall.max)})`,
        formatMs(cpu.median),
        noCpu ? 'n/a' : (cpu.median / wall.median).toFixed(2),
        noCpu ? 'n/a' : `${Math.round(sideSpread(c, side, (s) => s.peakRssMb).max)} MB`,
      ];
    }),
  ]);
  const ratios = [['paired ratio (min / median / max)', `wall ${fmtRatio(pairedRatios(c, (s) => s.wallMs))}`, noCpu ? '' : `cpu ${fmtRatio(pairedRatios(c, (s) => s.cpuMs))}`]];
  const loads = spread(c.pairs.map((p) => p.load));
  const out = [`${c.title}: ${c.pairs.length} pairs, order alternated, each side in its own process`, ...sides, ...table(ratios)];
  if (metrics.length > 0) {
    const metric = (side: SideName, m: MetricColumn) => (m.format ?? String)(sideSpread(c, side, (s) => s.metrics[m.key] ?? NaN).median);
    out.push(
      ...table([
        ['', c.measured, c.baseline, `${c.measured} / ${c.baseline} (min / median / max)`],
        ...metrics.map((m) => [m.label, metric('measured', m), metric('baseline', m), m.ratio ? fmtRatio(pairedRatios(c, (s) => s.metrics[m.key] ?? NaN)) : '']),
      ]),
    );
  }
  out.push(`  machine: ${cpus().length} cores, 1-min load average ${loads.min.toFixed(1)}–${loads.max.toFixed(1)} during the run`);
  return out.join('\n');
}

/** Rows padded into columns, indented by two spaces. */
function table(rows: string[][]): string[] {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows.map((r) => `  ${r.map((cell, i) => cell.padEnd(widths[i]!)).join('   ')}`.trimEnd());
}

/** One target line; records a miss so the bench can exit 1 at the end. */
export class Targets {
  readonly missed: string[] = [];

  check(description: string, value: number, limit: number, format: (n: number) => string = (n) => n.toFixed(2)): string {
    const met = value <= limit;
    if (!met) this.missed.push(description);
    return `  target ${description}: ${format(value)} (limit ${format(limit)}) → ${met ? 'met' : 'NOT met'}`;
  }

  finish(): void {
    if (this.missed.length > 0) {
      console.log(`MISSED: ${this.missed.join('; ')}`);
      process.exitCode = 1;
    }
  }
}
