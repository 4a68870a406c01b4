import { mkdir, readFile, symlink, writeFile } from 'node:fs/promises';
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
    expect(validate.stdout).toContain('Validation OK');
    expect(validate.code).toBe(0);
    const build = await runCli(['build', '-t', 'dev'], { cwd: dir });
    expect(build.code).toBe(0);
    expect(build.stdout).toContain('Bundle "my-project" for target dev');
    // Its job runs on the local target too, without the reference bundle's data or tables.
    const run = await runCli(['run', 'main-job'], { cwd: dir, env: { DBX_TS_LOCAL_DIR: join(dir, '.dbx-ts', 'local') } });
    expect(run.stderr).not.toContain('error');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/task hello: TERMINATED SUCCESS/);
    expect(run.stdout).not.toContain('simulating data');
  });

  it('depends on this dbx-ts by folder from a clone, by the installing project\'s spec or version when installed', async () => {
    const dir = join(await tempDir('init-dep'), 'p');
    await runCli(['init', dir]);
    const pkg = JSON.parse(await readFile(join(dir, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
    expect(pkg.dependencies['dbx-ts']).toBe(`file:${REPO_ROOT.replace(/\/+$/, '')}`);
    expect(await dependencySpec('1.2.3', '/x/new', '/nowhere/app/node_modules/dbx-ts/')).toBe('^1.2.3');
    // installed from a tarball: the new project points at the same tarball, relative to itself
    const app = await tempDir('init-app');
    await writeFile(join(app, 'package.json'), JSON.stringify({ dependencies: { 'dbx-ts': 'file:dbx-ts-1.2.3.tgz' } }));
    expect(await dependencySpec('1.2.3', join(app, 'sub', 'new'), join(app, 'node_modules', 'dbx-ts'))).toBe('file:../../dbx-ts-1.2.3.tgz');
  });

  it('extends an existing package.json and writes a tsconfig.json, never overwriting a file', async () => {
    const dir = await tempDir('init-existing');
    const before = { name: 'mine', version: '2.0.0', type: 'commonjs', scripts: { build: 'make', test: 'echo "Error: no test specified" && exit 1' }, dependencies: { 'dbx-ts': 'file:x.tgz' } };
    await writeFile(join(dir, 'package.json'), JSON.stringify(before));
    const init = await runCli(['init'], { cwd: dir });
    expect(init.stderr).toBe('');
    expect(init.code).toBe(0);
    const pkg = JSON.parse(await readFile(join(dir, 'package.json'), 'utf8')) as Record<string, Record<string, string>>;
    expect(pkg['name']).toBe('mine');
    expect(pkg['type']).toBe('commonjs');
    expect(pkg['scripts']).toMatchObject({ build: 'make', validate: 'dbx-ts validate' });
    expect(pkg['scripts']).not.toHaveProperty('test'); // npm init's placeholder is not the project's tests
    expect(pkg['dependencies']).toEqual({ 'dbx-ts': 'file:x.tgz' });
    expect(pkg['dbx-ts']).toEqual({ bundle: 'bundle.ts' });
    // a CommonJS package: TypeScript forbids `import` there under verbatimModuleSyntax, so it is left out
    const tsconfig = await readFile(join(dir, 'tsconfig.json'), 'utf8');
    expect(tsconfig).toContain('"erasableSyntaxOnly": true');
    expect(tsconfig).not.toContain('verbatimModuleSyntax');
    const again = await runCli(['init'], { cwd: dir });
    expect(again.code).toBe(2);
    expect(again.stderr).toContain('would overwrite bundle.ts, .gitignore, notebooks-src/hello.py.hbs, tsconfig.json');
  });
});
