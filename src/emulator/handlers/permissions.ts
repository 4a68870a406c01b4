// Permissions API 2.0 (`/api/2.0/permissions/{object_type}/{object_id}`) for jobs, pipelines, Lakeview
// dashboards, clusters and MLflow experiments: GET shows the direct entries and what admins inherit; PUT replaces the direct entries; PATCH
// merges by principal. Each object type accepts its own levels, and a job or pipeline has exactly one owner.
import { HttpApiError, invalidParameter } from '../http/api-error.ts';
import { isJsonObject, type JsonObject } from '../http/json.ts';
import type { Route } from '../http/router.ts';
import { type AclEntry, type PrincipalKind, type WorkspaceState, permissionsOf } from '../state.ts';
import { type HandlerContext, type Reply, ok, optArray } from './context.ts';

interface ObjectType {
  /** `object_type` in responses. */
  name: string;
  levels: string[];
  /** Jobs and pipelines: exactly one IS_OWNER. */
  owned: boolean;
  /** The creator, or undefined when the object does not exist. */
  creator(state: WorkspaceState, id: string): string | undefined;
}

const TYPES: Record<string, ObjectType> = {
  jobs: {
    name: 'job',
    levels: ['CAN_MANAGE', 'IS_OWNER', 'CAN_MANAGE_RUN', 'CAN_VIEW'],
    owned: true,
    creator: (state, id) => state.jobs[id]?.creator_user_name,
  },
  pipelines: {
    name: 'pipelines',
    levels: ['CAN_MANAGE', 'IS_OWNER', 'CAN_RUN', 'CAN_VIEW'],
    owned: true,
    creator: (state, id) => state.pipelines[id]?.creator_user_name,
  },
  dashboards: {
    name: 'dashboard',
    levels: ['CAN_MANAGE', 'CAN_EDIT', 'CAN_RUN', 'CAN_READ'],
    owned: false,
    creator: (state, id) => (state.dashboards[id]?.lifecycle_state === 'ACTIVE' ? state.currentUser.userName : undefined),
  },
  clusters: {
    name: 'cluster',
    levels: ['CAN_MANAGE', 'CAN_RESTART', 'CAN_ATTACH_TO'],
    owned: false,
    creator: (state, id) => {
      const cluster = state.computeMl?.clusters[id];
      return cluster ? String(cluster['creator_user_name'] ?? state.currentUser.userName) : undefined;
    },
  },
  experiments: {
    name: 'mlflowExperiment',
    levels: ['CAN_MANAGE', 'CAN_EDIT', 'CAN_READ'],
    owned: false,
    creator: (state, id) => (state.computeMl?.experiments[id]?.['lifecycle_stage'] === 'active' ? state.currentUser.userName : undefined),
  },
};

const KINDS: PrincipalKind[] = ['user_name', 'group_name', 'service_principal_name'];

function target(ctx: HandlerContext): { type: ObjectType; typeName: string; id: string; creator: string } {
  const typeName = ctx.params['request_object_type']!;
  const type = TYPES[typeName];
  if (!type) throw invalidParameter(`request_object_type is not supported by this emulator: ${typeName}`);
  const id = ctx.params['request_object_id']!;
  const creator = type.creator(ctx.state, id);
  if (creator === undefined) throw new HttpApiError(404, 'RESOURCE_DOES_NOT_EXIST', `${type.name} ${id} does not exist.`);
  return { type, typeName, id, creator };
}

/** The direct entries: as set, or the creator's default (owner of a job or pipeline, manager of a dashboard). */
function directEntries(state: WorkspaceState, path: string, type: ObjectType, creator: string): AclEntry[] {
  return permissionsOf(state)[path] ?? [{ kind: 'user_name', name: creator, level: type.owned ? 'IS_OWNER' : 'CAN_MANAGE' }];
}

function parseEntries(ctx: HandlerContext, type: ObjectType): AclEntry[] {
  return optArray(ctx.body, 'access_control_list').map((raw) => {
    if (!isJsonObject(raw)) throw invalidParameter('Each access_control_list entry must be an object.');
    const named = KINDS.filter((k) => typeof raw[k] === 'string' && raw[k] !== '');
    if (named.length !== 1) throw invalidParameter('Each access_control_list entry names exactly one of user_name, group_name or service_principal_name.');
    const level = raw['permission_level'];
    if (typeof level !== 'string' || !type.levels.includes(level)) {
      throw invalidParameter(`Permission level ${String(level)} is not valid for a ${type.name}; valid levels: ${type.levels.join(', ')}.`);
    }
    return { kind: named[0]!, name: String(raw[named[0]!]), level };
  });
}

function checkOwner(type: ObjectType, entries: AclEntry[]): void {
  if (type.owned && entries.filter((e) => e.level === 'IS_OWNER').length !== 1) {
    throw invalidParameter(`The ${type.name === 'job' ? 'job' : 'pipeline'} must have exactly one owner.`);
  }
  if (type.owned && entries.some((e) => e.level === 'IS_OWNER' && e.kind === 'group_name')) throw invalidParameter('A group cannot be the owner.');
}

function render(path: string, typeName: string, type: ObjectType, entries: AclEntry[]): Reply {
  const list: JsonObject[] = entries.map((e) => ({
    [e.kind]: e.name,
    ...(e.kind === 'group_name' ? {} : { display_name: e.name }),
    all_permissions: [{ permission_level: e.level, inherited: false }],
  }));
  // Workspace admins manage everything; Databricks lists that as an inherited entry.
  list.push({ group_name: 'admins', all_permissions: [{ permission_level: 'CAN_MANAGE', inherited: true, inherited_from_object: [`/${typeName}/`] }] });
  return ok({ object_id: path, object_type: type.name, access_control_list: list });
}

function write(ctx: HandlerContext, merge: boolean): Reply {
  const { type, typeName, id, creator } = target(ctx);
  const path = `/${typeName}/${id}`;
  const incoming = parseEntries(ctx, type);
  let entries = incoming;
  if (merge) {
    const byPrincipal = new Map(directEntries(ctx.state, path, type, creator).map((e) => [`${e.kind}:${e.name}`, e]));
    for (const e of incoming) byPrincipal.set(`${e.kind}:${e.name}`, e);
    entries = [...byPrincipal.values()];
  }
  checkOwner(type, entries);
  permissionsOf(ctx.state)[path] = entries;
  return render(path, typeName, type, entries);
}

const PATTERN = '/api/2.0/permissions/{request_object_type}/{request_object_id}';

export const permissionsRoutes: Route[] = [
  {
    method: 'GET',
    pattern: PATTERN,
    body: 'none',
    handle: (ctx) => {
      const { type, typeName, id, creator } = target(ctx);
      const path = `/${typeName}/${id}`;
      return render(path, typeName, type, directEntries(ctx.state, path, type, creator));
    },
  },
  { method: 'PUT', pattern: PATTERN, body: 'json', handle: (ctx) => write(ctx, false) },
  { method: 'PATCH', pattern: PATTERN, body: 'json', handle: (ctx) => write(ctx, true) },
];
