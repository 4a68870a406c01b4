// The CLI's side of auth: -p/--profile on any command, DATABRICKS_BUNDLE_TARGET, `auth describe` (text and
// -o json), the databricks-cli login through a stub `databricks`, and errors (exit 2, no secrets).
import nock from 'nock';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { REPO_ROOT, runCli, tempDir } from '../build/helpers.ts';
import { databricksStub, type CliStub } from '../workspace/auth/cli-stub.ts';
import { useNock } from '../workspace/helpers.ts';

useNock();

const AWS = 'https://dbc-abc.cloud.databricks.com';
const OTHER = 'https://dbc-other.cloud.databricks.com';
const DEV_TOKEN = 'dapi-dev-SECRET';
const DEFAULT_TOKEN = 'dapi-default-SECRET';

/** A HOME with a ~/.databrickscfg, and a project whose bundle has a local, a dev and a u2m target. */
async function setup(): Promise<{ home: string; project: string; env: Record<string, string> }> {
  const home = await tempDir('home');
  await writeFile(
    join(home, '.databrickscfg'),
    [
      '[DEFAULT]',
      `host = ${OTHER}`,
      `token = ${DEFAULT_TOKEN}`,
      '',
      '[dev]',
      `host = ${AWS}`,
      `token = ${DEV_TOKEN}`,
      '',
      '[u2m]',
      `host = ${AWS}`,
      'auth_type = databricks-cli',
      '',
    ].join('\n'),
  );
  const project = await tempDir('auth-project');
  await mkdir(project, { recursive: true });
  await writeFile(join(project, 'package.json'), '{"type":"module"}\n');
  await writeFile(
    join(project, 'bundle.ts'),
    [
      `import { Bundle } from ${JSON.stringify(join(REPO_ROOT, 'src/index.ts'))};`,
      "export default new Bundle({ name: 'b', targets: {",
      '  local: { default: true, local: true },',
      `  dev: { workspace: { host: '${AWS}' } },`,
      "  staging: { workspace: { profile: 'u2m' } },",
      '} });',
      '',
    ].join('\n'),
  );
  // Only what the CLI needs: no DATABRICKS_* from the machine running the tests.
  const env: Record<string, string> = { HOME: home, PATH: process.env.PATH ?? '', CI: 'true' };
  return { home, project, env };
}

function me(host: string, token: string, userName = 'someone@example.com') {
  return nock(host, { reqheaders: { authorization: `Bearer ${token}` } })
    .get('/api/2.0/preview/scim/v2/Me')
    .reply(200, { id: '42', userName });
}

async function cli(args: string[], env: Record<string, string>, cwd?: string) {
  // runCli adds process.env; the DATABRICKS_* of the machine running the tests must not leak in.
  const clean = Object.fromEntries(Object.keys(process.env).filter((k) => /^(DATABRICKS_|ARM_|ACTIONS_)/.test(k)).map((k) => [k, undefined]));
  return runCli(args, { env: { ...clean, ...env } as NodeJS.ProcessEnv, ...(cwd ? { cwd } : {}) });
}

const stubs: CliStub[] = [];
afterEach(async () => {
  await Promise.all(stubs.splice(0).map((s) => s.remove()));
});

describe('-p/--profile', () => {
  it('picks the profile from ~/.databrickscfg, before or after the command, and auth describe says so', async () => {
    const { env } = await setup();
    me(AWS, DEV_TOKEN);
    const text = await cli(['-p', 'dev', 'auth', 'describe'], env);
    expect(text.code).toBe(0);
    expect(text.stdout).toContain(`Host:               ${AWS}`);
    expect(text.stdout).toContain('User:               someone@example.com');
    expect(text.stdout).toContain('Authenticated with: pat');
    expect(text.stdout).toMatch(/Profile: +dev in .*\.databrickscfg: named by -p\/--profile/);
    expect(text.stdout).toContain('profile: dev (from -p/--profile)');
    expect(text.stdout).toMatch(/token: \*{8} \(from .*\.databrickscfg \[dev\]\)/);

    me(AWS, DEV_TOKEN);
    const json = await cli(['auth', 'describe', '--profile', 'dev', '-o', 'json'], env);
    expect(json.code).toBe(0);
    const doc = JSON.parse(json.stdout) as Record<string, unknown>;
    expect(doc).toMatchObject({
      status: 'ok',
      host: AWS,
      auth_type: 'pat',
      profile: 'dev',
      profile_reason: 'named by -p/--profile',
      user: { user_name: 'someone@example.com', id: '42' },
      configuration: { token: { value: '********' }, profile: { value: 'dev', source: { kind: 'option', name: '-p/--profile' } } },
    });
    expect(text.stdout + text.stderr + json.stdout + json.stderr).not.toContain(DEV_TOKEN);
  });

  it('without -p, DEFAULT is used when nothing else is configured', async () => {
    const { env } = await setup();
    me(OTHER, DEFAULT_TOKEN);
    const result = await cli(['auth', 'whoami'], env);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`${OTHER}: authenticated as someone@example.com with pat, profile DEFAULT`);
  });

  it('wins over the target’s workspace.profile and reaches every workspace command', async () => {
    const { env, project } = await setup();
    // staging names the u2m profile; -p dev overrides it (and its PAT needs no Databricks CLI).
    me(AWS, DEV_TOKEN);
    const result = await cli(['auth', 'whoami', '-t', 'staging', '-p', 'dev'], env, project);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('with pat, profile dev');
  });

  it('an unknown profile is exit 2, naming the profiles there are', async () => {
    const { env } = await setup();
    const result = await cli(['-p', 'nope', 'auth', 'describe'], env);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain('has no [nope] profile (named by DATABRICKS_CONFIG_PROFILE)');
    expect(result.stderr).toContain('Profiles in the file: DEFAULT, dev, u2m.');
  });
});

