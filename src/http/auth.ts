/**
 * Who is calling the HTTP API. In Azure, App Service Authentication (Microsoft Entra ID)
 * validates the bearer token — signature, issuer, audience, lifetime — and hands the app its
 * claims as `X-MS-CLIENT-PRINCIPAL` (base64 JSON `{ auth_typ, name_typ, role_typ, claims:
 * [{ typ, val }] }`), a header App Service strips from callers' requests. The app trusts the
 * header only when the platform says authentication is on (WEBSITE_AUTH_ENABLED) and the app
 * registration is configured (AUTH_APP_ID); it checks the token's audience again and reads the
 * caller and its app roles. Anything else is refused: 503 while not configured, 401 without a
 * principal (a function key alone included), 403 without the role the route needs.
 */
import type { HttpRequest } from '@azure/functions';
import { AppRoles, hasRole, isAppRole, type AppRole, type Caller } from '../shared/caller';
import { ErrorCodes } from '../shared/error-codes';

export const CLIENT_PRINCIPAL_HEADER = 'x-ms-client-principal';

/** What the app needs to know to tell callers apart (from settings). */
export interface AuthSettings {
  /** AUTH_APP_ID: the app registration whose tokens the API accepts */
  appId: string | undefined;
  /** WEBSITE_AUTH_ENABLED (set by App Service): the principal header comes from the platform */
  platformAuthEnabled: boolean;
}

export function authSettingsOf(config: { AUTH_APP_ID?: string | undefined; WEBSITE_AUTH_ENABLED: boolean }): AuthSettings {
  return { appId: config.AUTH_APP_ID, platformAuthEnabled: config.WEBSITE_AUTH_ENABLED };
}

/** Claim types as App Service maps them (the JWT names are accepted too). */
const CLAIM = {
  objectId: ['http://schemas.microsoft.com/identity/claims/objectidentifier', 'oid'],
  upn: ['http://schemas.xmlsoap.org/ws/2005/05/identity/claims/upn', 'upn', 'preferred_username'],
  appId: ['appid', 'azp'],
  idtyp: ['idtyp'],
  audience: ['aud'],
  role: ['roles', 'role', 'http://schemas.microsoft.com/ws/2008/06/identity/claims/role'],
} as const;

interface PrincipalClaim {
  typ: string;
  val: string;
}

interface ClientPrincipal {
  authType: string;
  roleType: string | undefined;
  claims: PrincipalClaim[];
}

const MAX_HEADER = 16 * 1024;
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The decoded header, or undefined when it is not the platform's shape. */
export function decodeClientPrincipal(header: string): ClientPrincipal | undefined {
  if (header.length > MAX_HEADER || !/^[A-Za-z0-9+/=_-]+$/.test(header)) return undefined;
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(header, 'base64').toString('utf8'));
  } catch {
    return undefined;
  }
  if (!isRecord(json) || typeof json.auth_typ !== 'string' || !Array.isArray(json.claims)) return undefined;
  const claims: PrincipalClaim[] = [];
  for (const c of json.claims) {
    if (!isRecord(c) || typeof c.typ !== 'string') return undefined;
    // App Service writes every value as a string; a number from another producer is read as one
    if (typeof c.val === 'string') claims.push({ typ: c.typ, val: c.val });
    else if (typeof c.val === 'number') claims.push({ typ: c.typ, val: String(c.val) });
  }
  return { authType: json.auth_typ, roleType: typeof json.role_typ === 'string' ? json.role_typ : undefined, claims };
}

function first(p: ClientPrincipal, types: readonly string[]): string | undefined {
  for (const t of types) {
    const found = p.claims.find((c) => c.typ === t);
    if (found && found.val !== '') return found.val;
  }
  return undefined;
}

function all(p: ClientPrincipal, types: readonly string[]): string[] {
  return p.claims.filter((c) => types.includes(c.typ)).map((c) => c.val);
}

