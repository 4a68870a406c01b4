// The deploy lock: `<root>/state/deploy.lock`, created with overwrite=false so only one deploy of a bundle and
// target runs at a time. It names its holder (user, host, pid), when it was taken, and a heartbeat the holder
// renews while it works. A lock that cannot strand a team (issue 11):
// - a second deploy fails at once naming the holder, never with a raw HTTP status;
// - a lock whose holder is a dead process on this host, or whose heartbeat is older than the stale timeout, is
//   taken over with a `deploy.lock` warning event (a crashed or killed deploy needs no --force-lock);
// - --force-lock takes over any lock;
// - releasing goes through the client's retries (delete is idempotent), on success, failure and Ctrl-C.
// A takeover deletes the stale lock (after reading it again) and then creates its own with overwrite=false, so
// two deploys racing for a stale lock still end with one holder and one clear refusal.
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { UserError } from '../errors/index.ts';
import type { EventSink } from '../events/types.ts';
import { silentSink } from '../events/types.ts';
import { isNotFound, RequestOutcomeUnknownError, type WorkspaceClient } from '../workspace/index.ts';
import { deleteIgnoringMissing, isAlreadyExists, readOrUndefined } from './adapters/errors.ts';
import type { BundlePaths } from './types.ts';

export const LOCK_FILE = 'deploy.lock';

/** How often a holder renews its heartbeat. */
export const HEARTBEAT_INTERVAL_MS = 30_000;
/** A heartbeat older than this marks the lock stale: ten missed renewals. */
export const STALE_AFTER_MS = 5 * 60_000;

export interface LockHolder {
  /** Tells our own lock apart from anyone else's, even for the same user on the same machine. */
  id: string;
  user: string;
  host: string;
  pid: number;
  /** When the deploy took the lock (its start time). */
  acquired_at: string;
  /** Renewed every HEARTBEAT_INTERVAL_MS while the deploy runs; absent in locks written by older versions. */
  heartbeat_at?: string;
}

export interface LockOptions {
  client: WorkspaceClient;
  paths: BundlePaths;
  user: string;
  force?: boolean;
  events?: EventSink;
  now?: () => Date;
  /** This machine's name (default os.hostname()); a dead pid is only judged on the same host. */
  host?: string;
  /** Whether a process of this host is alive (default: signal 0). */
  isAlive?: (pid: number) => boolean;
  heartbeatIntervalMs?: number;
  staleAfterMs?: number;
  /** Starts the heartbeat timer; returns its stop function (tests drive heartbeats by hand). */
  every?: (ms: number, tick: () => void) => () => void;
}

const MAX_ATTEMPTS = 8;

export class DeployLock {
  private released = false;
  private lost = false;
  private stopHeartbeat: () => void = () => {};
  private beating: Promise<void> | undefined;

  constructor(
    private readonly options: LockOptions,
    readonly holder: LockHolder,
  ) {}

  get path(): string {
    return lockPath(this.options.paths);
  }

  /** Renews the heartbeat every interval until release; the timer never keeps the process alive. */
  startHeartbeat(): void {
    const every = this.options.every ?? defaultEvery;
    this.stopHeartbeat = every(this.options.heartbeatIntervalMs ?? HEARTBEAT_INTERVAL_MS, () => {
      if (this.beating) return;
      this.beating = this.heartbeat().finally(() => {
        this.beating = undefined;
      });
    });
  }

  /**
   * Rewrites the lock with a fresh heartbeat if it is still ours. A lock taken over (--force-lock, or judged
   * stale while this process was suspended) is left to its new holder, with one warning. Never throws: a
   * missed heartbeat only brings the stale timeout closer.
   */
  async heartbeat(): Promise<void> {
    if (this.released || this.lost) return;
    const events = this.options.events ?? silentSink;
    try {
      const current = await readLock(this.options.client, this.path);
      if (!current || current.id !== this.holder.id) {
        this.lost = true;
        events({
          code: 'deploy.lock',
          level: 'warn',
          message: current
            ? `The deploy lock was taken over by ${describeHolder(current)} while this deploy was running`
            : 'The deploy lock disappeared while this deploy was running',
          data: { action: 'lost', path: this.path, ...(current ? { holder: current } : {}) },
        });
        return;
      }
      this.holder.heartbeat_at = (this.options.now ?? (() => new Date()))().toISOString();
      await writeLock(this.options.client, this.path, this.holder, true);
    } catch (error) {
      events({ code: 'log', level: 'debug', message: `Could not renew the deploy lock heartbeat: ${(error as Error).message}`, data: { path: this.path } });
    }
  }

  /** Deletes the lock if it is still ours; a lock taken over is left to its new holder. */
  async release(): Promise<void> {
    if (this.released) return;
    this.released = true;
    this.stopHeartbeat();
    await this.beating;
    const current = await readLock(this.options.client, this.path);
    if (current && current.id !== this.holder.id) {
      if (this.lost) return;
      (this.options.events ?? silentSink)({
        code: 'deploy.lock',
        level: 'warn',
        message: `The deploy lock was taken over by ${describeHolder(current)}; leaving it in place`,
        data: { action: 'lost', path: this.path, holder: current },
      });
      return;
    }
    if (current) await deleteIgnoringMissing(() => this.options.client.workspace.delete({ path: this.path, recursive: false }));
  }
}

function defaultEvery(ms: number, tick: () => void): () => void {
  const timer = setInterval(tick, ms);
  timer.unref();
  return () => clearInterval(timer);
}

export function lockPath(paths: BundlePaths): string {
  return `${paths.state}/${LOCK_FILE}`;
}

