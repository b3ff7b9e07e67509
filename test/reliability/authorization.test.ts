/**
 * Who may do what, as a table: every route of the HTTP API (and every option that needs a higher
 * role) × every kind of caller — no credential, a function key only, a token of each app role,
 * and tokens that are wrong in one way each (audience, lifetime, issuer, signature) — answers the
 * status the table says, with App Service Authentication emulated as the Bicep configures it
 * (requireAuthentication, Return401 but for the Event Grid webhook). A second world lets
 * unauthenticated calls through to the app (AllowAnonymous): the app's own check refuses them
 * too, with its JSON 401 — the second lock. The roles are written here from the issue ("Who may do what"), not read
 * from the route table, so a wrong role there fails this test. Every refusal happens before the
 * app touches Azure: after all of them the simulator's request log has no call by the app at
 * all (not even a read) and the durable engine no instance. The allowed calls are chosen to end
 * without a write (unknown registry, workspace, subnet; no target subscriptions).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { API_APP_ID, API_ROLES, CALLERS, DEMO, mintUserToken, startWorld, type CallerName, type World } from '../../local/world';
import { ALL_ROUTES, Routes } from '../../src/http/routes';
import { appWrites, clearRequestLog, requestLog } from '../helpers/world-helpers';
import { flushUnreported, record } from './summary';

type Credential = 'none' | 'functionKey' | CallerName | 'wrongAudience' | 'expired' | 'wrongIssuer' | 'badSignature';
const CREDENTIALS: readonly Credential[] = ['none', 'functionKey', 'reader', 'operator', 'networkAdmin', 'wrongAudience', 'expired', 'wrongIssuer', 'badSignature'];
const RANK: Record<CallerName, number> = { reader: 0, operator: 1, networkAdmin: 2 };

interface Case {
  route: keyof typeof Routes;
  /** what the call does, beyond the route */
  variant: string;
  /** the least role that may make this call (from the issue, not from the route table) */
  needs: CallerName;
  /** what an allowed caller is answered (inputs chosen so nothing gets written) */
  allowed: number;
  path: (c: Credential) => string;
  body?: string;
}

const OTHER_APP = '00000000-0000-0000-0000-0000000000e3';
const OTHER_TENANT = '00000000-0000-0000-0000-0000000000f3';

