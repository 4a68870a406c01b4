// Calls that create something (jobs/create, pipelines/create, lakeview/create, scopes/create, ...) are not
// retried by the HTTP client once the request may have reached the server, because a blind retry can create a
// duplicate. Instead they throw RequestOutcomeUnknownError. The caller then looks before retrying:
//
//   const { job_id } = await retryUnlessApplied(
//     () => client.jobs.create(settings),
//     async () => { for await (const j of client.jobs.list({ name: settings.name })) return { job_id: j.job_id }; },
//   );
import { RequestOutcomeUnknownError } from './errors.ts';

/**
 * Runs `call`; when its outcome is unknown, asks `lookup` whether it took effect and returns what it found,
 * otherwise calls again (at most `attempts` calls in all). Any other error propagates unchanged.
 */
export async function retryUnlessApplied<T>(call: () => Promise<T>, lookup: () => Promise<T | undefined>, attempts = 3): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await call();
    } catch (error) {
      if (!(error instanceof RequestOutcomeUnknownError) || attempt >= attempts) throw error;
      const existing = await lookup();
      if (existing !== undefined) return existing;
    }
  }
}
