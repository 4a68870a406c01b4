// The workspace state as JSON text and back. int64 ids are bigint in memory and tagged in the file so they
// come back exactly; a file that does not parse or lacks what every state has is refused, naming the file.
import { UserError } from '../../errors/index.ts';
import type { WorkspaceState } from '../state.ts';

const BIGINT_TAG = '$bigint';
export const STATE_VERSION = 2;

/** Keys every saved state has (a file without them was not written by this emulator, or was cut short). */
const REQUIRED: (keyof WorkspaceState)[] = ['currentUser', 'objects', 'jobs', 'runs', 'idempotency', 'pipelines', 'secretScopes', 'dashboards', 'volumes', 'counters'];

/** Refuses start-up; the file is left exactly as it was. */
export class CorruptStateError extends UserError {
  constructor(
    readonly file: string,
    readonly reason: string,
  ) {
    super(
      `${file} is not a readable workspace state: ${reason}`,
      'It has been left as it is. Restore it from a backup, or move it away to start with an empty workspace.',
    );
  }
}

function replacer(_key: string, value: unknown): unknown {
  return typeof value === 'bigint' ? { [BIGINT_TAG]: value.toString() } : value;
}

function reviver(_key: string, value: unknown): unknown {
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
    const tagged = (value as Record<string, unknown>)[BIGINT_TAG];
    if (typeof tagged === 'string' && Object.keys(value).length === 1) return BigInt(tagged);
  }
  return value;
}

export function encodeState(state: WorkspaceState): string {
  return `${JSON.stringify({ ...state, version: STATE_VERSION }, replacer)}\n`;
}

/** Parses JSON with tagged bigints (also used for the older one-file-per-area layout). */
export function parseTagged(text: string, file: string): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text, reviver);
  } catch (error) {
    throw new CorruptStateError(file, error instanceof Error ? error.message : String(error));
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new CorruptStateError(file, 'expected a JSON object');
  return parsed as Record<string, unknown>;
}

export function checkState(value: Record<string, unknown>, file: string): WorkspaceState {
  if (value['version'] !== STATE_VERSION) {
    throw new CorruptStateError(file, `state version ${String(value['version'])}; this version of dbx-ts reads version ${STATE_VERSION}`);
  }
  const missing = REQUIRED.filter((key) => typeof value[key] !== 'object' || value[key] === null);
  if (typeof value['workspaceId'] !== 'string') missing.push('workspaceId');
  if (missing.length > 0) throw new CorruptStateError(file, `missing ${missing.join(', ')}`);
  return value as unknown as WorkspaceState;
}

export function decodeState(text: string, file: string): WorkspaceState {
  return checkState(parseTagged(text, file), file);
}
