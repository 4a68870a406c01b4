// The deploy lock: `<root>/state/deploy.lock`, created with overwrite=false so only one deploy of a bundle and
// target runs at a time. It names its holder (user, host, pid) and the time; a second deploy fails at once
// saying so. --force-lock takes it over. Released on success, failure and Ctrl-C (the caller's finally).
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { UserError } from '../errors/index.ts';
import type { EventSink } from '../events/types.ts';
import { silentSink } from '../events/types.ts';
import { isNotFound, RequestOutcomeUnknownError, type WorkspaceClient } from '../workspace/index.ts';
import { deleteIgnoringMissing, isAlreadyExists, readOrUndefined } from './adapters/errors.ts';
import type { BundlePaths } from './types.ts';

export const LOCK_FILE = 'deploy.lock';

export interface LockHolder {
  /** Tells our own lock apart from anyone else's, even for the same user on the same machine. */
  id: string;
  user: string;
  host: string;
  pid: number;
  acquired_at: string;
}

export interface LockOptions {
  client: WorkspaceClient;
  paths: BundlePaths;
  user: string;
  force?: boolean;
  events?: EventSink;
  now?: () => Date;
}

export class DeployLock {
  private released = false;

  constructor(
    private readonly options: LockOptions,
    readonly holder: LockHolder,
  ) {}

  get path(): string {
    return lockPath(this.options.paths);
  }

  /** Deletes the lock if it is still ours; a lock taken over with --force-lock is left to its new holder. */
  async release(): Promise<void> {
    if (this.released) return;
    this.released = true;
    const current = await readLock(this.options.client, this.path);
    if (current && current.id !== this.holder.id) {
      (this.options.events ?? silentSink)({
        code: 'log',
        level: 'warn',
        message: `The deploy lock was taken over by ${describeHolder(current)}; leaving it in place`,
        data: { path: this.path },
      });
      return;
    }
    if (current) await deleteIgnoringMissing(() => this.options.client.workspace.delete({ path: this.path, recursive: false }));
  }
}

export function lockPath(paths: BundlePaths): string {
  return `${paths.state}/${LOCK_FILE}`;
}

async function readLock(client: WorkspaceClient, path: string): Promise<LockHolder | undefined> {
  const exported = await readOrUndefined(() => client.workspace.export({ path, format: 'AUTO' }));
  if (!exported?.content) return undefined;
  try {
    return JSON.parse(Buffer.from(exported.content, 'base64').toString('utf8')) as LockHolder;
  } catch {
    return { id: 'unreadable', user: 'unknown', host: 'unknown', pid: 0, acquired_at: 'an unknown time' };
  }
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

/** Takes the lock or fails at once with who holds it and since when. */
export async function acquireLock(options: LockOptions): Promise<DeployLock> {
  const now = options.now ?? (() => new Date());
  const holder: LockHolder = { id: randomUUID(), user: options.user, host: hostname(), pid: process.pid, acquired_at: now().toISOString() };
  const path = lockPath(options.paths);
  const content = Buffer.from(`${JSON.stringify(holder, null, 2)}\n`);
  const write = () => options.client.workspace.import({ path, content, format: 'RAW', overwrite: options.force === true });

  for (let attempt = 1; ; attempt++) {
    try {
      await write();
      return new DeployLock(options, holder);
    } catch (error) {
      if (isNotFound(error) && attempt <= 2) {
        // First deploy: the state folder does not exist yet.
        await options.client.workspace.mkdirs({ path: options.paths.state });
        continue;
      }
      const outcomeUnknown = error instanceof RequestOutcomeUnknownError;
      if (!outcomeUnknown && !isAlreadyExists(error)) throw error;
      const current = await readLock(options.client, path);
      // Our own earlier attempt may have landed before its answer was lost.
      if (current?.id === holder.id) return new DeployLock(options, holder);
      if (!current && outcomeUnknown && attempt <= 8) continue;
      if (!current) throw error;
      throw new UserError(
        `The deploy lock of this bundle and target is held by ${describeHolder(current)} since ${current.acquired_at}${ago(current.acquired_at, now())}.`,
        `Another deploy is running (lock file ${path}). Wait for it to finish, or pass --force-lock to take the lock over if that deploy is no longer running.`,
      );
    }
  }
}
