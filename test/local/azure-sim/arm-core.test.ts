import { ResourceManagementClient } from '@azure/arm-resources';
import { ManagedIdentityCredential } from '@azure/identity';
import { SIM_KEEP_ALIVE_MS, type AzureSim } from '../../../local/azure-sim/server';
import { armFetch, sdkOptions, simAdmin, simCredential, startSim, staticCredential } from '../../integration/helpers/sim';
import { reuseAfterIdle } from '../../helpers/keep-alive';

const RG_API = '2025-04-01';

describe('local Azure: ARM front door (auth, api-version, throttling, faults, request log)', () => {
  let sim: AzureSim;
  let rm: ResourceManagementClient;

  beforeAll(async () => {
    sim = await startSim({ pageSize: 2 });
    rm = new ResourceManagementClient(simCredential(sim), sim.subscriptionId, sdkOptions(sim));
  });
  afterAll(async () => {
    await sim.stop();
  });

  it('creates, reads, lists (paged) and checks resource groups with @azure/arm-resources', async () => {
    const created = await rm.resourceGroups.createOrUpdate('rg-a', { location: 'eastus', tags: { env: 'test' } });
    expect(created.id).toBe(`/subscriptions/${sim.subscriptionId}/resourceGroups/rg-a`);
    expect(created.properties?.provisioningState).toBe('Succeeded');
    await rm.resourceGroups.createOrUpdate('rg-b', { location: 'westeurope' });
    await rm.resourceGroups.createOrUpdate('rg-c', { location: 'westeurope' });
    const got = await rm.resourceGroups.get('RG-A');
    expect(got.tags).toEqual({ env: 'test' });
    const names: string[] = [];
    for await (const rg of rm.resourceGroups.list()) names.push(rg.name ?? '');
    expect(names.sort()).toEqual(['rg-a', 'rg-b', 'rg-c']);
    const log = await simAdmin.requests(sim);
    // page size 2 -> the list took two GETs (nextLink followed)
    expect(log.filter((e) => e.method === 'GET' && e.path.endsWith('/resourcegroups')).length).toBe(2);
    expect((await rm.resourceGroups.checkExistence('rg-a')).body).toBe(true);
    expect((await rm.resourceGroups.checkExistence('nope')).body).toBe(false);
    await expect(rm.resourceGroups.get('nope')).rejects.toMatchObject({ statusCode: 404, code: 'ResourceGroupNotFound' });
  });

  it('keeps an idle keep-alive connection open past a 5 s idle (admin API; every server of the simulator is set up alike)', async () => {
    const seen = await reuseAfterIdle(sim.adminUrl, '/requests', 6_000);
    expect(seen.closedWhileIdle).toBe(false);
    expect(seen.answers).toBe(2);
  }, 20_000);

  it('says so on every endpoint (ARM, admin, identity), so a client blocked for seconds does not send into a closing one', async () => {
    for (const url of [`${sim.armEndpoint}/metadata/endpoints?api-version=2022-09-01`, `${sim.adminUrl}/requests`, sim.identityEndpoint]) {
      const res = await fetch(url);
      await res.arrayBuffer();
      expect({ url, keepAlive: res.headers.get('keep-alive') }).toEqual({ url, keepAlive: `timeout=${SIM_KEEP_ALIVE_MS / 1000}` });
    }
  });

  it('answers ARM headers on every call', async () => {
    const r = await armFetch(sim, 'GET', `/subscriptions/${sim.subscriptionId}/resourcegroups/rg-a?api-version=${RG_API}`);
    expect(r.status).toBe(200);
    expect(r.headers['x-ms-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    expect(r.headers['x-ms-correlation-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    expect(Number(r.headers['x-ms-ratelimit-remaining-subscription-reads'])).toBeGreaterThan(0);
  });

  it('rejects missing, malformed, expired and wrong-audience tokens with 401 and the ARM error body', async () => {
    const path = `/subscriptions/${sim.subscriptionId}/resourcegroups/rg-a?api-version=${RG_API}`;
    const missing = await armFetch(sim, 'GET', path, { token: null });
    expect(missing.status).toBe(401);
    expect(missing.body).toMatchObject({ error: { code: 'AuthenticationFailed' } });
    expect(missing.headers['www-authenticate']).toMatch(/^Bearer authorization_uri=/);
    const malformed = await armFetch(sim, 'GET', path, { token: 'not-a-jwt' });
    expect(malformed.body).toMatchObject({ error: { code: 'InvalidAuthenticationToken' } });

    const expired = sim.tokens.issue('https://management.azure.com/', -60).token;
    const expiredClient = new ResourceManagementClient(staticCredential(expired), sim.subscriptionId, sdkOptions(sim));
    await expect(expiredClient.resourceGroups.get('rg-a')).rejects.toMatchObject({ statusCode: 401, code: 'ExpiredAuthenticationToken' });

    const wrongAudience = sim.tokens.issue('https://eventgrid.azure.net').token;
    const wrongClient = new ResourceManagementClient(staticCredential(wrongAudience), sim.subscriptionId, sdkOptions(sim));
    await expect(wrongClient.resourceGroups.get('rg-a')).rejects.toMatchObject({ statusCode: 401, code: 'InvalidAuthenticationTokenAudience' });
  });

  it('requires a supported api-version per resource type', async () => {
    const base = `/subscriptions/${sim.subscriptionId}/resourcegroups/rg-a`;
    const missing = await armFetch(sim, 'GET', base);
    expect(missing.status).toBe(400);
    expect(missing.body).toMatchObject({ error: { code: 'MissingApiVersionParameter' } });
    const wrong = await armFetch(sim, 'GET', `${base}?api-version=2099-01-01`);
    expect(wrong.status).toBe(400);
    expect(wrong.body).toMatchObject({ error: { code: 'InvalidApiVersionParameter' } });
    expect((wrong.body as { error: { message: string } }).error.message).toContain("The supported versions are '2025-04-01,");
    // a network api-version is not a registries api-version
    const reg = await armFetch(sim, 'GET', `${base}/providers/Microsoft.MachineLearningServices/registries/x?api-version=2026-01-01`);
    expect(reg.body).toMatchObject({ error: { code: 'InvalidApiVersionParameter' } });
    expect((reg.body as { error: { message: string } }).error.message).toContain('2025-12-01');
  });

  it('gets tokens through ManagedIdentityCredential (App Service IDENTITY_ENDPOINT/IDENTITY_HEADER)', async () => {
    const saved = { e: process.env.IDENTITY_ENDPOINT, h: process.env.IDENTITY_HEADER };
    process.env.IDENTITY_ENDPOINT = sim.identityEndpoint;
    process.env.IDENTITY_HEADER = sim.identityHeader;
    try {
      const credential = new ManagedIdentityCredential();
      const token = await credential.getToken('https://management.azure.com/.default');
      expect(token.expiresOnTimestamp).toBeGreaterThan(Date.now());
      const verdict = sim.tokens.verify(`Bearer ${token.token}`, 'https://management.azure.com/');
      expect(verdict).toMatchObject({ ok: true, claims: { oid: sim.principal.oid, tid: sim.tenantId } });
      const client = new ResourceManagementClient(credential, sim.subscriptionId, sdkOptions(sim));
      expect((await client.resourceGroups.get('rg-a')).name).toBe('rg-a');
      const log = await simAdmin.requests(sim);
      expect(log[log.length - 1]).toMatchObject({ method: 'GET', status: 200, principal: sim.principal.oid });

      const byClientId = new ManagedIdentityCredential({ clientId: 'unknown-client' });
      await expect(byClientId.getToken('https://management.azure.com/.default')).rejects.toThrow();
    } finally {
      if (saved.e === undefined) delete process.env.IDENTITY_ENDPOINT;
      else process.env.IDENTITY_ENDPOINT = saved.e;
      if (saved.h === undefined) delete process.env.IDENTITY_HEADER;
      else process.env.IDENTITY_HEADER = saved.h;
    }
  });

  it('refuses token requests without or with a wrong X-IDENTITY-HEADER', async () => {
    const url = `${sim.identityEndpoint}?resource=https://management.azure.com&api-version=2019-08-01`;
    expect((await fetch(url)).status).toBe(400);
    expect((await fetch(url, { headers: { 'X-IDENTITY-HEADER': 'wrong' } })).status).toBe(401);
    const ok = await fetch(url, { headers: { 'X-IDENTITY-HEADER': sim.identityHeader } });
    const body = (await ok.json()) as Record<string, string>;
    expect(body).toMatchObject({ token_type: 'Bearer', resource: 'https://management.azure.com', client_id: sim.principal.appid });
    expect(body.expires_on).toMatch(/^\d+$/);
  });

  it('retries an injected 500 transparently and logs both calls', async () => {
    await simAdmin.clearRequests(sim);
    await simAdmin.fault(sim, { method: 'GET', pathPattern: '/resourcegroups/rg-b$', count: 1, status: 500, kind: 'respond' });
    const rg = await rm.resourceGroups.get('rg-b');
    expect(rg.name).toBe('rg-b');
    const log = (await simAdmin.requests(sim)).filter((e) => e.path.endsWith('/rg-b'));
    expect(log.map((e) => e.status)).toEqual([500, 200]);
  });

  it('answers 409 AnotherOperationInProgress from a conflict fault', async () => {
    await simAdmin.fault(sim, { method: 'PUT', pathPattern: '/resourcegroups/rg-c$', count: 5, kind: 'conflict' });
    const noRetry = new ResourceManagementClient(simCredential(sim), sim.subscriptionId, { ...sdkOptions(sim), retryOptions: { maxRetries: 0 } });
    await expect(noRetry.resourceGroups.createOrUpdate('rg-c', { location: 'westeurope' })).rejects.toMatchObject({ statusCode: 409, code: 'AnotherOperationInProgress' });
    await fetch(`${sim.adminUrl}/faults`, { method: 'DELETE' });
  });
});

describe('local Azure: throttling in real time', () => {
  let sim: AzureSim;
  beforeAll(async () => {
    sim = await startSim({ timeScale: 1, throttling: { enabled: true, reads: { capacity: 2, refillPerSecond: 1 } } });
  });
  afterAll(async () => {
    await sim.stop();
  });

  it('answers 429 with Retry-After and x-ms-ratelimit headers; the SDK honours Retry-After', async () => {
    const rm = new ResourceManagementClient(simCredential(sim), sim.subscriptionId, sdkOptions(sim));
    await rm.resourceGroups.createOrUpdate('rg-t', { location: 'eastus' });
    const path = `/subscriptions/${sim.subscriptionId}/resourcegroups/rg-t?api-version=${RG_API}`;
    const a = await armFetch(sim, 'GET', path);
    const b = await armFetch(sim, 'GET', path);
    const c = await armFetch(sim, 'GET', path);
    expect([a.status, b.status]).toEqual([200, 200]);
    expect(b.headers['x-ms-ratelimit-remaining-subscription-reads']).toBe('0');
    expect(c.status).toBe(429);
    expect(c.body).toMatchObject({ error: { code: 'SubscriptionRequestsThrottled' } });
    expect(c.headers['retry-after']).toBe('1');
    const started = Date.now();
    const rg = await rm.resourceGroups.get('rg-t');
    expect(rg.name).toBe('rg-t');
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    const log = await simAdmin.requests(sim);
    expect(log.filter((e) => e.status === 429).length).toBeGreaterThanOrEqual(2);
  });
});

describe('local Azure: throttling per subscription and principal, time-scaled', () => {
  const OTHER_SUB = '00000000-0000-0000-0000-0000000000a2';
  let sim: AzureSim;
  beforeAll(async () => {
    // 1 write per bucket, refilled once per 100 s of simulated time (1 s of real time at timeScale 0.01)
    sim = await startSim({ timeScale: 0.01, otherSubscriptionIds: [OTHER_SUB], throttling: { enabled: true, writes: { capacity: 1, refillPerSecond: 0.01 } } });
  });
  afterAll(async () => {
    await sim.stop();
  });

  const rgPath = (sub: string, rg: string): string => `/subscriptions/${sub}/resourcegroups/${rg}?api-version=${RG_API}`;
  const user = (): string => sim.tokens.issue('https://management.azure.com/', 3600, { oid: '00000000-0000-0000-0000-00000000d001', idtyp: 'user' }).token;

  it('each subscription + principal has its own write bucket; a refusal says the simulated wait and its scaled value', async () => {
    const first = await armFetch(sim, 'PUT', rgPath(sim.subscriptionId, 'rg-1'), { body: { location: 'eastus' } });
    const second = await armFetch(sim, 'PUT', rgPath(sim.subscriptionId, 'rg-2'), { body: { location: 'eastus' } });
    const otherSub = await armFetch(sim, 'PUT', rgPath(OTHER_SUB, 'rg-1'), { body: { location: 'eastus' } });
    const otherPrincipal = await armFetch(sim, 'PUT', rgPath(sim.subscriptionId, 'rg-3'), { body: { location: 'eastus' }, token: user() });
    expect(first.status).toBe(201);
    expect(first.headers['x-ms-ratelimit-remaining-subscription-writes']).toBe('0');
    expect(second.status).toBe(429);
    // the token comes back 100 simulated s after the first write: the wait said is what is left of that
    // (whole seconds, rounded up), less the simulated time that passed between the two requests
    expect(second.body).toMatchObject({ error: { code: 'SubscriptionRequestsThrottled' } });
    const said = Number(/after '(\d+)' seconds/.exec((second.body as { error: { message: string } }).error.message)?.[1]);
    expect(said).toBeGreaterThanOrEqual(50);
    expect(said).toBeLessThanOrEqual(100);
    expect(second.headers['retry-after']).toBe('1');
    expect(second.headers['retry-after-ms']).toBe(String(said * 10));
    expect(otherSub.status).toBe(201);
    expect(otherPrincipal.status).toBe(201);
  });

  it('a further subscription holds resources of its own and raises its own events; an unknown one is SubscriptionNotFound', async () => {
    const writes: { subscriptionId: string; resourceId: string }[] = [];
    const off = sim.store.onWrite((r) => writes.push({ subscriptionId: r.subscriptionId, resourceId: r.resourceId }));
    const put = await armFetch(sim, 'PUT', rgPath(OTHER_SUB, 'rg-events'), { body: { location: 'eastus' }, token: user() });
    off();
    expect(put.status).toBe(201);
    expect(writes).toEqual([{ subscriptionId: OTHER_SUB, resourceId: `/subscriptions/${OTHER_SUB}/resourceGroups/rg-events` }]);
    const got = await armFetch(sim, 'GET', rgPath(OTHER_SUB, 'rg-1'));
    expect(got.status).toBe(200);
    expect(got.body).toMatchObject({ id: `/subscriptions/${OTHER_SUB}/resourceGroups/rg-1` });
    expect((await armFetch(sim, 'GET', rgPath(sim.subscriptionId, 'rg-1'))).status).toBe(200);
    expect((await armFetch(sim, 'GET', rgPath(OTHER_SUB, 'rg-2'))).status).toBe(404);
    const unknown = await armFetch(sim, 'GET', rgPath('00000000-0000-0000-0000-0000000000a3', 'rg-1'));
    expect(unknown.body).toMatchObject({ error: { code: 'SubscriptionNotFound' } });
  });
});
