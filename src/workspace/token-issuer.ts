// Who issued the bearer token a client sends: Microsoft Entra ID (Azure AD), Databricks, or unknown. Some calls
// need an Entra ID token (creating an Azure Key Vault-backed secret scope), so a deploy checks this before it
// writes anything. The token itself never leaves this module: only its issuer does.
import type { AuthType, CredentialsProvider } from './auth/types.ts';

export type TokenIssuer = 'entra-id' | 'databricks' | 'unknown';

/** Methods that get their token from Entra ID. */
const ENTRA_ID_METHODS: readonly string[] = ['azure-client-secret', 'azure-cli', 'azure-msi'];
/** Issuers of Entra ID tokens (public and sovereign clouds; v1 and v2 endpoints). */
const ENTRA_ID_ISSUER = /^https:\/\/(sts\.windows\.net|sts\.chinacloudapi\.cn|login\.microsoftonline\.(com|us)|login\.chinacloudapi\.cn|login\.partner\.microsoftonline\.cn)\//;

/** The unverified `iss` claim of a JWT, or undefined when the text is not one. */
function jwtIssuer(token: string): string | undefined {
  const parts = token.split('.');
  if (parts.length !== 3) return undefined;
  try {
    const claims = JSON.parse(Buffer.from(parts[1]!, 'base64url').toString('utf8')) as { iss?: unknown };
    return typeof claims.iss === 'string' ? claims.iss : undefined;
  } catch {
    return undefined;
  }
}

/** Classifies a bearer token by its shape: `dapi…` is a personal access token; a JWT says who issued it. */
export function bearerIssuer(token: string): TokenIssuer {
  if (/^dapi[0-9a-f]/i.test(token)) return 'databricks';
  const iss = jwtIssuer(token);
  if (iss === undefined) return 'unknown';
  return ENTRA_ID_ISSUER.test(iss) ? 'entra-id' : 'databricks';
}

/**
 * The issuer of the tokens a credentials provider sends. Azure methods get Entra ID tokens; OAuth, the Databricks
 * CLI login and OIDC federation get Databricks tokens; a token given as DATABRICKS_TOKEN may be either (Entra ID
 * tokens are accepted there too), so its shape decides.
 */
export async function tokenIssuer(authType: AuthType, credentials: CredentialsProvider | undefined): Promise<TokenIssuer> {
  if (ENTRA_ID_METHODS.includes(authType)) return 'entra-id';
  if (authType !== 'pat' || credentials === undefined) return authType === 'pat' ? 'unknown' : 'databricks';
  const header = (await credentials.headers())['Authorization'] ?? '';
  const bearer = /^Bearer\s+(\S+)$/.exec(header)?.[1];
  return bearer === undefined ? 'unknown' : bearerIssuer(bearer);
}
