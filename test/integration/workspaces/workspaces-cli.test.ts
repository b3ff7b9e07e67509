/**
 * `aml-lockdown allow-sharing` and `aml-lockdown audit-deployments` end to end: the built CLI as
 * a child process, as the app's identity, against the simulator (no Functions host).
 */
import { createRegistry } from '../../../local/world';
import { appWrites, clearRequestLog, requestLog, runCli, startCliWorld, type CliWorld } from '../cli/cli-world';
import { createDeployment, createEndpoint, createStorage, createWorkspace, ensureResourceGroup, getStorage, selectedNetworks } from './workspace-fixtures';

describe('aml-lockdown allow-sharing / audit-deployments', () => {
  let world: CliWorld;
  let registryId: string;
  let selected: string;
  let publicStorage: string;
  const ws: Record<string, string> = {};

  beforeAll(async () => {
    world = await startCliWorld();
    const { sim, user } = world;
    registryId = await createRegistry(sim, user, { regions: ['westeurope'] });
    await ensureResourceGroup(sim, user);
    selected = await createStorage(sim, user, 'clisel', selectedNetworks(world.subnetId, `/subscriptions/${sim.subscriptionId}/resourceGroups/rg-other/providers/Microsoft.Synapse/workspaces/syn1`, sim.tenantId));
    publicStorage = await createStorage(sim, user, 'clipublic', { publicNetworkAccess: 'Enabled', networkAcls: { defaultAction: 'Allow' } });
    ws.selected = await createWorkspace(sim, user, 'cli-selected', selected);
    ws.public = await createWorkspace(sim, user, 'cli-public', publicStorage);
    const ep = await createEndpoint(sim, user, ws.selected, 'ep1');
    await createDeployment(sim, user, ep, 'blue', { model: 'azureml://registries/demoreg/models/bert/versions/1' });
    await createDeployment(sim, user, ep, 'green', { model: 'azureml://registries/demoreg/models/bert/versions/1', egressPublicNetworkAccess: 'Disabled' });
  });
  afterAll(async () => {
    await world?.stop();
  });

  it('shares once (one PATCH), then reports it as already shared with zero writes', async () => {
    await clearRequestLog(world.sim);
    const first = await runCli(['allow-sharing', ws.selected ?? '', registryId, '--json'], world.settings);
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    expect(JSON.parse(first.stdout)).toMatchObject({ action: 'added', writes: 1, registryId, tenantId: world.sim.tenantId });
    expect(appWrites(await requestLog(world.sim), world.sim).map((e) => `${e.method} ${e.path}`)).toEqual([`PATCH ${selected}`]);
    expect((await getStorage(world.sim, world.user, selected)).networkAcls).toMatchObject({ defaultAction: 'Deny', resourceAccessRules: [{}, { resourceId: registryId }], ipRules: [{ value: '203.0.113.0/24' }] });

    await clearRequestLog(world.sim);
    const second = await runCli(['allow-sharing', ws.selected ?? '', registryId], world.settings);
    expect(second.code).toBe(0);
    expect(second.stdout).toMatch(/Already shared/);
    expect(second.stdout).toMatch(/writes: 0/);
    expect(appWrites(await requestLog(world.sim), world.sim)).toEqual([]);
  });

  it('refuses a fully public account with exit 1 and the reason; --force narrows it', async () => {
    const refused = await runCli(['allow-sharing', ws.public ?? '', registryId], world.settings);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/SHARING\.FULLY_PUBLIC: .*fully public/);
    const forced = await runCli(['allow-sharing', ws.public ?? '', registryId, '--force', '--json'], world.settings);
    expect(forced.code).toBe(0);
    expect(JSON.parse(forced.stdout)).toMatchObject({ action: 'added', forced: true });
  });

  it('exits 2 for ids of the wrong type, 1 for an unknown workspace', async () => {
    const wrong = await runCli(['allow-sharing', registryId, registryId], world.settings);
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toMatch(/bad <workspaceId>/);
    const missing = await runCli(['allow-sharing', (ws.selected ?? '').replace(/cli-selected$/, 'cli-nosuch'), registryId, '--json'], world.settings);
    expect(missing.code).toBe(1);
    expect(JSON.parse(missing.stdout)).toMatchObject({ error: { code: 'WORKSPACE.NOT_FOUND' } });
  });

  it('audits several workspaces: findings exit 1, each workspace reported on its own', async () => {
    const r = await runCli(['audit-deployments', ws.selected ?? '', ws.public ?? '', '--json'], world.settings);
    expect(r.code).toBe(1);
    const doc = JSON.parse(r.stdout) as { compliant: boolean; workspaces: Array<{ workspaceId: string; audit?: { findings: Array<{ deploymentName: string }>; compliant: boolean } }> };
    expect(doc.compliant).toBe(false);
    expect(doc.workspaces.map((w) => [w.workspaceId, w.audit?.compliant, w.audit?.findings.map((f) => f.deploymentName)])).toEqual([[ws.selected, false, ['blue']], [ws.public, true, []]]);
    const human = await runCli(['audit-deployments', ws.public ?? ''], world.settings);
    expect(human.code).toBe(0);
    expect(human.stdout).toMatch(/^Compliant: /);
  });
});
