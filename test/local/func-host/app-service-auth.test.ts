/**
 * The local host's App Service Authentication (Microsoft Entra provider): tokens the local
 * tenant issues are validated — signature against the published keys, issuer, audience, lifetime —
 * before the app sees the request; the app gets the claims as X-MS-CLIENT-PRINCIPAL (and never a
 * principal header a caller made up). In-process host with the fixture app, on the local Azure.
 */
import path from 'node:path';
import { startAzureSim, type AzureSim } from '../../../local/azure-sim/server';
import { TokenAuthority } from '../../../local/azure-sim/tokens';
import { startFuncHost, type FuncHost } from '../../../local/func-host';
import { silentLogger } from '../../../local/func-host/types';
import { build, tempDir } from './harness';

const APP_ID = '00000000-0000-0000-0000-0000000000e9';
const OTHER_TENANT = '00000000-0000-0000-0000-0000000000f9';

let sim: AzureSim;
let host: FuncHost;
let open: FuncHost;

interface Whoami { principal: string | null; id: string | null; name: string | null; idp: string | null; token: string | null; authEnabled: string | null }

async function whoami(h: FuncHost, headers: Record<string, string> = {}): Promise<{ status: number; body?: Whoami; wwwAuthenticate: string | null }> {
  const r = await fetch(`${h.baseUrl}/api/whoami`, { headers });
  const text = await r.text();
  return { status: r.status, wwwAuthenticate: r.headers.get('www-authenticate'), ...(r.status === 200 ? { body: JSON.parse(text) as Whoami } : {}) };
}

function token(claims: Record<string, unknown> = {}, lifetime = 600, authority: TokenAuthority = sim.tokens): string {
  return authority.issue(`api://${APP_ID}`, lifetime, { oid: '00000000-0000-0000-0000-00000000d777', idtyp: 'user', upn: 'eve@contoso.example', roles: ['Lockdown.Reader'], ...claims }).token;
}

const bearer = (t: string) => ({ authorization: `Bearer ${t}` });

beforeAll(async () => {
  const dir = tempDir('func-host-easyauth');
  sim = await startAzureSim({ dns: false, eventGrid: false, stateDir: path.join(dir, 'sim'), applications: [{ appId: APP_ID, appRoles: ['Lockdown.Reader'] }] });
  const common = { appDir: build().appDir, port: 0, timeScale: 0.01, env: { SIDE_EFFECTS_FILE: path.join(dir, 'effects.jsonl'), TICK_SCHEDULE: '0 0 0 1 1 *' }, logger: silentLogger };
  host = await startFuncHost({
    ...common,
    stateDir: path.join(dir, 'state'),
    auth: { openIdIssuer: `${sim.authorityHost}/${sim.tenantId}/v2.0`, clientId: APP_ID, allowedAudiences: [`api://${APP_ID}`], excludedPaths: ['/api/hello'], ca: sim.caCertPem },
  });
}, 60_000);

afterAll(async () => {
  await host?.stop();
  await open?.stop();
  await sim?.stop();
});

