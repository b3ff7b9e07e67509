/**
 * App Service Authentication ("Easy Auth") with the Microsoft Entra provider, as it stands in
 * front of a function app: for every request (except `excludedPaths`) it removes any
 * `X-MS-CLIENT-PRINCIPAL*` / `X-MS-TOKEN-*` header the caller sent, validates a bearer token —
 * RS256 signature against the issuer's published keys (OpenID metadata at
 * `{openIdIssuer}/.well-known/openid-configuration`, then its `jwks_uri`), issuer (the tenant's
 * v1 or v2 form), audience (`allowedAudiences` and the client id), lifetime (`exp`/`nbf` with a
 * clock skew) — and hands the app the claims as `X-MS-CLIENT-PRINCIPAL` (base64 JSON with
 * `auth_typ`, `name_typ`, `role_typ`, `claims[{typ, val}]`, claim types mapped the way App Service
 * maps them), `X-MS-CLIENT-PRINCIPAL-ID`, `-NAME`, `-IDP`. A token that fails validation is
 * answered 401 with `WWW-Authenticate: Bearer … error="invalid_token"` and never reaches the
 * app. Without a token the request goes on anonymously (`AllowAnonymous`) or is answered 401 /
 * 403 (`requireAuthentication` with `Return401` / `Return403`). The option names are those of the
 * site's `authsettingsV2` resource; the host sets WEBSITE_AUTH_ENABLED=True for the app, as App
 * Service does.
 */
import { createPublicKey, verify as verifySignature, type JsonWebKey, type KeyObject } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import https from 'node:https';

export interface AppServiceAuthOptions {
  /** identityProviders.azureActiveDirectory.registration.openIdIssuer, e.g. https://login.microsoftonline.com/{tenant}/v2.0 */
  openIdIssuer: string;
  /** identityProviders.azureActiveDirectory.registration.clientId (always an allowed audience) */
  clientId: string;
  /** identityProviders.azureActiveDirectory.validation.allowedAudiences */
  allowedAudiences?: string[];
  /** globalValidation.requireAuthentication (default false) */
  requireAuthentication?: boolean;
  /** globalValidation.unauthenticatedClientAction (default AllowAnonymous) */
  unauthenticatedClientAction?: 'AllowAnonymous' | 'Return401' | 'Return403';
  /** globalValidation.excludedPaths: exact paths (case-insensitive) left alone */
  excludedPaths?: string[];
  /** the CA of the issuer's https certificate (default: the process's trust store) */
  ca?: string;
  /** allowed clock skew on exp / nbf, seconds (default 300) */
  clockSkewSeconds?: number;
  now?: () => number;
}

export type AuthVerdict =
  | { kind: 'pass' }
  | { kind: 'refuse'; status: 401 | 403; headers: Record<string, string> };

interface OpenIdMetadata {
  issuer: string;
  jwks_uri: string;
}

const STRIP = /^x-ms-(client-principal(-.*)?|token-.*)$/i;

/** JWT claim → the claim type App Service hands the app (the .NET default inbound mapping). */
const CLAIM_TYPES: Readonly<Record<string, string>> = {
  oid: 'http://schemas.microsoft.com/identity/claims/objectidentifier',
  tid: 'http://schemas.microsoft.com/identity/claims/tenantid',
  scp: 'http://schemas.microsoft.com/identity/claims/scope',
  upn: 'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/upn',
  unique_name: 'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/name',
  sub: 'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/nameidentifier',
  email: 'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress',
  given_name: 'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/givenname',
  family_name: 'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/surname',
  roles: 'http://schemas.microsoft.com/ws/2008/06/identity/claims/role',
};
const NAME_TYPE = 'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/name';
const ROLE_TYPE = 'http://schemas.microsoft.com/ws/2008/06/identity/claims/role';

