// Jobs (API 2.2): create, reset with the complete settings, get, delete. Found again by exact name plus the
// bundle's and target's tags, so a job created by a deploy that lost its state or its response is adopted, not
// copied, and a job of another target or a hand-made one is never taken. Job names need not be unique.
import { int64ToString, toInt64, type RequestBody } from '../../workspace/index.ts';
import { createOnce } from './create-once.ts';
import { BUNDLE_TAG, KEY_TAG, sameIdentity } from '../identity.ts';
import { FIELD_RULES } from '../fields.ts';
import type { DesiredResource } from '../types.ts';
import { deleteIgnoringMissing, readOrUndefined } from './errors.ts';
import { standardDiff, type AdapterContext, type RemoteObject, type ResourceAdapter } from './types.ts';

type JobSettingsBody = RequestBody<'jobs/create'>;

async function findJob(ctx: AdapterContext, desired: DesiredResource): Promise<RemoteObject | undefined> {
  const matches: RemoteObject[] = [];
  for await (const job of ctx.client.jobs.list({ name: String(desired.settings['name']), expand_tasks: true })) {
    const settings = (job.settings ?? {}) as Record<string, unknown>;
    if (job.job_id === undefined || !sameIdentity(desired.settings, settings)) continue;
    matches.push({ id: int64ToString(job.job_id), settings });
  }
  // Should duplicates exist (made by another tool), keep the oldest; the others are not ours to delete.
  matches.sort((a, b) => (BigInt(a.id) < BigInt(b.id) ? -1 : 1));
  const first = matches[0];
  if (!first) return undefined;
  // list truncates task arrays at 100; read the whole job when it may have more.
  const tasks = first.settings['tasks'];
  return Array.isArray(tasks) && tasks.length >= 100 ? readJob(ctx, first.id) : first;
}

async function readJob(ctx: AdapterContext, id: string): Promise<RemoteObject | undefined> {
  const job = await readOrUndefined(() => ctx.client.jobs.get({ job_id: toInt64(id) }));
  if (!job) return undefined;
  return { id, settings: (job.settings ?? {}) as Record<string, unknown> };
}

export const jobsAdapter: ResourceAdapter = {
  kind: 'jobs',
  rules: FIELD_RULES.jobs,
  noun: 'job',
  identity: `its tags ${BUNDLE_TAG} and ${KEY_TAG}`,

  read: readJob,

  find: findJob,

  async create(ctx, desired) {
    const created = await createOnce(
      async () => ({ id: int64ToString((await ctx.creator.jobs.create(desired.settings as JobSettingsBody)).job_id ?? '') }),
      async () => {
        const found = await findJob(ctx, desired);
        return found ? { id: found.id } : undefined;
      },
      ctx.createOptions,
    );
    if (created.id === '') throw new Error(`jobs/create returned no job_id for ${desired.address}`);
    return created;
  },

  async update(ctx, id, desired) {
    await ctx.client.jobs.reset({ job_id: toInt64(id), new_settings: desired.settings as JobSettingsBody });
    return { id };
  },

  delete(ctx, id) {
    return deleteIgnoringMissing(() => ctx.client.jobs.delete({ job_id: toInt64(id) }));
  },

  diff(recorded, desired, remote) {
    return standardDiff(this.rules, recorded, desired, remote);
  },
};