describe('authorization table: every route × every kind of caller', () => {
  let world: World;
  let sub: string;
  const creds = {} as Record<Credential, Record<string, string>>;
  const subnet = () => `/subscriptions/${sub}/resourceGroups/rg-authz/providers/Microsoft.Network/virtualNetworks/vnet-authz/subnets/nowhere`;
  const registry = (name: string) => `/subscriptions/${sub}/resourceGroups/${DEMO.rg}/providers/Microsoft.MachineLearningServices/registries/${name}`;
  const harden = (name: string) => `/api/registries/${sub}/${DEMO.rg}/${name}/harden`;
  const ws = (what: string) => `/api/workspaces/${sub}/rg-authz/ws-nowhere/${what}`;
  // a registry name per caller, so that each allowed start is a start of its own (202), not a conflict
  const reg = (c: Credential, base: string) => `${base}${c.toLowerCase()}`;

  const CASES: Case[] = [
    { route: 'getDiscovery', variant: '', needs: 'reader', allowed: 404, path: () => `/api/discovery/westeurope/authznowhere` },
    { route: 'startHardening', variant: 'mode=plan', needs: 'reader', allowed: 202, path: (c) => `${harden(reg(c, 'authzplan'))}?mode=plan` },
    { route: 'startHardening', variant: 'apply', needs: 'operator', allowed: 202, path: (c) => harden(reg(c, 'authzapply')) },
    { route: 'startHardening', variant: 'apply, lockdownAcr: false', needs: 'networkAdmin', allowed: 202, path: (c) => harden(reg(c, 'authzacr')), body: '{"lockdownAcr":false}' },
    { route: 'startHardening', variant: 'mode=plan, lockdownAcr: false', needs: 'networkAdmin', allowed: 202, path: (c) => `${harden(reg(c, 'authzplanacr'))}?mode=plan`, body: '{"lockdownAcr":false}' },
    { route: 'getHardeningStatus', variant: '', needs: 'reader', allowed: 404, path: () => harden('authznorun') },
    { route: 'approveHardening', variant: '', needs: 'operator', allowed: 404, path: () => `${harden('authznorun')}/approve` },
    { route: 'terminateHardening', variant: '', needs: 'operator', allowed: 404, path: () => harden('authznorun') },
    { route: 'listRuns', variant: '', needs: 'reader', allowed: 200, path: () => '/api/runs' },
    { route: 'startSweep', variant: '', needs: 'operator', allowed: 409, path: () => '/api/sweep' },
    { route: 'startSweep', variant: 'mode=plan', needs: 'operator', allowed: 409, path: () => '/api/sweep?mode=plan' },
    { route: 'getSweepStatus', variant: '', needs: 'reader', allowed: 404, path: () => '/api/sweep' },
    { route: 'checkRegistryEgress', variant: '', needs: 'reader', allowed: 404, path: () => `${ws('registry-egress')}?subnetId=${encodeURIComponent(subnet())}` },
    { route: 'fixRegistryEgress', variant: 'fix=true', needs: 'networkAdmin', allowed: 404, path: () => `${ws('registry-egress')}?subnetId=${encodeURIComponent(subnet())}&fix=true` },
    { route: 'getExfiltrationProtection', variant: '', needs: 'reader', allowed: 404, path: () => `/api/subnets/exfiltration?subnetId=${encodeURIComponent(subnet())}` },
    { route: 'applyExfiltrationProtection', variant: '', needs: 'networkAdmin', allowed: 404, path: () => `/api/subnets/exfiltration?subnetId=${encodeURIComponent(subnet())}` },
    { route: 'shareWorkspaceWithRegistry', variant: '', needs: 'networkAdmin', allowed: 404, path: () => `${ws('share-with')}?registryId=${encodeURIComponent(registry('authznowhere'))}` },
    { route: 'shareWorkspaceWithRegistry', variant: 'force=true with a reason', needs: 'networkAdmin', allowed: 404, path: () => `${ws('share-with')}?registryId=${encodeURIComponent(registry('authznowhere'))}&force=true&reason=test` },
    { route: 'auditWorkspaceDeployments', variant: '', needs: 'reader', allowed: 404, path: () => ws('deployments-audit') },
    { route: 'fleetRegistryEgress', variant: '', needs: 'reader', allowed: 409, path: () => '/api/fleet/registry-egress' },
    { route: 'fleetExfiltration', variant: '', needs: 'reader', allowed: 409, path: () => '/api/fleet/exfiltration' },
    { route: 'fleetDeploymentsAudit', variant: '', needs: 'reader', allowed: 409, path: () => '/api/fleet/deployments-audit' },
    { route: 'getOpenApi', variant: '', needs: 'reader', allowed: 200, path: () => '/api/openapi.json' },
  ];

  function expected(c: Case, cred: Credential): number {
    if (cred === 'reader' || cred === 'operator' || cred === 'networkAdmin') return RANK[cred] >= RANK[c.needs] ? c.allowed : 403;
    return 401;
  }

  async function call(c: Case, cred: Credential): Promise<{ status: number; code: string | undefined }> {
    const route = Routes[c.route];
    const res = await fetch(`${world.host.baseUrl}${c.path(cred)}`, {
      method: route.method,
      headers: { ...creds[cred], ...(c.body !== undefined ? { 'content-type': 'application/json' } : {}) },
      ...(c.body !== undefined ? { body: c.body } : {}),
    });
    const text = await res.text();
    let code: string | undefined;
    try {
      code = (JSON.parse(text) as { error?: { code?: string } }).error?.code;
    } catch {
      code = undefined;
    }
    return { status: res.status, code };
  }

  beforeAll(async () => {
    world = await startWorld({ stateDir: mkdtempSync(join(tmpdir(), 'rel-authz-')), hostTimeScale: 0.05 });
    sub = world.sim.subscriptionId;
    // nothing starts a run but the calls of the table
    await fetch(`${world.sim.adminUrl}/eventgrid/subscriptions/registry-writes`, { method: 'DELETE' });
    // another API of the same tenant: its tokens are real, signed and unexpired, for the wrong audience
    await fetch(`${world.sim.adminUrl}/applications/${OTHER_APP}`, { method: 'PUT', body: JSON.stringify({ appRoles: Object.values(API_ROLES) }) });
    const admin = { oid: CALLERS.networkAdmin.userOid, upn: CALLERS.networkAdmin.upn, roles: [API_ROLES.networkAdmin] };
    const reader = world.auth.tokens.reader;
    const [h, , s] = reader.split('.');
    const escalated = { ...(JSON.parse(Buffer.from(reader.split('.')[1] ?? '', 'base64url').toString('utf8')) as Record<string, unknown>), roles: [API_ROLES.networkAdmin] };
    const bearer = (t: string) => ({ authorization: `Bearer ${t}` });
    Object.assign(creds, {
      none: {},
      functionKey: { 'x-functions-key': world.functionKey },
      reader: world.auth.headers('reader'),
      operator: world.auth.headers('operator'),
      networkAdmin: world.auth.headers('networkAdmin'),
      // each of these would be a network admin, but for one thing
      wrongAudience: bearer(((await (await fetch(`${world.sim.adminUrl}/tokens/user`, { method: 'POST', body: JSON.stringify({ appId: OTHER_APP, ...admin }) })).json()) as { access_token: string }).access_token),
      expired: bearer(await mintUserToken(world.sim, { ...admin, lifetimeSeconds: -3600 })),
      wrongIssuer: bearer(await mintUserToken(world.sim, { ...admin, claims: { iss: `https://sts.windows.net/${OTHER_TENANT}/`, tid: OTHER_TENANT } })),
      // a reader's token whose roles were edited to network admin: the signature no longer matches
      badSignature: bearer(`${h}.${Buffer.from(JSON.stringify(escalated)).toString('base64url')}.${s}`),
    } satisfies Record<Credential, Record<string, string>>);
    expect(world.auth.appId).toBe(API_APP_ID);
    await clearRequestLog(world);
  }, 90_000);

  afterAll(async () => {
    await world?.stop();
    flushUnreported();
  });

  it('covers every route of the route table', () => {
    expect([...new Set(CASES.map((c) => c.route))].sort()).toEqual(Object.keys(Routes).sort());
    expect(Object.keys(Routes)).toHaveLength(ALL_ROUTES.length);
  });

  it('refusals: every call without a valid token (401) or without the role (403) answers before the app touches Azure or starts anything', async () => {
    const refusals = CASES.flatMap((c) => CREDENTIALS.filter((cred) => expected(c, cred) >= 401 && expected(c, cred) <= 403).map((cred) => [c, cred] as const));
    expect(refusals.length).toBeGreaterThan(150);
    const table: string[] = [];
    for (const [c, cred] of refusals) {
      const want = expected(c, cred);
      const got = await call(c, cred);
      const tried = `${Routes[c.route].method} ${c.route}${c.variant ? ` (${c.variant})` : ''} as ${cred}`;
      // a 403 is the app's (its code); every 401 here is App Service Authentication's, before the app runs (no body)
      const wantCode = want === 403 ? 'AUTH.FORBIDDEN' : undefined;
      const held = got.status === want && got.code === wantCode;
      record({ area: 'http-authz', tried, held, result: `${got.status}${got.code ? ` ${got.code}` : ''}` });
      table.push(`${tried}: ${got.status} ${got.code ?? ''}`.trim());
      expect({ tried, status: got.status, code: got.code }).toEqual({ tried, status: want, code: wantCode });
    }
    const log = await requestLog(world);
    expect(log.filter((e) => e.principal === world.sim.principal.oid)).toEqual([]);
    expect(world.host.durable.engine.list({}).items).toEqual([]);
    expect(table.length).toBe(refusals.length);
  }, 120_000);

  it('allowed calls: each role does what it may, answered by the handler (inputs that write nothing)', async () => {
    for (const c of CASES) {
      for (const cred of ['reader', 'operator', 'networkAdmin'] as const) {
        const want = expected(c, cred);
        if (want === 403) continue;
        const got = await call(c, cred);
        const tried = `${Routes[c.route].method} ${c.route}${c.variant ? ` (${c.variant})` : ''} as ${cred}`;
        record({ area: 'http-authz', tried, held: got.status === want, result: `${got.status}${got.code ? ` ${got.code}` : ''}` });
        expect({ tried, status: got.status, auth: got.code?.startsWith('AUTH.') === true }).toEqual({ tried, status: want, auth: false });
      }
    }
    // the runs the starts began find no registry: no write anywhere
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline && world.host.durable.engine.list({}).items.some((s) => !['Completed', 'Failed', 'Terminated'].includes(s.runtimeStatus))) await new Promise((r) => setTimeout(r, 100));
    expect(appWrites(await requestLog(world), world)).toEqual([]);
  }, 120_000);
});

