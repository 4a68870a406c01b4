import { afterEach, describe, expect, it } from 'vitest';
import { checkSecrets, secretReferences } from '../../src/deploy/secrets-check.ts';
import { checkVaultUrl, syncFromKeyVault, type KeyVaultReader } from '../../src/deploy/secrets-sync.ts';
import { UserError } from '../../src/errors/index.ts';
import { recordingSink } from '../../src/events/types.ts';
import { redact } from '../../src/redaction/index.ts';
import { fakeWorkspace, type FakeSetup } from './fake.ts';
import { sampleModel } from './helpers.ts';

/** Stands in for @azure/keyvault-secrets' SecretClient. */
function fakeVault(secrets: Record<string, { value?: string; enabled?: boolean }>): KeyVaultReader & { reads: string[] } {
  const reads: string[] = [];
  return {
    reads,
    async *listPropertiesOfSecrets() {
      for (const [name, s] of Object.entries(secrets)) yield { name, ...(s.enabled === undefined ? {} : { enabled: s.enabled }) };
    },
    async getSecret(name: string) {
      reads.push(name);
      const s = secrets[name];
      return s?.value === undefined ? {} : { value: s.value };
    },
  };
}

let setup: FakeSetup | undefined;
afterEach(async () => {
  await setup?.ws.close();
  setup = undefined;
});

const VALUES = { 'open-ai-api-key': 'sk-live-0123456789', 'adls-client-secret': 'adls~secret~value' };

describe('secrets sync --from-keyvault', () => {
  it('copies enabled secrets into a new Databricks-backed scope and never shows a value', async () => {
    setup = await fakeWorkspace();
    const vault = fakeVault({ 'open-ai-api-key': { value: VALUES['open-ai-api-key'] }, 'adls-client-secret': { value: VALUES['adls-client-secret'] }, old: { value: 'x', enabled: false } });
    const sink = recordingSink();
    const result = await syncFromKeyVault({ vault, client: setup.client, scope: 'app', sink });
    expect(result).toEqual({ copied: ['adls-client-secret', 'open-ai-api-key'], skipped: ['old'], createdScope: true });
    const scope = setup.ws.state.secretScopes['app']!;
    expect(scope.backend_type).toBe('DATABRICKS');
    expect(Buffer.from(scope.secrets['open-ai-api-key']!.value, 'base64').toString()).toBe(VALUES['open-ai-api-key']);
    expect(vault.reads).not.toContain('old');
    const shown = JSON.stringify(sink.events) + JSON.stringify(setup.ws.requests);
    for (const value of Object.values(VALUES)) expect(shown).not.toContain(value);
    // The values synced joined the redaction registry: any later edge scrubs them.
    for (const value of Object.values(VALUES)) expect(redact(`echoed: ${value}`)).toBe('echoed: ***');
  });

  it('copies only the keys asked for, and names keys the vault does not have', async () => {
    setup = await fakeWorkspace();
    const vault = fakeVault({ a: { value: '1' }, b: { value: '2' } });
    expect((await syncFromKeyVault({ vault, client: setup.client, scope: 'app', keys: ['b'] })).copied).toEqual(['b']);
    await expect(syncFromKeyVault({ vault, client: setup.client, scope: 'app', keys: ['b', 'zz'] })).rejects.toThrow(/Not in the Key Vault: zz/);
  });

  it('refuses to write into a Key Vault-backed scope', async () => {
    setup = await fakeWorkspace();
    await setup.client.secrets.createScope({ scope: 'kv', scope_backend_type: 'AZURE_KEYVAULT', backend_azure_keyvault: { resource_id: '/x', dns_name: 'https://x.vault.azure.net/' } });
    await expect(syncFromKeyVault({ vault: fakeVault({ a: { value: '1' } }), client: setup.client, scope: 'kv' })).rejects.toThrow(/backed by Azure Key Vault/);
  });

  it('accepts only https vault URLs', () => {
    expect(checkVaultUrl('https://my-vault.vault.azure.net/')).toBe('https://my-vault.vault.azure.net');
    expect(() => checkVaultUrl('http://my-vault.vault.azure.net/')).toThrow(UserError);
    expect(() => checkVaultUrl('my-vault')).toThrow(UserError);
  });
});

describe('secrets check', () => {
  it('lists the secrets a bundle refers to, by deployed scope name', () => {
    const model = sampleModel();
    model.notebooks['ingest']!.secrets = { key: { scope: 'kv_scope', key: 'api-key' }, other: { scope: 'shared', key: 'token' } };
    expect(secretReferences(model, { env: { BUNDLE_VAR_kv_id: 'x' } })).toEqual([
      { scope: 'kv_scope', key: 'api-key', usedBy: ['resources.secret_scopes.kv', 'notebooks.ingest'] },
      { scope: 'shared', key: 'token', usedBy: ['notebooks.ingest'] },
    ]);
  });

  it('reports missing keys and scopes, and passes when all exist', async () => {
    setup = await fakeWorkspace();
    await setup.client.secrets.createScope({ scope: 'shared' });
    await setup.client.secrets.putSecret({ scope: 'shared', key: 'token', string_value: 'v' });
    const refs = [
      { scope: 'shared', key: 'token', usedBy: ['x'] },
      { scope: 'shared', key: 'absent', usedBy: ['notebooks.y'] },
      { scope: 'nope', key: 'k', usedBy: ['z'] },
    ];
    const sink = recordingSink();
    const error = (await checkSecrets(setup.client, refs, sink).catch((e: unknown) => e)) as UserError;
    expect(error).toBeInstanceOf(UserError);
    expect(error.message).toContain('2 of 3');
    expect(error.message).toContain('Scopes that do not exist: nope');
    expect(sink.events.map((e) => e.message)).toContain('missing shared/absent (used by notebooks.y)');
    await setup.client.secrets.putSecret({ scope: 'shared', key: 'absent', string_value: 'v' });
    const ok = await checkSecrets(setup.client, refs.slice(0, 2));
    expect(ok.missing).toEqual([]);
  });
});
