import { createHmac, randomUUID, timingSafeEqual } from 'node:crypto';

/**
 * Entra-style access tokens for the local Azure: JWTs (HS256 with a per-run secret) carrying
 * aud, iss, tid, oid, appid, iat, nbf, exp. ARM, discovery and the outcome topic verify them.
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

const b64url = (buf: Buffer | string): string => Buffer.from(buf).toString('base64url');

/** Normalises a resource or scope to the audience Entra puts in `aud` (no `/.default`). */
export function audienceOf(resourceOrScope: string): string {
  return resourceOrScope.replace(/\/\.default$/, '').replace(/\/+$/, '');
}

export class TokenAuthority {
  private readonly secret: Buffer;

  /**
   * `signingKey`: tokens signed with the same key verify across simulator instances, as Entra's
   * tokens verify across ARM front ends — a process that cached a token (MSAL's managed-identity
   * cache is process-wide) keeps working against the next simulator started with the same CA.
   */
  constructor(
    readonly tenantId: string,
    readonly principal: { oid: string; appid: string },
    private readonly now: () => number = () => Date.now(),
    signingKey: string = randomUUID() + randomUUID(),
  ) {
    this.secret = createHmac('sha256', 'aml-registry-lockdown local token key').update(signingKey).digest();
  }

  issue(resource: string, lifetimeSeconds = 3600, overrides: Partial<TokenClaims> = {}): { token: string; claims: TokenClaims } {
    const iat = Math.floor(this.now() / 1000);
    const claims: TokenClaims = {
      aud: audienceOf(resource),
      iss: `https://sts.windows.net/${this.tenantId}/`,
      tid: this.tenantId,
      oid: this.principal.oid,
      appid: this.principal.appid,
      idtyp: 'app',
      iat,
      nbf: iat - 5,
      exp: iat + lifetimeSeconds,
      ...overrides,
    };
    const header = b64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }));
    const body = b64url(JSON.stringify(claims));
    const sig = createHmac('sha256', this.secret).update(`${header}.${body}`).digest('base64url');
    return { token: `${header}.${body}.${sig}`, claims };
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
    const parts = m[1].split('.');
    if (parts.length !== 3) {
      return { ok: false, code: 'InvalidAuthenticationToken', message: 'The access token is invalid.' };
    }
    const [header, body, sig] = parts as [string, string, string];
    const expected = createHmac('sha256', this.secret).update(`${header}.${body}`).digest();
    const given = Buffer.from(sig, 'base64url');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
      return { ok: false, code: 'InvalidAuthenticationToken', message: 'The access token has an invalid signature.' };
    }
    let claims: TokenClaims;
    try {
      claims = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as TokenClaims;
    } catch {
      return { ok: false, code: 'InvalidAuthenticationToken', message: 'The access token is invalid.' };
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