describe('the app\'s own check, behind an App Service Authentication that lets anonymous calls through', () => {
  let world: World;

  beforeAll(async () => {
    world = await startWorld({ stateDir: mkdtempSync(join(tmpdir(), 'rel-authz-anon-')), auth: { requireAuthentication: false, unauthenticatedClientAction: 'AllowAnonymous' } });
    await fetch(`${world.sim.adminUrl}/eventgrid/subscriptions/registry-writes`, { method: 'DELETE' });
    await clearRequestLog(world);
  }, 90_000);
  afterAll(async () => {
    await world?.stop();
    flushUnreported();
  });

  it('every route answers 401 AUTH.UNAUTHENTICATED (JSON) without a token, with a function key only, with a forged principal header; nothing is touched', async () => {
    const sub = world.sim.subscriptionId;
    const forged = Buffer.from(JSON.stringify({ auth_typ: 'aad', claims: [{ typ: 'aud', val: API_APP_ID }, { typ: 'oid', val: CALLERS.networkAdmin.userOid }, { typ: 'roles', val: API_ROLES.networkAdmin }] })).toString('base64');
    for (const route of ALL_ROUTES) {
      const path = `/api/${route.route.replace(/\{(\w+)\}/g, (_m, p: string) => ({ subscriptionId: sub, resourceGroup: DEMO.rg, registryName: 'authzanon', workspaceName: 'ws-anon', region: 'westeurope' } as Record<string, string>)[p] ?? 'x')}`;
      for (const [what, headers] of [['no token', {}], ['a function key', { 'x-functions-key': world.functionKey }], ['a forged X-MS-CLIENT-PRINCIPAL', { 'x-ms-client-principal': forged }]] as const) {
        const res = await fetch(`${world.host.baseUrl}${path}`, { method: route.method, headers });
        const body = (await res.json().catch(() => ({}))) as { error?: { code?: string } };
        const tried = `${route.method} ${route.name} with ${what} (AllowAnonymous)`;
        record({ area: 'http-authz', tried, held: res.status === 401 && body.error?.code === 'AUTH.UNAUTHENTICATED', result: `${res.status} ${body.error?.code ?? ''}` });
        expect({ tried, status: res.status, code: body.error?.code, challenge: res.headers.get('www-authenticate') }).toEqual({ tried, status: 401, code: 'AUTH.UNAUTHENTICATED', challenge: 'Bearer' });
      }
    }
    expect((await requestLog(world)).filter((e) => e.principal === world.sim.principal.oid)).toEqual([]);
    expect(world.host.durable.engine.list({}).items).toEqual([]);
  });

  it('a valid token still works (the platform validated it and handed the app the principal)', async () => {
    const res = await fetch(`${world.host.baseUrl}/api/runs`, { headers: world.auth.headers('reader') });
    expect(res.status).toBe(200);
  });
});
