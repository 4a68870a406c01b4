import { copyFile, mkdtemp, readdir, readFile, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { main } from '../../src/cli/main.ts';

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs the real CLI in-process with exactly this environment (nothing of process.env), capturing its output: the
 * end-to-end tests pass a fake workspace's host and token and must not pick up the machine's own DATABRICKS_*.
 */
export async function captureCli(
  args: string[],
  opts: { cwd: string; env: NodeJS.ProcessEnv; signal?: AbortSignal; isTTY?: boolean },
): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  const code = await main(['node', 'dbx-ts', ...args], {
    cwd: opts.cwd,
    env: opts.env,
    stdout: { write: (s: string) => void (stdout += s), isTTY: opts.isTTY ?? false },
    stderr: { write: (s: string) => void (stderr += s), isTTY: opts.isTTY ?? false },
    signal: opts.signal ?? new AbortController().signal,
  });
  return { code, stdout, stderr };
}

/** Runs the real CLI in-process as a CI job would (process.env plus CI=true), capturing its output. */
export async function runCli(args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Promise<CliResult> {
  return captureCli(args, { cwd: opts.cwd ?? REPO_ROOT, env: { ...process.env, CI: 'true', ...(opts.env ?? {}) } });
}

/** A long-running CLI command (run --continuous, dashboard --serve) in this process, until `stop()` (its Ctrl-C). */
export interface RunningCli {
  /** Resolves with the first match of `pattern` in the output written after position `from`; rejects after `ms`. */
  waitFor(pattern: RegExp, from: number, ms: number): Promise<RegExpExecArray>;
  /** stdout and stderr so far, interleaved as written. */
  output(): string;
  stop(): void;
  /** The exit code. */
  done: Promise<number>;
}

export function startCli(args: string[], opts: { cwd: string; env?: NodeJS.ProcessEnv }): RunningCli {
  const controller = new AbortController();
  let output = '';
  const waiters = new Set<() => void>();
  const write = (s: string) => {
    output += s;
    for (const wake of waiters) wake();
  };
  const done = main(['node', 'dbx-ts', ...args], {
    cwd: opts.cwd,
    env: { ...process.env, CI: 'true', ...(opts.env ?? {}) },
    stdout: { write, isTTY: false },
    stderr: { write },
    signal: controller.signal,
  });
  const waitFor = (pattern: RegExp, from: number, ms: number) =>
    new Promise<RegExpExecArray>((resolve, reject) => {
      const check = () => {
        const match = pattern.exec(output.slice(from));
        if (!match) return;
        clearTimeout(timer);
        waiters.delete(check);
        resolve(match);
      };
      const timer = setTimeout(() => {
        waiters.delete(check);
        reject(new Error(`no ${pattern} within ${ms} ms; output:\n${output}`));
      }, ms);
      waiters.add(check);
      check();
      // A command that ends without printing it fails the wait at once.
      void done.then((code) => {
        if (!waiters.has(check)) return;
        clearTimeout(timer);
        waiters.delete(check);
        reject(new Error(`the command ended (exit ${code}) without ${pattern}; output:\n${output}`));
      });
    });
  return { waitFor, output: () => output, stop: () => controller.abort(), done };
}

export async function tempDir(prefix: string): Promise<string> {
  return mkdtemp(join(tmpdir(), `dbx-ts-${prefix}-`));
}

/** Every file under dir, as relative path → content. */
export async function readTree(dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  const walk = async (d: string): Promise<void> => {
    for (const e of await readdir(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) await walk(p);
      else out[relative(dir, p)] = await readFile(p, 'utf8');
    }
  };
  await walk(dir);
  return Object.fromEntries(Object.entries(out).sort(([a], [b]) => a.localeCompare(b)));
}

/** A project directory of its own (so tests never share .dbx-ts/ state) that uses this checkout's bundle. */
export async function scratchProject(): Promise<string> {
  const dir = await tempDir('project');
  await copyFile(join(REPO_ROOT, 'package.json'), join(dir, 'package.json'));
  for (const name of ['bundles', 'src', 'notebooks-src', 'templates']) await symlink(join(REPO_ROOT, name), join(dir, name), 'dir');
  return dir;
}
