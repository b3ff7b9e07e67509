import type { AzureSim } from '../../../local/azure-sim/server';
import { armFetch, simAdmin, startSim } from '../../integration/helpers/sim';

const ML_API = '2025-12-01';
const ASSIGN = 'Microsoft.ManagedIdentity/userAssignedIdentities/assign/action';

interface MlError {
  error: { code: string; message: string; innerError?: { code: string } };
  correlation?: { operation: string; request: string };
  componentName?: string;
  location?: string;
}

describe('local Azure: what the ML registry service and ARM check in a registry body', () => {
  let sim: AzureSim;
  const rg = (): string => `/subscriptions/${sim.subscriptionId}/resourceGroups/rg-ml`;
  const reg = (name: string): string => `${rg()}/providers/Microsoft.MachineLearningServices/registries/${name}?api-version=${ML_API}`;
  const uai = (): string => `/subscriptions/${sim.subscriptionId}/resourceGroups/rg-id/providers/Microsoft.ManagedIdentity/userAssignedIdentities/ml-id`;
  const assign = (actions: string[]): Promise<Response> =>
    fetch(`${sim.adminUrl}/role-assignments/${sim.principal.oid}`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ actions }) });
  const unassign = (): Promise<Response> => fetch(`${sim.adminUrl}/role-assignments/${sim.principal.oid}`, { method: 'DELETE' });
  const region = (storage: Record<string, unknown>) => ({ location: 'eastus', acrDetails: [{ systemCreatedAcrAccount: { acrAccountSku: 'Premium' } }], storageAccountDetails: [{ systemCreatedStorageAccount: storage }] });

  beforeAll(async () => {
    sim = await startSim();
    expect((await armFetch(sim, 'PUT', `${rg()}?api-version=2021-04-01`, { body: { location: 'eastus' } })).status).toBe(201);
  });
  afterAll(async () => {
    await sim.stop();
  });

  it.each([
    ['a null armResourceId', { properties: { regionDetails: [region({ storageAccountType: 'Standard_LRS', armResourceId: null })] } }],
    ['an ArmResourceId whose resourceId is null', { properties: { regionDetails: [region({ armResourceId: { resourceId: null } })] } }],
    ['an empty managedResourceGroup id', { properties: { managedResourceGroup: { resourceId: '' }, regionDetails: [region({})] } }],
    ['a resource id that is not one', { properties: { regionDetails: [region({ armResourceId: { resourceId: 'storage1' } })] } }],
  ])('refuses %s with the ML service\'s error shape (400 UserError, innerError BadArgument)', async (_what, extra) => {
    const res = await armFetch(sim, 'PUT', reg('badids'), { body: { location: 'eastus', ...extra } });
    expect(res.status).toBe(400);
    const body = res.body as MlError;
    expect(body.error.code).toBe('UserError');
    expect(body.error.innerError).toEqual({ code: 'BadArgument' });
    expect(body.correlation?.request).toMatch(/\S/);
    expect(body.componentName).toBe('managementfrontend');
    expect(body.location).toBe('eastus');
    expect((await armFetch(sim, 'GET', reg('badids'))).status).toBe(404);
  });

  it('accepts a body that leaves the ids out, and one that carries real ones', async () => {
    expect((await armFetch(sim, 'PUT', reg('goodids'), { body: { location: 'eastus', properties: { regionDetails: [region({ storageAccountType: 'Standard_LRS' })] } } })).status).toBe(202);
    const acct = `${rg()}/providers/Microsoft.Storage/storageAccounts/st1`;
    expect((await armFetch(sim, 'PUT', reg('goodids2'), { body: { location: 'eastus', properties: { regionDetails: [region({ armResourceId: { resourceId: acct } })] } } })).status).toBe(202);
  });

  it(`checks ${ASSIGN} on every user-assigned identity of a PUT or PATCH body (LinkedAuthorizationFailed)`, async () => {
    const identity = { type: 'UserAssigned', userAssignedIdentities: { [uai()]: {} } };
    await assign(['Microsoft.MachineLearningServices/*']);
    try {
      const put = await armFetch(sim, 'PUT', reg('withid'), { body: { location: 'eastus', identity, properties: { regionDetails: [region({})] } } });
      expect(put.status).toBe(403);
      const error = (put.body as MlError).error;
      expect(error.code).toBe('LinkedAuthorizationFailed');
      expect(error.message).toContain(`perform action(s) '${ASSIGN}' on the linked scope(s) '${uai()}'`);
      expect((await simAdmin.requests(sim)).at(-1)?.linkedActions).toEqual([ASSIGN]);
      // without an identity in the body there is nothing to check
      expect((await armFetch(sim, 'PUT', reg('withid'), { body: { location: 'eastus', properties: { regionDetails: [region({})] } } })).status).toBe(202);
      await new Promise((r) => setTimeout(r, 200));
      const patch = await armFetch(sim, 'PATCH', reg('withid'), { body: { identity } });
      expect(patch.status).toBe(403);
      expect((patch.body as MlError).error.code).toBe('LinkedAuthorizationFailed');

      await assign(['Microsoft.MachineLearningServices/*', ASSIGN]);
      expect((await armFetch(sim, 'PATCH', reg('withid'), { body: { identity } })).status).toBe(200);
      expect((await armFetch(sim, 'PUT', reg('withid2'), { body: { location: 'eastus', identity, properties: { regionDetails: [region({})] } } })).status).toBe(202);
    } finally {
      await unassign();
    }
  });
});
