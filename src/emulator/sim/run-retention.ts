// Databricks keeps a job's run history for 60 days, then the runs are gone from runs/list, runs/get and the UI.
// The emulator does the same, so a local workspace used every day does not carry every run it ever made in the
// state it reads at start and writes as runs go.
import type { WorkspaceState } from '../state.ts';
import { runEndAt } from './run-view.ts';

export const RUN_RETENTION_MS = 60 * 24 * 60 * 60 * 1000;

/** Removes the runs that ended more than 60 days before `now`; returns how many. */
export function expireRuns(state: WorkspaceState, now: number): number {
  let expired = 0;
  for (const [id, run] of Object.entries(state.runs)) {
    if (run.executing || runEndAt(run) > now - RUN_RETENTION_MS) continue;
    delete state.runs[id];
    expired += 1;
  }
  return expired;
}
