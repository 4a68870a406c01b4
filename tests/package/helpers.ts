// Runs the built package's own bin, as `npx dbx-ts` would (see scripts/package-copy.ts for the package copy).
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';

export { buildPackageCopy, projectUsing } from '../../scripts/package-copy.ts';

const run = promisify(execFile);

export interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

export async function dbxTs(pkg: string, args: string[], cwd: string): Promise<Result> {
  try {
    const { stdout, stderr } = await run(process.execPath, [join(pkg, 'bin', 'dbx-ts.mjs'), ...args], {
      cwd,
      env: { ...process.env, CI: 'true', DBX_TS_LOCAL_DIR: join(cwd, '.dbx-ts', 'local') },
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : -1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}