describe('DATABRICKS_BUNDLE_TARGET', () => {
  it('selects the target when -t is absent; -t still wins', async () => {
    const { env, project } = await setup();
    const viaEnv = await cli(['auth', 'describe', '-o', 'json', '--profile', 'dev'], { ...env, DATABRICKS_BUNDLE_TARGET: 'dev' }, project);
    // No Me interceptor: the request fails, but the description shows the target's host was used.
    expect(JSON.parse(viaEnv.stdout)).toMatchObject({ status: 'error', configuration: { host: { source: { kind: 'target', name: 'targets.dev.workspace.host' } } } });

    const validate = await cli(['validate'], { ...env, DATABRICKS_BUNDLE_TARGET: 'nosuch' }, project);
    expect(validate.code).toBe(2);
    expect(validate.stderr + validate.stdout).toContain('Unknown target "nosuch"');
    expect((await cli(['validate', '-t', 'local'], { ...env, DATABRICKS_BUNDLE_TARGET: 'nosuch' }, project)).code).toBe(0);
    // The name the CLI used before v0.203.2 still works.
    expect((await cli(['validate'], { ...env, DATABRICKS_BUNDLE_ENV: 'nosuch' }, project)).stderr).toContain('Unknown target "nosuch"');
  });

  it('a host-only target picks the profile with that host', async () => {
    const { env, project } = await setup();
    const home = env.HOME as string;
    await writeFile(join(home, '.databrickscfg'), `[only]\nhost = ${AWS}\ntoken = ${DEV_TOKEN}\n`);
    me(AWS, DEV_TOKEN);
    const result = await cli(['auth', 'describe', '-o', 'json'], { ...env, DATABRICKS_BUNDLE_TARGET: 'dev' }, project);
    expect(JSON.parse(result.stdout)).toMatchObject({ status: 'ok', profile: 'only', profile_reason: 'the only profile whose host is targets.dev.workspace.host' });
  });
});

describe('databricks-cli profiles', () => {
  it('get their token from `databricks auth token` on PATH', async () => {
    const { env } = await setup();
    const stub = await databricksStub();
    stubs.push(stub);
    await stub.answer('u2m-access-SECRET', Date.now() + 3600_000);
    me(AWS, 'u2m-access-SECRET', 'user@example.com');
    const result = await cli(['-p', 'u2m', 'auth', 'describe', '-o', 'json'], { ...env, PATH: `${stub.dir}:${env.PATH}` });
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ status: 'ok', auth_type: 'databricks-cli', profile: 'u2m', user: { user_name: 'user@example.com' } });
    expect(await stub.calls()).toEqual(['version --output json', 'auth token --profile u2m --force-refresh']);
    expect(result.stdout + result.stderr).not.toContain('u2m-access-SECRET');
  });

  it('without the Databricks CLI: exit 2, naming `databricks auth login --host`', async () => {
    const { env } = await setup();
    const empty = await tempDir('no-cli');
    const result = await cli(['auth', 'describe', '-p', 'u2m'], { ...env, PATH: empty });
    expect(result.code).toBe(2);
    expect(result.stdout).toContain('Authenticated with: databricks-cli');
    expect(result.stdout).toContain('User:               not verified');
    expect(result.stderr).toContain('error: The Databricks CLI (`databricks`) is not on PATH');
    expect(result.stderr).toContain(`databricks auth login --host ${AWS} --profile u2m`);
  });

  it('not logged in: exit 2 with the CLI’s reason, no secret anywhere', async () => {
    const { env, project } = await setup();
    const stub = await databricksStub();
    stubs.push(stub);
    await stub.fail('Error: cache: databricks OAuth is not configured for this host');
    // staging's workspace.profile is the u2m profile.
    const result = await cli(['auth', 'whoami', '-t', 'staging'], { ...env, PATH: `${stub.dir}:${env.PATH}`, DATABRICKS_TOKEN: 'env-pat-SECRET' }, project);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('`databricks auth token --profile u2m --force-refresh` failed: Error: cache: databricks OAuth is not configured');
    expect(result.stderr).toContain(`Run \`databricks auth login --host ${AWS} --profile u2m\``);
    expect(result.stdout + result.stderr).not.toContain('SECRET');
  });
});
