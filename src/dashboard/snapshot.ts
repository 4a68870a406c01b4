// The data a local dashboard last showed, kept next to its HTML file (`<key>.json`): what `dbx-ts dashboard
// --serve` shows and watches. A server in another process cannot open the DuckDB file a running job holds, so
// the job's dashboard task hands its query results over through this file instead.
import { createHash } from 'node:crypto';
import { readFileSync, unwatchFile, watchFile } from 'node:fs';
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { redact } from '../redaction/index.ts';
import { toPlainRows, type PlainRow } from './plain-values.ts';

export interface DashboardSnapshot {
  /** The dashboard's resource key. */
  dashboard: string;
  /** Changes exactly when the data does (a hash of it), so an unchanged refresh is not pushed to browsers. */
  version: string;
  generated_at: string;
  /** Rows per dataset name, as the dataset queries returned them. */
  data: Record<string, PlainRow[]>;
}

export function snapshotFile(dir: string, key: string): string {
  return join(dir, `${key}.json`);
}

export function dataVersion(data: Record<string, readonly PlainRow[]>): string {
  return createHash('sha256').update(JSON.stringify(data)).digest('hex').slice(0, 16);
}

export function makeSnapshot(key: string, data: Record<string, readonly Record<string, unknown>[]>, now = new Date()): DashboardSnapshot {
  const plain = Object.fromEntries(Object.entries(data).map(([name, rows]) => [name, toPlainRows(rows)]));
  return { dashboard: key, version: dataVersion(plain), generated_at: now.toISOString(), data: plain };
}

/** Written whole or not at all (a temporary file renamed over the old one), so a reader never sees half a file. */
export async function writeSnapshot(dir: string, snapshot: DashboardSnapshot): Promise<string> {
  await mkdir(dir, { recursive: true });
  const file = snapshotFile(dir, snapshot.dashboard);
  const temporary = `${file}.${process.pid}.tmp`;
  await writeFile(temporary, redact(`${JSON.stringify(snapshot)}\n`));
  await rename(temporary, file);
  return file;
}

/** The snapshot in `file`, or undefined when there is none yet (or it is not one). */
export function readSnapshot(file: string): DashboardSnapshot | undefined {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  try {
    const value = JSON.parse(text) as Partial<DashboardSnapshot>;
    if (typeof value.version !== 'string' || typeof value.data !== 'object' || value.data === null) return undefined;
    return value as DashboardSnapshot;
  } catch {
    return undefined;
  }
}

/**
 * Calls `onChange` with each new version of the snapshot until the signal aborts. Stat polling (fs.watchFile)
 * behaves the same on every platform and sees the rename that replaces the file.
 */
export function watchSnapshot(file: string, signal: AbortSignal, onChange: (snapshot: DashboardSnapshot) => void, intervalMs = 200): void {
  if (signal.aborted) return;
  let last = readSnapshot(file)?.version;
  const listener = () => {
    const snapshot = readSnapshot(file);
    if (!snapshot || snapshot.version === last) return;
    last = snapshot.version;
    onChange(snapshot);
  };
  watchFile(file, { interval: intervalMs, persistent: false }, listener);
  signal.addEventListener('abort', () => unwatchFile(file, listener), { once: true });
}
