export { resolveAuth, type AuthDeps, type ResolveAuthInput, type ResolvedAuth, type TargetWorkspace } from './resolve.ts';
export { targetWorkspace } from './load-config.ts';
export { configFilePath, parseIni, readConfigFile, type ConfigFile } from './config-file.ts';
export { AZURE_DATABRICKS_SCOPE, type AzureCredentialFactory, type AzureCredentialRequest } from './azure.ts';
export { OIDC_TOKEN_PATH } from './token-endpoint.ts';
export { AUTH_TYPES, type AttributeSource, type AuthDescription, type AuthType, type CredentialsProvider, type DescribedAttribute } from './types.ts';
