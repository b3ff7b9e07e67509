/**
 * The local tenant's identity surface: OpenID metadata and keys (what App Service
 * Authentication reads), app registrations with app roles, tokens for them from the
 * managed-identity endpoint and the admin API, and Entra's refusal of an unknown API.
 */
import { createPublicKey, verify } from 'node:crypto';
import { loadOrCreateDevCa } from '../../../local/azure-sim/ca';
import { DEFAULT_DEV_CA_DIR } from '../../../local/azure-sim/dev-ca';
import { startAzureSim, type AzureSim } from '../../../local/azure-sim/server';

const APP_ID = '00000000-0000-0000-0000-0000000000e7';
let sim: AzureSim;

beforeAll(async () => {
  // the dev CA: the https endpoints are fetched with the process's trust (NODE_EXTRA_CA_CERTS)
  sim = await startAzureSim({ ca: loadOrCreateDevCa(DEFAULT_DEV_CA_DIR), dns: false, eventGrid: false, applications: [{ appId: APP_ID, appRoles: ['Lockdown.Reader', 'Lockdown.Operator'] }] });
});
afterAll(async () => sim?.stop());

const https = (path: string) => fetch(`${sim.authorityHost}${path}`);
function claimsOf(token: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')) as Record<string, unknown>;
}
async function miToken(resource: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const r = await fetch(`${sim.identityEndpoint}?api-version=2019-08-01&resource=${encodeURIComponent(resource)}`, { headers: { 'x-identity-header': sim.identityHeader } });
  return { status: r.status, body: (await r.json()) as Record<string, unknown> };
}

describe('OpenID metadata and keys', () => {
  it('v1 and v2 metadata name the tenant\'s issuers and a JWKS the tokens verify against', async () => {
    const v2 = (await (await https(`/${sim.tenantId}/v2.0/.well-known/openid-configuration`)).json()) as { issuer: string; jwks_uri: string };
    expect(v2.issuer).toBe(`https://login.microsoftonline.com/${sim.tenantId}/v2.0`);
    const v1 = (await (await https(`/${sim.tenantId}/.well-known/openid-configuration`)).json()) as { issuer: string; jwks_uri: string };
    expect(v1.issuer).toBe(`https://sts.windows.net/${sim.tenantId}/`);
    const jwks = (await (await fetch(v2.jwks_uri)).json()) as { keys: Array<{ kid: string; kty: string; n: string; e: string }> };
    const { token } = sim.tokens.issue('https://management.azure.com/');
    const [h, b, s] = token.split('.') as [string, string, string];
    const kid = (JSON.parse(Buffer.from(h, 'base64url').toString('utf8')) as { kid: string; alg: string }).kid;
    const jwk = jwks.keys.find((k) => k.kid === kid);
    expect(jwk?.kty).toBe('RSA');
    expect(verify('RSA-SHA256', Buffer.from(`${h}.${b}`), createPublicKey({ key: { kty: 'RSA', n: jwk?.n ?? '', e: jwk?.e ?? '' }, format: 'jwk' }), Buffer.from(s, 'base64url'))).toBe(true);
  });

  it('another tenant is a 400 (AADSTS90002); nothing else is served under /login', async () => {
    const other = await https('/00000000-0000-0000-0000-000000000999/v2.0/.well-known/openid-configuration');
    expect(other.status).toBe(400);
    expect(JSON.stringify(await other.json())).toContain('AADSTS90002');
    expect((await https(`/${sim.tenantId}/oauth2/v2.0/nothing`)).status).toBe(404);
  });
});

describe('app registrations and their roles', () => {
  it('a managed identity\'s token for the API carries the roles assigned to it, none when none are', async () => {
    const none = await miToken(`api://${APP_ID}`);
    expect(none.status).toBe(200);
    expect(claimsOf(String(none.body.access_token)).roles).toBeUndefined();
    const put = await fetch(`${sim.adminUrl}/app-role-assignments/${sim.principal.oid}`, { method: 'PUT', body: JSON.stringify({ appId: APP_ID, roles: ['Lockdown.Operator'] }) });
    expect(put.status).toBe(200);
    const scoped = await miToken(`api://${APP_ID}/.default`);
    expect(claimsOf(String(scoped.body.access_token))).toMatchObject({ aud: `api://${APP_ID}`, roles: ['Lockdown.Operator'], oid: sim.principal.oid, iss: `https://sts.windows.net/${sim.tenantId}/` });
  });

  it('refuses an API nobody registered (AADSTS500011) and a role the API does not declare', async () => {
    const unknown = await miToken('api://00000000-0000-0000-0000-00000000dead');
    expect(unknown.status).toBe(400);
    expect(JSON.stringify(unknown.body)).toContain('AADSTS500011');
    const bad = await fetch(`${sim.adminUrl}/app-role-assignments/${sim.principal.oid}`, { method: 'PUT', body: JSON.stringify({ appId: APP_ID, roles: ['Lockdown.God'] }) });
    expect(bad.status).toBe(400);
  });

  it('a v2 API (requestedAccessTokenVersion 2): aud is its client id, the v2 issuer, azp instead of appid, preferred_username for a user', async () => {
    const v2 = '00000000-0000-0000-0000-0000000000e6';
    expect((await fetch(`${sim.adminUrl}/applications/${v2}`, { method: 'PUT', body: JSON.stringify({ appRoles: ['Lockdown.Reader'], accessTokenVersion: 2 }) })).status).toBe(200);
    sim.applications.assign(sim.principal.oid, v2, ['Lockdown.Reader']);
    const mi = claimsOf(String((await miToken(`api://${v2}/.default`)).body.access_token));
    expect(mi).toMatchObject({ aud: v2, iss: `https://login.microsoftonline.com/${sim.tenantId}/v2.0`, ver: '2.0', azp: sim.principal.appid, roles: ['Lockdown.Reader'] });
    expect(mi.appid).toBeUndefined();
    const r = await fetch(`${sim.adminUrl}/tokens/user`, { method: 'POST', body: JSON.stringify({ appId: v2, roles: [], upn: 'kim@contoso.example' }) });
    const user = claimsOf(((await r.json()) as { access_token: string }).access_token);
    expect(user).toMatchObject({ aud: v2, preferred_username: 'kim@contoso.example', azp: '04b07795-8ddb-461a-bbee-02f9e1bf7b46' });
    expect(user.roles).toBeUndefined();
  });

  it('the admin API mints user tokens with chosen roles, and registers more APIs', async () => {
    const r = await fetch(`${sim.adminUrl}/tokens/user`, { method: 'POST', body: JSON.stringify({ appId: APP_ID, roles: ['Lockdown.Reader'], upn: 'zoe@contoso.example', oid: '00000000-0000-0000-0000-00000000d222' }) });
    const { access_token: t } = (await r.json()) as { access_token: string };
    expect(claimsOf(t)).toMatchObject({ aud: `api://${APP_ID}`, idtyp: 'user', upn: 'zoe@contoso.example', oid: '00000000-0000-0000-0000-00000000d222', roles: ['Lockdown.Reader'] });
    const app2 = '00000000-0000-0000-0000-0000000000e8';
    expect((await fetch(`${sim.adminUrl}/applications/${app2}`, { method: 'PUT', body: JSON.stringify({ appRoles: ['X.Y'] }) })).status).toBe(200);
    expect((await miToken(`api://${app2}`)).status).toBe(200);
  });
});
