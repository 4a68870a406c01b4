// Where a workspace's state lives. In memory for tests; or in a directory, where every change is written
// as it happens (`commit`, awaited before the client hears back): one state file replaced atomically,
// contents as separate files, a lock naming the process that holds the directory, secret values kept
// (files are 0600 in a 0700 directory). A state file that cannot be read stops start-up and is left alone.
import { access, mkdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { type WorkspaceState, createWorkspaceState } from '../state.ts';
import { writeFileAtomic } from './atomic-file.ts';
import { type BlobRef, type BlobStore, DirBlobs, MemoryBlobs } from './blobs.ts';
import { CorruptStateError, STATE_VERSION, checkState, decodeState, encodeState, parseTagged } from './codec.ts';
import { type DirLock, lockDirectory } from './dir-lock.ts';

export const STATE_FILE = 'state.json';
const BLOBS_DIR = 'blobs';
/** The one-file-per-area layout of earlier versions (read once, then replaced by state.json). */
const LEGACY_FILES = ['meta.json', 'workspace.json', 'jobs.json', 'pipelines.json', 'secrets.json', 'dashboards.json', 'volumes.json'];
const LEGACY_COMPUTE_ML = 'compute-ml.json';

export interface WorkspaceStore {
  state: WorkspaceState;
  blobs: BlobStore;
  /** The state directory, for a persistent store. */
  dir?: string;
  /** Writes the current state; resolves once a write containing every change made before the call has landed. */
  commit(): Promise<void>;
  close(): Promise<void>;
}

export function memoryStore(state: WorkspaceState): WorkspaceStore {
  return { state, blobs: new MemoryBlobs(), commit: async () => {}, close: async () => {} };
}

/** Every content the state refers to. */
export function referencedBlobs(state: WorkspaceState): Map<string, { ref: BlobRef; where: string }> {
  const refs = new Map<string, { ref: BlobRef; where: string }>();
  for (const [path, obj] of Object.entries(state.objects)) if (obj.blob) refs.set(obj.blob.sha256, { ref: obj.blob, where: path });
  for (const [path, file] of Object.entries(state.volumes.files)) refs.set(file.blob.sha256, { ref: file.blob, where: path });
  return refs;
}

const exists = (path: string) =>
  access(path).then(
    () => true,
    () => false,
  );

/** The earlier layout kept contents as base64 inside the state and never kept secret values. */
async function loadLegacy(dir: string, blobs: BlobStore): Promise<WorkspaceState> {
  const merged: Record<string, unknown> = {};
  for (const name of LEGACY_FILES) Object.assign(merged, parseTagged(await readFile(join(dir, name), 'utf8'), join(dir, name)));
  // compute-ml.json came later: a directory saved before it existed has none.
  const computeMl = join(dir, LEGACY_COMPUTE_ML);
  if (await exists(computeMl)) Object.assign(merged, parseTagged(await readFile(computeMl, 'utf8'), computeMl));
  if (merged['version'] !== 1) throw new CorruptStateError(join(dir, 'meta.json'), `state version ${String(merged['version'])}`);
  merged['version'] = STATE_VERSION;
  const state = checkState(merged, join(dir, 'meta.json'));
  for (const obj of Object.values(state.objects) as (typeof state.objects[string] & { content?: string })[]) {
    if (obj.content !== undefined) obj.blob = await blobs.put(Buffer.from(obj.content, 'base64'));
    delete obj.content;
  }
  for (const file of Object.values(state.volumes.files) as (typeof state.volumes.files[string] & { content?: string })[]) {
    if (file.content !== undefined) file.blob = await blobs.put(Buffer.from(file.content, 'base64'));
    delete file.content;
  }
  return state;
}

export interface OpenStateDirOptions {
  /** Names the holder in the lock, e.g. `dbx-ts local serve`. */
  command: string;
  /** For a new state: ids above 2^53, the clock's time. */
  bigIds?: boolean;
  now?: number;
}

async function loadOrCreate(dir: string, blobs: BlobStore, options: OpenStateDirOptions): Promise<{ state: WorkspaceState; migrated: boolean; fresh: boolean }> {
  const file = join(dir, STATE_FILE);
  if (await exists(file)) {
    const state = decodeState(await readFile(file, 'utf8'), file);
    for (const { ref, where } of referencedBlobs(state).values()) {
      if (!(await blobs.has(ref))) throw new CorruptStateError(file, `the content of ${where} (${join(dir, BLOBS_DIR, ref.sha256.slice(0, 2), ref.sha256)}) is missing`);
    }
    return { state, migrated: false, fresh: false };
  }
  if (await exists(join(dir, 'meta.json'))) return { state: await loadLegacy(dir, blobs), migrated: true, fresh: false };
  return { state: createWorkspaceState({ bigIds: options.bigIds ?? false, now: options.now ?? Date.now() }), migrated: false, fresh: true };
}

export async function openStateDir(dir: string, options: OpenStateDirOptions): Promise<WorkspaceStore> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const lock: DirLock = await lockDirectory(dir, options.command);
  const blobs = new DirBlobs(join(dir, BLOBS_DIR));
  try {
    const { state, migrated, fresh } = await loadOrCreate(dir, blobs, options);
    let written = '';
    let chain: Promise<void> = Promise.resolve();
    const write = async () => {
      const text = encodeState(state);
      if (text === written) return;
      await writeFileAtomic(join(dir, STATE_FILE), text);
      written = text;
    };
    // A write not yet started encodes the state as it is when it starts, so every commit made while it waits
    // joins it: a burst of changes (a deploy's requests, a run's steps) costs one encoding, not one each.
    let waiting: Promise<void> | undefined;
    const commit = () => {
      if (waiting) return waiting;
      const next = chain.then(() => {
        waiting = undefined;
        return write();
      });
      waiting = next;
      chain = next.catch(() => {});
      return next;
    };
    if (fresh || migrated) await commit();
    else written = encodeState(state);
    if (migrated) for (const name of [...LEGACY_FILES, LEGACY_COMPUTE_ML]) await rm(join(dir, name), { force: true });
    await blobs.sweep(new Set(referencedBlobs(state).keys()));
    let closed = false;
    return {
      state,
      blobs,
      dir,
      commit,
      close: async () => {
        if (closed) return;
        closed = true;
        try {
          await commit();
          await blobs.sweep(new Set(referencedBlobs(state).keys()));
        } finally {
          await lock.release();
        }
      },
    };
  } catch (error) {
    await lock.release();
    throw error;
  }
}
