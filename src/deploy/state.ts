// Deploy state: resource ids and the hash of what was applied, saved in the workspace under
// `<root>/state/deployment.json` after every call (so a fresh CI machine knows what exists) and cached in
// `.dbx-ts/state/<target>.json`. Saves are serialised and coalesced: callers that finish together share one
// write, and each caller resumes only once a write containing its change has landed.
import { randomUUID } from 'node:crypto';
import { redact } from '../redaction/index.ts';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { EventSink } from '../events/types.ts';
import { silentSink } from '../events/types.ts';
import type { WorkspaceClient } from '../workspace/index.ts';
import { readOrUndefined } from './adapters/errors.ts';
import type { Address, BundlePaths, DeployState, StateEntry } from './types.ts';

export const STATE_FILE = 'deployment.json';

export function emptyState(bundle: string, target: string, rootPath: string): DeployState & { lineage: string } {
  return { version: 1, bundle, target, root_path: rootPath, serial: 0, lineage: randomUUID(), resources: {} };
}

type StoredState = DeployState & { lineage?: string };

/** The local cache also names the workspace, so switching DATABRICKS_HOST never reuses another workspace's ids. */
interface LocalCache {
  host: string;
  state: StoredState;
}

function isState(value: unknown): value is StoredState {
  const v = value as StoredState | undefined;
  return v !== undefined && v !== null && v.version === 1 && typeof v.serial === 'number' && typeof v.resources === 'object';
}

export interface StateStoreOptions {
  client: WorkspaceClient;
  paths: BundlePaths;
  bundle: string;
  target: string;
  /** Path of the local cache file. */
  localFile: string;
  events?: EventSink;
}

export type StateSource = 'workspace' | 'local cache' | 'none';

export interface StateIdentity {
  exists: boolean;
  lineage?: string;
  serial: number;
}

export class StateStore {
  private current: StoredState;
  private version = 0;
  private savedVersion = 0;
  private writing: Promise<void> | undefined;
  private waiters: { version: number; resolve: () => void; reject: (e: unknown) => void }[] = [];
  private readonly events: EventSink;
  private loaded: StateIdentity = { exists: false, serial: 0 };

  constructor(private readonly options: StateStoreOptions) {
    this.current = emptyState(options.bundle, options.target, options.paths.root);
    this.events = options.events ?? silentSink;
  }

  get remotePath(): string {
    return `${this.options.paths.state}/${STATE_FILE}`;
  }

  get state(): DeployState {
    return this.current;
  }

  /**
   * What the last load() found, for plan files: no state at all, or its lineage as stored (a state written
   * before lineages existed has none; the one load() gives it is new at every read) and its serial.
   */
  get identity(): StateIdentity {
    return this.loaded;
  }

  /** Reads the workspace copy and the local cache; the newer of the two (same lineage) wins. */
  async load(): Promise<StateSource> {
    const [remote, local] = await Promise.all([this.readRemote(), this.readLocal()]);
    const sameLineage = remote && local && remote.lineage !== undefined && remote.lineage === local.lineage;
    let source: StateSource = 'none';
    if (remote && (!sameLineage || remote.serial >= local.serial)) {
      this.current = remote;
      source = 'workspace';
    } else if (local && (sameLineage || !remote)) {
      this.current = local;
      source = 'local cache';
    }
    this.loaded = source === 'none' ? { exists: false, serial: 0 } : { exists: true, serial: this.current.serial, ...(this.current.lineage === undefined ? {} : { lineage: this.current.lineage }) };
    this.current.lineage ??= randomUUID();
    this.current.root_path = this.options.paths.root;
    return source;
  }

  get(address: Address): StateEntry | undefined {
    return this.current.resources[address];
  }

  /** Records a change in memory; call persist() to make it durable. */
  set(address: Address, entry: StateEntry): void {
    this.current.resources[address] = entry;
    this.version += 1;
  }

  remove(address: Address): void {
    if (!(address in this.current.resources)) return;
    delete this.current.resources[address];
    this.version += 1;
  }

  /** Resolves once a write that includes every change recorded so far has reached the workspace. */
  persist(): Promise<void> {
    if (this.savedVersion >= this.version) return Promise.resolve();
    const wanted = this.version;
    const done = new Promise<void>((resolve, reject) => this.waiters.push({ version: wanted, resolve, reject }));
    this.writing ??= this.writeLoop().finally(() => {
      this.writing = undefined;
    });
    return done;
  }

  private async writeLoop(): Promise<void> {
    while (this.savedVersion < this.version) {
      const version = this.version;
      this.current.serial += 1;
      const text = `${JSON.stringify(this.current, null, 2)}\n`;
      try {
        await this.writeLocal(text);
        await this.options.client.workspace.import({ path: this.remotePath, content: Buffer.from(text), format: 'RAW', overwrite: true });
      } catch (error) {
        const failed = this.waiters.filter((w) => w.version <= this.version);
        this.waiters = this.waiters.filter((w) => w.version > this.version);
        for (const w of failed) w.reject(error);
        return;
      }
      this.savedVersion = version;
      const ready = this.waiters.filter((w) => w.version <= version);
      this.waiters = this.waiters.filter((w) => w.version > version);
      for (const w of ready) w.resolve();
    }
  }

  private async readRemote(): Promise<StoredState | undefined> {
    const exported = await readOrUndefined(() => this.options.client.workspace.export({ path: this.remotePath, format: 'AUTO' }));
    if (!exported?.content) return undefined;
    return this.parse(Buffer.from(exported.content, 'base64').toString('utf8'), this.remotePath);
  }

  private async readLocal(): Promise<StoredState | undefined> {
    let text: string;
    try {
      text = await readFile(this.options.localFile, 'utf8');
    } catch {
      return undefined;
    }
    const cache = this.parseJson(text, this.options.localFile) as LocalCache | undefined;
    if (!cache || cache.host !== this.options.client.host || !isState(cache.state)) return undefined;
    return this.matches(cache.state) ? cache.state : undefined;
  }

  private parse(text: string, where: string): StoredState | undefined {
    const value = this.parseJson(text, where);
    if (!isState(value)) {
      this.warn(`Ignoring ${where}: it is not a dbx-ts deploy state; resources will be found again by their dbx-ts tags or bound with dbx-ts bind`);
      return undefined;
    }
    return this.matches(value) ? value : undefined;
  }

  private parseJson(text: string, where: string): unknown {
    try {
      return JSON.parse(text) as unknown;
    } catch {
      this.warn(`Ignoring ${where}: it is not valid JSON; resources will be found again by their dbx-ts tags or bound with dbx-ts bind`);
      return undefined;
    }
  }

  private matches(state: StoredState): boolean {
    return state.bundle === this.options.bundle && state.target === this.options.target;
  }

  private async writeLocal(text: string): Promise<void> {
    const cache: LocalCache = { host: this.options.client.host, state: JSON.parse(text) as StoredState };
    await mkdir(dirname(this.options.localFile), { recursive: true });
    const tmp = `${this.options.localFile}.${process.pid}.tmp`;
    await writeFile(tmp, redact(`${JSON.stringify(cache, null, 2)}\n`));
    await rename(tmp, this.options.localFile);
  }

  private warn(message: string): void {
    this.events({ code: 'log', level: 'warn', message, data: {} });
  }
}
