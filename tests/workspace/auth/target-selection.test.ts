// Host and profile for a bundle target, as the Databricks CLI's bundle commands choose them:
// -p (as DATABRICKS_CONFIG_PROFILE) > DATABRICKS_CONFIG_PROFILE > workspace.profile > host match > DEFAULT.
import { describe, expect, it } from 'vitest';
import { UserError } from '../../../src/errors/index.ts';
import { resolveAuth, type ResolveAuthInput } from '../../../src/workspace/auth/resolve.ts';

const AWS = 'https://dbc-abc.cloud.databricks.com';
const AWS2 = 'https://dbc-other.cloud.databricks.com';

const FILE = {
  path: '/home/u/.databrickscfg',
  text: `
[DEFAULT]
host  = ${AWS2}
token = dapi-default

[dev]
host  = ${AWS}/
token = dapi-dev

[prod]
host      = ${AWS2}
auth_type = databricks-cli

[ci]
host  = ${AWS}
token = dapi-ci

[nohost]
token = dapi-nohost
`,
};

function resolve(input: Partial<ResolveAuthInput>) {
  return resolveAuth({ env: {}, configFile: FILE, ...input });
}

function userError(fn: () => unknown): UserError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(UserError);
    return error as UserError;
  }
  throw new Error('expected a UserError');
}

async function bearer(input: Partial<ResolveAuthInput>): Promise<string | undefined> {
  return (await resolve(input).provider.headers())['Authorization'];
}

describe('profile precedence for a target', () => {
  it('DATABRICKS_CONFIG_PROFILE (which -p sets) wins over the target’s workspace.profile', async () => {
    const { description } = resolve({ env: { DATABRICKS_CONFIG_PROFILE: 'dev' }, target: { name: 'staging', profile: 'nohost' } });
    expect(description).toMatchObject({ profile: 'dev', profile_reason: 'named by DATABRICKS_CONFIG_PROFILE', host: AWS });
    expect(description.configuration['profile']).toEqual({ value: 'dev', source: { kind: 'env', name: 'DATABRICKS_CONFIG_PROFILE' } });
  });

  it('the target’s workspace.profile is used when nothing overrides it', async () => {
    const { description } = resolve({ target: { name: 'staging', profile: 'nohost', host: AWS } });
    expect(description).toMatchObject({ profile: 'nohost', profile_reason: 'named by targets.staging.workspace.profile', host: AWS });
    expect(description.configuration['host']?.source).toEqual({ kind: 'target', name: 'targets.staging.workspace.host' });
    expect(await bearer({ target: { name: 'staging', profile: 'nohost', host: AWS } })).toBe('Bearer dapi-nohost');
  });

  it('a selected profile wins over auth variables in the environment, which fill only what it leaves empty', async () => {
    expect(await bearer({ env: { DATABRICKS_CONFIG_PROFILE: 'dev', DATABRICKS_TOKEN: 'dapi-env' }, target: { name: 't' } })).toBe('Bearer dapi-dev');
    const noHost = resolve({ env: { DATABRICKS_CONFIG_PROFILE: 'nohost', DATABRICKS_HOST: AWS2 }, target: { name: 't' } });
    expect(noHost.description.host).toBe(AWS2);
    expect(noHost.description.configuration['host']?.source).toEqual({ kind: 'env', name: 'DATABRICKS_HOST' });
    // DATABRICKS_AUTH_TYPE would re-steer the profile: it is not read then.
    expect(resolve({ env: { DATABRICKS_CONFIG_PROFILE: 'dev', DATABRICKS_AUTH_TYPE: 'basic' }, target: { name: 't' } }).description.auth_type).toBe('pat');
  });

  it('a host-only target uses the one profile with that host, and no other', () => {
    const file = { ...FILE, text: FILE.text.replace(/\[ci\][^[]*/, '') };
    const { description } = resolveAuth({ env: {}, configFile: file, target: { name: 'dev', host: `${AWS}:443/` } });
    expect(description).toMatchObject({ profile: 'dev', profile_reason: 'the only profile whose host is targets.dev.workspace.host' });
  });

  it('several profiles with the target’s host is an error naming them and -p', () => {
    const error = userError(() => resolve({ target: { name: 'dev', host: AWS } }));
    expect(error.message).toBe(`${AWS}: multiple profiles in ${FILE.path} match this host: dev, ci`);
    expect(error.hint).toContain('-p/--profile dev');
  });

  it('credentials in the environment skip the host match; no match does not fall back to DEFAULT', () => {
    expect(resolve({ env: { DATABRICKS_TOKEN: 't' }, target: { name: 'dev', host: AWS } }).description.profile).toBeUndefined();
    const other = resolve({ env: { PATH: '' }, target: { name: 'x', host: 'https://dbc-nomatch.cloud.databricks.com' } });
    expect(other.description.profile).toBeUndefined();
    expect(other.description.auth_type).toBe('databricks-cli');
  });

  it('a profile whose host is not the target’s host is refused, pointing at the one that matches', () => {
    const error = userError(() => resolve({ env: { DATABRICKS_CONFIG_PROFILE: 'prod' }, target: { name: 'dev', host: `${AWS}/` } }));
    expect(error.message).toBe(`The host of profile "prod" (${AWS2}) is not the host of target dev (${AWS})`);
    expect(error.hint).toBe('Profile "dev" has that host: pass -p dev.');
  });

  it('a target without host or profile uses [__settings__] default_profile, else the SDK order ending in DEFAULT', () => {
    const withDefault = { ...FILE, text: `[__settings__]\ndefault_profile = ci\n${FILE.text}` };
    expect(resolveAuth({ env: {}, configFile: withDefault, target: { name: 't' } }).description).toMatchObject({ profile: 'ci' });
    expect(resolve({ target: { name: 't' } }).description).toMatchObject({ profile: 'DEFAULT', host: AWS2 });
    expect(resolve({ env: { DATABRICKS_HOST: AWS, DATABRICKS_TOKEN: 'x' }, target: { name: 't' } }).description.profile).toBeUndefined();
  });

  it('a missing profile names the profiles there are', () => {
    const error = userError(() => resolve({ target: { name: 'dev', profile: 'typo' } }));
    expect(error.message).toBe(`${FILE.path} has no [typo] profile (named by targets.dev.workspace.profile)`);
    expect(error.hint).toBe('Profiles in the file: DEFAULT, dev, prod, ci, nohost.');
  });
});
