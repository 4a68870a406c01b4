// `dbx-ts local serve`: the local workspace over HTTP, usable by the real CLI, with state kept across restarts.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, scratchProject } from '../build/helpers.ts';
import { serve } from './served.ts';

function serveIn(cwd: string, dir?: string) {
  return serve(cwd, {}, dir !== undefined ? ['--dir', dir] : []);
}

describe('dbx-ts local serve', () => {
  it('serves a workspace the CLI deploys to, on loopback, and keeps its state across restarts', async () => {
    const cwd = await scratchProject();
    const dir = 'ws-state';
    const first = await serveIn(cwd, dir);
    expect(first.host).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const env = {
      DATABRICKS_HOST: first.host,
      DATABRICKS_TOKEN: first.token,
      DATABRICKS_CONFIG_FILE: join(cwd, 'no-databrickscfg'),
      BUNDLE_VAR_warehouse_id: 'local', // the served workspace's one warehouse
      BUNDLE_VAR_keyvault_resource_id: '/subscriptions/s/resourceGroups/r/providers/Microsoft.KeyVault/vaults/v',
      BUNDLE_VAR_keyvault_dns_name: 'https://v.vault.azure.net/',
    };
    const deploy = await runCli(['deploy', '-t', 'dev', '--auto-approve'], { cwd, env });
    expect(deploy.stderr).toBe('');
    expect(deploy.code).toBe(0);
    expect(deploy.stdout).toContain('16 created');
    const stopped = await first.stop();
    expect(stopped.code).toBe(0);
    expect(stopped.stdout).toContain('Local workspace stopped.');

    const second = await serveIn(cwd, dir);
    const again = await runCli(['deploy', '-t', 'dev', '--auto-approve'], { cwd, env: { ...env, DATABRICKS_HOST: second.host, DATABRICKS_TOKEN: second.token } });
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('16 unchanged');
    expect(again.stdout).not.toContain(first.token);
    await second.stop();
  });

  it('keeps deploy -t local out of the state directory it serves, naming itself', async () => {
    const cwd = await scratchProject();
    const served = await serveIn(cwd);
    const deploy = await runCli(['deploy', '-t', 'local', '--auto-approve'], { cwd, env: {} });
    expect(deploy.code).toBe(2);
    expect(deploy.stderr).toMatch(/local workspace state in .*\.dbx-ts\/local\/workspace is in use by dbx-ts local serve \(pid \d+ on /);
    await served.stop();
  });
});
