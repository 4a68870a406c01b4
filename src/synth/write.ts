// Writes synthesized files into an output directory, removing files a previous build wrote that are gone now,
// and leaving files it did not write alone. A manifest records what dbx-ts owns.
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { SynthFile } from './index.ts';

const MANIFEST = '.dbx-ts-manifest.json';

async function previousFiles(outDir: string): Promise<string[]> {
  try {
    const parsed = JSON.parse(await readFile(join(outDir, MANIFEST), 'utf8')) as { files?: unknown };
    return Array.isArray(parsed.files) ? parsed.files.filter((f): f is string => typeof f === 'string') : [];
  } catch {
    return [];
  }
}

export interface WriteResult {
  written: string[];
  unchanged: string[];
  removed: string[];
}

export async function writeBundleFiles(outDir: string, files: SynthFile[]): Promise<WriteResult> {
  const result: WriteResult = { written: [], unchanged: [], removed: [] };
  const current = new Set(files.map((f) => f.path));
  for (const stale of await previousFiles(outDir)) {
    if (!current.has(stale) && !stale.includes('..')) {
      await rm(join(outDir, stale), { force: true });
      result.removed.push(stale);
    }
  }
  for (const f of files) {
    const target = join(outDir, f.path);
    const existing = await readFile(target).catch(() => undefined);
    if (existing !== undefined && existing.equals(typeof f.content === 'string' ? Buffer.from(f.content, 'utf8') : f.content)) {
      result.unchanged.push(f.path);
      continue;
    }
    await mkdir(dirname(target), { recursive: true });
    await writeFile(target, f.content);
    result.written.push(f.path);
  }
  const manifest = `${JSON.stringify({ generator: 'dbx-ts', files: [...current].sort() }, null, 2)}\n`;
  await writeFile(join(outDir, MANIFEST), manifest);
  return result;
}
