// Deterministic ids from counters in the state, so request logs and golden files are stable.
import type { WorkspaceState } from './state.ts';

/** 2^53 + 1: the first integer a JavaScript number cannot hold exactly. */
export const FIRST_UNSAFE_ID = 2n ** 53n + 1n;

export function idStarts(bigIds: boolean): { job: bigint; run: bigint; object: bigint } {
  if (bigIds) return { job: FIRST_UNSAFE_ID, run: FIRST_UNSAFE_ID + 1_000_000n, object: FIRST_UNSAFE_ID + 2_000_000n };
  // 15-16 digits like real workspaces, still below Number.MAX_SAFE_INTEGER.
  return { job: 700_000_000_000_001n, run: 800_000_000_000_001n, object: 1_000_000_000_000_001n };
}

export function nextJobId(state: WorkspaceState): bigint {
  return state.counters.job++;
}

/** Job runs and task runs share one id space, as in Databricks (runs/get-output takes a task run id). */
export function nextRunId(state: WorkspaceState): bigint {
  return state.counters.run++;
}

export function nextObjectId(state: WorkspaceState): bigint {
  return state.counters.object++;
}

/** A UUID-shaped id (pipelines, updates, events), from a counter. */
export function nextUuid(state: WorkspaceState): string {
  const n = state.counters.uuid++;
  const hex = n.toString(16).padStart(12, '0');
  return `e0000000-0000-4000-8000-${hex}`;
}

/** A 32-hex-digit id (Lakeview dashboards). */
export function nextHexId(state: WorkspaceState): string {
  const n = state.counters.uuid++;
  return `01ef${n.toString(16).padStart(28, '0')}`;
}
