// The redaction registry: every registered secret, in every form it takes on the way out, becomes ***.
import { describe, expect, it } from 'vitest';
import { redactingOutput, SecretRegistry } from '../../src/redaction/index.ts';

const CANARY = 'canary-Secret/with "quotes"+slash\\=';

describe('the redaction registry', () => {
  it('scrubs a secret raw, JSON-escaped, URL-encoded and base64-encoded', () => {
    const r = new SecretRegistry();
    r.register(CANARY);
    expect(r.redact(`raw ${CANARY} end`)).toBe('raw *** end');
    expect(r.redact(JSON.stringify({ error: `quoted ${CANARY}` }))).toBe('{"error":"quoted ***"}');
    expect(r.redact(`?key=${encodeURIComponent(CANARY)}&x=1`)).toBe('?key=***&x=1');
    expect(r.redact(`Basic ${Buffer.from(CANARY).toString('base64')}`)).toMatch(/^Basic \*\*\*=*$/);
  });

  it('ignores values too short to be told from ordinary words, and non-strings', () => {
    const r = new SecretRegistry();
    r.register('abc', '', undefined, 42, null);
    expect(r.size).toBe(0);
    expect(r.redact('abc 42')).toBe('abc 42');
  });

  it('replaces a longer secret before a shorter one inside it', () => {
    const r = new SecretRegistry();
    r.register('token-123456', 'token-123456-and-more');
    expect(r.redact('x token-123456-and-more y token-123456')).toBe('x *** y ***');
  });

  it('takes the secrets of the environment: tokens, client secrets, API keys, local secret values', () => {
    const r = new SecretRegistry();
    r.registerEnv({
      DATABRICKS_TOKEN: 'dapi-canary-0001',
      ARM_CLIENT_SECRET: 'arm-canary-0002',
      DATABRICKS_CLIENT_SECRET: 'dbx-oauth-canary-0003',
      OPENAI_API_KEY: 'sk-canary-0004',
      DBX_TS_SECRET_ADLS_SCOPE__KEY: 'local-canary-0005',
      GITHUB_TOKEN: 'ghp-canary-0006',
      DATABRICKS_HOST: 'https://adb-1.azuredatabricks.net',
      BUNDLE_VAR_keyvault_dns_name: 'https://kv.vault.azure.net/',
    });
    expect(r.size).toBe(6);
    expect(r.redact('https://adb-1.azuredatabricks.net https://kv.vault.azure.net/')).toBe('https://adb-1.azuredatabricks.net https://kv.vault.azure.net/');
    expect(r.redact('dapi-canary-0001 arm-canary-0002 dbx-oauth-canary-0003 sk-canary-0004 local-canary-0005 ghp-canary-0006')).toBe('*** *** *** *** *** ***');
  });

  it('redacts strings deep inside objects, keys included, leaving other values alone', () => {
    const r = new SecretRegistry();
    r.register(CANARY);
    expect(r.redactDeep({ a: [`x${CANARY}`, 1, true], [CANARY]: null })).toEqual({ a: ['x***', 1, true], '***': null });
  });

  it('wraps an output so every write is scrubbed, keeping isTTY and columns', () => {
    const r = new SecretRegistry();
    r.register(CANARY);
    let written = '';
    const out = redactingOutput({ write: (s: string) => void (written += s), isTTY: true, columns: 99 }, r);
    out.write(`error: ${CANARY}\n`);
    expect(written).toBe('error: ***\n');
    expect(out.isTTY).toBe(true);
    expect(out.columns).toBe(99);
  });
});
