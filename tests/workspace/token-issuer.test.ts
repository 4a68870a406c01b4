// Who issued a bearer token, from its shape: a PAT, a Databricks OAuth JWT, an Entra ID JWT, or unknown.
import { describe, expect, it } from 'vitest';
import { bearerIssuer, tokenIssuer } from '../../src/workspace/token-issuer.ts';
import { PAT_TOKEN } from '../deploy/fake.ts';

const jwt = (claims: object) => `${Buffer.from('{"alg":"RS256","typ":"JWT"}').toString('base64url')}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.c2ln`;

describe('token issuer', () => {
  it('tells Databricks tokens from Entra ID tokens', () => {
    expect(bearerIssuer(PAT_TOKEN)).toBe('databricks');
    expect(bearerIssuer(jwt({ iss: 'https://adb-1.1.azuredatabricks.net/oidc' }))).toBe('databricks');
    expect(bearerIssuer(jwt({ iss: 'https://sts.windows.net/72f988bf-86f1-41af-91ab-2d7cd011db47/' }))).toBe('entra-id');
    expect(bearerIssuer(jwt({ iss: 'https://login.microsoftonline.com/72f988bf-86f1-41af-91ab-2d7cd011db47/v2.0' }))).toBe('entra-id');
    expect(bearerIssuer('not-a-known-shape')).toBe('unknown');
    expect(bearerIssuer('a.b.c')).toBe('unknown');
  });

  it('decides by the method where the method says it, and by the token for a PAT', async () => {
    const pat = (token: string) => ({ authType: 'pat' as const, headers: async () => ({ Authorization: `Bearer ${token}` }), knownSecrets: () => [token] });
    expect(await tokenIssuer('azure-cli', undefined)).toBe('entra-id');
    expect(await tokenIssuer('oauth-m2m', undefined)).toBe('databricks');
    expect(await tokenIssuer('github-oidc', undefined)).toBe('databricks');
    expect(await tokenIssuer('pat', pat('dapi00ff'))).toBe('databricks');
    expect(await tokenIssuer('pat', pat(jwt({ iss: 'https://sts.windows.net/t/' })))).toBe('entra-id');
  });
});
