export { resolveAuth, type AuthDeps, type ResolveAuthInput, type ResolvedAuth } from './resolve.ts';
export { configFilePath, parseIni, readConfigFile, type ConfigFile } from './config-file.ts';
export { AZURE_DATABRICKS_SCOPE, type AzureCredentialFactory, type AzureCredentialRequest } from './azure.ts';
export { OIDC_TOKEN_PATH } from './oauth-m2m.ts';
export { AUTH_TYPES, type AuthDescription, type AuthType, type CredentialsProvider } from './types.ts';
