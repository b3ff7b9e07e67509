import type { AzureSim } from '../../../local/azure-sim/server';
import { armFetch, startSim } from '../../integration/helpers/sim';

/**
 * What real ARM serves that an older or generic client (the Azure CLI) needs: every published
 * api-version, the subscription-level routes, /metadata/endpoints without a token, the App
 * Service identity protocol 2017-09-01, and a storage PUT that applies its properties.
 */
const HUB = '00000000-0000-0000-0000-0000000000a9';

describe('local Azure: the subscription-level surface real clients use', () => {
  let sim: AzureSim;
  const sub = (): string => `/subscriptions/${sim.subscriptionId}`;
  const acct = (): string => `${sub()}/resourceGroups/rg-s/providers/Microsoft.Storage/storageAccounts/stacct1`;

  beforeAll(async () => {
    sim = await startSim({ otherSubscriptionIds: [HUB] });
    expect((await armFetch(sim, 'PUT', `${sub()}/resourceGroups/rg-s?api-version=2021-04-01`, { body: { location: 'westeurope' } })).status).toBe(201);
    const created = await armFetch(sim, 'PUT', `${acct()}?api-version=2022-09-01`, { body: { location: 'westeurope', sku: { name: 'Standard_LRS' }, kind: 'StorageV2', tags: { a: '1' } } });
    expect(created.status).toBe(202);
    await new Promise((r) => setTimeout(r, 200));
  });
  afterAll(async () => {
    await sim.stop();
  });

  it('lists and shows subscriptions and tenants (az login), locations and resource providers with their api-versions', async () => {
    const list = await armFetch(sim, 'GET', '/subscriptions?api-version=2019-11-01');
    expect(list.status).toBe(200);
    const subs = (list.body as { value: { subscriptionId: string; tenantId: string; state: string }[] }).value;
    expect(subs.map((s) => s.subscriptionId).sort()).toEqual([sim.subscriptionId, HUB].sort());
    expect(subs.every((s) => s.tenantId === sim.tenantId && s.state === 'Enabled')).toBe(true);
    expect((await armFetch(sim, 'GET', `${sub()}?api-version=2022-12-01`)).body).toMatchObject({ id: sub(), subscriptionId: sim.subscriptionId });
    expect((await armFetch(sim, 'GET', '/subscriptions/00000000-0000-0000-0000-00000000dead?api-version=2022-12-01')).status).toBe(404);
    expect((await armFetch(sim, 'GET', '/tenants?api-version=2022-12-01')).body).toMatchObject({ value: [{ tenantId: sim.tenantId }] });
    const locations = (await armFetch(sim, 'GET', `${sub()}/locations?api-version=2022-12-01`)).body as { value: { name: string }[] };
    expect(locations.value.map((l) => l.name)).toEqual(expect.arrayContaining(['westeurope', 'eastus']));
    const network = (await armFetch(sim, 'GET', `${sub()}/providers/microsoft.network?api-version=2021-04-01`)).body as { namespace: string; resourceTypes: { resourceType: string; apiVersions: string[] }[] };
    expect(network.namespace).toBe('Microsoft.Network');
    const zoneGroups = network.resourceTypes.find((t) => t.resourceType === 'privateEndpoints/privateDnsZoneGroups');
    expect(zoneGroups?.apiVersions).toEqual(expect.arrayContaining(['2022-01-01', '2026-01-01']));
    const all = (await armFetch(sim, 'GET', `${sub()}/providers?api-version=2021-04-01`)).body as { value: { namespace: string }[] };
    expect(all.value.map((p) => p.namespace)).toEqual(expect.arrayContaining(['Microsoft.Storage', 'Microsoft.ContainerRegistry', 'Microsoft.MachineLearningServices']));
    expect((await armFetch(sim, 'GET', `${sub()}/providers/Microsoft.Nope?api-version=2021-04-01`)).status).toBe(404);
  });

  it('lists the subscription\'s resources with $filter (resourceType, name, resourceGroup) and refuses an unknown filter', async () => {
    const q = (f: string): string => `${sub()}/resources?api-version=2021-04-01&$filter=${encodeURIComponent(f)}`;
    const byType = (await armFetch(sim, 'GET', q("resourceType eq 'Microsoft.Storage/storageAccounts'"))).body as { value: { id: string; kind?: string }[] };
    expect(byType.value.map((r) => r.id)).toEqual([acct()]);
    expect(byType.value[0]?.kind).toBe('StorageV2');
    expect(((await armFetch(sim, 'GET', q("name eq 'stacct1' and resourceGroup eq 'rg-s'"))).body as { value: unknown[] }).value).toHaveLength(1);
    expect(((await armFetch(sim, 'GET', q("name eq 'other'"))).body as { value: unknown[] }).value).toHaveLength(0);
    const bad = await armFetch(sim, 'GET', q("startswith(name, 'st')"));
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ error: { code: 'InvalidFilterInQueryString' } });
  });

  it("a subscription's resource list holds its own resources only, not another subscription's", async () => {
    const list = (s: string) => armFetch(sim, 'GET', `/subscriptions/${s}/providers/Microsoft.Storage/storageAccounts?api-version=2023-05-01`);
    expect(((await list(sim.subscriptionId)).body as { value: { id: string }[] }).value.map((r) => r.id)).toEqual([acct()]);
    const other = await list(HUB);
    expect(other.status).toBe(200);
    expect((other.body as { value: unknown[] }).value).toEqual([]);
  });

  it('answers /metadata/endpoints without a token, in the legacy and the current shape', async () => {
    const legacy = await armFetch(sim, 'GET', '/metadata/endpoints?api-version=2015-01-01', { token: null });
    expect(legacy.status).toBe(200);
    expect(legacy.body).toMatchObject({ authentication: { loginEndpoint: 'https://login.microsoftonline.com/', audiences: expect.arrayContaining(['https://management.azure.com/']) } });
    const current = await armFetch(sim, 'GET', '/metadata/endpoints?api-version=2022-09-01', { token: null });
    expect(current.body).toMatchObject({ resourceManager: `${sim.armEndpoint}/` });
    expect((await armFetch(sim, 'GET', '/metadata/endpoints?api-version=1999-01-01', { token: null })).status).toBe(400);
    // everything else still needs a token
    expect((await armFetch(sim, 'GET', '/subscriptions?api-version=2022-12-01', { token: null })).status).toBe(401);
  });

  it('serves every published api-version: network 2022-01-01 (CLI 2.45), ACR 2022-02-01-preview; an unpublished one is refused', async () => {
    expect((await armFetch(sim, 'GET', `${sub()}/providers/Microsoft.Network/privateEndpoints?api-version=2022-01-01`)).status).toBe(200);
    expect((await armFetch(sim, 'GET', `${sub()}/providers/Microsoft.ContainerRegistry/registries?api-version=2022-02-01-preview`)).status).toBe(200);
    const wrong = await armFetch(sim, 'GET', `${sub()}/providers/Microsoft.Network/privateEndpoints?api-version=2022-02-01`);
    expect(wrong.status).toBe(400);
    expect(wrong.body).toMatchObject({ error: { code: 'InvalidApiVersionParameter' } });
  });

  it('a storage PUT on an existing account applies its properties (a redeploy that re-enables public access is seen)', async () => {
    const off = await armFetch(sim, 'PATCH', `${acct()}?api-version=2023-05-01`, { body: { properties: { publicNetworkAccess: 'Disabled' } } });
    expect(off.body).toMatchObject({ properties: { publicNetworkAccess: 'Disabled' } });
    const put = await armFetch(sim, 'PUT', `${acct()}?api-version=2023-05-01`, {
      body: { location: 'westeurope', sku: { name: 'Standard_LRS' }, kind: 'StorageV2', properties: { publicNetworkAccess: 'Enabled', allowBlobPublicAccess: true }, tags: { b: '2' } },
    });
    expect(put.status).toBe(200);
    expect(put.body).toMatchObject({ tags: { b: '2' }, properties: { publicNetworkAccess: 'Enabled', allowBlobPublicAccess: true } });
    expect((put.body as { tags: Record<string, string> }).tags.a).toBeUndefined();
    expect((await armFetch(sim, 'GET', `${acct()}?api-version=2023-05-01`)).body).toMatchObject({ properties: { publicNetworkAccess: 'Enabled' } });
    const moved = await armFetch(sim, 'PUT', `${acct()}?api-version=2023-05-01`, { body: { location: 'eastus', sku: { name: 'Standard_LRS' }, kind: 'StorageV2' } });
    expect(moved.status).toBe(409);
  });

  it('speaks App Service\'s identity protocol 2017-09-01 (MSI_ENDPOINT/MSI_SECRET: secret header, clientid, date expires_on) beside 2019-08-01', async () => {
    const legacy = await fetch(`${sim.identityEndpoint}/?resource=https://management.azure.com/&api-version=2017-09-01`, { headers: { secret: sim.identityHeader } });
    expect(legacy.status).toBe(200);
    const body = (await legacy.json()) as { access_token: string; expires_on: string; token_type: string };
    expect(body.token_type).toBe('Bearer');
    expect(body.expires_on).toMatch(/^\d{2}\/\d{2}\/\d{4} \d{2}:\d{2}:\d{2} \+00:00$/);
    expect((await armFetch(sim, 'GET', `${sub()}?api-version=2022-12-01`, { token: body.access_token })).status).toBe(200);
    // each protocol has its own header
    expect((await fetch(`${sim.identityEndpoint}?resource=https://management.azure.com/&api-version=2017-09-01`, { headers: { 'x-identity-header': sim.identityHeader } })).status).toBe(400);
    expect((await fetch(`${sim.identityEndpoint}?resource=https://management.azure.com/&api-version=2017-09-01`, { headers: { secret: 'wrong' } })).status).toBe(401);
    expect((await fetch(`${sim.identityEndpoint}?resource=https://management.azure.com/&api-version=2017-09-01&clientid=nobody`, { headers: { secret: sim.identityHeader } })).status).toBe(400);
    const current = await fetch(`${sim.identityEndpoint}?resource=https://management.azure.com/&api-version=2019-08-01`, { headers: { 'x-identity-header': sim.identityHeader } });
    expect(((await current.json()) as { expires_on: string }).expires_on).toMatch(/^\d+$/);
  });
});