function getJson(url: string, ca: string | undefined): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const u = new URL(url);
    if (u.protocol !== 'https:') {
      reject(new Error(`${url}: the OpenID metadata and keys are fetched over https only`));
      return;
    }
    const req = https.get(u, { ...(ca ? { ca } : {}), timeout: 10_000 }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        if ((res.statusCode ?? 0) !== 200) {
          reject(new Error(`${url} answered ${res.statusCode ?? 0}`));
          return;
        }
        try {
          resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown);
        } catch (e) {
          reject(e instanceof Error ? e : new Error(String(e)));
        }
      });
    });
    req.on('timeout', () => req.destroy(new Error(`${url} did not answer`)));
    req.on('error', reject);
  });
}

function header(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

/** The claims App Service hands the app: every claim once per value, values as strings, types mapped. */
export function principalClaims(claims: Record<string, unknown>): Array<{ typ: string; val: string }> {
  const out: Array<{ typ: string; val: string }> = [];
  for (const [name, value] of Object.entries(claims)) {
    const typ = CLAIM_TYPES[name] ?? name;
    for (const v of Array.isArray(value) ? value : [value]) {
      if (v === undefined || v === null) continue;
      out.push({ typ, val: typeof v === 'string' ? v : typeof v === 'object' ? JSON.stringify(v) : String(v) });
    }
  }
  return out;
}

export class AppServiceAuth {
  private metadata: Promise<OpenIdMetadata> | undefined;
  private keys = new Map<string, KeyObject>();
  private keysFetchedAt = 0;
  private readonly audiences: Set<string>;
  private readonly excluded: Set<string>;

  constructor(private readonly o: AppServiceAuthOptions) {
    this.audiences = new Set([...(o.allowedAudiences ?? []), o.clientId].map((a) => a.toLowerCase().replace(/\/+$/, '')));
    this.excluded = new Set((o.excludedPaths ?? []).map((p) => p.toLowerCase().replace(/\/+$/, '')));
  }

  private now(): number {
    return (this.o.now ?? Date.now)();
  }

  private loadMetadata(): Promise<OpenIdMetadata> {
    this.metadata ??= (async () => {
      const raw = (await getJson(`${this.o.openIdIssuer.replace(/\/+$/, '')}/.well-known/openid-configuration`, this.o.ca)) as Partial<OpenIdMetadata>;
      if (typeof raw.issuer !== 'string' || typeof raw.jwks_uri !== 'string') throw new Error('the OpenID metadata names no issuer or jwks_uri');
      return { issuer: raw.issuer, jwks_uri: raw.jwks_uri };
    })().catch((e: unknown) => {
      this.metadata = undefined;
      throw e;
    });
    return this.metadata;
  }

  /** The key of a `kid`: from the cached key set, fetched again (at most every 10 s) for an unknown one. */
  private async key(kid: string): Promise<KeyObject | undefined> {
    const known = this.keys.get(kid);
    if (known) return known;
    if (this.now() - this.keysFetchedAt < 10_000 && this.keys.size > 0) return undefined;
    const meta = await this.loadMetadata();
    const set = (await getJson(meta.jwks_uri, this.o.ca)) as { keys?: Array<JsonWebKey & { kid?: string }> };
    this.keysFetchedAt = this.now();
    const keys = new Map<string, KeyObject>();
    for (const k of set.keys ?? []) {
      if (typeof k.kid !== 'string' || k.kty !== 'RSA') continue;
      keys.set(k.kid, createPublicKey({ key: k, format: 'jwk' }));
    }
    this.keys = keys;
    return keys.get(kid);
  }

  /** The issuers of the tenant: the metadata's, and its v1 / v2 form (Easy Auth takes both token versions). */
  private issuers(meta: OpenIdMetadata): Set<string> {
    const tenant = /\/([0-9a-f-]{36})(?:\/|$)/i.exec(meta.issuer)?.[1];
    const forms = tenant ? [`https://sts.windows.net/${tenant}/`, `https://login.microsoftonline.com/${tenant}/v2.0`] : [];
    return new Set([meta.issuer, ...forms].map((i) => i.toLowerCase()));
  }

  /** The token's claims, or why it is refused. */
  async validate(token: string): Promise<{ ok: true; claims: Record<string, unknown> } | { ok: false; why: string }> {
    const parts = token.split('.');
    if (parts.length !== 3) return { ok: false, why: 'the token is not a JWT' };
    const [h, b, s] = parts as [string, string, string];
    let head: { alg?: unknown; kid?: unknown };
    let claims: Record<string, unknown>;
    try {
      head = JSON.parse(Buffer.from(h, 'base64url').toString('utf8')) as { alg?: unknown; kid?: unknown };
      claims = JSON.parse(Buffer.from(b, 'base64url').toString('utf8')) as Record<string, unknown>;
    } catch {
      return { ok: false, why: 'the token is not a JWT' };
    }
    if (head.alg !== 'RS256' || typeof head.kid !== 'string') return { ok: false, why: 'the token is not signed RS256 with a published key' };
    const key = await this.key(head.kid);
    if (!key) return { ok: false, why: `the signing key '${head.kid}' is not one of the issuer's` };
    if (!verifySignature('RSA-SHA256', Buffer.from(`${h}.${b}`), key, Buffer.from(s, 'base64url'))) return { ok: false, why: 'the token signature is invalid' };
    const meta = await this.loadMetadata();
    if (typeof claims.iss !== 'string' || !this.issuers(meta).has(claims.iss.toLowerCase())) return { ok: false, why: `the issuer '${String(claims.iss)}' is not the configured one` };
    const aud = typeof claims.aud === 'string' ? claims.aud.toLowerCase().replace(/\/+$/, '') : '';
    if (!this.audiences.has(aud)) return { ok: false, why: `the audience '${String(claims.aud)}' is not allowed` };
    const skew = this.o.clockSkewSeconds ?? 300;
    const nowSec = Math.floor(this.now() / 1000);
    if (typeof claims.exp !== 'number' || claims.exp + skew <= nowSec) return { ok: false, why: 'the token has expired' };
    if (typeof claims.nbf === 'number' && claims.nbf - skew > nowSec) return { ok: false, why: 'the token is not valid yet' };
    return { ok: true, claims };
  }

  /**
   * Applies authentication to a request in place: strips the caller's principal headers and,
   * for a valid token, sets the platform's; or says how to refuse it.
   */
  async apply(req: IncomingMessage, path: string): Promise<AuthVerdict> {
    if (this.excluded.has(path.toLowerCase().replace(/\/+$/, ''))) return { kind: 'pass' };
    for (const name of Object.keys(req.headers)) if (STRIP.test(name)) delete req.headers[name];
    const authorization = header(req, 'authorization');
    const bearer = authorization ? /^Bearer\s+(\S+)\s*$/i.exec(authorization)?.[1] : undefined;
    const realm = header(req, 'host') ?? 'localhost';
    if (bearer !== undefined) {
      const verdict = await this.validate(bearer);
      if (!verdict.ok) {
        return { kind: 'refuse', status: 401, headers: { 'WWW-Authenticate': `Bearer realm="${realm}" error="invalid_token" error_description="${verdict.why.replace(/"/g, "'")}"` } };
      }
      const c = verdict.claims;
      const principal = { auth_typ: 'aad', claims: principalClaims(c), name_typ: NAME_TYPE, role_typ: ROLE_TYPE };
      req.headers['x-ms-client-principal'] = Buffer.from(JSON.stringify(principal), 'utf8').toString('base64');
      req.headers['x-ms-client-principal-idp'] = 'aad';
      if (typeof c.oid === 'string') req.headers['x-ms-client-principal-id'] = c.oid;
      const name = [c.upn, c.unique_name, c.preferred_username, c.appid].find((v): v is string => typeof v === 'string');
      if (name !== undefined) req.headers['x-ms-client-principal-name'] = name;
      return { kind: 'pass' };
    }
    const action = this.o.unauthenticatedClientAction ?? 'AllowAnonymous';
    if (this.o.requireAuthentication && action !== 'AllowAnonymous') {
      return action === 'Return403' ? { kind: 'refuse', status: 403, headers: {} } : { kind: 'refuse', status: 401, headers: { 'WWW-Authenticate': `Bearer realm="${realm}"` } };
    }
    return { kind: 'pass' };
  }
}
