// The caller's identity (SCIM Me) and OAuth machine-to-machine login: discovery under /oidc and the
// client-credentials token endpoint /oidc/v1/token (client id and secret by HTTP Basic or form fields).
import type { Route } from '../http/router.ts';
import { type HandlerContext, type Reply, callerOf, ok } from './context.ts';

function me(ctx: HandlerContext): Reply {
  const caller = callerOf(ctx);
  const isCurrent = caller.userName === ctx.state.currentUser.userName;
  return ok({
    schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
    id: isCurrent ? ctx.state.currentUser.id : caller.userName,
    userName: caller.userName,
    displayName: isCurrent ? ctx.state.currentUser.displayName : caller.userName,
    active: true,
    emails: [{ value: caller.userName, type: 'work', primary: true }],
    groups: caller.admin ? [{ display: 'admins', type: 'direct' }, { display: 'users', type: 'direct' }] : [{ display: 'users', type: 'direct' }],
  });
}

/** OAuth errors use RFC 6749's shape, not Databricks' error_code. */
function oauthError(status: number, error: string, description: string): Reply {
  return { status, body: { error, error_description: description } };
}

function clientCredentials(ctx: HandlerContext): { id: string; secret: string } | undefined {
  const basic = /^Basic\s+(\S+)$/i.exec(String(ctx.headers.authorization ?? ''));
  if (basic) {
    const decoded = Buffer.from(basic[1]!, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon > 0) return { id: decodeURIComponent(decoded.slice(0, colon)), secret: decodeURIComponent(decoded.slice(colon + 1)) };
  }
  const form = new URLSearchParams(ctx.raw.toString('utf8'));
  const id = form.get('client_id');
  const secret = form.get('client_secret');
  return id !== null && secret !== null ? { id, secret } : undefined;
}

function token(ctx: HandlerContext): Reply {
  const form = new URLSearchParams(ctx.raw.toString('utf8'));
  if (form.get('grant_type') !== 'client_credentials') {
    return oauthError(400, 'unsupported_grant_type', 'Only the client_credentials grant is supported.');
  }
  const creds = clientCredentials(ctx);
  const issued = creds ? ctx.auth.issueForClient(creds.id, creds.secret) : undefined;
  if (!issued) return oauthError(401, 'invalid_client', 'Client authentication failed.');
  return ok({ ...issued, token_type: 'Bearer', scope: form.get('scope') ?? 'all-apis' });
}

export const identityRoutes: Route[] = [
  { method: 'GET', pattern: '/api/2.0/preview/scim/v2/Me', body: 'none', handle: me },
  {
    method: 'GET',
    pattern: '/oidc/.well-known/oauth-authorization-server',
    body: 'none',
    public: true,
    handle: (ctx) =>
      ok({
        issuer: `${ctx.baseUrl}/oidc`,
        authorization_endpoint: `${ctx.baseUrl}/oidc/v1/authorize`,
        token_endpoint: `${ctx.baseUrl}/oidc/v1/token`,
        grant_types_supported: ['client_credentials'],
        token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
      }),
  },
  { method: 'POST', pattern: '/oidc/v1/token', body: 'form', public: true, handle: token },
];
