// The one shape every resource adapter has (as in the Databricks CLI's direct engine): read, find, create,
// update, delete, and a diff that decides update or recreate from the kind's field table. Each write is one
// API call (plus a publish for dashboards); the caller saves state after it.
import type { WorkspaceClient } from '../../workspace/index.ts';
import type { CreateOnceOptions } from './create-once.ts';
import { diffFull, diffRemote, markRecreate } from '../diff.ts';
import type { FieldRules } from '../fields.ts';
import type { DesiredResource, FieldChange, ResourceKind, StateEntry } from '../types.ts';

/** A resource as the workspace has it, in the same shape as DesiredResource.settings. */
export interface RemoteObject {
  id: string;
  settings: Record<string, unknown>;
  etag?: string;
  /** From a listing that cut it short (jobs/list keeps 100 tasks): read() it for the whole object. */
  partial?: true;
}

export interface ApplyResult {
  id: string;
  etag?: string;
}

/** Shares list calls between resources within one deploy (one scopes/list, one listing per folder). */
export class Memo {
  private readonly entries = new Map<string, Promise<unknown>>();

  once<T>(key: string, load: () => Promise<T>): Promise<T> {
    let entry = this.entries.get(key) as Promise<T> | undefined;
    if (!entry) {
      entry = load();
      this.entries.set(key, entry);
      // A failed load is not remembered: the next caller tries again.
      entry.catch(() => this.entries.delete(key));
    }
    return entry;
  }

  forget(key: string): void {
    this.entries.delete(key);
  }
}

export interface AdapterContext {
  client: WorkspaceClient;
  /**
   * The same workspace through a client that never retries on its own: creates use it with createOnce, which
   * looks before it retries (see create-once.ts). Defaults to `client` where a caller has no second client.
   */
  creator: WorkspaceClient;
  memo: Memo;
  createOptions?: CreateOnceOptions;
}

/** What a listing must cover: this deploy's resources of the kind, and the ids its state records for them. */
export interface ListingScope {
  desired: readonly DesiredResource[];
  recordedIds: readonly string[];
}

export interface ResourceAdapter {
  readonly kind: ResourceKind;
  readonly rules: FieldRules;
  /** The object with this id, or undefined when it no longer exists. */
  read(ctx: AdapterContext, id: string): Promise<RemoteObject | undefined>;
  /**
   * An object this bundle created for this target but did not record (state lost, response lost), recognised
   * by its identity (`identity` says how); never by its name alone.
   */
  find(ctx: AdapterContext, desired: DesiredResource): Promise<RemoteObject | undefined>;
  /**
   * Every object of the kind in one listing (paged), for a deploy with several resources of the kind: reads and
   * finds then look in it instead of calling once per resource (remote.ts). Absent where a listing lacks what a
   * diff needs.
   */
  listAll?(ctx: AdapterContext, scope: ListingScope): Promise<RemoteObject[]>;
  /** find() over a listAll() listing: the same rules, no call. */
  findIn?(listing: readonly RemoteObject[], desired: DesiredResource): RemoteObject | undefined;
  /** occupant() over a listAll() listing, for kinds that have one. */
  occupantIn?(listing: readonly RemoteObject[], desired: DesiredResource): RemoteObject | undefined;
  /** How `find` recognises this bundle's own objects, for the plan's "adopt" line; absent when it cannot. */
  readonly identity?: string;
  /**
   * An object that is not this bundle's (by `find`) but holds the name this resource needs, so creating it
   * would fail: the deploy stops and names `dbx-ts bind` instead. Absent for kinds whose names need not be unique.
   */
  occupant?(ctx: AdapterContext, desired: DesiredResource): Promise<RemoteObject | undefined>;
  /** What the resource is called in messages (`pipeline`, `schema`). */
  readonly noun: string;
  /**
   * The id a create will give the object, for kinds whose id is their name (scopes, catalogs, schemas,
   * volumes). Apply records it before creating, so a deploy that dies right after the create leaves a record the
   * next deploy recognises; without tags, nothing else could tell that object from someone else's.
   */
  idBeforeCreate?(desired: DesiredResource): string;
  create(ctx: AdapterContext, desired: DesiredResource): Promise<ApplyResult>;
  update(ctx: AdapterContext, id: string, desired: DesiredResource, recorded: StateEntry | undefined): Promise<ApplyResult>;
  delete(ctx: AdapterContext, id: string): Promise<void>;
  /** Changes between what was applied (state), what is wanted and what the workspace has. */
  diff(recorded: StateEntry | undefined, desired: DesiredResource, remote: RemoteObject): FieldChange[];
}

/**
 * The usual diff: local changes against the recorded settings, plus remote drift on the fields the bundle sets;
 * changes to recreate-only fields are marked.
 */
export function standardDiff(rules: FieldRules, recorded: StateEntry | undefined, desired: DesiredResource, remote: RemoteObject): FieldChange[] {
  const local = recorded?.settings ? diffFull(recorded.settings, desired.settings, rules) : [];
  const seen = new Set(local.map((c) => c.path));
  const drift = diffRemote(desired.settings, remote.settings, rules).filter((c) => !seen.has(c.path));
  return markRecreate([...local, ...drift], rules);
}
