// `secrets sync --from-keyvault`: copies secrets from Azure Key Vault into a Databricks-backed scope. The vault
// is read through an object shaped like @azure/keyvault-secrets' SecretClient (injected in tests). Values go
// from the vault straight into secrets/put (a field the REST client masks); only key names are reported.
import { UserError } from '../errors/index.ts';
import { registerSecret } from '../redaction/index.ts';
import type { EventSink } from '../events/types.ts';
import { silentSink } from '../events/types.ts';
import type { WorkspaceClient } from '../workspace/index.ts';

/** The part of SecretClient this needs. */
export interface KeyVaultReader {
  listPropertiesOfSecrets(): AsyncIterable<{ name: string; enabled?: boolean }>;
  getSecret(name: string): Promise<{ value?: string }>;
}

export interface SyncOptions {
  vault: KeyVaultReader;
  client: WorkspaceClient;
  scope: string;
  /** Only these secrets (default: every enabled secret of the vault). */
  keys?: string[];
  sink?: EventSink;
  /** Named in errors. */
  vaultUrl?: string;
}

export interface SyncResult {
  copied: string[];
  /** Disabled in the vault, or without a value. */
  skipped: string[];
  createdScope: boolean;
}

/** Key Vault URLs are https://<name>.vault.azure.net (or a sovereign cloud's suffix). */
export function checkVaultUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new UserError(`--from-keyvault ${url} is not a URL`, 'Use the vault URI, e.g. https://my-vault.vault.azure.net/');
  }
  if (parsed.protocol !== 'https:') throw new UserError(`--from-keyvault ${url}: a Key Vault is only reached over https`);
  return parsed.origin;
}

async function ensureDatabricksScope(client: WorkspaceClient, scope: string): Promise<boolean> {
  const existing = (await client.secrets.listScopes()).find((s) => s.name === scope);
  if (existing?.backend_type === 'AZURE_KEYVAULT') {
    throw new UserError(
      `Scope "${scope}" is backed by Azure Key Vault: its secrets come from the vault and cannot be written through Databricks`,
      'Sync into a Databricks-backed scope, or read the vault directly through the Key Vault-backed scope.',
    );
  }
  if (existing) return false;
  await client.secrets.createScope({ scope, scope_backend_type: 'DATABRICKS' });
  return true;
}

/**
 * A failure reading the vault (unreachable, unknown host, refused credentials, no permission) is a problem of
 * configuration the user can fix: it names the vault and the reason, never a stack trace.
 */
function vaultError(error: unknown, vaultUrl: string | undefined, doing: string): UserError {
  const e = error as { name?: string; code?: string; statusCode?: number; message?: string } | undefined;
  const reason = [e?.statusCode ? `HTTP ${e.statusCode}` : undefined, e?.code, firstLine(e?.message ?? String(error))].filter(Boolean).join(': ');
  const vault = vaultUrl ? `the Key Vault ${vaultUrl}` : 'the Key Vault';
  const hint =
    e?.statusCode === 401 || e?.statusCode === 403 || /credential|authenticat/i.test(`${e?.name ?? ''} ${e?.message ?? ''}`)
      ? 'Sign in to Azure (az login, or ARM_CLIENT_ID/ARM_CLIENT_SECRET/ARM_TENANT_ID) as an identity that may list and get secrets of this vault.'
      : 'Check the vault URL (https://<name>.vault.azure.net/) and that it is reachable from here.';
  return new UserError(`Cannot ${doing} ${vault} (${reason})`, hint);
}

function firstLine(text: string): string {
  return text.split('\n')[0]!.slice(0, 300);
}

async function fromVault<T>(read: () => Promise<T>, vaultUrl: string | undefined, doing: string): Promise<T> {
  try {
    return await read();
  } catch (error) {
    if (error instanceof UserError) throw error;
    throw vaultError(error, vaultUrl, doing);
  }
}

export async function syncFromKeyVault(options: SyncOptions): Promise<SyncResult> {
  const sink = options.sink ?? silentSink;
  const available = new Map<string, boolean>();
  await fromVault(
    async () => {
      for await (const props of options.vault.listPropertiesOfSecrets()) available.set(props.name, props.enabled !== false);
    },
    options.vaultUrl,
    'list the secrets of',
  );
  const wanted = options.keys ?? [...available.keys()].sort();
  const absent = wanted.filter((k) => !available.has(k));
  if (absent.length > 0) throw new UserError(`Not in the Key Vault: ${absent.join(', ')}`, `The vault has: ${[...available.keys()].sort().join(', ') || 'no secrets'}.`);

  const createdScope = await ensureDatabricksScope(options.client, options.scope);
  const result: SyncResult = { copied: [], skipped: [], createdScope };
  for (const name of wanted) {
    if (available.get(name) === false) {
      result.skipped.push(name);
      sink({ code: 'log', level: 'warn', message: `skipped ${name}: disabled in the Key Vault`, data: { key: name } });
      continue;
    }
    const { value } = await fromVault(() => options.vault.getSecret(name), options.vaultUrl, `read the secret ${name} from`);
    if (value === undefined) {
      result.skipped.push(name);
      sink({ code: 'log', level: 'warn', message: `skipped ${name}: it has no value in the Key Vault`, data: { key: name } });
      continue;
    }
    registerSecret(value);
    await options.client.secrets.putSecret({ scope: options.scope, key: name, string_value: value });
    result.copied.push(name);
    sink({ code: 'log', level: 'info', message: `copied ${name} → ${options.scope}/${name}`, data: { scope: options.scope, key: name } });
  }
  sink({
    code: 'log',
    level: 'info',
    message: `Copied ${result.copied.length} secret(s) into scope ${options.scope}${createdScope ? ' (created, Databricks-backed)' : ''}${result.skipped.length ? `; skipped ${result.skipped.length}` : ''}.`,
    data: { scope: options.scope, copied: result.copied.length, skipped: result.skipped.length },
  });
  return result;
}
