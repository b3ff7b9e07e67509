import { actionForRequest, actionMatches } from '../../../local/azure-sim/arm/rbac';
import type { AzureSim } from '../../../local/azure-sim/server';
import { armFetch, simAdmin, startSim } from '../../integration/helpers/sim';

const NET_API = '2024-05-01';

async function assign(sim: AzureSim, body: unknown, principal = sim.principal.oid): Promise<Response> {
  return fetch(`${sim.adminUrl}/role-assignments/${principal}`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
}

describe('local Azure: role assignments enforced as ARM does (admin API /role-assignments)', () => {
  let sim: AzureSim;
  const rg = (): string => `/subscriptions/${sim.subscriptionId}/resourceGroups/rg-net`;
  const vnet = (): string => `${rg()}/providers/Microsoft.Network/virtualNetworks/vnet1`;
  const subnet = (): string => `${vnet()}/subnets/snet1`;
  const zone = (): string => `${rg()}/providers/Microsoft.Network/privateDnsZones/privatelink.blob.core.windows.net`;

  beforeAll(async () => {
    sim = await startSim();
    expect((await armFetch(sim, 'PUT', `${rg()}?api-version=2021-04-01`, { body: { location: 'eastus' } })).status).toBe(201);
    const v = await armFetch(sim, 'PUT', `${vnet()}?api-version=${NET_API}`, {
      body: { location: 'eastus', properties: { addressSpace: { addressPrefixes: ['10.0.0.0/16'] }, subnets: [{ name: 'snet1', properties: { addressPrefix: '10.0.1.0/24' } }] } },
    });
    expect(v.status).toBe(201);
  });
  afterAll(async () => {
    await sim.stop();
  });

  it('maps requests to actions from the path: reads, writes, lists, LRO status URLs, resource groups, POST actions', () => {
    expect(actionForRequest('GET', `${subnet()}`)).toBe('Microsoft.Network/virtualNetworks/subnets/read');
    expect(actionForRequest('PATCH', '/subscriptions/s/resourceGroups/r/providers/Microsoft.Storage/storageAccounts/a')).toBe('Microsoft.Storage/storageAccounts/write');
    expect(actionForRequest('GET', '/subscriptions/s/resourceGroups/r/providers/Microsoft.Network/privateEndpoints/pe/privateDnsZoneGroups')).toBe('Microsoft.Network/privateEndpoints/privateDnsZoneGroups/read');
    expect(actionForRequest('GET', '/subscriptions/s/providers/Microsoft.Network/locations/eastus/operations/1')).toBe('Microsoft.Network/locations/operations/read');
    expect(actionForRequest('GET', '/subscriptions/s/providers/Microsoft.Storage/locations/eastus/asyncoperations/1')).toBe('Microsoft.Storage/locations/asyncoperations/read');
    expect(actionForRequest('GET', '/subscriptions/s/resourceGroups/r/resources')).toBe('Microsoft.Resources/subscriptions/resourceGroups/resources/read');
    expect(actionForRequest('DELETE', '/subscriptions/s/resourceGroups/r')).toBe('Microsoft.Resources/subscriptions/resourceGroups/delete');
    expect(actionForRequest('POST', '/subscriptions/s/resourceGroups/r/providers/Microsoft.Storage/storageAccounts/a/listKeys')).toBe('Microsoft.Storage/storageAccounts/listKeys/action');
    expect(actionForRequest('GET', '/providers/Microsoft.Management/managementGroups/mg/descendants')).toBe('Microsoft.Management/managementGroups/descendants/read');
  });

  it('matches role patterns with wildcards, case-insensitively', () => {
    expect(actionMatches('Microsoft.Network/*', 'Microsoft.Network/virtualNetworks/subnets/join/action')).toBe(true);
    expect(actionMatches('*/read', 'microsoft.storage/storageAccounts/read')).toBe(true);
    expect(actionMatches('*/read', 'Microsoft.Storage/storageAccounts/write')).toBe(false);
    expect(actionMatches('Microsoft.Network/virtualNetworks/read', 'Microsoft.Network/virtualNetworks/subnets/read')).toBe(false);
  });

  it('a principal without an assignment is not checked; the log still records each request\'s action', async () => {
    await simAdmin.clearRequests(sim);
    expect((await armFetch(sim, 'GET', `${subnet()}?api-version=${NET_API}`)).status).toBe(200);
    const [entry] = await simAdmin.requests(sim);
    expect(entry).toMatchObject({ method: 'GET', status: 200, action: 'Microsoft.Network/virtualNetworks/subnets/read' });
    expect(entry?.denied).toBeUndefined();
  });

  it('refuses what the role does not cover with 403 AuthorizationFailed (ARM\'s message), honours notActions, and DELETE restores the default', async () => {
    expect((await assign(sim, { actions: ['*/read'], notActions: ['Microsoft.Network/virtualNetworks/subnets/read'] })).status).toBe(200);
    expect((await armFetch(sim, 'GET', `${vnet()}?api-version=${NET_API}`)).status).toBe(200);
    const refused = await armFetch(sim, 'GET', `${subnet()}?api-version=${NET_API}`);
    expect(refused.status).toBe(403);
    expect(refused.body).toEqual({
      error: {
        code: 'AuthorizationFailed',
        message: `The client '${sim.principal.oid}' with object id '${sim.principal.oid}' does not have authorization to perform action 'Microsoft.Network/virtualNetworks/subnets/read' over scope '${subnet()}' or the scope is invalid. If access was recently granted, please refresh your credentials.`,
      },
    });
    const write = await armFetch(sim, 'PUT', `${zone()}?api-version=2024-06-01`, { body: { location: 'global' } });
    expect(write.status).toBe(403);
    expect(((await simAdmin.requests(sim)).at(-1))?.denied).toEqual(['Microsoft.Network/privateDnsZones/write']);

    expect((await fetch(`${sim.adminUrl}/role-assignments/${sim.principal.oid}`, { method: 'DELETE' })).status).toBe(204);
    expect((await armFetch(sim, 'GET', `${subnet()}?api-version=${NET_API}`)).status).toBe(200);
  });

  it('checks the linked actions of a body: an endpoint PUT needs subnet join (and approval on the target), answered LinkedAuthorizationFailed', async () => {
    await assign(sim, { actions: ['Microsoft.Network/privateEndpoints/*'] });
    const pe = `${rg()}/providers/Microsoft.Network/privateEndpoints/pe1`;
    const target = `/subscriptions/${sim.subscriptionId}/resourceGroups/rg-other/providers/Microsoft.Storage/storageAccounts/acct1`;
    const res = await armFetch(sim, 'PUT', `${pe}?api-version=${NET_API}`, {
      body: { location: 'eastus', properties: { subnet: { id: subnet() }, privateLinkServiceConnections: [{ name: 'c', properties: { privateLinkServiceId: target, groupIds: ['blob'] } }] } },
    });
    await fetch(`${sim.adminUrl}/role-assignments/${sim.principal.oid}`, { method: 'DELETE' });
    expect(res.status).toBe(403);
    const error = (res.body as { error: { code: string; message: string } }).error;
    expect(error.code).toBe('LinkedAuthorizationFailed');
    expect(error.message).toContain(`has permission to perform action 'Microsoft.Network/privateEndpoints/write' on scope '${pe}'`);
    expect(error.message).toContain(`perform action(s) 'Microsoft.Network/virtualNetworks/subnets/join/action,Microsoft.Storage/storageAccounts/privateEndpointConnectionsApproval/action' on the linked scope(s) '${subnet()},${target}'`);
    expect(((await simAdmin.requests(sim)).at(-1))?.linkedActions).toEqual(['Microsoft.Network/virtualNetworks/subnets/join/action', 'Microsoft.Storage/storageAccounts/privateEndpointConnectionsApproval/action']);
  });

  it('an assignment holds only at its scope and below; the permissions API answers the caller\'s effective permissions per scope', async () => {
    const other = `/subscriptions/${sim.subscriptionId}/resourceGroups/rg-other`;
    expect((await armFetch(sim, 'PUT', `${other}?api-version=2021-04-01`, { body: { location: 'eastus' } })).status).toBe(201);
    const set = await assign(sim, { assignments: [{ scope: rg(), actions: ['Microsoft.Network/*'] }, { scope: other, actions: ['*/read'], notActions: ['Microsoft.Network/*/read'] }] });
    expect(set.status).toBe(200);
    expect((await armFetch(sim, 'GET', `${subnet()}?api-version=${NET_API}`)).status).toBe(200);
    // the network role is assigned on rg-net only: not on the other group, nor on the subscription
    const elsewhere = await armFetch(sim, 'GET', `${other}/providers/Microsoft.Network/virtualNetworks/v2?api-version=${NET_API}`);
    expect(elsewhere.status).toBe(403);
    expect(elsewhere.body).toMatchObject({ error: { code: 'AuthorizationFailed' } });
    expect((await armFetch(sim, 'GET', `/subscriptions/${sim.subscriptionId}/providers/Microsoft.Network/virtualNetworks?api-version=${NET_API}`)).status).toBe(403);
    // operation-status URLs of the subscription: allowed for a caller whose network role holds in one of its groups
    expect((await armFetch(sim, 'GET', `/subscriptions/${sim.subscriptionId}/providers/Microsoft.Network/locations/eastus/operations/nope?api-version=${NET_API}`)).status).toBe(404);

    const perms = async (scope: string): Promise<{ status: number; value: { actions: string[]; notActions: string[] }[] }> => {
      const r = await armFetch(sim, 'GET', `${scope}/providers/Microsoft.Authorization/permissions?api-version=2022-04-01`);
      return { status: r.status, value: (r.body as { value: { actions: string[]; notActions: string[] }[] }).value };
    };
    expect(await perms(subnet())).toEqual({ status: 200, value: [{ actions: ['Microsoft.Network/*'], notActions: [], dataActions: [], notDataActions: [] }] });
    expect((await perms(other)).value).toEqual([{ actions: ['*/read'], notActions: ['Microsoft.Network/*/read'], dataActions: [], notDataActions: [] }]);
    expect((await perms(`/subscriptions/${sim.subscriptionId}`)).value).toEqual([]);
    expect((await armFetch(sim, 'GET', `/subscriptions/${sim.subscriptionId}/resourceGroups/nope/providers/Microsoft.Authorization/permissions?api-version=2022-04-01`)).status).toBe(404);
    // the subscription-wide resource list shows only what the caller may read
    const listed = (await armFetch(sim, 'GET', `/subscriptions/${sim.subscriptionId}/resources?api-version=2021-04-01`)).body as { value: { id: string }[] };
    expect(listed.value.map((r) => r.id)).toEqual([vnet()]);

    await fetch(`${sim.adminUrl}/role-assignments/${sim.principal.oid}`, { method: 'DELETE' });
    expect((await perms(other)).value).toEqual([{ actions: ['*'], notActions: [], dataActions: [], notDataActions: [] }]);
  });

  it('rejects a malformed assignment with 400', async () => {
    expect((await assign(sim, { actions: 'Microsoft.Network/*' })).status).toBe(400);
    expect((await assign(sim, { actions: ['*'], notActions: [1] })).status).toBe(400);
    expect((await assign(sim, { scope: 'rg-net', actions: ['*'] })).status).toBe(400);
    expect((await assign(sim, { assignments: [] })).status).toBe(400);
  });
});
