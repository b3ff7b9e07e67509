/**
 * TARGET_MANAGEMENT_GROUP on the local Azure: the simulator's Management Groups descendants API
 * (tenant-level, paged, 404 NotFound for an unknown group, ARM auth), and the sweep (the built
 * CLI, the sweepRegistries orchestration in process) covering the subscriptions under a group,
 * merged with TARGET_SUBSCRIPTION_IDS, and reporting a group it cannot read as a failed line.
 */
import { managementGroupFixture } from '../../../local/azure-sim/arm/providers/management-groups';
import { createRegistry, DEMO } from '../../../local/world';
import { actionsFor } from '../../../src/azure/permissions';
import type { SweepReport } from '../../../src/sweep/domain/sweep';
import { clearRequestLog, requestLog, runCli, startCliWorld, type CliWorld } from '../cli/cli-world';
import { armFetch, simAdmin } from '../helpers/sim';

const OTHER_SUB = '00000000-0000-0000-0000-0000000000c3';
const DESCENDANTS = (group: string, extra = '') => `/providers/Microsoft.Management/managementGroups/${group}/descendants?api-version=2020-05-01${extra}`;

describe('sweep over a management group on the local Azure', () => {
  let world: CliWorld;
  const idOf = (name: string): string => `/subscriptions/${world.sim.subscriptionId}/resourceGroups/${DEMO.rg}/providers/Microsoft.MachineLearningServices/registries/${name}`;

  beforeAll(async () => {
    world = await startCliWorld();
    const tenantId = world.sim.tenantId;
    // mg-ml holds the world's subscription; its child mg-ml-child holds it again (dedup) and another one
    const loaded = await simAdmin.fixtures(world.sim, [
      ...managementGroupFixture({ groupId: 'mg-ml', tenantId, subscriptionIds: [world.sim.subscriptionId] }),
      ...managementGroupFixture({ groupId: 'mg-ml-child', tenantId, parentGroupId: 'mg-ml', subscriptionIds: [world.sim.subscriptionId.toUpperCase()] }),
      ...managementGroupFixture({ groupId: 'mg-other', tenantId, subscriptionIds: [OTHER_SUB] }),
    ]);
    expect(loaded.rejected).toEqual([]);
    await createRegistry(world.sim, world.user, { name: 'mgsweep', regions: ['westeurope'] });
  });
  afterAll(async () => {
    await world?.stop();
  });

  it('the simulator answers descendants: groups and subscriptions below, 404 NotFound for an unknown group, 401 without a token', async () => {
    const r = await armFetch(world.sim, 'GET', DESCENDANTS('mg-ml'));
    expect(r.status).toBe(200);
    const body = r.body as { value: Array<{ id: string; type: string; name: string; properties: { parent: { id: string } } }>; nextLink: string | null };
    expect(body.value.map((d) => [d.type, d.name])).toEqual([
      ['Microsoft.Management/managementGroups/subscriptions', world.sim.subscriptionId],
      ['Microsoft.Management/managementGroups', 'mg-ml-child'],
      ['Microsoft.Management/managementGroups/subscriptions', world.sim.subscriptionId.toUpperCase()],
    ]);
    expect(body.value[0]).toMatchObject({ id: `/subscriptions/${world.sim.subscriptionId}`, properties: { parent: { id: '/providers/Microsoft.Management/managementGroups/mg-ml' } } });
    expect(body.nextLink).toBeNull();
    const unknown = await armFetch(world.sim, 'GET', DESCENDANTS('mg-nope'));
    expect(unknown.status).toBe(404);
    expect(unknown.body).toMatchObject({ error: { code: 'NotFound' } });
    expect((await armFetch(world.sim, 'GET', DESCENDANTS('mg-ml'), { token: null })).status).toBe(401);
    expect((await armFetch(world.sim, 'GET', DESCENDANTS('mg-ml').replace('2020-05-01', '1999-01-01'))).status).toBe(400);
  });

  it('the group\'s subscriptions are swept (each once, merged with TARGET_SUBSCRIPTION_IDS); the call is in the permission list', async () => {
    await clearRequestLog(world.sim);
    const r = await runCli(['sweep', '--json'], { ...world.settings, TARGET_MANAGEMENT_GROUP: 'mg-ml', TARGET_SUBSCRIPTION_IDS: world.sim.subscriptionId.toUpperCase() });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout) as SweepReport;
    expect(report.managementGroups).toEqual([{ managementGroupId: 'mg-ml', ok: true, subscriptions: 1 }]);
    expect(report.subscriptions).toEqual([{ subscriptionId: world.sim.subscriptionId, ok: true, registries: 1 }]);
    expect(report.registries.map((l) => [l.registryId, l.result])).toEqual([[idOf('mgsweep'), 'nonCompliant']]);
    expect(report.failures).toBe(0);
    const app = (await requestLog(world.sim)).filter((e) => e.principal === world.sim.principal.oid);
    const descendants = app.filter((e) => e.path.toLowerCase().endsWith('/managementgroups/mg-ml/descendants'));
    expect(descendants).toHaveLength(1);
    expect(actionsFor('GET', descendants[0]?.path ?? '')).toEqual(['Microsoft.Management/managementGroups/descendants/read']);
  });

  it('a group alone covers its subscriptions; the human display names the group', async () => {
    const r = await runCli(['sweep'], { ...world.settings, TARGET_MANAGEMENT_GROUP: 'mg-ml' });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/management group mg-ml: 1 subscription\(s\)/);
    expect(r.stdout).toMatch(/Sweep \(plan\): 1 registry in 1 subscription\(s\)/);
  });

  it('an unknown group is a failed line while TARGET_SUBSCRIPTION_IDS are still swept; exit 1', async () => {
    const r = await runCli(['sweep', '--json'], { ...world.settings, TARGET_MANAGEMENT_GROUP: 'mg-nope', TARGET_SUBSCRIPTION_IDS: world.sim.subscriptionId });
    expect(r.code).toBe(1);
    const report = JSON.parse(r.stdout) as SweepReport;
    expect(report.managementGroups).toMatchObject([{ managementGroupId: 'mg-nope', ok: false, subscriptions: 0, error: { code: 'ARM.NOT_FOUND', message: expect.stringMatching(/mg-nope\/descendants answered 404 NotFound/) as unknown as string } }]);
    expect(report.subscriptions).toEqual([{ subscriptionId: world.sim.subscriptionId, ok: true, registries: 1 }]);
    expect(report.registries.map((l) => l.registryId)).toEqual([idOf('mgsweep')]);
    expect(report.failures).toBe(1);
  });

  it('a subscription of the group the app cannot list is a failed subscription line', async () => {
    const r = await runCli(['sweep', '--json'], { ...world.settings, TARGET_MANAGEMENT_GROUP: 'mg-other', TARGET_SUBSCRIPTION_IDS: world.sim.subscriptionId });
    expect(r.code).toBe(1);
    const report = JSON.parse(r.stdout) as SweepReport;
    expect(report.managementGroups).toEqual([{ managementGroupId: 'mg-other', ok: true, subscriptions: 1 }]);
    expect(report.subscriptions).toMatchObject([{ subscriptionId: world.sim.subscriptionId, ok: true }, { subscriptionId: OTHER_SUB, ok: false, error: { message: expect.stringMatching(/could not be found/) as unknown as string } }]);
  });

  it('a malformed TARGET_MANAGEMENT_GROUP is a usage error (exit 2)', async () => {
    const r = await runCli(['sweep'], { ...world.settings, TARGET_MANAGEMENT_GROUP: 'bad/group' });
    expect(r.code).toBe(2);
  });
});
