// Unified-auth attributes: the names used in ~/.databrickscfg, their environment variables and the auth group
// each belongs to (api-notes §10, the Go SDK's config attributes). Only the attributes this client uses are listed.
import { UserError } from '../../errors/index.ts';

export interface DatabricksConfig {
  host?: string;
  token?: string;
  username?: string;
  password?: string;
  client_id?: string;
  client_secret?: string;
  azure_workspace_resource_id?: string;
  azure_use_msi?: string;
  azure_client_id?: string;
  azure_client_secret?: string;
  azure_tenant_id?: string;
  azure_environment?: string;
  databricks_cli_path?: string;
  oidc_token_env?: string;
  oidc_token_filepath?: string;
  audience?: string;
  actions_id_token_request_url?: string;
  actions_id_token_request_token?: string;
  auth_type?: string;
}

export type AttributeName = keyof DatabricksConfig;

export interface Attribute {
  name: AttributeName;
  env: string;
  /** Attributes of two different groups set together is ambiguous unless auth_type picks one. */
  group?: 'pat' | 'basic' | 'oauth' | 'azure' | 'env-oidc' | 'file-oidc';
  /** Never shown anywhere. */
  secret?: boolean;
  /** A boolean: "false" counts as not set. */
  boolean?: boolean;
  /**
   * Steers which credentials are used (host, auth_type and the credential attributes). With an explicitly selected
   * profile these come from the profile first and the environment only fills gaps (the Databricks CLI, #5096).
   */
  auth?: boolean;
}

export const ATTRIBUTES: readonly Attribute[] = [
  { name: 'host', env: 'DATABRICKS_HOST', auth: true },
  { name: 'token', env: 'DATABRICKS_TOKEN', group: 'pat', secret: true, auth: true },
  { name: 'username', env: 'DATABRICKS_USERNAME', group: 'basic', auth: true },
  { name: 'password', env: 'DATABRICKS_PASSWORD', group: 'basic', secret: true, auth: true },
  { name: 'client_id', env: 'DATABRICKS_CLIENT_ID', group: 'oauth', auth: true },
  { name: 'client_secret', env: 'DATABRICKS_CLIENT_SECRET', group: 'oauth', secret: true, auth: true },
  { name: 'azure_workspace_resource_id', env: 'DATABRICKS_AZURE_RESOURCE_ID', group: 'azure', auth: true },
  { name: 'azure_use_msi', env: 'ARM_USE_MSI', group: 'azure', boolean: true, auth: true },
  { name: 'azure_client_id', env: 'ARM_CLIENT_ID', group: 'azure', auth: true },
  { name: 'azure_client_secret', env: 'ARM_CLIENT_SECRET', group: 'azure', secret: true, auth: true },
  { name: 'azure_tenant_id', env: 'ARM_TENANT_ID', group: 'azure', auth: true },
  { name: 'azure_environment', env: 'ARM_ENVIRONMENT' },
  { name: 'databricks_cli_path', env: 'DATABRICKS_CLI_PATH' },
  { name: 'oidc_token_env', env: 'DATABRICKS_OIDC_TOKEN_ENV', group: 'env-oidc', auth: true },
  { name: 'oidc_token_filepath', env: 'DATABRICKS_OIDC_TOKEN_FILEPATH', group: 'file-oidc', auth: true },
  { name: 'audience', env: 'DATABRICKS_TOKEN_AUDIENCE', auth: true },
  { name: 'actions_id_token_request_url', env: 'ACTIONS_ID_TOKEN_REQUEST_URL' },
  { name: 'actions_id_token_request_token', env: 'ACTIONS_ID_TOKEN_REQUEST_TOKEN', secret: true },
  { name: 'auth_type', env: 'DATABRICKS_AUTH_TYPE', auth: true },
];

export const ATTRIBUTE_BY_NAME: Record<AttributeName, Attribute> = Object.fromEntries(ATTRIBUTES.map((a) => [a.name, a])) as Record<
  AttributeName,
  Attribute
>;

export const ENV_OF: Record<AttributeName, string> = Object.fromEntries(ATTRIBUTES.map((a) => [a.name, a.env])) as Record<AttributeName, string>;

/** A value that counts as set: non-blank, and for booleans not false. */
export function isSet(config: DatabricksConfig, name: AttributeName): boolean {
  const value = config[name];
  if (!nonEmpty(value)) return false;
  return ATTRIBUTE_BY_NAME[name].boolean ? parseBoolean(name, value) : true;
}

/** Auth groups with at least one attribute set, sorted (for the "more than one method" check). */
export function authGroupsUsed(config: DatabricksConfig): string[] {
  const groups = new Set<string>();
  for (const attribute of ATTRIBUTES) {
    if (attribute.group !== undefined && isSet(config, attribute.name)) groups.add(attribute.group);
  }
  return [...groups].sort();
}

export function nonEmpty(value: string | undefined): value is string {
  return value !== undefined && value.trim() !== '';
}

/** Booleans as Go's strconv.ParseBool reads them (the SDKs' ARM_USE_MSI). */
export function parseBoolean(name: AttributeName, value: string): boolean {
  const v = value.trim();
  if (['1', 't', 'T', 'true', 'TRUE', 'True'].includes(v)) return true;
  if (['0', 'f', 'F', 'false', 'FALSE', 'False'].includes(v)) return false;
  throw new UserError(`${name} (${ENV_OF[name]}) must be true or false, not "${value}"`);
}

/** Hosts the SDKs treat as Azure Databricks. */
export function isAzureHost(host: string): boolean {
  const hostname = new URL(host).hostname;
  return ['.azuredatabricks.net', '.databricks.azure.us', '.databricks.azure.cn'].some((s) => hostname.endsWith(s));
}
