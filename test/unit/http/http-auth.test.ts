import { HttpRequest } from '@azure/functions';
import { authenticate, decodeClientPrincipal } from '../../../src/http/auth';
import { parseRequest } from '../../../src/http/request';
import { ALL_ROUTES, httpTriggerOptions, Routes } from '../../../src/http/routes';
import { AppRoles, hasRole } from '../../../src/shared/caller';
import { ErrorCodes } from '../../../src/shared/error-codes';
import { AUTH_ON, clientPrincipal, principalHeaders, ROLE, TEST_APP_ID } from '../../helpers/principal';

const SUB = '0b1f6471-1bf0-4dda-aec3-cb9272f09590';
const CTX = { cloud: 'AzurePublicCloud' as const, auth: AUTH_ON };
const HARDEN = { subscriptionId: SUB, resourceGroup: 'rg-ml', registryName: 'demoreg' };

function headersOf(h: Record<string, string>): Headers {
  return new Headers(h);
}

function startRequest(headers: Record<string, string>, query = '', body?: string): HttpRequest {
  return new HttpRequest({
    method: 'POST',
    url: `http://127.0.0.1/api/registries/${SUB}/rg-ml/demoreg/harden${query}`,
    params: HARDEN,
    headers: { ...headers, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    ...(body !== undefined ? { body: { string: body } } : {}),
  });
}

async function answer(p: ReturnType<typeof parseRequest>): Promise<{ status: number | undefined; code: string | undefined; message: string }> {
  const r = await p;
  if (r.ok) return { status: 200, code: undefined, message: '' };
  const body = r.response.jsonBody as { error: { code: string; message: string } };
  return { status: r.response.status, code: body.error.code, message: body.error.message };
}

describe('who is calling: the platform\'s X-MS-CLIENT-PRINCIPAL', () => {
  it('reads a user: object id, UPN, client app id and this API\'s roles only', () => {
    const who = authenticate(headersOf(principalHeaders({ roles: [ROLE.operator, 'Some.Other.Role'], upn: 'bob@contoso.example', oid: 'AAAAAAAA-2222-4333-8444-555555555555' })), AUTH_ON);
    expect(who).toEqual({ ok: true, caller: { kind: 'user', objectId: 'aaaaaaaa-2222-4333-8444-555555555555', upn: 'bob@contoso.example', appId: '04b07795-8ddb-461a-bbee-02f9e1bf7b46', roles: [ROLE.operator] } });
  });

  it('reads an app (managed identity): no UPN, its app id', () => {
    const who = authenticate(headersOf(principalHeaders({ idtyp: 'app', appid: '99999999-8888-4777-8666-555555555555', roles: [ROLE.reader] })), AUTH_ON);
    expect(who.ok && who.caller).toEqual({ kind: 'app', objectId: '11111111-2222-4333-8444-555555555555', appId: '99999999-8888-4777-8666-555555555555', roles: [ROLE.reader] });
  });

  it('takes roles whatever claim type carries them (roles, the role URI, the header\'s role_typ)', () => {
    for (const typ of ['roles', 'role', 'http://schemas.microsoft.com/ws/2008/06/identity/claims/role', 'urn:custom:role']) {
      const principal = { auth_typ: 'aad', role_typ: 'urn:custom:role', claims: [{ typ: 'aud', val: `api://${TEST_APP_ID}` }, { typ: 'oid', val: '11111111-2222-4333-8444-555555555555' }, { typ, val: ROLE.networkAdmin }] };
      const who = authenticate(headersOf({ 'x-ms-client-principal': Buffer.from(JSON.stringify(principal)).toString('base64') }), AUTH_ON);
      expect([typ, who.ok && who.caller.roles]).toEqual([typ, [ROLE.networkAdmin]]);
    }
  });

  it('answers 503 AUTH.NOT_CONFIGURED without AUTH_APP_ID, and when App Service Authentication is off (the header could be forged)', () => {
    const h = headersOf(principalHeaders('networkAdmin'));
    expect(authenticate(h, { appId: undefined, platformAuthEnabled: true })).toMatchObject({ ok: false, code: ErrorCodes.AUTH_NOT_CONFIGURED });
    const forged = authenticate(h, { appId: TEST_APP_ID, platformAuthEnabled: false });
    expect(forged).toMatchObject({ ok: false, code: ErrorCodes.AUTH_NOT_CONFIGURED });
    expect(!forged.ok && forged.message).toContain('WEBSITE_AUTH_ENABLED');
  });

  it.each([
    ['no header (no token, or a function key only)', {}],
    ['an empty header', { 'x-ms-client-principal': '' }],
    ['not base64 JSON', { 'x-ms-client-principal': 'not json at all!' }],
    ['JSON without claims', { 'x-ms-client-principal': Buffer.from('{"auth_typ":"aad"}').toString('base64') }],
    ['another identity provider', principalHeaders({ roles: [ROLE.reader], authType: 'github' })],
    ['another audience', principalHeaders({ roles: [ROLE.reader], aud: 'api://someone-else' })],
    ['a 20 KB header', { 'x-ms-client-principal': 'A'.repeat(20_000) }],
  ])('refuses %s: 401 AUTH.UNAUTHENTICATED', (_what, h) => {
    expect(authenticate(headersOf(h), AUTH_ON)).toMatchObject({ ok: false, code: ErrorCodes.AUTH_UNAUTHENTICATED });
  });

  it('accepts the client id as the audience too (v2 tokens)', () => {
    expect(authenticate(headersOf(principalHeaders({ roles: [ROLE.reader], aud: TEST_APP_ID })), AUTH_ON).ok).toBe(true);
  });

  it('decodes what the platform writes and nothing else', () => {
    expect(decodeClientPrincipal(clientPrincipal({ roles: [ROLE.reader] }))?.authType).toBe('aad');
    expect(decodeClientPrincipal(Buffer.from('[1,2]').toString('base64'))).toBeUndefined();
    expect(decodeClientPrincipal(Buffer.from('{"auth_typ":"aad","claims":[{"val":"x"}]}').toString('base64'))).toBeUndefined();
  });
});

describe('the roles', () => {
  it('each includes the ones before it', () => {
    expect(hasRole([AppRoles.networkAdmin], AppRoles.reader)).toBe(true);
    expect(hasRole([AppRoles.networkAdmin], AppRoles.operator)).toBe(true);
    expect(hasRole([AppRoles.operator], AppRoles.networkAdmin)).toBe(false);
    expect(hasRole([AppRoles.reader], AppRoles.operator)).toBe(false);
    expect(hasRole([], AppRoles.reader)).toBe(false);
    expect(hasRole(['Lockdown.Readers'], AppRoles.reader)).toBe(false);
  });

  it('every route declares its role in the route table, and is registered anonymous for the Functions host (the app checks the caller)', () => {
    for (const r of ALL_ROUTES) {
      expect([r.name, Object.values(AppRoles)]).toEqual([r.name, expect.arrayContaining([r.auth.role])]);
      expect(httpTriggerOptions(r).authLevel).toBe('anonymous');
    }
    expect(Routes.getOpenApi.auth.role).toBe(AppRoles.reader);
    for (const name of ['shareWorkspaceWithRegistry', 'fixRegistryEgress', 'applyExfiltrationProtection'] as const) expect(Routes[name].auth.role).toBe(AppRoles.networkAdmin);
    for (const name of ['approveHardening', 'terminateHardening', 'startSweep'] as const) expect(Routes[name].auth.role).toBe(AppRoles.operator);
  });
});

describe('parseRequest checks the caller before anything else, and the options after validation', () => {
  it('401 before 400: a caller without a principal learns nothing about the input', async () => {
    const r = await answer(parseRequest(Routes.startHardening, startRequest({}, '?mode=nonsense', '{"bad":1}'), CTX));
    expect(r).toMatchObject({ status: 401, code: ErrorCodes.AUTH_UNAUTHENTICATED });
    const res = await parseRequest(Routes.startHardening, startRequest({}), CTX);
    expect(!res.ok && (res.response.headers as Record<string, string>)['www-authenticate']).toBe('Bearer');
  });

  it('403 before 400 for a caller without the route\'s role', async () => {
    const r = await answer(parseRequest(Routes.approveHardening, new HttpRequest({ method: 'POST', url: 'http://127.0.0.1/api/x', params: { ...HARDEN, registryName: '!!' }, headers: principalHeaders('reader') }), CTX));
    expect(r).toMatchObject({ status: 403, code: ErrorCodes.AUTH_FORBIDDEN });
    expect(r.message).toContain(ROLE.operator);
    expect(r.message).toContain(ROLE.reader);
  });

  it.each([
    ['reader, plan', 'reader', '?mode=plan', undefined, 200],
    ['reader, apply (the default)', 'reader', '', undefined, 403],
    ['reader, plan with lockdownAcr: false', 'reader', '?mode=plan', '{"lockdownAcr":false}', 403],
    ['operator, apply', 'operator', '', undefined, 200],
    ['operator, apply with lockdownAcr: true', 'operator', '', '{"lockdownAcr":true}', 200],
    ['operator, apply with lockdownAcr: false', 'operator', '', '{"lockdownAcr":false}', 403],
    ['network admin, apply with lockdownAcr: false', 'networkAdmin', '', '{"lockdownAcr":false}', 200],
    ['no role at all, plan', { roles: [] }, '?mode=plan', undefined, 403],
  ] as const)('start hardening as %s → %i', async (_what, who, query, body, status) => {
    const r = await answer(parseRequest(Routes.startHardening, startRequest(principalHeaders(who as never), query, body), CTX));
    expect(r.status).toBe(status);
    if (status === 403) expect(r.code).toBe(ErrorCodes.AUTH_FORBIDDEN);
  });

  it('names the option that needs the higher role', async () => {
    const r = await answer(parseRequest(Routes.startHardening, startRequest(principalHeaders('operator'), '', '{"lockdownAcr":false}'), CTX));
    expect(r.message).toContain('lockdownAcr: false');
    expect(r.message).toContain(ROLE.networkAdmin);
  });

  it('hands the handler the caller', async () => {
    const r = await parseRequest(Routes.startHardening, startRequest(principalHeaders({ roles: [ROLE.operator], upn: 'op@contoso.example' })), CTX);
    expect(r.ok && r.value.caller).toMatchObject({ kind: 'user', upn: 'op@contoso.example', roles: [ROLE.operator] });
  });
});
