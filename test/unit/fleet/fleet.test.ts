import { auditOnlineDeployments } from '../../../src/workspaces/domain/deployments-audit';
import { evaluateEgress, requiredFlows, type NsgRule } from '../../../src/network/domain/egress';
import {
  assembleFleetReport,
  egressSubnetLine,
  exfiltrationSubnetLine,
  failedSubnetLine,
  failedWorkspaceLine,
  subnetsOfComputes,
  workspaceFromAudit,
  workspaceFromSubnets,
} from '../../../src/fleet/domain/fleet';
import { hasTargets, resolveTargets, targetsFrom } from '../../../src/shared/targets';

const A = '00000000-0000-0000-0000-00000000000a';
const B = '00000000-0000-0000-0000-00000000000b';
const C = '00000000-0000-0000-0000-00000000000c';
const VNET = `/subscriptions/${A}/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/vnet`;
const WS = (sub: string, name: string) => `/subscriptions/${sub}/resourceGroups/rg/providers/Microsoft.MachineLearningServices/workspaces/${name}`;
const ref = (sub: string, name: string) => ({ workspaceId: WS(sub, name), subscriptionId: sub });

const allowAll: NsgRule = { name: 'allow-all', priority: 100, direction: 'Outbound', access: 'Allow', protocol: '*', sourceAddressPrefix: '*', sourcePortRange: '*', destinationAddressPrefix: '*', destinationPortRange: '*' };

describe('target subscriptions (shared by the sweep and the fleet reports)', () => {
  it('settings name the list and the group; an override replaces both', () => {
    expect(targetsFrom({ subscriptionIds: [A], managementGroupId: 'mg' })).toEqual({ subscriptionIds: [A], managementGroupId: 'mg' });
    expect(targetsFrom({ subscriptionIds: [A], managementGroupId: 'mg' }, [B])).toEqual({ subscriptionIds: [B] });
    expect(hasTargets({ subscriptionIds: [] })).toBe(false);
    expect(hasTargets({ subscriptionIds: [], managementGroupId: 'mg' })).toBe(true);
  });

  it('resolves the group: merged (named first, each once), or a failed line with the named ones kept', () => {
    expect(resolveTargets({ subscriptionIds: [A, A.toUpperCase()] })).toEqual({ subscriptionIds: [A] });
    expect(resolveTargets({ subscriptionIds: [B], managementGroupId: 'mg' }, { ok: true, subscriptionIds: [C, B] })).toEqual({
      subscriptionIds: [B, C], managementGroups: [{ managementGroupId: 'mg', ok: true, subscriptions: 2 }],
    });
    const error = { code: 'ARM.FORBIDDEN', message: 'no' };
    expect(resolveTargets({ subscriptionIds: [B], managementGroupId: 'mg' }, { ok: false, error })).toEqual({
      subscriptionIds: [B], managementGroups: [{ managementGroupId: 'mg', ok: false, subscriptions: 0, error }],
    });
  });
});

