// Bearer-token authentication against a configured token set. Each token says what kind it is (a
// Databricks PAT, a Databricks OAuth token, or a Microsoft Entra ID token), because some calls (an
// Azure Key Vault-backed secret scope) only work with an Entra ID token.
import { randomBytes } from 'node:crypto';
import type { Clock } from '../clock.ts';
import { HttpApiError } from './api-error.ts';

export type TokenKind = 'pat' | 'oauth' | 'aad';

export interface TokenSpec {
  token: string;
  kind?: TokenKind;
  /** User the token acts as (defaults to the workspace's current user). */
  user?: string;
  /** Workspace admins pass every ACL check (default true). */
  admin?: boolean;
  /** Epoch ms after which the token is refused. */
  expiresAt?: number;
}

/** A service principal allowed to use OAuth M2M (client credentials) at /oidc/v1/token. */
export interface OAuthClient {
  client_id: string;
  client_secret: string;
  user?: string;
}

export interface Principal {
  userName: string;
  kind: TokenKind;
  admin: boolean;
}

export const OAUTH_TOKEN_TTL_SECONDS = 3600;

export class AuthRegistry {
  private readonly tokens = new Map<string, TokenSpec>();

  constructor(
    tokens: TokenSpec[],
    private readonly clients: OAuthClient[],
    private readonly defaultUser: string,
    private readonly clock: Clock,
  ) {
    for (const t of tokens) this.tokens.set(t.token, t);
  }

  authenticate(authorization: string | undefined): Principal {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '');
    if (!match) {
      throw new HttpApiError(401, 'UNAUTHENTICATED', 'Credential was not sent or was of an unsupported type for this API.');
    }
    const spec = this.tokens.get(match[1]!);
    if (!spec || (spec.expiresAt !== undefined && spec.expiresAt <= this.clock.now())) {
      throw new HttpApiError(403, 'PERMISSION_DENIED', 'Invalid access token.');
    }
    return { userName: spec.user ?? this.defaultUser, kind: spec.kind ?? 'pat', admin: spec.admin ?? true };
  }

  /** Client-credentials grant: returns a new OAuth access token, or undefined for unknown credentials. */
  issueForClient(clientId: string, clientSecret: string): { access_token: string; expires_in: number } | undefined {
    const client = this.clients.find((c) => c.client_id === clientId && c.client_secret === clientSecret);
    if (!client) return undefined;
    const token = `emu-oauth-${randomBytes(16).toString('hex')}`;
    this.tokens.set(token, {
      token,
      kind: 'oauth',
      user: client.user ?? client.client_id,
      admin: true,
      expiresAt: this.clock.now() + OAUTH_TOKEN_TTL_SECONDS * 1000,
    });
    return { access_token: token, expires_in: OAUTH_TOKEN_TTL_SECONDS };
  }
}
