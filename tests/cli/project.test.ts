// The project loader through the real CLI: one way to load, resolve with --var and BUNDLE_VAR_ values, check and
// report, on every command that resolves the bundle.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT, runCli, scratchProject, tempDir } from '../build/helpers.ts';

const BUNDLE = 'bundles/sales-lakehouse/index.ts';
const bundleLine = readFileSync(join(REPO_ROOT, BUNDLE), 'utf8').split('\n').findIndex((l) => l.includes('new Bundle(')) + 1;
const REQUIRED = ['keyvault_dns_name', 'keyvault_resource_id', 'warehouse_id'];
const PROD_VARS = ['--var', 'warehouse_id=abc123', '--var', 'keyvault_resource_id=/subscriptions/x', '--var', 'keyvault_dns_name=https://v.vault.azure.net/'];

describe('variables on the chosen target', () => {
  it('validate -t prod fails for every required variable without a value, naming the bundle line', async () => {
    const result = await runCli(['validate', '-t', 'prod']);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    for (const name of REQUIRED) {
      expect(result.stderr).toContain(`error: Variable "${name}" has no value on target prod`);
      expect(result.stderr).toContain(`at ${BUNDLE}:${bundleLine} variables.${name}`);
    }
    expect(result.stderr).toContain('Set it with --var warehouse_id=<value>, the environment variable BUNDLE_VAR_warehouse_id, or targets.prod.variables');
    expect(result.stderr).toContain('error: 3 errors in the bundle definition');
  });

  it('takes values from --var and BUNDLE_VAR_, flags first', async () => {
    expect((await runCli(['validate', '-t', 'prod', ...PROD_VARS])).code).toBe(0);
    const env = { BUNDLE_VAR_warehouse_id: 'w', BUNDLE_VAR_keyvault_resource_id: 'r', BUNDLE_VAR_keyvault_dns_name: 'https://v.vault.azure.net/' };
    expect((await runCli(['validate', '-t', 'prod'], { env })).code).toBe(0);
    const unknown = await runCli(['validate', '--var', 'wharehouse_id=x']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('--var names "wharehouse_id", which the bundle does not declare');
    const malformed = await runCli(['validate', '--var', 'warehouse_id']);
    expect(malformed.code).toBe(2);
    expect(malformed.stderr).toContain('--var warehouse_id: expected name=value');
  });

  it('build warns instead: the bundle it writes keeps ${var.x} for the deploy to fill', async () => {
    const out = await tempDir('build-prod');
    const result = await runCli(['build', '-t', 'prod', '--out', out]);
    expect(result.code).toBe(0);
    expect(result.stderr).toContain('warning: Variable "warehouse_id" has no value on target prod');
    const flagged = await runCli(['build', '-t', 'prod', '--out', out, ...PROD_VARS]);
    expect(flagged.stderr).not.toContain('warning');
  });

  it('a --var reaches what the command does: the local catalog queried', async () => {
    const dir = await scratchProject();
    const env = { DBX_TS_LOCAL_DIR: join(dir, '.dbx-ts', 'local') };
    const result = await runCli(['query', 'SELECT current_database() AS db', '--var', 'catalog=scratch_cat', '-o', 'json'], { cwd: dir, env });
    expect(result.stderr).toBe('');
    expect(JSON.parse(result.stdout)).toEqual([{ db: 'scratch_cat' }]);
  });

  it.each([['validate'], ['build'], ['run', 'x'], ['plan'], ['deploy'], ['destroy'], ['show', 'x'], ['query', 'x'], ['runs', 'list', 'x'], ['simulate'], ['secrets', 'check']])(
    '%s takes --var',
    async (...args) => {
      const result = await runCli([...args, '--help']);
      expect(result.stdout).toContain('--var <name=value>');
    },
  );
});
