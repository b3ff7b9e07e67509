/**
 * Who asked: the Microsoft Entra ID principal behind an HTTP call (from App Service
 * Authentication's X-MS-CLIENT-PRINCIPAL, src/http/auth.ts) or behind the registry write an event
 * reports (its claims, src/hardening/domain/registry-event.ts), recorded with every state change —
 * in a run's input, its log lines and its outcome event (the audit trail). Pure data: it crosses
 * durable history.
 */

/** The app roles of the HTTP API; each includes the ones listed before it. */
export const AppRoles = {
  reader: 'Lockdown.Reader',
  operator: 'Lockdown.Operator',
  networkAdmin: 'Lockdown.NetworkAdmin',
} as const;

export type AppRole = (typeof AppRoles)[keyof typeof AppRoles];

/** Lowest first: a caller with a role may do what the roles before it allow. */
export const ROLE_ORDER: readonly AppRole[] = [AppRoles.reader, AppRoles.operator, AppRoles.networkAdmin];

export function isAppRole(value: string): value is AppRole {
  return (ROLE_ORDER as readonly string[]).includes(value);
}

/** Whether a caller holding `roles` may do what `needed` allows (a higher role includes the lower ones). */
export function hasRole(roles: readonly string[], needed: AppRole): boolean {
  const rank = ROLE_ORDER.indexOf(needed);
  return roles.some((r) => isAppRole(r) && ROLE_ORDER.indexOf(r) >= rank);
}

export interface Caller {
  /** 'user' (a person signed in) or 'app' (a service principal or managed identity) */
  kind: 'user' | 'app';
  /** the Entra object id of the user or service principal (`oid`) */
  objectId: string;
  /** the user principal name, for users */
  upn?: string;
  /** the application (client) id: the app itself, or the client a user signed in with */
  appId?: string;
  /** the app roles the token carried (only this API's roles are kept) */
  roles: AppRole[];
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const MAX_UPN = 256;
/** control characters and line separators: a UPN on one log line stays one line */
// eslint-disable-next-line no-control-regex -- finding control characters is the point
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;
// eslint-disable-next-line no-control-regex -- as UNSAFE, every occurrence
const UNSAFE_ALL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g;

/** An Entra object or application id: a GUID. */
export function isGuid(value: unknown): value is string {
  return typeof value === 'string' && GUID.test(value);
}

/** A user principal name as a caller carries it: 1 to 256 characters, no control characters. */
function isUpn(value: unknown): value is string {
  return typeof value === 'string' && value.length > 0 && value.length <= MAX_UPN && !UNSAFE.test(value);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** What a token (or an event's copy of its claims) says of its principal, as found. */
export interface PrincipalClaims {
  objectId?: string | undefined;
  upn?: string | undefined;
  /** the client application id (`appid` / `azp`) */
  appId?: string | undefined;
  /** `idtyp`: 'app' for an app-only token, 'user' for a person's */
  idtyp?: string | undefined;
}

/**
 * The caller a principal's claims name, one rule for HTTP callers and for the writers events
 * report: undefined without a GUID object id; a user when the token type says so or it carries a
 * UPN (an app otherwise); the UPN one line of at most 256 characters; an app id only when a GUID.
 */
export function callerFromClaims(claims: PrincipalClaims, roles: AppRole[]): Caller | undefined {
  if (!isGuid(claims.objectId)) return undefined;
  const upn = claims.upn?.replace(UNSAFE_ALL, ' ').trim().slice(0, MAX_UPN);
  const kind: Caller['kind'] = claims.idtyp === 'app' || (claims.idtyp === undefined && !upn) ? 'app' : 'user';
  return {
    kind,
    objectId: claims.objectId.toLowerCase(),
    ...(kind === 'user' && upn ? { upn } : {}),
    ...(isGuid(claims.appId) ? { appId: claims.appId.toLowerCase() } : {}),
    roles,
  };
}

/** "alice@contoso.com (oid 1234…)" or "app 5678… (oid 1234…)": one short line for logs and messages. */
export function callerLabel(caller: Caller): string {
  const who = caller.kind === 'user' ? (caller.upn ?? 'user') : `app ${caller.appId ?? '?'}`;
  return `${who} (oid ${caller.objectId})`;
}

/** The caller as it goes into a log line's JSON. */
export function callerLog(caller: Caller): Record<string, unknown> {
  return { objectId: caller.objectId, ...(caller.upn ? { upn: caller.upn } : {}), ...(caller.appId ? { appId: caller.appId } : {}), roles: caller.roles };
}

/**
 * Validates a caller that crossed a trust boundary (an orchestration input): the problems, or
 * none. Bounded: a caller is a few short strings.
 */
export function callerProblems(raw: unknown): string[] {
  if (!isRecord(raw)) return ['caller must be an object { kind, objectId, upn?, appId?, roles }'];
  const problems: string[] = [];
  if (raw.kind !== 'user' && raw.kind !== 'app') problems.push("caller.kind must be 'user' or 'app'");
  if (!isGuid(raw.objectId)) problems.push('caller.objectId must be a GUID');
  if (raw.upn !== undefined && !isUpn(raw.upn)) problems.push(`caller.upn must be a string of 1 to ${MAX_UPN} characters without control characters`);
  if (raw.appId !== undefined && !isGuid(raw.appId)) problems.push('caller.appId must be a GUID');
  if (!Array.isArray(raw.roles) || raw.roles.length > ROLE_ORDER.length || !raw.roles.every((r) => typeof r === 'string' && isAppRole(r))) problems.push(`caller.roles must list app roles of this API (${ROLE_ORDER.join(', ')})`);
  return problems;
}

/** A copy with only the known fields (callerProblems must have found none). */
export function toCaller(raw: Record<string, unknown>): Caller {
  return {
    kind: raw.kind as Caller['kind'],
    objectId: String(raw.objectId),
    ...(typeof raw.upn === 'string' ? { upn: raw.upn } : {}),
    ...(typeof raw.appId === 'string' ? { appId: raw.appId } : {}),
    roles: [...(raw.roles as AppRole[])],
  };
}
