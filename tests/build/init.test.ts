import { mkdir, symlink } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
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
  });

  it('refuses to write into a non-empty directory', async () => {
    const result = await runCli(['init', REPO_ROOT]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('is not empty');
  });
});
