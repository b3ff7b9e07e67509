import type { IncomingMessage, ServerResponse } from 'node:http';
import { v1Issuer, v2Issuer, type TokenAuthority } from '../tokens';

/**
 * The tenant's OpenID Connect metadata and signing keys, on the simulator's https server under
 * `/login` (its "authority host", standing in for https://login.microsoftonline.com):
 *   GET /login/{tenant}/.well-known/openid-configuration        v1: issuer https://sts.windows.net/{tenant}/
 *   GET /login/{tenant}/v2.0/.well-known/openid-configuration   v2: issuer https://login.microsoftonline.com/{tenant}/v2.0
 *   GET /login/{tenant|common}/discovery[/v2.0]/keys            the JWKS
 * As in Entra, the issuer names the public hosts while the document is served elsewhere, and
 * an unknown tenant is a 400 (AADSTS90002). Whoever validates tokens (App Service Authentication,
 * emulated by the local host) reads the issuer and the jwks_uri here.
 */
export const LOGIN_PREFIX = '/login';

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text), 'cache-control': 'max-age=86400, private' });
  res.end(text);
}

/** Answers the request when its path is one of the OpenID endpoints; false otherwise. */
export function createOpenIdHandler(deps: { tokens: TokenAuthority; authorityHost: () => string }): (req: IncomingMessage, res: ServerResponse, path: string) => boolean {
  return (req, res, path) => {
    if (!path.toLowerCase().startsWith(`${LOGIN_PREFIX}/`)) return false;
    const rest = path.slice(LOGIN_PREFIX.length);
    const m = /^\/([^/]+)\/(v2\.0\/\.well-known\/openid-configuration|\.well-known\/openid-configuration|discovery\/keys|discovery\/v2\.0\/keys)\/?$/i.exec(rest);
    if (!m || !m[1] || !m[2]) {
      send(res, 404, { error: 'not_found', error_description: `No OpenID endpoint at ${path}.` });
      return true;
    }
    if ((req.method ?? 'GET').toUpperCase() !== 'GET') {
      send(res, 405, { error: 'invalid_request', error_description: 'GET only.' });
      return true;
    }
    const tenant = decodeURIComponent(m[1]).toLowerCase();
    const { tenantId } = deps.tokens;
    const what = m[2].toLowerCase();
    const isKeys = what.startsWith('discovery');
    if (tenant !== tenantId.toLowerCase() && !(isKeys && tenant === 'common')) {
      send(res, 400, { error: 'invalid_tenant', error_description: `AADSTS90002: Tenant '${tenant}' not found.` });
      return true;
    }
    if (isKeys) {
      send(res, 200, deps.tokens.jwks());
      return true;
    }
    const base = `${deps.authorityHost()}/${tenantId}`;
    const v2 = what.startsWith('v2.0');
    send(res, 200, {
      issuer: v2 ? v2Issuer(tenantId) : v1Issuer(tenantId),
      jwks_uri: v2 ? `${base}/discovery/v2.0/keys` : `${base}/discovery/keys`,
      token_endpoint: v2 ? `${base}/oauth2/v2.0/token` : `${base}/oauth2/token`,
      authorization_endpoint: v2 ? `${base}/oauth2/v2.0/authorize` : `${base}/oauth2/authorize`,
      response_types_supported: ['code', 'id_token', 'code id_token', 'token id_token', 'token'],
      subject_types_supported: ['pairwise'],
      id_token_signing_alg_values_supported: ['RS256'],
      tenant_region_scope: 'EU',
    });
    return true;
  };
}
