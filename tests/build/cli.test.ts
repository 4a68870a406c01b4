import { describe, expect, it } from 'vitest';
import { requestedCommand } from '../../src/cli/main.ts';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { REPO_ROOT, runCli, tempDir } from './helpers.ts';

describe('the command line', () => {
  it('finds the command asked for, skipping global options and their values', () => {
    expect(requestedCommand(['node', 'dbx-ts', 'build', '-t', 'dev'])).toBe('build');
    expect(requestedCommand(['node', 'dbx-ts', '--bundle', 'run.ts', 'deploy'])).toBe('deploy');
    expect(requestedCommand(['node', 'dbx-ts', 'help', 'run'])).toBe('run');
    expect(requestedCommand(['node', 'dbx-ts', '--help'])).toBeUndefined();
    expect(requestedCommand(['node', 'dbx-ts', 'nosuch'])).toBeUndefined();
  });

  it('lists every command in help, and rejects an unknown one with the usage exit code', async () => {
    const help = await runCli(['--help']);
    expect(help.code).toBe(0);
    for (const name of ['build', 'validate', 'init', 'run', 'plan', 'deploy', 'destroy', 'bind', 'unbind', 'auth', 'secrets', 'runs', 'query', 'show']) {
      expect(help.stdout).toMatch(new RegExp(`^  ${name}\\b`, 'm'));
    }
    const unknown = await runCli(['nosuch']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("unknown command 'nosuch'");
  });

  it('validate reports each problem once, with the file and line', async () => {
    const dir = await tempDir('validate-once');
    await writeFile(join(dir, 'package.json'), '{"type":"module"}\n');
    const bundle = [
      `import { Bundle, Pipeline } from ${JSON.stringify(join(REPO_ROOT, 'src/index.ts'))};`,
      "const app = new Bundle({ name: 'b', targets: { dev: { default: true } } });",
      "new Pipeline(app, 'p', { catalog: app.var('nope') });",
      'export default app;',
      '',
    ].join('\n');
    await writeFile(join(dir, 'bundle.ts'), bundle);
    const result = await runCli(['validate'], { cwd: dir });
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr.match(/Variable "nope"|undeclared variable|\$\{var\.nope\}/g)?.length).toBe(1);
    expect(result.stderr).toContain('bundle.ts:3');
  });

  it('prints its version', async () => {
    const result = await runCli(['--version']);
    expect(result.code).toBe(0);
    expect(result.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
  });
});
