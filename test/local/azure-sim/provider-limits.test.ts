import { DEFAULT_PROVIDER_LIMITS, providerLimitOf } from '../../../local/azure-sim/arm/throttle';
import { providerOfPath } from '../../../local/azure-sim/arm/ids';
import { lroRetryAfterSecondsOf } from '../../../local/azure-sim/arm/lro';
import type { AzureSim } from '../../../local/azure-sim/server';
import { armFetch, simAdmin, startSim } from '../../integration/helpers/sim';

/**
 * The Network resource provider's own limits behind ARM's buckets (writes and reads per 5
 * minutes per subscription; Private DNS 500 reads), and each provider's Retry-After on its
 * long-running operations — on the wire.
 */
const RG_API = '2025-04-01';
const NET_API = '2024-05-01';
const DNS_API = '2024-06-01';
const STORAGE_API = '2025-06-01';
const OTHER_SUB = '00000000-0000-0000-0000-0000000000a2';

interface ArmErrorBody {
  error: { code: string; message: string };
}

const vnetBody = { location: 'westeurope', properties: { addressSpace: { addressPrefixes: ['10.1.0.0/16'] } } };
const user = (sim: AzureSim): string => sim.tokens.issue('https://management.azure.com/', 3600, { oid: '00000000-0000-0000-0000-00000000d001', idtyp: 'user' }).token;

describe('local Azure: which requests count against a provider\'s own limits', () => {
  it('the namespace after the path\'s last /providers/: Network, Private DNS apart, anything else none', () => {
    const rg = '/subscriptions/s/resourceGroups/rg';
    expect(providerLimitOf(`${rg}/providers/Microsoft.Network/privateEndpoints/pe`)).toBe('network');
    expect(providerLimitOf(`${rg}/providers/Microsoft.Network/privateEndpoints/pe/privateDnsZoneGroups/default`)).toBe('network');
    expect(providerLimitOf('/subscriptions/s/providers/Microsoft.Network/locations/westeurope/operations/1')).toBe('network');
    expect(providerLimitOf(`${rg}/providers/Microsoft.Network/privateDnsZones/privatelink.azurecr.io/virtualNetworkLinks/l`)).toBe('dns');
    expect(providerLimitOf(`${rg}/providers/Microsoft.Network/privateDnsOperationStatuses/1`)).toBe('dns');
    expect(providerLimitOf(`${rg}/providers/Microsoft.Network/virtualNetworks/v/providers/Microsoft.Authorization/roleAssignments/r`)).toBeUndefined();
    expect(providerLimitOf(`${rg}/providers/Microsoft.Storage/storageAccounts/st`)).toBeUndefined();
    expect(providerLimitOf(rg)).toBeUndefined();
  });

  it('the throttling and the Retry-After of long-running operations read the provider of a path the same way', () => {
    const rg = '/subscriptions/s/resourceGroups/rg';
    expect(providerOfPath(`${rg}/providers/Microsoft.Network/privateDnsZones/z/virtualNetworkLinks/l`)).toEqual({ namespace: 'microsoft.network', dns: true });
    expect(providerOfPath(`${rg}/providers/microsoft.network/PRIVATEDNSOPERATIONRESULTS/1`)).toEqual({ namespace: 'microsoft.network', dns: true });
    expect(providerOfPath(`${rg}/providers/Microsoft.Network/privateEndpoints/pe/privateDnsZoneGroups/default`)).toEqual({ namespace: 'microsoft.network', dns: false });
    expect(providerOfPath(`${rg}/providers/Microsoft.Storage/storageAccounts/st/providers/Microsoft.Authorization/roleAssignments/r`)).toEqual({ namespace: 'microsoft.authorization', dns: false });
    expect(providerOfPath(rg)).toBeUndefined();
    expect(providerOfPath(`${rg}/providers`)).toBeUndefined();
    // Storage's own Retry-After, not for what another provider keeps on a storage account
    expect(lroRetryAfterSecondsOf(`${rg}/providers/Microsoft.Storage/storageAccounts/st`)).toBe(17);
    expect(lroRetryAfterSecondsOf(`${rg}/providers/Microsoft.Storage/storageAccounts/st/providers/Microsoft.Authorization/roleAssignments/r`)).toBe(10);
    expect(lroRetryAfterSecondsOf(`${rg}/providers/Microsoft.Network/privateDnsOperationStatuses/1`)).toBe(10);
    expect(lroRetryAfterSecondsOf(rg)).toBe(10);
  });
});

