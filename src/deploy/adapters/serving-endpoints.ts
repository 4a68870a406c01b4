// Model serving endpoints, identified by name: create with the whole endpoint, then update each part that
// changed with its own call (config, tags, AI gateway, e-mail notifications), as the Databricks CLI does.
// An endpoint is adopted only if it carries this bundle's tags. dbx-ts does not wait for a config rollout.
import type { CreateServingEndpoint, ServingEndpointDetailed } from '../../workspace/index.ts';
import type { ServingAiGatewayConfig, ServingEndpointCoreConfigInput, ServingEndpointTag } from '../../schema/bundle-types.ts';
import { BUNDLE_TAG, KEY_TAG } from '../desired.ts';
import { deepEqual, diffRemote } from '../diff.ts';
import { FIELD_RULES } from '../fields.ts';
import type { DesiredResource, StateEntry } from '../types.ts';
import { createOnce } from './create-once.ts';
import { deleteIgnoringMissing, readOrUndefined } from './errors.ts';
import { standardDiff, type AdapterContext, type RemoteObject, type ResourceAdapter } from './types.ts';

type Tag = { key: string; value?: string };
const PARTS = ['name', 'description', 'route_optimized', 'budget_policy_id', 'tags', 'ai_gateway', 'email_notifications'] as const;

function toRemote(e: ServingEndpointDetailed): RemoteObject {
  const settings: Record<string, unknown> = {};
  for (const k of PARTS) if (e[k] !== undefined) settings[k] = e[k];
  if (e.config !== undefined) {
    const { config_version: _version, ...config } = e.config;
    settings['config'] = config;
  }
  return { id: e.name, settings };
}

async function readEndpoint(ctx: AdapterContext, name: string): Promise<RemoteObject | undefined> {
  const e = await readOrUndefined(() => ctx.client.servingEndpoints.get(name));
  return e ? toRemote(e) : undefined;
}

function tagValue(tags: unknown, key: string): string | undefined {
  return Array.isArray(tags) ? (tags as Tag[]).find((t) => t.key === key)?.value : undefined;
}

async function findEndpoint(ctx: AdapterContext, desired: DesiredResource): Promise<RemoteObject | undefined> {
  const found = await readEndpoint(ctx, String(desired.settings['name']));
  if (!found) return undefined;
  const ours = [BUNDLE_TAG, KEY_TAG].every((k) => tagValue(found.settings['tags'], k) === tagValue(desired.settings['tags'], k));
  return ours ? found : undefined;
}

/** A part needs its call when it differs from what was applied last, or the workspace no longer has it. */
function changed(part: string, desired: DesiredResource, recorded: StateEntry | undefined, remote: RemoteObject): boolean {
  if (!recorded?.settings || !deepEqual(recorded.settings[part], desired.settings[part])) return true;
  return diffRemote(desired.settings[part], remote.settings[part], FIELD_RULES.model_serving_endpoints, part).length > 0;
}

export const servingEndpointsAdapter: ResourceAdapter = {
  kind: 'model_serving_endpoints',
  rules: FIELD_RULES.model_serving_endpoints,
  noun: 'serving endpoint',
  identity: `its tags ${BUNDLE_TAG} and ${KEY_TAG}`,

  // Endpoint names are unique: another endpoint of that name blocks ours.
  occupant: (ctx, desired) => readEndpoint(ctx, String(desired.settings['name'])),

  read: readEndpoint,

  find: findEndpoint,

  create(ctx, desired) {
    return createOnce(
      async () => ({ id: (await ctx.creator.servingEndpoints.create(desired.settings as CreateServingEndpoint)).name }),
      async () => {
        const found = await findEndpoint(ctx, desired);
        return found ? { id: found.id } : undefined;
      },
      ctx.createOptions,
    );
  },

  async update(ctx, id, desired, recorded) {
    const remote = await readEndpoint(ctx, id);
    const current = remote ?? { id, settings: {} };
    const s = desired.settings;
    if (changed('tags', desired, recorded, current)) {
      const wanted = (s['tags'] as Tag[] | undefined) ?? [];
      const theirs = (current.settings['tags'] as Tag[] | undefined) ?? [];
      const add = wanted.filter((t) => tagValue(theirs, t.key) !== t.value) as ServingEndpointTag[];
      const remove = theirs.filter((t) => !wanted.some((w) => w.key === t.key)).map((t) => t.key);
      if (add.length > 0 || remove.length > 0) await ctx.client.servingEndpoints.patchTags(id, { add_tags: add, delete_tags: remove });
    }
    if (changed('ai_gateway', desired, recorded, current)) await ctx.client.servingEndpoints.putAiGateway(id, (s['ai_gateway'] ?? {}) as ServingAiGatewayConfig);
    if (s['config'] !== undefined && changed('config', desired, recorded, current)) {
      await ctx.client.servingEndpoints.updateConfig(id, s['config'] as ServingEndpointCoreConfigInput);
    }
    if (changed('email_notifications', desired, recorded, current)) {
      await ctx.client.servingEndpoints.updateNotifications(id, s['email_notifications'] as Record<string, unknown> | undefined);
    }
    return { id };
  },

  delete(ctx, id) {
    return deleteIgnoringMissing(() => ctx.client.servingEndpoints.delete(id));
  },

  diff(recorded, desired, remote) {
    return standardDiff(this.rules, recorded, desired, remote);
  },
};