export type Authentication =
  | { ok: true; caller: Caller }
  | { ok: false; code: (typeof ErrorCodes)['AUTH_NOT_CONFIGURED' | 'AUTH_UNAUTHENTICATED']; message: string };

const UNAUTHENTICATED = `no Microsoft Entra ID principal: call with an access token for this app (Authorization: Bearer …); a function key opens only the Event Grid webhook`;

/** The caller of a request, from the platform's principal header. */
export function authenticate(headers: Pick<HttpRequest['headers'], 'get'>, settings: AuthSettings): Authentication {
  if (settings.appId === undefined) {
    return { ok: false, code: ErrorCodes.AUTH_NOT_CONFIGURED, message: 'the HTTP API is not configured to tell callers apart: AUTH_APP_ID is not set (docs/deploy.md, "Who may call the API").' };
  }
  if (!settings.platformAuthEnabled) {
    return { ok: false, code: ErrorCodes.AUTH_NOT_CONFIGURED, message: 'App Service Authentication is not on for this app (WEBSITE_AUTH_ENABLED is not True), so a principal header could come from anyone; the HTTP API answers nobody until it is.' };
  }
  const header = headers.get(CLIENT_PRINCIPAL_HEADER);
  if (header === null || header.trim() === '') return { ok: false, code: ErrorCodes.AUTH_UNAUTHENTICATED, message: `${UNAUTHENTICATED}.` };
  const principal = decodeClientPrincipal(header.trim());
  if (!principal || principal.authType.toLowerCase() !== 'aad') {
    return { ok: false, code: ErrorCodes.AUTH_UNAUTHENTICATED, message: 'the client principal is not a Microsoft Entra ID one.' };
  }
  const appId = settings.appId.toLowerCase();
  const audiences = all(principal, CLAIM.audience).map((a) => a.toLowerCase().replace(/\/+$/, ''));
  if (!audiences.some((a) => a === appId || a === `api://${appId}`)) {
    return { ok: false, code: ErrorCodes.AUTH_UNAUTHENTICATED, message: `the token was issued for another audience, not this app (api://${appId}).` };
  }
  const objectId = first(principal, CLAIM.objectId);
  if (objectId === undefined || !GUID.test(objectId)) return { ok: false, code: ErrorCodes.AUTH_UNAUTHENTICATED, message: 'the token names no object id (oid).' };
  const upn = first(principal, CLAIM.upn);
  const clientId = first(principal, CLAIM.appId);
  const idtyp = first(principal, CLAIM.idtyp);
  const roleTypes = principal.roleType ? [...CLAIM.role, principal.roleType] : [...CLAIM.role];
  const roles = [...new Set(all(principal, roleTypes).filter(isAppRole))].sort();
  const kind: Caller['kind'] = idtyp === 'app' || (idtyp === undefined && upn === undefined) ? 'app' : 'user';
  const caller: Caller = {
    kind,
    objectId: objectId.toLowerCase(),
    ...(kind === 'user' && upn !== undefined ? { upn: upn.slice(0, 256).replace(/[\r\n]/g, ' ') } : {}),
    ...(clientId !== undefined && GUID.test(clientId) ? { appId: clientId.toLowerCase() } : {}),
    roles,
  };
  return { ok: true, caller };
}

/** Whether the caller holds `role` (or a higher one); the refusal message names what is missing. */
export function authorize(caller: Caller, role: AppRole, why: string): { ok: true } | { ok: false; code: (typeof ErrorCodes)['AUTH_FORBIDDEN']; message: string } {
  if (hasRole(caller.roles, role)) return { ok: true };
  const held = caller.roles.length > 0 ? caller.roles.join(', ') : 'no app role of this API';
  return { ok: false, code: ErrorCodes.AUTH_FORBIDDEN, message: `${why} needs the app role ${role}; the caller has ${held}. Nothing was read or changed.` };
}

export { AppRoles, type AppRole };
