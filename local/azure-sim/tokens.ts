import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify, type KeyObject } from 'node:crypto';

/**
 * Entra-style access tokens for the local Azure: v1 JWTs signed RS256 (header `kid`), carrying
 * aud, iss, tid, oid, appid, iat, nbf, exp (and `roles` for an app registration's audience).
 * ARM, discovery and the outcome topic verify them; the signing key is published as a JWKS at
 * the simulator's OpenID endpoints (./identity/openid.ts), where App Service Authentication (the
 * local host's emulation) fetches it, as it fetches Entra's.
 */
export const ARM_AUDIENCE = 'https://management.azure.com/';
export const EVENTGRID_AUDIENCE = 'https://eventgrid.azure.net';

export interface TokenClaims {
  aud: string;
  iss: string;
  tid: string;
  oid: string;
  appid: string;
  iat: number;
  nbf: number;
  exp: number;
  [claim: string]: unknown;
}

export type VerifyResult =
  | { ok: true; claims: TokenClaims }
  | { ok: false; code: 'AuthenticationFailed' | 'InvalidAuthenticationToken' | 'ExpiredAuthenticationToken' | 'InvalidAuthenticationTokenAudience'; message: string };

/** One key of a JSON Web Key Set (RFC 7517), as Entra's `discovery/keys` lists them. */
export interface Jwk {
  kty: 'RSA';
  use: 'sig';
  kid: string;
  n: string;
  e: string;
}

const b64url = (buf: Buffer | string): string => Buffer.from(buf).toString('base64url');

/** Normalises a resource or scope to the audience Entra puts in `aud` (no `/.default`). */
export function audienceOf(resourceOrScope: string): string {
  return resourceOrScope.replace(/\/\.default$/, '').replace(/\/+$/, '');
}

/** The v1 issuer of a tenant (what Entra writes into v1 access tokens). */
export function v1Issuer(tenantId: string): string {
  return `https://sts.windows.net/${tenantId}/`;
}

/** The v2 issuer of a tenant. */
export function v2Issuer(tenantId: string): string {
  return `https://login.microsoftonline.com/${tenantId}/v2.0`;
}

/** The RFC 7638 thumbprint of an RSA public key: the key id. */
function thumbprint(jwk: { e: string; n: string }): string {
  return createHash('sha256').update(JSON.stringify({ e: jwk.e, kty: 'RSA', n: jwk.n })).digest('base64url');
}

export class TokenAuthority {
  private readonly privateKey: KeyObject;
  private readonly publicKey: KeyObject;
  /** the published key (JWKS entry) */
  readonly jwk: Jwk;

  /**
   * `signingKeyPem`: an RSA private key (the dev CA's). Tokens signed with the same key verify
   * across simulator instances, as Entra's tokens verify across ARM front ends — a process that
   * cached a token (MSAL's managed-identity cache is process-wide) keeps working against the
   * next simulator started with the same CA. Without it, a fresh key per authority.
   */
  constructor(
    readonly tenantId: string,
    readonly principal: { oid: string; appid: string },
    private readonly now: () => number = () => Date.now(),
    signingKeyPem?: string,
  ) {
    if (signingKeyPem !== undefined) {
      this.privateKey = createPrivateKey(signingKeyPem);
      this.publicKey = createPublicKey(this.privateKey);
    } else {
      const pair = generateKeyPairSync('rsa', { modulusLength: 2048 });
      this.privateKey = pair.privateKey;
      this.publicKey = pair.publicKey;
    }
    const { n, e } = this.publicKey.export({ format: 'jwk' }) as { n: string; e: string };
    this.jwk = { kty: 'RSA', use: 'sig', kid: thumbprint({ n, e }), n, e };
  }

  /** The key set the OpenID endpoints publish. */
  jwks(): { keys: Jwk[] } {
    return { keys: [this.jwk] };
  }

  issue(resource: string, lifetimeSeconds = 3600, overrides: Partial<TokenClaims> = {}): { token: string; claims: TokenClaims } {
    const iat = Math.floor(this.now() / 1000);
    const claims: TokenClaims = {
      aud: audienceOf(resource),
      iss: v1Issuer(this.tenantId),
      tid: this.tenantId,
      oid: this.principal.oid,
      appid: this.principal.appid,
      idtyp: 'app',
      ver: '1.0',
      iat,
      nbf: iat - 5,
      exp: iat + lifetimeSeconds,
      ...overrides,
    };
    const header = b64url(JSON.stringify({ typ: 'JWT', alg: 'RS256', kid: this.jwk.kid }));
    const body = b64url(JSON.stringify(claims));
    const sig = sign('RSA-SHA256', Buffer.from(`${header}.${body}`), this.privateKey).toString('base64url');
    return { token: `${header}.${body}.${sig}`, claims };
  }

  /** Checks the signature of a compact JWT with this authority's key; the claims, or undefined. */
  signedClaims(token: string): TokenClaims | undefined {
    const parts = token.split('.');
    if (parts.length !== 3) return undefined;
    const [header, body, sig] = parts as [string, string, string];
    try {
      const h = JSON.parse(Buffer.from(header, 'base64url').toString('utf8')) as { alg?: unknown; kid?: unknown };
      if (h.alg !== 'RS256' || h.kid !== this.jwk.kid) return undefined;
      if (!verify('RSA-SHA256', Buffer.from(`${header}.${body}`), this.publicKey, Buffer.from(sig, 'base64url'))) return undefined;
      const claims = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as unknown;
      return typeof claims === 'object' && claims !== null ? (claims as TokenClaims) : undefined;
    } catch {
      return undefined;
    }
  }

  /** Verifies an `Authorization` header value for the given audience, with ARM's error codes. */
  verify(authorization: string | undefined, audience: string): VerifyResult {
    if (!authorization) {
      return { ok: false, code: 'AuthenticationFailed', message: "Authentication failed. The 'Authorization' header is missing." };
    }
    const m = /^Bearer\s+(\S+)$/i.exec(authorization.trim());
    if (!m || !m[1]) {
      return { ok: false, code: 'AuthenticationFailed', message: "Authentication failed. The 'Authorization' header is provided in an invalid format." };
    }
    if (m[1].split('.').length !== 3) {
      return { ok: false, code: 'InvalidAuthenticationToken', message: 'The access token is invalid.' };
    }
    const claims = this.signedClaims(m[1]);
    if (!claims) {
      return { ok: false, code: 'InvalidAuthenticationToken', message: 'The access token has an invalid signature.' };
    }
    const nowSec = Math.floor(this.now() / 1000);
    if (typeof claims.exp !== 'number' || claims.exp <= nowSec) {
      return { ok: false, code: 'ExpiredAuthenticationToken', message: `The access token expiry UTC time '${new Date((claims.exp ?? 0) * 1000).toUTCString()}' is earlier than current UTC time '${new Date(nowSec * 1000).toUTCString()}'.` };
    }
    if (audienceOf(String(claims.aud)) !== audienceOf(audience)) {
      return { ok: false, code: 'InvalidAuthenticationTokenAudience', message: `The access token has been obtained for wrong audience or resource '${String(claims.aud)}'. It should exactly match with one of the allowed audiences '${audienceOf(audience)}/'.` };
    }
    return { ok: true, claims };
  }
}