describe('local Azure: the Network resource provider\'s limits', () => {
  let sim: AzureSim;
  const rgPath = (sub: string, rg: string): string => `/subscriptions/${sub}/resourcegroups/${rg}?api-version=${RG_API}`;
  const vnetPath = (sub: string, name: string): string => `/subscriptions/${sub}/resourceGroups/rg-net/providers/Microsoft.Network/virtualNetworks/${name}?api-version=${NET_API}`;

  beforeAll(async () => {
    // a window of 300 simulated s is 3 s of real time at 0.01; ARM's own buckets are far from empty
    sim = await startSim({ timeScale: 0.01, otherSubscriptionIds: [OTHER_SUB], throttling: { enabled: true } });
    for (const sub of [sim.subscriptionId, OTHER_SUB]) expect((await armFetch(sim, 'PUT', rgPath(sub, 'rg-net'), { body: { location: 'westeurope' } })).status).toBe(201);
  });
  afterAll(async () => {
    await sim.stop();
  });

  it('are on by default: 1,000 writes and 10,000 reads per 5 minutes; Private DNS 500 reads', async () => {
    const res = await fetch(`${sim.adminUrl}/throttling`);
    expect((await res.json()) as unknown).toMatchObject({ enabled: true, providers: DEFAULT_PROVIDER_LIMITS });
    expect(DEFAULT_PROVIDER_LIMITS).toEqual({
      network: { writes: { limit: 1000, windowSeconds: 300 }, reads: { limit: 10_000, windowSeconds: 300 } },
      dns: { reads: { limit: 500, windowSeconds: 300 } },
    });
  });

  it('the write past the limit is 429 TooManyRequests with Retry-After in ARM\'s error body; other providers and the other subscription are not held back', async () => {
    await simAdmin.throttling(sim, { providers: { network: { writes: { limit: 3, windowSeconds: 300 } } } });
    const answers = [];
    for (const name of ['v1', 'v2', 'v3', 'v4']) answers.push(await armFetch(sim, 'PUT', vnetPath(sim.subscriptionId, name), { body: vnetBody }));
    expect(answers.map((a) => a.status)).toEqual([201, 201, 201, 429]);
    expect(answers.slice(0, 3).map((a) => a.headers['x-ms-ratelimit-remaining-subscription-resource-requests'])).toEqual(['2', '1', '0']);
    const refused = answers[3];
    expect((refused?.body as ArmErrorBody).error.code).toBe('TooManyRequests');
    const said = Number(/try again after '(\d+)' seconds/.exec((refused?.body as ArmErrorBody).error.message)?.[1]);
    // the oldest write leaves the 300 s window first: what is left of it, in simulated seconds
    expect(said).toBeGreaterThanOrEqual(1);
    expect(said).toBeLessThanOrEqual(300);
    expect((refused?.body as ArmErrorBody).error.message).toMatch(/limit of 3 per 5 minutes/);
    // time-scaled: Retry-After in whole seconds (at least 1), the exact scaled wait in retry-after-ms
    expect(refused?.headers['retry-after-ms']).toBe(String(said * 10));
    expect(Number(refused?.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    // ARM let it through: the refusal is the provider's, ARM's write bucket counted it
    expect(refused?.headers['x-ms-ratelimit-remaining-subscription-writes']).toBeDefined();
    // a resource group is not the Network RP's; the other subscription has windows of its own
    expect((await armFetch(sim, 'PUT', rgPath(sim.subscriptionId, 'rg-other'), { body: { location: 'westeurope' } })).status).toBe(201);
    expect((await armFetch(sim, 'PUT', vnetPath(OTHER_SUB, 'v1'), { body: vnetBody })).status).toBe(201);
    // nothing was written by the refused PUT
    expect((await armFetch(sim, 'GET', vnetPath(sim.subscriptionId, 'v4'))).status).toBe(404);
    // the request log says whose refusal it was
    const logged = (await simAdmin.requests(sim)).filter((e) => e.method === 'PUT' && /\/virtualNetworks\/v[1-4]$/.test(e.path) && e.path.startsWith(`/subscriptions/${sim.subscriptionId}/`));
    expect(logged.map((e) => [e.status, e.throttledBy])).toEqual([[201, undefined], [201, undefined], [201, undefined], [429, 'network']]);
  });

  it('a refused request is not counted: once the wait said has passed, the next write goes through', async () => {
    await simAdmin.throttling(sim, { providers: { network: { writes: { limit: 1, windowSeconds: 300 } } } });
    expect((await armFetch(sim, 'PUT', vnetPath(sim.subscriptionId, 'w1'), { body: vnetBody })).status).toBe(201);
    const refused = await armFetch(sim, 'PUT', vnetPath(sim.subscriptionId, 'w2'), { body: vnetBody });
    expect(refused.status).toBe(429);
    await new Promise((r) => setTimeout(r, Number(refused.headers['retry-after-ms']) + 50));
    const again = await armFetch(sim, 'PUT', vnetPath(sim.subscriptionId, 'w2'), { body: vnetBody });
    expect(again.status).toBe(201);
    expect(again.headers['x-ms-ratelimit-remaining-subscription-resource-requests']).toBe('0');
  });

  it('reads have a window of their own; Private DNS reads count against its own 500, not the Network RP\'s', async () => {
    await simAdmin.throttling(sim, { providers: { network: { writes: { limit: 1000, windowSeconds: 300 }, reads: { limit: 2, windowSeconds: 300 } }, dns: { reads: { limit: 1, windowSeconds: 300 } } } });
    const get = (): ReturnType<typeof armFetch> => armFetch(sim, 'GET', vnetPath(sim.subscriptionId, 'v1'));
    const reads = [await get(), await get(), await get()];
    expect(reads.map((r) => r.status)).toEqual([200, 200, 429]);
    expect(reads[1]?.headers['x-ms-ratelimit-remaining-subscription-resource-entities-read']).toBe('0');
    // writes are still allowed: their window is apart
    expect((await armFetch(sim, 'PUT', vnetPath(sim.subscriptionId, 'v5'), { body: vnetBody })).status).toBe(201);
    const zones = `/subscriptions/${sim.subscriptionId}/resourceGroups/rg-net/providers/Microsoft.Network/privateDnsZones?api-version=${DNS_API}`;
    const dns = [await armFetch(sim, 'GET', zones), await armFetch(sim, 'GET', zones)];
    expect(dns.map((r) => r.status)).toEqual([200, 429]);
    expect((dns[1]?.body as ArmErrorBody).error.code).toBe('TooManyRequests');
  });

  it('throttling off turns the providers\' limits off too', async () => {
    await simAdmin.throttling(sim, { enabled: false, providers: { network: { writes: { limit: 1, windowSeconds: 300 } } } });
    const answers = [];
    for (const name of ['x1', 'x2', 'x3']) answers.push((await armFetch(sim, 'PUT', vnetPath(sim.subscriptionId, name), { body: vnetBody })).status);
    expect(answers).toEqual([201, 201, 201]);
  });
});

describe('local Azure: each provider\'s Retry-After on its long-running operations', () => {
  const rg = (sim: AzureSim): string => `/subscriptions/${sim.subscriptionId}/resourceGroups/rg-lro`;

  async function lroAnswers(sim: AzureSim, token?: string): Promise<{ network: Record<string, string>; poll: Record<string, string>; storage: Record<string, string>; dns: Record<string, string> }> {
    const opts = token ? { token } : {};
    expect((await armFetch(sim, 'PUT', `${rg(sim)}?api-version=${RG_API}`, { body: { location: 'westeurope' }, ...opts })).status).toBeLessThan(300);
    const vnet = await armFetch(sim, 'PUT', `${rg(sim)}/providers/Microsoft.Network/virtualNetworks/vnet-${Math.random().toString(36).slice(2, 8)}?api-version=${NET_API}`, { body: vnetBody, ...opts });
    expect(vnet.status).toBe(201);
    const poll = await armFetch(sim, 'GET', vnet.headers['azure-asyncoperation'] ?? '', opts);
    expect((poll.body as { status: string }).status).toBe('InProgress');
    const storage = await armFetch(sim, 'PUT', `${rg(sim)}/providers/Microsoft.Storage/storageAccounts/st${Math.random().toString(36).slice(2, 10)}?api-version=${STORAGE_API}`, {
      body: { location: 'westeurope', sku: { name: 'Standard_LRS' }, kind: 'StorageV2' },
      ...opts,
    });
    expect(storage.status).toBe(202);
    const dns = await armFetch(sim, 'PUT', `${rg(sim)}/providers/Microsoft.Network/privateDnsZones/z${Math.random().toString(36).slice(2, 8)}.example?api-version=${DNS_API}`, { body: { location: 'global' }, ...opts });
    expect(dns.status).toBe(202);
    return { network: vnet.headers, poll: poll.headers, storage: storage.headers, dns: dns.headers };
  }

  it('in real time: Network 10 s (the PUT and each look while running), Storage 17 s, Private DNS 10 s', async () => {
    const sim = await startSim({ timeScale: 1 });
    try {
      const a = await lroAnswers(sim);
      expect([a.network['retry-after'], a.poll['retry-after'], a.storage['retry-after'], a.dns['retry-after']]).toEqual(['10', '10', '17', '10']);
      expect(a.network['retry-after-ms']).toBeUndefined();
    } finally {
      await sim.stop();
    }
  });

  it('time-scaled: the same waits scaled, exact in retry-after-ms (Retry-After rounds to whole seconds); the app gets retry-after-ms in its own clock', async () => {
    // 10 s of Azure time is 100 ms real at 0.01; the app's clock (its host at 0.05) counts that as 2 s
    const sim = await startSim({ timeScale: 0.01, principalTimeScale: 0.05 });
    try {
      const u = await lroAnswers(sim, user(sim));
      expect([u.network['retry-after-ms'], u.poll['retry-after-ms'], u.storage['retry-after-ms']]).toEqual(['100', '100', '170']);
      expect(u.network['retry-after']).toBe('0');
      // the app: retry-after-ms (which the run reads, and waits on a durable timer) in its host's clock; Retry-After (SDK pollers, real sleeps) in real time
      const app = await lroAnswers(sim);
      expect([app.network['retry-after-ms'], app.poll['retry-after-ms'], app.storage['retry-after-ms']]).toEqual(['2000', '2000', '3400']);
      expect([app.network['retry-after'], app.storage['retry-after']]).toEqual(['0', '0']);
    } finally {
      await sim.stop();
    }
  });

  it('a fixed lroRetryAfterSeconds is sent as is, for every provider', async () => {
    const sim = await startSim({ timeScale: 0.01, lroRetryAfterSeconds: 2 });
    try {
      const a = await lroAnswers(sim);
      expect([a.network['retry-after'], a.poll['retry-after'], a.storage['retry-after'], a.dns['retry-after']]).toEqual(['2', '2', '2', '2']);
      expect(a.network['retry-after-ms']).toBeUndefined();
    } finally {
      await sim.stop();
    }
  });
});
