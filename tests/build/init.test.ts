import { mkdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { dependencySpec } from '../../src/cli/commands/init.ts';
import { readTree, REPO_ROOT, runCli, tempDir } from './helpers.ts';

describe('dbx-ts init', () => {
  /** A scaffold whose node_modules points at this checkout, as `npm install` would. */
  async function scaffold(name: string, args: string[] = []): Promise<{ dir: string; stdout: string }> {
    const dir = join(await tempDir(`init-${name}`), name);
    const init = await runCli(['init', dir, ...args]);
    expect(init.stderr).toBe('');
    expect(init.code).toBe(0);
    await mkdir(join(dir, 'node_modules'), { recursive: true });
    await symlink(REPO_ROOT, join(dir, 'node_modules', 'dbx-ts'), 'dir');
    return { dir, stdout: init.stdout };
  }
  const local = (dir: string) => ({ cwd: dir, env: { DBX_TS_LOCAL_DIR: join(dir, '.dbx-ts', 'local') } });

  it('scaffolds the lakehouse template by default: it validates, builds, and its job runs locally from an empty landing folder', async () => {
    const { dir, stdout } = await scaffold('my-lakehouse');
    expect(stdout).toContain('of the lakehouse template');
    expect(stdout).toMatch(/tests\/pipeline\.test\.ts[\s\S]*npm install && npx dbx-ts validate && npm run run:local && npm test/);
    const pkg = JSON.parse(await readFile(join(dir, 'package.json'), 'utf8')) as { scripts: Record<string, string>; devDependencies: Record<string, string> };
    expect(pkg.scripts['test']).toBe('vitest run');
    const own = JSON.parse(await readFile(join(REPO_ROOT, 'package.json'), 'utf8')) as { devDependencies: Record<string, string> };
    expect(pkg.devDependencies['vitest']).toBe(own.devDependencies['vitest']);
    const validate = await runCli(['validate'], { cwd: dir });
    expect(validate.stderr).toBe('');
    expect(validate.stdout).toContain('Validation OK');
    expect(validate.code).toBe(0);
    const build = await runCli(['build', '-t', 'dev'], { cwd: dir });
    expect(build.code).toBe(0);
    const built = await readTree(join(dir, '.dbx-ts', 'build', 'dev'));
    const sql = Object.entries(built).find(([f]) => f.endsWith('orders_pipeline.sql'))?.[1] ?? '';
    expect(sql).toContain('CREATE OR REFRESH MATERIALIZED VIEW');
    expect(sql).toContain('CONSTRAINT `positive_amount` EXPECT (coalesce((amount > ${min_amount}), false)) ON VIOLATION DROP ROW');
    const run = await runCli(['run', 'main-job'], local(dir));
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/No files yet for my_lakehouse_local\.bronze\.orders_raw: put json files in \S+\/volumes\/my_lakehouse_local\/landing\/raw\/orders/);
    expect(run.stdout).toMatch(/task refresh_orders: TERMINATED SUCCESS[\s\S]*task report: TERMINATED SUCCESS/);
  });

  it('scaffolds the minimal template: one notebook and a job that runs it', async () => {
    const { dir, stdout } = await scaffold('tiny', ['--template', 'minimal']);
    expect(stdout).toContain('notebooks-src/hello.py.hbs');
    expect(stdout).not.toContain('test.ts');
    const pkg = JSON.parse(await readFile(join(dir, 'package.json'), 'utf8')) as { scripts: Record<string, string>; devDependencies: Record<string, string> };
    expect(pkg.scripts).not.toHaveProperty('test');
    expect(pkg.devDependencies).not.toHaveProperty('vitest');
    expect((await runCli(['validate'], { cwd: dir })).code).toBe(0);
    const run = await runCli(['run', 'main-job'], local(dir));
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/task hello: TERMINATED SUCCESS/);
    expect(run.stdout).not.toContain('simulating data');
  });

  it('names the templates when asked for another', async () => {
    const init = await runCli(['init', join(await tempDir('init-unknown'), 'x'), '--template', 'lakehose']);
    expect(init.code).toBe(2);
    expect(init.stderr).toContain('--template lakehose: no such template.');
    expect(init.stderr).toMatch(/lakehouse \(.*\); minimal \(/);
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
    expect(pkg['scripts']).toMatchObject({ test: 'vitest run' }); // npm init's placeholder was not the project's tests
    expect(pkg['dependencies']).toEqual({ 'dbx-ts': 'file:x.tgz' });
    expect(pkg['dbx-ts']).toEqual({ bundle: 'bundle.ts' });
    // a CommonJS package: TypeScript forbids `import` there under verbatimModuleSyntax, so it is left out
    const tsconfig = await readFile(join(dir, 'tsconfig.json'), 'utf8');
    expect(tsconfig).toContain('"erasableSyntaxOnly": true');
    expect(tsconfig).not.toContain('verbatimModuleSyntax');
    // a folder with files: init writes what is missing and keeps the rest; --force overwrites
    await writeFile(join(dir, 'bundle.ts'), '// mine\n');
    await rm(join(dir, 'tests'), { recursive: true });
    const again = await runCli(['init'], { cwd: dir });
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/Wrote 2 files[^\n]*\n {2}package\.json\n {2}tests\/pipeline\.test\.ts\n/);
    expect(again.stdout).toMatch(/Kept 4 existing files as they are \(--force overwrites them\):\n {2}bundle\.ts\n {2}\.gitignore\n {2}notebooks-src\/report\.py\.hbs\n {2}tsconfig\.json\n/);
    expect(await readFile(join(dir, 'bundle.ts'), 'utf8')).toBe('// mine\n');
    const forced = await runCli(['init', '--force'], { cwd: dir });
    expect(forced.code).toBe(0);
    expect(forced.stdout).not.toContain('Kept');
    expect(await readFile(join(dir, 'bundle.ts'), 'utf8')).toContain('new Pipeline(app');
    expect((JSON.parse(await readFile(join(dir, 'package.json'), 'utf8')) as Record<string, unknown>)['name']).toBe('mine');
  });
});
