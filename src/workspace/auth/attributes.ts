// Unified-auth attributes: the names used in ~/.databrickscfg, their environment variables and the auth group
// each belongs to (api-notes §10). Only the attributes this client uses are listed.

export interface DatabricksConfig {
  host?: string;
  token?: string;
  username?: string;
  password?: string;
  client_id?: string;
  client_secret?: string;
  azure_workspace_resource_id?: string;
  azure_client_id?: string;
  azure_client_secret?: string;
  azure_tenant_id?: string;
  azure_environment?: string;
  auth_type?: string;
}

export type AttributeName = keyof DatabricksConfig;

interface Attribute {
  name: AttributeName;
  env: string;
  /** Attributes of two different groups set together is ambiguous unless auth_type picks one. */
  group?: 'pat' | 'basic' | 'oauth' | 'azure';
  /** Never shown anywhere. */
  secret?: boolean;
}

export const ATTRIBUTES: readonly Attribute[] = [
  { name: 'host', env: 'DATABRICKS_HOST' },
  { name: 'token', env: 'DATABRICKS_TOKEN', group: 'pat', secret: true },
  { name: 'username', env: 'DATABRICKS_USERNAME', group: 'basic' },
  { name: 'password', env: 'DATABRICKS_PASSWORD', group: 'basic', secret: true },
  { name: 'client_id', env: 'DATABRICKS_CLIENT_ID', group: 'oauth' },
  { name: 'client_secret', env: 'DATABRICKS_CLIENT_SECRET', group: 'oauth', secret: true },
  { name: 'azure_workspace_resource_id', env: 'DATABRICKS_AZURE_RESOURCE_ID', group: 'azure' },
  { name: 'azure_client_id', env: 'ARM_CLIENT_ID', group: 'azure' },
  { name: 'azure_client_secret', env: 'ARM_CLIENT_SECRET', group: 'azure', secret: true },
  { name: 'azure_tenant_id', env: 'ARM_TENANT_ID', group: 'azure' },
  { name: 'azure_environment', env: 'ARM_ENVIRONMENT' },
  { name: 'auth_type', env: 'DATABRICKS_AUTH_TYPE' },
];

export const ENV_OF: Record<AttributeName, string> = Object.fromEntries(ATTRIBUTES.map((a) => [a.name, a.env])) as Record<
  AttributeName,
  string
>;

/** Auth groups with at least one attribute set, sorted (for the "more than one method" check). */
export function authGroupsUsed(config: DatabricksConfig): string[] {
  const groups = new Set<string>();
  for (const attribute of ATTRIBUTES) {
    if (attribute.group !== undefined && nonEmpty(config[attribute.name])) groups.add(attribute.group);
  }
  return [...groups].sort();
}

export function nonEmpty(value: string | undefined): value is string {
  return value !== undefined && value.trim() !== '';
}

/** Hosts the SDKs treat as Azure Databricks. */
export function isAzureHost(host: string): boolean {
  const hostname = new URL(host).hostname;
  return ['.azuredatabricks.net', '.databricks.azure.us', '.databricks.azure.cn'].some((s) => hostname.endsWith(s));
}
