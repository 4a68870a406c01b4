// Local secret scopes: values from the environment or an untracked file, never echoed in errors.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadLocalSecrets, secretEnvName } from '../../src/local/secrets.ts';
import { tempDir } from '../build/helpers.ts';

describe('local secrets', () => {
  it('names the environment variable after scope and key', () => {
    expect(secretEnvName('adls_scope', 'open-ai-api-key')).toBe('DBX_TS_SECRET_ADLS_SCOPE__OPEN_AI_API_KEY');
  });

  it('reads the environment first, then the file; a missing value is undefined', async () => {
    const dir = await tempDir('secrets');
    const file = join(dir, 'secrets.json');
    await writeFile(file, JSON.stringify({ adls_scope: { 'open-ai-api-key': 'from-file', 'adls-client-secret': 'file-only' } }));
    const secrets = await loadLocalSecrets(file, { DBX_TS_SECRET_ADLS_SCOPE__OPEN_AI_API_KEY: 'from-env' });
    expect(secrets.get('adls_scope', 'open-ai-api-key')).toBe('from-env');
    expect(secrets.get('adls_scope', 'adls-client-secret')).toBe('file-only');
    expect(secrets.get('adls_scope', 'missing')).toBeUndefined();
    expect(secrets.get('other_scope', 'open-ai-api-key')).toBeUndefined();
    expect((await loadLocalSecrets(join(dir, 'absent.json'), {})).get('adls_scope', 'open-ai-api-key')).toBeUndefined();
  });

  it('reports a malformed file without quoting its content', async () => {
    const dir = await tempDir('secrets-bad');
    const file = join(dir, 'secrets.json');
    await writeFile(file, '{ "adls_scope": { "open-ai-api-key": "sk-live-very-secret-value" ');
    const error = await loadLocalSecrets(file, {}).then(
      () => undefined,
      (e: unknown) => e as Error,
    );
    expect(error?.message).toContain('is not valid JSON');
    expect(JSON.stringify({ message: error?.message, hint: (error as { hint?: string }).hint })).not.toContain('sk-live-very-secret-value');
  });
});
