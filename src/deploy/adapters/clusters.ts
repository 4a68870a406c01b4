// All-purpose clusters (Clusters API 2.1): create (which also starts the cluster), edit with the complete spec,
// get, permanent delete. Found again by name plus the bundle's tags, so a cluster whose create answer was lost
// is adopted, not created twice. dbx-ts does not wait for a new cluster to be running.
import type { ClusterSpec } from '../../workspace/index.ts';
import { BUNDLE_TAG, KEY_TAG } from '../desired.ts';
import { FIELD_RULES } from '../fields.ts';
import type { DesiredResource } from '../types.ts';
import { createOnce } from './create-once.ts';
import { deleteIgnoringMissing, readOrUndefined } from './errors.ts';
import { standardDiff, type AdapterContext, type RemoteObject, type ResourceAdapter } from './types.ts';

/** Fields of clusters/get that describe the running cluster rather than its spec. */
const RUNTIME_FIELDS = ['cluster_id', 'state', 'state_message', 'creator_user_name', 'default_tags', 'driver', 'executors', 'spark_context_id', 'jdbc_port', 'cluster_memory_mb', 'cluster_cores', 'start_time', 'terminated_time', 'last_state_loss_time', 'last_restarted_time', 'termination_reason', 'cluster_source', 'spec'];

function toRemote(details: Record<string, unknown>): RemoteObject {
  const settings = Object.fromEntries(Object.entries(details).filter(([k]) => !RUNTIME_FIELDS.includes(k)));
  return { id: String(details['cluster_id']), settings };
}

async function readCluster(ctx: AdapterContext, id: string): Promise<RemoteObject | undefined> {
  const details = await readOrUndefined(() => ctx.client.clusters.get(id));
  // A permanently deleted cluster may still be listed for a while, without a spec.
  if (!details || details.state === 'DELETED') return undefined;
  return toRemote(details as unknown as Record<string, unknown>);
}

function tagsOf(settings: Record<string, unknown> | undefined): Record<string, unknown> {
  return (settings?.['custom_tags'] as Record<string, unknown> | undefined) ?? {};
}

async function findCluster(ctx: AdapterContext, desired: DesiredResource): Promise<RemoteObject | undefined> {
  const name = String(desired.settings['cluster_name']);
  const tags = tagsOf(desired.settings);
  for await (const cluster of ctx.client.clusters.list()) {
    const theirs = tagsOf(cluster as unknown as Record<string, unknown>);
    if (cluster.cluster_name !== name || theirs[BUNDLE_TAG] !== tags[BUNDLE_TAG] || theirs[KEY_TAG] !== tags[KEY_TAG]) continue;
    if (cluster.state === 'DELETED') continue;
    return toRemote(cluster as unknown as Record<string, unknown>);
  }
  return undefined;
}

export const clustersAdapter: ResourceAdapter = {
  kind: 'clusters',
  rules: FIELD_RULES.clusters,
  noun: 'cluster',
  identity: `its tags ${BUNDLE_TAG} and ${KEY_TAG}`,

  read: readCluster,

  find: findCluster,

  create(ctx, desired) {
    return createOnce(
      async () => ({ id: (await ctx.creator.clusters.create(desired.settings as ClusterSpec)).cluster_id }),
      async () => {
        const found = await findCluster(ctx, desired);
        return found ? { id: found.id } : undefined;
      },
      ctx.createOptions,
    );
  },

  async update(ctx, id, desired) {
    await ctx.client.clusters.edit(id, desired.settings as ClusterSpec);
    return { id };
  },

  delete(ctx, id) {
    return deleteIgnoringMissing(() => ctx.client.clusters.permanentDelete(id));
  },

  diff(recorded, desired, remote) {
    return standardDiff(this.rules, recorded, desired, remote);
  },
};
