// The local target's run history: one JSON file per run under .dbx-ts/local/runs/ (written by run-local.ts).
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { TaskOutcome } from './job-runner.ts';

export interface LocalRunRecord {
  run_id: string;
  job_key: string;
  result: string;
  started: number;
  ended: number;
  outcomes: TaskOutcome[];
}

async function readRecords(dir: string): Promise<LocalRunRecord[]> {
  const names = (await readdir(dir).catch(() => [] as string[])).filter((n) => n.endsWith('.json'));
  const records: LocalRunRecord[] = [];
  for (const name of names) {
    try {
      records.push(JSON.parse(await readFile(join(dir, name), 'utf8')) as LocalRunRecord);
    } catch {
      // A file being written or edited by hand is not a run record; leave it out rather than fail the listing.
    }
  }
  return records.sort((a, b) => b.started - a.started || b.run_id.localeCompare(a.run_id));
}

/** Runs of a job, newest first. */
export async function listLocalRuns(dir: string, jobKey: string, limit: number): Promise<LocalRunRecord[]> {
  return (await readRecords(dir)).filter((r) => r.job_key === jobKey).slice(0, limit);
}

/** One run by id, or the newest run of a job when given a job key. */
export async function findLocalRun(dir: string, ref: string): Promise<LocalRunRecord | undefined> {
  const records = await readRecords(dir);
  return records.find((r) => r.run_id === ref) ?? records.find((r) => r.job_key === ref);
}
