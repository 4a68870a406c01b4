import { describe, expect, it } from 'vitest';
import { applyPresets, bundlePaths, namePrefix, shortUserName } from '../../src/deploy/presets.ts';

describe('shortUserName', () => {
  it('keeps letters and digits of the e-mail local part and replaces the rest with _', () => {
    expect(shortUserName('ann.lee-2@example.com')).toBe('ann_lee_2');
    expect(shortUserName('zoë@example.com')).toBe('zoe');
    expect(shortUserName('7b3c0d4e-sp-app-id')).toBe('7b3c0d4e_sp_app_id');
  });
});

describe('bundlePaths', () => {
  it('defaults to the user folder as the Databricks CLI does', () => {
    expect(bundlePaths({ bundle: 'shop', target: 'dev', userName: 'a@x.com' })).toEqual({
      root: '/Workspace/Users/a@x.com/.bundle/shop/dev',
      files: '/Workspace/Users/a@x.com/.bundle/shop/dev/files',
      state: '/Workspace/Users/a@x.com/.bundle/shop/dev/state',
      resources: '/Workspace/Users/a@x.com/.bundle/shop/dev/resources',
    });
  });

  it('honours a target root_path, including ~/ and a trailing slash', () => {
    expect(bundlePaths({ bundle: 's', target: 'p', userName: 'a@x.com', rootPath: '/Workspace/Shared/.bundle/s/p/' }).files).toBe('/Workspace/Shared/.bundle/s/p/files');
    expect(bundlePaths({ bundle: 's', target: 'p', userName: 'a@x.com', rootPath: '~/bundles/s' }).root).toBe('/Workspace/Users/a@x.com/bundles/s');
  });
});

describe('applyPresets', () => {
  const dev = { mode: 'development' as const, shortName: 'ann' };
  const job = {
    name: 'Nightly',
    schedule: { quartz_cron_expression: '0 0 * * * ?', timezone_id: 'UTC', pause_status: 'UNPAUSED' },
    trigger: { file_arrival: { url: '/Volumes/x' } },
    tags: { team: 'data' },
    tasks: [],
  };

  it('prefixes, pauses, tags and limits concurrency of jobs in development mode', () => {
    const out = applyPresets('jobs', job, dev);
    expect(out).toMatchObject({
      name: '[dev ann] Nightly',
      schedule: { pause_status: 'PAUSED', quartz_cron_expression: '0 0 * * * ?' },
      trigger: { pause_status: 'PAUSED', file_arrival: { url: '/Volumes/x' } },
      tags: { team: 'data', dev: 'ann' },
      max_concurrent_runs: 4,
    });
    expect(job.schedule.pause_status).toBe('UNPAUSED');
  });

  it('keeps an explicit max_concurrent_runs and dev tag', () => {
    expect(applyPresets('jobs', { ...job, max_concurrent_runs: 1, tags: { dev: 'mine' } }, dev)).toMatchObject({ max_concurrent_runs: 1, tags: { dev: 'mine' } });
  });

  it('puts pipelines in development mode and prefixes dashboards', () => {
    expect(applyPresets('pipelines', { name: 'pl', development: false }, dev)).toEqual({ name: '[dev ann] pl', development: true });
    expect(applyPresets('dashboards', { display_name: 'Sales' }, dev)).toEqual({ display_name: '[dev ann] Sales' });
    expect(applyPresets('secret_scopes', { scope: 'kv' }, dev)).toEqual({ scope: 'kv' });
  });

  it('leaves production settings untouched', () => {
    expect(applyPresets('jobs', job, { mode: 'production', shortName: 'ann' })).toEqual(job);
    expect(namePrefix({ mode: 'production', shortName: 'ann' })).toBe('');
    expect(namePrefix(dev)).toBe('[dev ann] ');
  });
});
