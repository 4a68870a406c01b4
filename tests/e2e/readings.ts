// The readings fixture (tests/fixtures/readings), a bundle of one's own, copied into a project of its own.
import { cp, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { REPO_ROOT, tempDir } from '../build/helpers.ts';

/** A copy of the fixture project whose bundle imports this checkout's dbx-ts. */
export async function readingsProject(edit: (bundle: string) => string = (b) => b): Promise<{ dir: string; env: Record<string, string>; landing: string }> {
  const dir = await tempDir('readings');
  await cp(join(REPO_ROOT, 'tests/fixtures/readings'), dir, { recursive: true });
  const bundle = join(dir, 'bundle.ts');
  await writeFile(bundle, edit((await readFile(bundle, 'utf8')).replace("'../../../src/index.ts'", JSON.stringify(join(REPO_ROOT, 'src/index.ts')))));
  const local = join(dir, '.dbx-ts', 'local');
  return { dir, env: { DBX_TS_LOCAL_DIR: local }, landing: join(local, 'volumes', 'readings_dev', 'landing', 'files', 'readings') };
}

export const READINGS = [
  { sensor_id: ' s1 ', reading: 21.5, read_at: '2024-05-01 10:00:00' },
  { sensor_id: 's2', reading: 99.0, read_at: '2024-05-01 11:00:00' },
  { sensor_id: null, reading: 5, read_at: '2024-05-01 12:00:00' },
  { sensor_id: 's1', reading: 400, read_at: '2024-05-02 10:00:00' },
];

export async function land(landing: string, name: string, rows: readonly object[]): Promise<void> {
  await mkdir(landing, { recursive: true });
  await writeFile(join(landing, name), rows.map((r) => JSON.stringify(r)).join('\n') + '\n');
}
