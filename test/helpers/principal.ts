/**
 * The `X-MS-CLIENT-PRINCIPAL` header App Service Authentication hands the app for a validated
 * token (claim types mapped the way the platform maps them: the local host's emulation), for
 * tests that call handlers directly. The HTTP-level tests get real tokens instead (local/world.ts).
 */
import { principalClaims } from '../../local/func-host/app-service-auth';
import type { AuthSettings } from '../../src/http/auth';

export const TEST_APP_ID = '3f6b1e2a-9c4d-4e8f-a1b2-c3d4e5f60718';
export const TEST_TENANT = '72f988bf-86f1-41af-91ab-2d7cd011db47';

/** Authentication configured, App Service Authentication on: what a deployed app sees. */
export const AUTH_ON: AuthSettings = { appId: TEST_APP_ID, platformAuthEnabled: true };

/** The settings that switch authentication on for the app (for handlers that read getConfig()). */
export const AUTH_SETTINGS = { AUTH_APP_ID: TEST_APP_ID, WEBSITE_AUTH_ENABLED: 'True' } as const;

export const ROLE = { reader: 'Lockdown.Reader', operator: 'Lockdown.Operator', networkAdmin: 'Lockdown.NetworkAdmin' } as const;

export interface PrincipalSpec {
  roles?: string[];
  oid?: string;
  upn?: string;
  aud?: string;
  appid?: string;
  idtyp?: 'user' | 'app';
  authType?: string;
}

/** The base64 header value, as App Service writes it. */
export function clientPrincipal(spec: PrincipalSpec = {}): string {
  const claims: Record<string, unknown> = {
    aud: spec.aud ?? `api://${TEST_APP_ID}`,
    iss: `https://sts.windows.net/${TEST_TENANT}/`,
    tid: TEST_TENANT,
    oid: spec.oid ?? '11111111-2222-4333-8444-555555555555',
    appid: spec.appid ?? '04b07795-8ddb-461a-bbee-02f9e1bf7b46',
    ...(spec.idtyp === 'app' ? { idtyp: 'app' } : { idtyp: 'user', upn: spec.upn ?? 'alice@contoso.example' }),
    ...(spec.roles && spec.roles.length > 0 ? { roles: spec.roles } : {}),
  };
  const principal = {
    auth_typ: spec.authType ?? 'aad',
    claims: principalClaims(claims),
    name_typ: 'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/name',
    role_typ: 'http://schemas.microsoft.com/ws/2008/06/identity/claims/role',
  };
  return Buffer.from(JSON.stringify(principal), 'utf8').toString('base64');
}

/** Request headers of a caller holding one app role (or the given spec). */
export function principalHeaders(role: keyof typeof ROLE | PrincipalSpec): Record<string, string> {
  const spec = typeof role === 'string' ? { roles: [ROLE[role]] } : role;
  return { 'x-ms-client-principal': clientPrincipal(spec), 'x-ms-client-principal-idp': 'aad' };
}