describe('fleet report aggregation', () => {
  it('groups a workspace\'s computes by subnet, case-insensitively', () => {
    const s1 = `${VNET}/subnets/one`;
    expect(subnetsOfComputes([
      { computeName: 'ci', computeType: 'ComputeInstance', subnetId: `${VNET}/subnets/two` },
      { computeName: 'cluster', computeType: 'AmlCompute', subnetId: s1 },
      { computeName: 'cluster2', computeType: 'AmlCompute', subnetId: s1.toUpperCase() },
    ])).toEqual([{ subnetId: s1, computes: ['cluster', 'cluster2'] }, { subnetId: `${VNET}/subnets/two`, computes: ['ci'] }]);
  });

  it('an egress report names the missing flows; a compliant one has none', () => {
    const subnet = { subnetId: `${VNET}/subnets/one`, computes: ['cluster'] };
    const open = egressSubnetLine(subnet, 'nsg', evaluateEgress([], requiredFlows(['westeurope']), ['10.0.0.0/24']));
    expect(open.result).toBe('nonCompliant');
    expect(open.missing).toContain('AzureMachineLearning/Udp/5831');
    expect(open.detail).toMatch(/^missing: .*Storage\.westeurope\/Tcp\/443/);
    const closed = egressSubnetLine(subnet, 'nsg', evaluateEgress([allowAll], requiredFlows(['westeurope']), ['10.0.0.0/24']));
    expect(closed).toMatchObject({ result: 'compliant', missing: [], shadowed: [], nsgId: 'nsg' });
  });

  it('a workspace is failed when a subnet failed, non-compliant when one is, noSubnet without subnets', () => {
    const s = (name: string) => ({ subnetId: `${VNET}/subnets/${name}`, computes: ['c'] });
    const ok = exfiltrationSubnetLine(s('ok'), { subnetId: s('ok').subnetId, protected: true, storageServiceEndpoint: true, aliasPolicies: ['p'], attachedPolicies: ['p'], why: 'fine' });
    const open = exfiltrationSubnetLine(s('open'), { subnetId: s('open').subnetId, protected: false, storageServiceEndpoint: false, aliasPolicies: [], attachedPolicies: [], why: 'no Storage endpoint' });
    const failed = failedSubnetLine(s('gone'), { code: 'EXFILTRATION.SUBNET_NOT_FOUND', message: 'gone' });
    expect(workspaceFromSubnets(ref(A, 'w'), [ok]).result).toBe('compliant');
    expect(workspaceFromSubnets(ref(A, 'w'), [ok, open])).toMatchObject({ result: 'nonCompliant', detail: '1 of 2 subnet(s) not compliant: open' });
    expect(workspaceFromSubnets(ref(A, 'w'), [open, failed])).toMatchObject({ result: 'failed', error: { code: 'EXFILTRATION.SUBNET_NOT_FOUND' } });
    expect(workspaceFromSubnets(ref(A, 'w'), []).result).toBe('noSubnet');
  });

  it('a deployments audit with findings is non-compliant and names the deployments', () => {
    const audit = auditOnlineDeployments(WS(A, 'w'), 1, [{ id: 'd1', name: 'blue', endpointId: 'e', endpointName: 'ep', computeType: 'Managed', model: 'azureml://registries/reg/models/m/versions/1' }]);
    expect(workspaceFromAudit(A, audit)).toMatchObject({ result: 'nonCompliant', detail: expect.stringMatching(/ep\/blue/) as unknown as string, findings: [{ deploymentName: 'blue' }] });
  });

  it('failures count groups, subscriptions and workspaces; compliant only without failures or non-compliant workspaces', () => {
    const forbidden = { code: 'ARM.FORBIDDEN', message: 'no' };
    const report = assembleFleetReport({
      capability: 'registry-egress',
      managementGroups: [{ managementGroupId: 'mg', ok: false, subscriptions: 0, error: forbidden }],
      subscriptions: [{ subscriptionId: B, ok: false, workspaces: 0, error: forbidden }, { subscriptionId: A, ok: true, workspaces: 3 }],
      workspaces: [
        workspaceFromSubnets(ref(A, 'zeta'), []),
        failedWorkspaceLine(ref(A, 'beta'), forbidden),
        workspaceFromSubnets(ref(A, 'alpha'), [failedSubnetLine({ subnetId: `${VNET}/subnets/x`, computes: [] }, { code: 'EGRESS.NO_NSG', message: 'none' })]),
      ],
    });
    expect(report.subscriptions.map((s) => s.subscriptionId)).toEqual([A, B]);
    expect(report.workspaces.map((w) => w.workspaceId.split('/').pop())).toEqual(['alpha', 'beta', 'zeta']);
    expect(report.totals).toEqual({ compliant: 0, nonCompliant: 0, noSubnet: 1, failed: 2 });
    expect(report.failures).toBe(4);
    expect(report.compliant).toBe(false);

    const clean = assembleFleetReport({ capability: 'exfiltration', subscriptions: [{ subscriptionId: A, ok: true, workspaces: 1 }], workspaces: [workspaceFromSubnets(ref(A, 'w'), [])] });
    expect(clean).toMatchObject({ failures: 0, compliant: true });
    expect(clean.managementGroups).toBeUndefined();
  });
});
