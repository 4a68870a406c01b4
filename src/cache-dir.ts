// Where dbx-ts keeps what it can always compute again (compiled validators, bundle files stripped of their types,
// compiled charts): DBX_TS_CACHE_DIR, else a folder in the OS temp folder. Entries are named by a hash of all they
// depend on, so an entry is either right or absent; one that cannot be read or written only costs the work again.
// Some entries are code that runs, so the folder is used only when it is private to this user: created 0700, and
// left alone (nothing read, nothing written) when someone else owns it or others may write to it.
import { mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export function cacheDir(): string {
  return process.env['DBX_TS_CACHE_DIR'] ?? join(tmpdir(), 'dbx-ts-cache');
}

/** The cache folder, created if needed, or undefined when it is not this user's alone. */
function privateCacheDir(): string | undefined {
  const dir = cacheDir();
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const stat = statSync(dir);
    if (!stat.isDirectory()) return undefined;
    if (process.platform !== 'win32' && (stat.uid !== process.getuid?.() || (stat.mode & 0o022) !== 0)) return undefined;
    return dir;
  } catch {
    return undefined;
  }
}

/** The cached text of `name`, or undefined. */
export function readCached(name: string): string | undefined {
  const dir = privateCacheDir();
  if (!dir) return undefined;
  try {
    return readFileSync(join(dir, name), 'utf8');
  } catch {
    return undefined;
  }
}

/** Writes whole, then renames: a reader never sees half an entry. */
export function writeCached(name: string, text: string): void {
  const dir = privateCacheDir();
  if (!dir) return;
  const file = join(dir, name);
  try {
    const partial = `${file}.${process.pid}.tmp`;
    writeFileSync(partial, text, { mode: 0o600 });
    renameSync(partial, file);
  } catch {
    // not cached: the next run does the work again
  }
}