async function readLock(client: WorkspaceClient, path: string): Promise<LockHolder | undefined> {
  const exported = await readOrUndefined(() => client.workspace.export({ path, format: 'AUTO' }));
  if (!exported?.content) return undefined;
  try {
    const parsed = JSON.parse(Buffer.from(exported.content, 'base64').toString('utf8')) as Partial<LockHolder>;
    if (typeof parsed.id !== 'string') throw new Error('not a lock');
    return {
      id: parsed.id,
      user: String(parsed.user ?? 'unknown'),
      host: String(parsed.host ?? 'unknown'),
      pid: Number(parsed.pid ?? 0),
      acquired_at: String(parsed.acquired_at ?? ''),
      ...(typeof parsed.heartbeat_at === 'string' ? { heartbeat_at: parsed.heartbeat_at } : {}),
    };
  } catch {
    return { id: 'unreadable', user: 'unknown', host: 'unknown', pid: 0, acquired_at: 'an unknown time' };
  }
}

function writeLock(client: WorkspaceClient, path: string, holder: LockHolder, overwrite: boolean) {
  const content = Buffer.from(`${JSON.stringify(holder, null, 2)}\n`);
  return client.workspace.import({ path, content, format: 'RAW', overwrite });
}

function describeHolder(holder: LockHolder): string {
  return `${holder.user} on ${holder.host} (pid ${holder.pid})`;
}

function ago(since: string, now: Date): string {
  const ms = now.getTime() - Date.parse(since);
  if (!Number.isFinite(ms)) return '';
  const minutes = Math.floor(ms / 60_000);
  if (minutes < 1) return ' (less than a minute ago)';
  if (minutes < 120) return ` (${minutes} min ago)`;
  return ` (${Math.floor(minutes / 60)} h ago)`;
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Why a lock held by someone else may be taken over without --force-lock, or undefined if it may not. */
export function staleReason(holder: LockHolder, options: Pick<LockOptions, 'host' | 'isAlive' | 'staleAfterMs'>, now: Date): string | undefined {
  const host = options.host ?? hostname();
  const isAlive = options.isAlive ?? processAlive;
  if (holder.host === host && holder.pid > 0 && holder.pid !== process.pid && !isAlive(holder.pid)) {
    return `its process ${holder.pid} on ${host} is no longer running`;
  }
  const beat = Date.parse(holder.heartbeat_at ?? holder.acquired_at);
  const staleAfter = options.staleAfterMs ?? STALE_AFTER_MS;
  if (Number.isFinite(beat) && now.getTime() - beat > staleAfter) {
    return `its last heartbeat was ${Math.floor((now.getTime() - beat) / 60_000)} min ago (stale after ${Math.round(staleAfter / 60_000)} min)`;
  }
  return undefined;
}

/**
 * Takes the lock, taking over a stale one with a notice, or fails at once with who holds it and since when.
 * The heartbeat starts once the lock is ours.
 */
export async function acquireLock(options: LockOptions): Promise<DeployLock> {
  const now = options.now ?? (() => new Date());
  const events = options.events ?? silentSink;
  const stamp = now().toISOString();
  const holder: LockHolder = { id: randomUUID(), user: options.user, host: options.host ?? hostname(), pid: process.pid, acquired_at: stamp, heartbeat_at: stamp };
  const path = lockPath(options.paths);
  const take = (): DeployLock => {
    const lock = new DeployLock(options, holder);
    lock.startHeartbeat();
    return lock;
  };

  let lastSeen: LockHolder | undefined;
  let madeFolder = false;
  for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
    try {
      await writeLock(options.client, path, holder, options.force === true);
      return take();
    } catch (error) {
      // First deploy: the state folder does not exist yet (made once, whichever attempt finds it missing).
      if (isNotFound(error) && !madeFolder) {
        await options.client.workspace.mkdirs({ path: options.paths.state });
        madeFolder = true;
        continue;
      }
      if (!(error instanceof RequestOutcomeUnknownError) && !isAlreadyExists(error)) throw error;
      const current = await readLock(options.client, path);
      // Our own earlier attempt may have landed before its answer was lost.
      if (current?.id === holder.id) return take();
      // The holder released it between our write and our read (or our write never landed): try again.
      if (!current) continue;
      lastSeen = current;
      const reason = staleReason(current, options, now());
      if (reason === undefined) throw heldBy(current, path, now());
      events({
        code: 'deploy.lock',
        level: 'warn',
        message: `Taking over the deploy lock of ${describeHolder(current)} since ${current.acquired_at}: ${reason}`,
        data: { action: 'takeover', path, holder: current, reason },
      });
      // Delete only the lock we judged stale: if someone took it meanwhile, theirs stays.
      const again = await readLock(options.client, path);
      if (again?.id === current.id) await deleteIgnoringMissing(() => options.client.workspace.delete({ path, recursive: false }));
    }
  }
  if (lastSeen) throw heldBy(lastSeen, path, now());
  throw new UserError(
    `Could not take the deploy lock ${path}: it kept changing hands (${MAX_ATTEMPTS} attempts).`,
    'Another deploy of this bundle and target is probably starting; wait for it, then deploy again.',
  );
}

function heldBy(current: LockHolder, path: string, now: Date): UserError {
  return new UserError(
    `The deploy lock of this bundle and target is held by ${describeHolder(current)} since ${current.acquired_at}${ago(current.acquired_at, now)}.`,
    `Another deploy is running (lock file ${path}). Wait for it to finish, or pass --force-lock to take the lock over if that deploy is no longer running.`,
  );
}
