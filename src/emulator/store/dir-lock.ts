// A lock on a state directory, so two processes (a `local serve`, a `deploy -t local`) never share one.
// The lock file names its holder; it is created atomically with its content (link of a finished temp
// file), and one left by a process that is gone (same host, pid no longer alive) is taken over.
import { randomBytes } from 'node:crypto';
import { link, readFile, rm, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { UserError } from '../../errors/index.ts';

export const LOCK_FILE = 'lock.json';

export interface LockHolder {
  pid: number;
  host: string;
  /** ISO time the holder took the lock. */
  started_at: string;
  /** What holds it, e.g. `dbx-ts local serve`. */
  command: string;
}

export class StateDirLockedError extends UserError {
  constructor(
    readonly dir: string,
    readonly holder: LockHolder | undefined,
  ) {
    const who = holder ? `${holder.command} (pid ${holder.pid} on ${holder.host}, since ${holder.started_at})` : 'another process (its lock file is unreadable)';
    super(
      `The local workspace state in ${dir} is in use by ${who}.`,
      `Stop that process first, or use another state directory. If it is gone, delete ${join(dir, LOCK_FILE)}.`,
    );
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function readHolder(file: string): Promise<LockHolder | undefined> {
  try {
    const value = JSON.parse(await readFile(file, 'utf8')) as LockHolder;
    return typeof value.pid === 'number' && typeof value.host === 'string' ? value : undefined;
  } catch {
    return undefined;
  }
}

/** link(2) fails if the target exists, so the lock appears whole or not at all. */
async function tryLink(from: string, to: string): Promise<boolean> {
  try {
    await link(from, to);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  }
}

export interface DirLock {
  holder: LockHolder;
  /** A lock taken over from a process that had died, if any. */
  replaced?: LockHolder;
  release(): Promise<void>;
}

export async function lockDirectory(dir: string, command: string): Promise<DirLock> {
  const file = join(dir, LOCK_FILE);
  const holder: LockHolder = { pid: process.pid, host: hostname(), started_at: new Date().toISOString(), command };
  const temp = join(dir, `.lock-${randomBytes(6).toString('hex')}`);
  await writeFile(temp, `${JSON.stringify(holder, null, 2)}\n`, { mode: 0o600 });
  let replaced: LockHolder | undefined;
  try {
    while (!(await tryLink(temp, file))) {
      const current = await readHolder(file);
      const stale = !replaced && current !== undefined && current.host === holder.host && current.pid !== process.pid && !isAlive(current.pid);
      if (!stale) throw new StateDirLockedError(dir, current);
      replaced = current;
      await rm(file, { force: true });
    }
  } finally {
    await rm(temp, { force: true });
  }
  let released = false;
  return {
    holder,
    ...(replaced ? { replaced } : {}),
    release: async () => {
      if (released) return;
      released = true;
      const current = await readHolder(file);
      if (current && current.pid === holder.pid && current.started_at === holder.started_at) await rm(file, { force: true });
    },
  };
}
