// Deploy state: resource ids and the hash of what was applied, kept in the workspace under
// `<root>/state/deployment.json` (so a fresh CI machine knows what exists) and cached in
// `.dbx-ts/state/<target>.json`. During a deploy each change goes to a journal (journal.ts): appended locally as
// it happens, written to the workspace in batches, and compacted into the state once at the end, so a deploy
// writes its state once or a few times instead of after every call, and a crash still loses nothing.
import { randomUUID } from 'node:crypto';
import { redact } from '../redaction/index.ts';
import { appendFile, mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { EventSink } from '../events/types.ts';
import { silentSink } from '../events/types.ts';
import type { WorkspaceClient } from '../workspace/index.ts';
import { deleteIgnoringMissing, readOrUndefined } from './adapters/errors.ts';
import { changeLine, continues, encodeJournal, JOURNAL_VERSION, parseJournal, replay, type Journal, type JournalChanges, type JournalHeader } from './journal.ts';
import type { Address, BundlePaths, DeployState, StateEntry } from './types.ts';
import { STATE_FILE } from './state-file.ts';

export { STATE_FILE };
/** The journal of the deploy in progress (or interrupted), beside the state; see journal.ts. */
export const JOURNAL_FILE = 'deployment.journal.jsonl';
/** How often, at most, a deploy writes its journal to the workspace. */
export const DEFAULT_FLUSH_INTERVAL_MS = 2_000;

export function emptyState(bundle: string, target: string, rootPath: string): DeployState & { lineage: string } {
  return { version: 1, bundle, target, root_path: rootPath, serial: 0, lineage: randomUUID(), resources: {} };
}

type StoredState = DeployState & { lineage?: string };

/** No state yet: its lineage comes from a journal to replay, or is made up once loading is over. */
function emptyStoredState(bundle: string, target: string, rootPath: string): StoredState {
  return { version: 1, bundle, target, root_path: rootPath, serial: 0, resources: {} };
}

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
  /** How often, at most, the journal is written to the workspace (default DEFAULT_FLUSH_INTERVAL_MS). */
  flushIntervalMs?: number;
}

export type StateSource = 'workspace' | 'local cache' | 'none';

export interface StateIdentity {
  exists: boolean;
  lineage?: string;
  serial: number;
}

export class StateStore {
  private current: StoredState;
  private loaded: StateIdentity = { exists: false, serial: 0 };
  private readonly events: EventSink;
  private readonly session = randomUUID();
  /** Changes since the loaded state (journals replayed at load included), last one per address. */
  private changes: JournalChanges = new Map();
  /** Counts changes; `appended`, `flushed` and `committed` say how far each copy has got. */
  private version = 0;
  private appended = 0;
  private flushed = 0;
  private committed = 0;
  /** Changes not yet appended to the local journal, in order. */
  private unappended: string[] = [];
  private localJournalStarted = false;
  private appending: Promise<void> = Promise.resolve();
  private flushing: Promise<void> | undefined;
  private flushTimer: NodeJS.Timeout | undefined;
  /** A journal is in the workspace (found at load, or written since) and goes once compacted. */
  private remoteJournalExists = false;
  private cleanup: Promise<void> = Promise.resolve();

  constructor(private readonly options: StateStoreOptions) {
    this.current = emptyState(options.bundle, options.target, options.paths.root);
    this.events = options.events ?? silentSink;
  }

  get remotePath(): string {
    return `${this.options.paths.state}/${STATE_FILE}`;
  }

  get remoteJournalPath(): string {
    return `${this.options.paths.state}/${JOURNAL_FILE}`;
  }

