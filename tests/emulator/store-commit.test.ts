// How a state directory's commits are written: each resolves only once a write holding its change has landed,
// and commits made while a write waits to start join it (one encoding of the state for a burst of changes).
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';

// Encoding the whole state is the cost a commit pays (an unchanged text is not written again), so count those.
const encodings = vi.hoisted(() => ({ count: 0 }));
vi.mock('../../src/emulator/store/codec.ts', async (importOriginal) => {
  const original = await importOriginal<typeof import('../../src/emulator/store/codec.ts')>();
  return {
    ...original,
    encodeState: (...args: Parameters<typeof original.encodeState>) => {
      encodings.count += 1;
      return original.encodeState(...args);
    },
  };
});

const { openStateDir, STATE_FILE } = await import('../../src/emulator/index.ts');

const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(dirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});

async function scopeNames(dir: string): Promise<string[]> {
  const saved = JSON.parse(await readFile(join(dir, STATE_FILE), 'utf8')) as { secretScopes: Record<string, unknown> };
  return Object.keys(saved.secretScopes).sort();
}

const scope = (name: string) => ({ name, backend_type: 'DATABRICKS' as const, secrets: {}, acls: {} });

describe('commits of a workspace kept in a directory', () => {
  it('join a write that has not started, and each resolves with its change on disk', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'dbx-store-commit-'));
    dirs.push(dir);
    const store = await openStateDir(dir, { command: 'store-commit test' });
    try {
      encodings.count = 0;
      const names = Array.from({ length: 40 }, (_, i) => `scope_${String(i).padStart(2, '0')}`);
      const commits = names.map((name) => {
        store.state.secretScopes[name] = scope(name);
        return store.commit();
      });
      await Promise.all(commits);
      expect(await scopeNames(dir)).toEqual(names);
      expect(encodings.count).toBe(1);

      // A change made while a write is under way is not in it: its commit waits for the next write.
      store.state.secretScopes['first'] = scope('first');
      const first = store.commit();
      await Promise.resolve();
      await Promise.resolve();
      store.state.secretScopes['second'] = scope('second');
      const second = store.commit();
      await first;
      await second;
      expect(await scopeNames(dir)).toContain('second');
      expect(encodings.count).toBeLessThanOrEqual(3);
    } finally {
      await store.close();
    }
  });

  it('hands a failed write to every commit that joined it, and the next commit writes again', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'dbx-store-commit-'));
    dirs.push(dir);
    const store = await openStateDir(dir, { command: 'store-commit test' });
    try {
      await rm(dir, { recursive: true, force: true });
      store.state.secretScopes['lost'] = scope('lost');
      const results = await Promise.allSettled([store.commit(), store.commit()]);
      expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
      await mkdir(dir, { recursive: true });
      await store.commit();
      expect(await scopeNames(dir)).toEqual(['lost']);
    } finally {
      await store.close().catch(() => {});
    }
  });
});
