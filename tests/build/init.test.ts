import { mkdir, readFile, symlink } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { dependencySpec } from '../../src/cli/commands/init.ts';
import { REPO_ROOT, runCli, tempDir } from './helpers.ts';

describe('dbx-ts init', () => {
  it('scaffolds a project that validates and builds out of the box', async () => {
    const dir = join(await tempDir('init'), 'my-project');
    const init = await runCli(['init', dir]);
    expect(init.code).toBe(0);
    expect(init.stdout).toContain('bundle.ts');
    // The scaffold depends on dbx-ts; point its node_modules at this checkout as `npm install` would.
    await mkdir(join(dir, 'node_modules'), { recursive: true });
    await symlink(REPO_ROOT, join(dir, 'node_modules', 'dbx-ts'), 'dir');
    const validate = await runCli(['validate'], { cwd: dir });
    expect(validate.stderr).toBe('');
    expect(validate.stdout).toContain('0 error(s)');
    expect(validate.code).toBe(0);
    const build = await runCli(['build', '-t', 'dev'], { cwd: dir });
    expect(build.code).toBe(0);
    expect(build.stdout).toContain('Bundle "my-project" for target dev');
    // Its job runs on the local target too, without the reference bundle's data or tables.
    const run = await runCli(['run', 'main-job'], { cwd: dir, env: { DBX_TS_LOCAL_DIR: join(dir, '.dbx-ts', 'local') } });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/task hello: TERMINATED SUCCESS/);
    expect(run.stdout).not.toContain('simulating data');
  });

  it('depends on this dbx-ts by folder when run from a clone, by version when installed from a registry', async () => {
    const dir = join(await tempDir('init-dep'), 'p');
    await runCli(['init', dir]);
    const pkg = JSON.parse(await readFile(join(dir, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
    expect(pkg.dependencies['dbx-ts']).toBe(`file:${REPO_ROOT.replace(/\/+$/, '')}`);
    expect(dependencySpec('1.2.3', '/home/u/app/node_modules/dbx-ts/')).toBe('^1.2.3');
  });

  it('refuses to write into a non-empty directory', async () => {
    const result = await runCli(['init', REPO_ROOT]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('is not empty');
  });
});
