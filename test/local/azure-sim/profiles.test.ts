import { ResourceManagementClient } from '@azure/arm-resources';
import { RoleAssignments } from '../../../local/azure-sim/arm/rbac';
import { PROFILES, PROFILE_NAMES, profileFromEnv } from '../../../local/azure-sim/profiles';
import type { AzureSim } from '../../../local/azure-sim/server';
import { armFetch, sdkOptions, simCredential, startSim } from '../../integration/helpers/sim';

describe('simulator profiles', () => {
  it('SIM_PROFILE names one of the profiles (unset: none; unknown: an error, not a silent default)', () => {
    expect(profileFromEnv(undefined)).toBeUndefined();
    expect(profileFromEnv(' Eventual ')).toBe('eventual');
    expect(() => profileFromEnv('kind')).toThrow(/strict, propagating, eventual, lenient/);
    expect(PROFILE_NAMES.map((n) => PROFILES[n].flags.managedRgDenyAssignment)).toEqual([true, true, true, false]);
    expect(PROFILES.propagating.flags.servicePropagationMs).toBeLessThan(PROFILES.propagating.flags.assignedIdentityPropagationMs);
  });

  it('eventual: a role assignment grants what it adds only after its delay; what it removes is gone at once', async () => {
    const rbac = new RoleAssignments();
    rbac.set('p', [{ scope: '/', actions: ['a/read', 'b/read'], notActions: [] }]);
    rbac.set('p', [{ scope: '/', actions: ['a/read', 'c/read'], notActions: [] }], 200);
    expect(rbac.allows('p', 'a/read', '/subscriptions/s')).toBe(true);
    expect(rbac.allows('p', 'b/read', '/subscriptions/s')).toBe(false);
    expect(rbac.allows('p', 'c/read', '/subscriptions/s')).toBe(false);
    await new Promise((r) => setTimeout(r, 250));
    expect(rbac.allows('p', 'c/read', '/subscriptions/s')).toBe(true);
  });

  describe('eventual on the wire', () => {
    let sim: AzureSim;
    beforeAll(async () => {
      sim = await startSim({ profile: 'eventual', latencyMs: { registryCreate: 300_000 } });
    });
    afterAll(async () => {
      await sim.stop();
    });

    it('a registry created with 202 answers 404 until its creation completes', async () => {
      const rm = new ResourceManagementClient(simCredential(sim), sim.subscriptionId, sdkOptions(sim));
      await rm.resourceGroups.createOrUpdate('rg', { location: 'eastus' });
      const id = `/subscriptions/${sim.subscriptionId}/resourceGroups/rg/providers/Microsoft.MachineLearningServices/registries/ereg`;
      const put = await armFetch(sim, 'PUT', `${id}?api-version=2025-12-01`, { body: { location: 'eastus', properties: {} } });
      expect(put.status).toBe(202);
      expect((await armFetch(sim, 'GET', `${id}?api-version=2025-12-01`)).status).toBe(404);
      await new Promise((r) => setTimeout(r, 400)); // 300 s simulated × 0.001
      expect((await armFetch(sim, 'GET', `${id}?api-version=2025-12-01`)).status).toBe(200); // the creator is spared the read lag
    });
  });
});
