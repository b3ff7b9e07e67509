import { actionsFor } from '../../../src/azure/permissions';
import type { FleetReport } from '../../../src/fleet/domain/fleet';
import { appWrites, clearRequestLog, requestLog, runCli, startCliWorld, type CliWorld } from '../cli/cli-world';
import { unreadableSubscription } from '../workspaces/workspace-fixtures';
import { layOutFleet, OTHER_SUB, type Fleet } from './fleet-fixtures';

/** `egress-check --all`, `exfiltration --all`, `audit-deployments --all` and `egress-check <workspaceId>` as a child process. */
describe('aml-lockdown fleet modes', () => {
  let world: CliWorld;
  let fleet: Fleet;
  let targets: Record<string, string>;
  const name = (id: string): string => id.split('/').pop() ?? id;

  beforeAll(async () => {
    world = await startCliWorld();
    fleet = await layOutFleet(world.sim, world.user);
    await unreadableSubscription(world.sim, OTHER_SUB);
    targets = { ...world.settings, TARGET_SUBSCRIPTION_IDS: `${world.sim.subscriptionId},${OTHER_SUB}` };
  });
  afterAll(async () => {
    await world?.stop();
  });

  it('egress-check --all --json: per subscription (the unreadable one failed) and per workspace; exit 1; reads only', async () => {
    await clearRequestLog(world.sim);
    const r = await runCli(['egress-check', '--all', '--json'], targets);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(1);
    const report = JSON.parse(r.stdout) as FleetReport;
    expect(report.subscriptions).toMatchObject([{ subscriptionId: world.sim.subscriptionId, ok: true, workspaces: 3 }, { subscriptionId: OTHER_SUB, ok: false, error: { code: 'ARM.FORBIDDEN' } }]);
    expect(report.workspaces.map((w) => [name(w.workspaceId), w.result])).toEqual([['ws-fleet-a', 'nonCompliant'], ['ws-fleet-b', 'noSubnet'], ['ws-fleet-c', 'nonCompliant']]);
    expect(report.failures).toBe(1);
    const log = await requestLog(world.sim);
    expect(appWrites(log, world.sim)).toEqual([]);
    const unlisted = log.filter((e) => e.principal === world.sim.principal.oid && actionsFor(e.method as 'GET', e.path).length === 0);
    expect(unlisted).toEqual([]);
  });

  it('the human display names the failed subscription, each workspace and the totals', async () => {
    const r = await runCli(['egress-check', '--all'], targets);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(new RegExp(`✗ subscription ${OTHER_SUB}: failed: \\[ARM.FORBIDDEN\\]`));
    expect(r.stdout).toMatch(/✗ nonCompliant +\S+ws-fleet-a\n/);
    expect(r.stdout).toMatch(/NOT compliant: \S+snet-ws \(cpu-a\): missing: /);
    expect(r.stdout).toMatch(/registry-egress \(report only\): 3 workspace\(s\) in 2 subscription\(s\): 2 nonCompliant, 1 noSubnet; 1 failure\(s\)/);
  });

  it('audit-deployments --all reports the finding and the failed subscription', async () => {
    const r = await runCli(['audit-deployments', '--all', '--json'], targets);
    expect(r.code).toBe(1);
    const report = JSON.parse(r.stdout) as FleetReport;
    expect(report.capability).toBe('deployments-audit');
    expect(report.workspaces.map((w) => w.result)).toEqual(['nonCompliant', 'compliant', 'compliant']);
    expect(report.workspaces[0]?.findings).toMatchObject([{ deploymentName: 'blue', registryName: 'sharedreg' }]);
    expect(report.subscriptions[1]).toMatchObject({ subscriptionId: OTHER_SUB, ok: false });
  });

  it('no target subscriptions, --fix with --all, sharing with --all: usage errors (exit 2)', async () => {
    const none = await runCli(['egress-check', '--all'], { ...world.settings, TARGET_SUBSCRIPTION_IDS: '' });
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/no target subscriptions: set TARGET_SUBSCRIPTION_IDS \(or TARGET_MANAGEMENT_GROUP\)/);
    expect((await runCli(['egress-check', '--all', '--fix'], targets)).code).toBe(2);
    expect((await runCli(['allow-sharing', '--all'], targets)).code).toBe(2);
  });

  it('egress-check <workspaceId> reads the workspace, then the subnets of its computes', async () => {
    const r = await runCli(['egress-check', fleet.a, '--json'], world.settings);
    expect(r.code).toBe(1);
    const doc = JSON.parse(r.stdout) as { workspaceId: string; compliant: boolean; subnets: Array<{ subnetId: string; compliant: boolean }> };
    expect(doc.workspaceId).toBe(fleet.a);
    expect(doc.subnets.map((s) => [s.subnetId, s.compliant])).toEqual([[fleet.net.sepSubnetId, false], [fleet.net.subnetId, false]]);
    const none = await runCli(['egress-check', fleet.b, '--json'], world.settings);
    expect(none.code).toBe(1);
    expect(JSON.parse(none.stdout)).toMatchObject({ error: { code: 'EGRESS.NO_SUBNET' } });
    await clearRequestLog(world.sim);
    const unknown = await runCli(['egress-check', fleet.b.replace('ws-fleet-b', 'ws-nope'), '--subnet', fleet.net.subnetId, '--fix'], world.settings);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/EGRESS.WORKSPACE_NOT_FOUND/);
    expect((await requestLog(world.sim)).filter((e) => e.principal === world.sim.principal.oid && e.path.includes('/subnets/'))).toEqual([]);
  });

  it('the fix stays per workspace: after it, the fleet report (--subscriptions) is compliant, exit 0', async () => {
    const fix = await runCli(['egress-check', fleet.c, '--subnet', fleet.net.subnetId, '--fix'], world.settings);
    expect(fix.code).toBe(0);
    expect(fix.stdout).toMatch(/fix: added aml-lockdown-allow-/);
    // snet-sep shares nsg-ws: both compute subnets of ws-fleet-a are compliant now too
    const r = await runCli(['egress-check', '--all', '--subscriptions', world.sim.subscriptionId, '--json'], targets);
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout) as FleetReport;
    expect(report.subscriptions).toEqual([{ subscriptionId: world.sim.subscriptionId, ok: true, workspaces: 3 }]);
    expect(report).toMatchObject({ totals: { compliant: 2, noSubnet: 1, nonCompliant: 0, failed: 0 }, failures: 0, compliant: true });
  });

  it('exfiltration --all reports; apply per subnet; then compliant', async () => {
    const before = await runCli(['exfiltration', '--all', '--subscriptions', world.sim.subscriptionId, '--json'], world.settings);
    expect(before.code).toBe(1);
    expect((JSON.parse(before.stdout) as FleetReport).totals).toMatchObject({ nonCompliant: 2, noSubnet: 1 });
    for (const subnet of [fleet.net.subnetId, fleet.net.sepSubnetId]) expect((await runCli(['exfiltration', subnet, '--apply'], world.settings)).code).toBe(0);
    const after = await runCli(['exfiltration', '--all', '--subscriptions', world.sim.subscriptionId], world.settings);
    expect(after.code).toBe(0);
    expect(after.stdout).toMatch(/exfiltration \(report only\): 3 workspace\(s\) in 1 subscription\(s\): 2 compliant, 1 noSubnet; 0 failure\(s\)/);
  });
});
