// Where dbx-ts keeps what it can always compute again (compiled validators, bundle files stripped of their types,
// compiled charts): DBX_TS_CACHE_DIR, else a folder in the OS temp folder. Entries are named by a hash of all they
// depend on, so an entry is either right or absent; one that cannot be read or written only costs the work again.
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export function cacheDir(): string {
  return process.env['DBX_TS_CACHE_DIR'] ?? join(tmpdir(), 'dbx-ts-cache');
}

/** The cached text of `name`, or undefined. */
export function readCached(name: string): string | undefined {
  try {
    return readFileSync(join(cacheDir(), name), 'utf8');
  } catch {
    return undefined;
  }
}

/** Writes whole, then renames: a reader never sees half an entry. */
export function writeCached(name: string, text: string): void {
  const file = join(cacheDir(), name);
  try {
    mkdirSync(cacheDir(), { recursive: true });
    const partial = `${file}.${process.pid}.tmp`;
    writeFileSync(partial, text);
    renameSync(partial, file);
  } catch {
    // not cached: the next run does the work again
  }
}
