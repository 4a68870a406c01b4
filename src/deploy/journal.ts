// The deploy state's journal: what a deploy changed since the state it loaded, one JSON line per change
// (`{"k": address, "v": entry}`, or `{"k": address}` for a removal) after a header naming the state it continues
// (lineage and serial) and the deploy that writes it (session). A deploy appends each change to a local journal
// as it happens (a crash loses nothing on this machine), writes the journal to the workspace in batches (a
// fresh machine loses at most the last batch, and finds those objects again by their identity), and at the end
// compacts it into the state, whose serial then moves on, so the journal no longer continues it and is ignored.
import type { Address, DeployState, StateEntry } from './types.ts';

export const JOURNAL_VERSION = 1;

export interface JournalHeader {
  journal: typeof JOURNAL_VERSION;
  bundle: string;
  target: string;
  /** The lineage of the state this journal continues (a first deploy's, when there is no state yet). */
  lineage: string;
  /** The serial of the state this journal continues: 0 when there was none. */
  base_serial: number;
  /** The deploy writing the journal; a local journal applies only when it is the same deploy's as the remote. */
  session: string;
  /** The workspace (local journal only): another host's journal is never replayed. */
  host?: string;
}

/** A change: the entry recorded for an address, or null for its removal. */
export type JournalChanges = Map<Address, StateEntry | null>;

export interface Journal {
  header: JournalHeader;
  changes: JournalChanges;
}

export function changeLine(address: Address, entry: StateEntry | null): string {
  return `${JSON.stringify(entry === null ? { k: address } : { k: address, v: entry })}\n`;
}

export function encodeJournal(header: JournalHeader, changes: JournalChanges): string {
  return `${JSON.stringify(header)}\n${[...changes].map(([k, v]) => changeLine(k, v)).join('')}`;
}

function isHeader(value: unknown): value is JournalHeader {
  const h = value as Partial<JournalHeader> | null;
  return (
    typeof h === 'object' && h !== null && h.journal === JOURNAL_VERSION && typeof h.lineage === 'string' && typeof h.base_serial === 'number' && typeof h.session === 'string'
  );
}

/**
 * Reads a journal; undefined when the text is not one. A last line cut short (the process died while
 * appending it) is dropped: the change it was writing was not recorded yet.
 */
export function parseJournal(text: string): Journal | undefined {
  const lines = text.split('\n').filter((l) => l.trim() !== '');
  let header: unknown;
  try {
    header = JSON.parse(lines[0] ?? '');
  } catch {
    return undefined;
  }
  if (!isHeader(header)) return undefined;
  const changes: JournalChanges = new Map();
  for (const line of lines.slice(1)) {
    let change: { k?: unknown; v?: unknown };
    try {
      change = JSON.parse(line) as typeof change;
    } catch {
      break;
    }
    if (typeof change.k !== 'string') break;
    changes.set(change.k, change.v === undefined ? null : (change.v as StateEntry));
  }
  return { header, changes };
}

/** True when the journal records changes made on top of this state (same bundle, target, lineage and serial). */
export function continues(journal: Journal, state: DeployState & { lineage?: string }, bundle: string, target: string): boolean {
  const h = journal.header;
  if (h.bundle !== bundle || h.target !== target || h.base_serial !== state.serial) return false;
  return state.lineage === undefined || state.lineage === h.lineage;
}

export function replay(state: DeployState, changes: JournalChanges): void {
  for (const [address, entry] of changes) {
    if (entry === null) delete state.resources[address];
    else state.resources[address] = entry;
  }
}