  private get localJournalFile(): string {
    return this.options.localFile.replace(/(\.json)?$/, '.journal.jsonl');
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

  /**
   * Reads the workspace copy and the local cache (the newer of the two, same lineage, wins), then replays what an
   * interrupted deploy journaled on top of it: the workspace's journal, and this machine's when it is the same
   * deploy's (it then holds every change, the workspace's only the batches written).
   */
  async load(): Promise<StateSource> {
    const [remote, local, remoteJournal, localJournal] = await Promise.all([this.readRemote(), this.readLocal(), this.readRemoteJournal(), this.readLocalJournal()]);
    this.remoteJournalExists = remoteJournal !== undefined;
    const sameLineage = remote && local && remote.lineage !== undefined && remote.lineage === local.lineage;
    let source: StateSource = 'none';
    let base: StoredState = emptyStoredState(this.options.bundle, this.options.target, this.options.paths.root);
    if (remote && (!sameLineage || remote.serial >= local.serial)) {
      base = remote;
      source = 'workspace';
    } else if (local && (sameLineage || !remote)) {
      base = local;
      source = 'local cache';
    }
    const journals = [remoteJournal, localJournal].filter((j): j is Journal => j !== undefined && continues(j, base, this.options.bundle, this.options.target));
    const [first, second] = journals;
    const replayed: Journal[] = first && second && first.header.session !== second.header.session ? [first] : journals;
    for (const journal of replayed) {
      base.lineage ??= journal.header.lineage;
      replay(base, journal.changes);
      for (const [address, entry] of journal.changes) this.changes.set(address, entry);
    }
    this.current = base;
    const exists = source !== 'none' || replayed.length > 0;
    this.loaded = exists ? { exists: true, serial: base.serial, ...(base.lineage === undefined ? {} : { lineage: base.lineage }) } : { exists: false, serial: 0 };
    this.current.lineage ??= randomUUID();
    this.current.root_path = this.options.paths.root;
    if (this.changes.size > 0) {
      this.version = 1;
      this.unappended = [...this.changes].map(([k, v]) => changeLine(k, v));
      this.warn(`A deploy of target ${this.options.target} was interrupted: ${this.changes.size} change(s) it made were recovered from its journal, and this deploy finishes its work`);
    }
    return source;
  }

  get(address: Address): StateEntry | undefined {
    return this.current.resources[address];
  }

  /** Records a change in memory; record() makes it durable on this machine, flush() in the workspace. */
  set(address: Address, entry: StateEntry): void {
    this.current.resources[address] = entry;
    this.changed(address, entry);
  }

  remove(address: Address): void {
    if (!(address in this.current.resources)) return;
    delete this.current.resources[address];
    this.changed(address, null);
  }

  private changed(address: Address, entry: StateEntry | null): void {
    this.changes.delete(address);
    this.changes.set(address, entry === null ? null : structuredClone(entry));
    this.unappended.push(changeLine(address, entry));
    this.version += 1;
  }

  /**
   * Resolves once every change so far is in the local journal; schedules a write of the workspace's journal
   * (in batches: at most one per flushIntervalMs).
   */
  record(): Promise<void> {
    const wanted = this.version;
    if (this.appended >= wanted) return Promise.resolve();
    this.appending = this.appending.catch(() => {}).then(() => this.appendLocal());
    this.scheduleFlush();
    return this.appending.then(() => {
      if (this.appended < wanted) throw new Error('the local deploy journal could not be written');
    });
  }

  private async appendLocal(): Promise<void> {
    if (this.unappended.length === 0) return;
    const version = this.version;
    const taken = this.unappended;
    this.unappended = [];
    try {
      await mkdir(dirname(this.localJournalFile), { recursive: true });
      if (!this.localJournalStarted) {
        await writeFile(this.localJournalFile, redact(`${JSON.stringify({ ...this.header(), host: this.options.client.host })}\n${taken.join('')}`));
        this.localJournalStarted = true;
      } else {
        await appendFile(this.localJournalFile, redact(taken.join('')));
      }
    } catch (error) {
      this.unappended = [...taken, ...this.unappended];
      throw error;
    }
    this.appended = Math.max(this.appended, version);
  }

  private header(): JournalHeader {
    return { journal: JOURNAL_VERSION, bundle: this.options.bundle, target: this.options.target, lineage: this.current.lineage!, base_serial: this.current.serial, session: this.session };
  }

  private scheduleFlush(): void {
    if (this.flushTimer || this.flushing) return;
    const interval = this.options.flushIntervalMs ?? DEFAULT_FLUSH_INTERVAL_MS;
    this.flushTimer = setTimeout(() => {
      this.flushTimer = undefined;
      // A failed batch is not fatal here: the next batch, a flush() or the final commit writes it again.
      this.flush().catch(() => {});
    }, interval);
    this.flushTimer.unref();
  }

  /** Resolves once the workspace's journal holds every change so far (a create that cannot be found again needs it). */
  async flush(): Promise<void> {
    await this.record();
    while (this.flushed < this.version) {
      this.flushing ??= this.writeRemoteJournal().finally(() => {
        this.flushing = undefined;
      });
      await this.flushing;
    }
  }

  private async writeRemoteJournal(): Promise<void> {
    const version = this.version;
    const text = encodeJournal(this.header(), this.changes);
    this.remoteJournalExists = true;
    await this.options.client.workspace.import({ path: this.remoteJournalPath, content: Buffer.from(text), format: 'RAW', overwrite: true });
    this.flushed = Math.max(this.flushed, version);
  }

  /**
   * Compacts the journal into the state: the state (next serial) is written to the local cache and the workspace,
   * then both journals go. Nothing is written when nothing changed.
   */
  async commit(): Promise<void> {
    if (this.flushTimer) clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    await this.appending.catch(() => {});
    await this.flushing?.catch(() => {});
    if (this.committed >= this.version) return;
    const version = this.version;
    const next = { ...this.current, serial: this.current.serial + 1 };
    const text = `${JSON.stringify(next, null, 2)}\n`;
    await this.writeLocal(text);
    await this.options.client.workspace.import({ path: this.remotePath, content: Buffer.from(text), format: 'RAW', overwrite: true });
    this.current.serial = next.serial;
    this.committed = version;
    this.appended = version;
    this.flushed = version;
    this.changes = new Map();
    this.unappended = [];
    this.localJournalStarted = false;
    await rm(this.localJournalFile, { force: true });
    // A compacted journal no longer continues the state; but should the state file be lost, it would look like a
    // first deploy's journal, so it goes (a failure to delete it is harmless while the state is there). The
    // delete runs beside whatever follows (the lock's release): settled() waits for it.
    if (this.remoteJournalExists) {
      this.cleanup = deleteIgnoringMissing(() => this.options.client.workspace.delete({ path: this.remoteJournalPath, recursive: false })).then(
        () => {
          this.remoteJournalExists = false;
        },
        () => {},
      );
    }
  }

  /** Resolves once the work commit() left running (deleting the compacted journal) is over; never rejects. */
  settled(): Promise<void> {
    return this.cleanup;
  }

  /** The same as commit(): a change made outside a deploy (bind, unbind) is written at once. */
  persist(): Promise<void> {
    return this.commit();
  }

  private async readRemoteJournal(): Promise<Journal | undefined> {
    const exported = await readOrUndefined(() => this.options.client.workspace.export({ path: this.remoteJournalPath, format: 'AUTO' }));
    if (!exported?.content) return undefined;
    return parseJournal(Buffer.from(exported.content, 'base64').toString('utf8'));
  }

  private async readLocalJournal(): Promise<Journal | undefined> {
    let text: string;
    try {
      text = await readFile(this.localJournalFile, 'utf8');
    } catch {
      return undefined;
    }
    const journal = parseJournal(text);
    return journal && journal.header.host === this.options.client.host ? journal : undefined;
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
