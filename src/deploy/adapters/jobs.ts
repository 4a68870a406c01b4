// Jobs (API 2.2): create, reset with the complete settings, get, delete; a deploy with several jobs lists them
// all once (jobs/list with their tasks) instead of a get or a list per job. Found again by exact name plus the
// bundle's and target's tags, so a job created by a deploy that lost its state or its response is adopted, not
// copied, and a job of another target or a hand-made one is never taken. Job names need not be unique.
import { int64ToString, toInt64, type BaseJob, type RequestBody } from '../../workspace/index.ts';
import { createOnce } from './create-once.ts';
import { BUNDLE_TAG, KEY_TAG, sameIdentity } from '../identity.ts';
import { FIELD_RULES } from '../fields.ts';
import type { DesiredResource } from '../types.ts';
import { deleteIgnoringMissing, readOrUndefined } from './errors.ts';
import { standardDiff, type AdapterContext, type RemoteObject, type ResourceAdapter } from './types.ts';

type JobSettingsBody = RequestBody<'jobs/create'>;

/** Our job among jobs with the desired name: the bundle's and target's tags; the oldest should duplicates exist. */
function ours(jobs: readonly RemoteObject[], desired: DesiredResource): RemoteObject | undefined {
  const name = String(desired.settings['name']).toLowerCase();
  // jobs/list's name filter is exact but case-insensitive.
  const matches = jobs.filter((job) => String(job.settings['name']).toLowerCase() === name && sameIdentity(desired.settings, job.settings));
  // Should duplicates exist (made by another tool), keep the oldest; the others are not ours to delete.
  return [...matches].sort((a, b) => (BigInt(a.id) < BigInt(b.id) ? -1 : 1))[0];
}

function listed(job: BaseJob): RemoteObject | undefined {
  if (job.job_id === undefined) return undefined;
  const object: RemoteObject = { id: int64ToString(job.job_id), settings: (job.settings ?? {}) as Record<string, unknown> };
  // With expand_tasks the list cuts task (and cluster, parameter) arrays at 100 and says so.
  if (job.has_more === true) object.partial = true;
  return object;
}

async function listJobs(ctx: AdapterContext, query: { name: string } | { limit: number }): Promise<RemoteObject[]> {
  const jobs: RemoteObject[] = [];
  for await (const job of ctx.client.jobs.list({ ...query, expand_tasks: true })) {
    const object = listed(job);
    if (object) jobs.push(object);
  }
  return jobs;
}

async function findJob(ctx: AdapterContext, desired: DesiredResource): Promise<RemoteObject | undefined> {
  const found = ours(await listJobs(ctx, { name: String(desired.settings['name']) }), desired);
  return found?.partial ? readJob(ctx, found.id) : found;
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

  listAll(ctx) {
    return ctx.memo.once('jobs/list', () => listJobs(ctx, { limit: 100 }));
  },

  findIn: ours,

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
