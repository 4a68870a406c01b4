// The cache folder holds code that runs (stripped bundle files, compiled validators): it is used only when it is
// this user's alone, so nobody else can plant an entry.
import { chmod, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { readCached, writeCached } from '../src/cache-dir.ts';

describe('the cache folder', () => {
  const before = process.env['DBX_TS_CACHE_DIR'];
  afterEach(() => {
    if (before === undefined) delete process.env['DBX_TS_CACHE_DIR'];
    else process.env['DBX_TS_CACHE_DIR'] = before;
  });

  it('keeps entries in a folder of its own, readable by this user only', async () => {
    process.env['DBX_TS_CACHE_DIR'] = join(await mkdtemp(join(tmpdir(), 'dbx-cache-')), 'cache');
    expect(readCached('a.txt')).toBeUndefined();
    writeCached('a.txt', 'hello');
    expect(readCached('a.txt')).toBe('hello');
  });

  it.skipIf(process.platform === 'win32')('reads and writes nothing in a folder others may write to', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'dbx-cache-'));
    process.env['DBX_TS_CACHE_DIR'] = dir;
    await writeFile(join(dir, 'planted.js'), 'evil()');
    await chmod(dir, 0o777);
    expect(readCached('planted.js')).toBeUndefined();
    writeCached('b.txt', 'x');
    await chmod(dir, 0o700);
    expect(readCached('b.txt')).toBeUndefined();
    expect(readCached('planted.js')).toBe('evil()');
  });
});
