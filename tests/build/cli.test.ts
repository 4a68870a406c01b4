import { describe, expect, it } from 'vitest';
import { requestedCommand } from '../../src/cli/main.ts';
import { runCli } from './helpers.ts';

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
    for (const name of ['build', 'validate', 'init', 'run', 'plan', 'deploy', 'destroy', 'auth', 'secrets', 'runs', 'query', 'show']) {
      expect(help.stdout).toMatch(new RegExp(`^  ${name}\\b`, 'm'));
    }
    const unknown = await runCli(['nosuch']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("unknown command 'nosuch'");
  });

  it('prints its version', async () => {
    const result = await runCli(['--version']);
    expect(result.code).toBe(0);
    expect(result.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
  });
});
