import { ServiceClient } from '@azure/core-client';
import { commonClientOptions } from '../../../src/azure/arm-pipeline';
import { EffectivePermissionsAdapter } from '../../../src/azure/effective-permissions.adapter';
import { checkPermissions } from '../../../src/hardening/activities/check-permissions.activity';
import type { PermissionNeed } from '../../../src/hardening/domain/permission-check';
import type { ActivityDeps } from '../../../src/main';
import type { AzureSim } from '../../../local/azure-sim/server';
import { armFetch, simCredential, startSim } from '../../integration/helpers/sim';

/**
 * The endpoint subnet and the zones in a hub subscription: with the role on the target
 * subscription and the network part on the subnet's group only, plan mode's permission check
 * (the product's activity and adapter over the simulator's permissions API) names exactly the
 * zone join in the hub's DNS group as missing.
 */
const HUB = '00000000-0000-0000-0000-0000000000a9';

describe('plan mode permission check against role assignments in two subscriptions', () => {
  let sim: AzureSim;
  beforeAll(async () => {
    sim = await startSim({ otherSubscriptionIds: [HUB] });
    for (const rg of [`/subscriptions/${HUB}/resourceGroups/rg-net`, `/subscriptions/${HUB}/resourceGroups/rg-dns`, `/subscriptions/${sim.subscriptionId}/resourceGroups/rg-ml`]) {
      expect((await armFetch(sim, 'PUT', `${rg}?api-version=2021-04-01`, { body: { location: 'westeurope' } })).status).toBe(201);
    }
  });
  afterAll(async () => {
    await sim.stop();
  });

  it('lists what is missing, scope by scope, before any write', async () => {
    const subnet = `/subscriptions/${HUB}/resourceGroups/rg-net/providers/Microsoft.Network/virtualNetworks/vnet/subnets/snet`;
    const zone = `/subscriptions/${HUB}/resourceGroups/rg-dns/providers/Microsoft.Network/privateDnsZones/privatelink.blob.core.windows.net`;
    const storage = `/subscriptions/${sim.subscriptionId}/resourceGroups/rg-ml/providers/Microsoft.Storage/storageAccounts/st1`;
    const res = await fetch(`${sim.adminUrl}/role-assignments/${sim.principal.oid}`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ assignments: [
        { scope: `/subscriptions/${sim.subscriptionId}`, actions: ['Microsoft.Storage/*', 'Microsoft.Authorization/permissions/read'] },
        { scope: `/subscriptions/${HUB}/resourceGroups/rg-net`, actions: ['Microsoft.Network/*'] },
      ] }),
    });
    expect(res.status).toBe(200);
    const client = new ServiceClient({ ...commonClientOptions({ endpoint: sim.armEndpoint, scope: 'https://management.azure.com/.default', maxRetries: 1, maxRetryAfterSeconds: 5 }), credential: simCredential(sim), credentialScopes: ['https://management.azure.com/.default'] });
    const deps = { ports: { permissions: new EffectivePermissionsAdapter(client, sim.armEndpoint) } } as unknown as ActivityDeps;
    const needs: PermissionNeed[] = [
      { scope: `/subscriptions/${HUB}/resourceGroups/rg-net`, action: 'Microsoft.Network/privateEndpoints/write', why: 'create' },
      { scope: subnet, action: 'Microsoft.Network/virtualNetworks/subnets/join/action', why: 'join' },
      { scope: zone, action: 'Microsoft.Network/privateDnsZones/join/action', why: 'link' },
      { scope: storage, action: 'Microsoft.Storage/storageAccounts/write', why: 'disable' },
    ];
    const check = await checkPermissions({ needs }, deps);
    expect(check.scopes).toHaveLength(4);
    expect(check.missing).toEqual([needs[2]]);
    await fetch(`${sim.adminUrl}/role-assignments/${sim.principal.oid}`, { method: 'DELETE' });
    expect((await checkPermissions({ needs }, deps)).missing).toEqual([]);
  });
});