describe('App Service Authentication in the local host', () => {
  it('a valid token: the app gets X-MS-CLIENT-PRINCIPAL with the mapped claims, the id, the name, the provider, and WEBSITE_AUTH_ENABLED=True', async () => {
    const r = await whoami(host, bearer(token()));
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ id: '00000000-0000-0000-0000-00000000d777', name: 'eve@contoso.example', idp: 'aad', authEnabled: 'True' });
    const principal = JSON.parse(Buffer.from(r.body?.principal ?? '', 'base64').toString('utf8')) as { auth_typ: string; role_typ: string; claims: Array<{ typ: string; val: string }> };
    expect(principal.auth_typ).toBe('aad');
    expect(principal.claims).toEqual(expect.arrayContaining([
      { typ: 'aud', val: `api://${APP_ID}` },
      { typ: 'http://schemas.microsoft.com/identity/claims/objectidentifier', val: '00000000-0000-0000-0000-00000000d777' },
      { typ: principal.role_typ, val: 'Lockdown.Reader' },
      { typ: 'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/upn', val: 'eve@contoso.example' },
    ]));
  });

  it('a token from the managed-identity endpoint (the way DefaultAzureCredential gets it) is accepted too, with the identity\'s app roles', async () => {
    sim.applications.assign(sim.principal.oid, APP_ID, ['Lockdown.Reader']);
    const res = await fetch(`${sim.identityEndpoint}?api-version=2019-08-01&resource=${encodeURIComponent(`api://${APP_ID}`)}`, { headers: { 'x-identity-header': sim.identityHeader } });
    const { access_token: mi } = (await res.json()) as { access_token: string };
    const r = await whoami(host, bearer(mi));
    expect(r.status).toBe(200);
    const principal = JSON.parse(Buffer.from(r.body?.principal ?? '', 'base64').toString('utf8')) as { claims: Array<{ typ: string; val: string }> };
    expect(principal.claims).toEqual(expect.arrayContaining([{ typ: 'http://schemas.microsoft.com/ws/2008/06/identity/claims/role', val: 'Lockdown.Reader' }, { typ: 'idtyp', val: 'app' }]));
  });

  it.each([
    ['expired', () => token({}, -3600), 'expired'],
    ['not valid yet', () => token({ nbf: Math.floor(Date.now() / 1000) + 3600 }), 'not valid yet'],
    ['for another audience', () => sim.tokens.issue('api://someone-else', 600, { roles: ['Lockdown.Reader'] }).token, 'audience'],
    ['from another tenant\'s issuer', () => token({ iss: `https://sts.windows.net/${OTHER_TENANT}/` }), 'issuer'],
    ['signed by another key', () => token({}, 600, new TokenAuthority(sim.tenantId, sim.principal)), 'signing key'],
    ['with its payload changed after signing', () => { const [h, , s] = token().split('.'); return `${h}.${Buffer.from(JSON.stringify({ aud: `api://${APP_ID}`, roles: ['Lockdown.NetworkAdmin'] })).toString('base64url')}.${s}`; }, 'signature'],
    ['not a JWT', () => 'not-a-token', 'not a JWT'],
    ['unsigned (alg none)', () => `${Buffer.from('{"alg":"none"}').toString('base64url')}.${Buffer.from(JSON.stringify({ aud: `api://${APP_ID}` })).toString('base64url')}.`, 'RS256'],
  ])('a token %s is answered 401 (invalid_token) and never reaches the app', async (_what, make, why) => {
    const r = await whoami(host, bearer(make()));
    expect(r.status).toBe(401);
    expect(r.body).toBeUndefined();
    expect(r.wwwAuthenticate).toMatch(/^Bearer realm=".*" error="invalid_token"/);
    expect(r.wwwAuthenticate).toContain(why);
  });

  it('strips principal and token headers a caller sent; without a token the request goes on anonymously (AllowAnonymous)', async () => {
    const forged = { 'x-ms-client-principal': Buffer.from('{"auth_typ":"aad","claims":[]}').toString('base64'), 'X-MS-CLIENT-PRINCIPAL-ID': 'x', 'x-ms-client-principal-name': 'admin', 'x-ms-client-principal-idp': 'aad', 'x-ms-token-aad-access-token': 'x' };
    const r = await whoami(host, forged);
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ principal: null, id: null, name: null, idp: null, token: null });
    const withToken = await whoami(host, { ...forged, ...bearer(token({ upn: 'real@contoso.example' })) });
    expect(withToken.body?.name).toBe('real@contoso.example');
  });

  it('excludedPaths are left alone', async () => {
    const r = await fetch(`${host.baseUrl}/api/hello`, { headers: bearer('not-a-token') });
    expect(r.status).toBe(200);
  });

  it('requireAuthentication with Return401: no token is a 401 from the platform', async () => {
    const dir = tempDir('func-host-easyauth-401');
    open = await startFuncHost({
      appDir: build().appDir, port: 0, stateDir: path.join(dir, 'state'), logger: silentLogger, env: { SIDE_EFFECTS_FILE: path.join(dir, 'e.jsonl'), TICK_SCHEDULE: '0 0 0 1 1 *' },
      auth: { openIdIssuer: `${sim.authorityHost}/${sim.tenantId}/v2.0`, clientId: APP_ID, requireAuthentication: true, unauthenticatedClientAction: 'Return401', ca: sim.caCertPem },
    });
    expect((await whoami(open)).status).toBe(401);
    // the client id is always an allowed audience
    const v2 = sim.tokens.issue(APP_ID, 600, { oid: '00000000-0000-0000-0000-00000000d777' }).token;
    expect((await whoami(open, bearer(v2))).status).toBe(200);
  });
});
