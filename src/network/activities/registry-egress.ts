/**
 * The egress check and the exfiltration protection as use cases over the NetworkSecurityPort:
 * re-read the subnet (and its NSG / policies) → pure decision (src/network/domain/egress.ts,
 * exfiltration.ts) → write only what is missing → re-read and report. Shared by the HTTP handlers
 * and the CLI. Expected refusals (no such subnet, no NSG, no free priority) are returned as
 * values; ARM failures throw coded LockdownErrors.
 */
import { parseResourceIdOfType } from '../../shared/arm-id';
import { asNsgRule, evaluateEgress, planEgressFix, requiredFlows, type EgressReport, type NewRule } from '../domain/egress';
import { assessExfiltration, planExfiltration, type EndpointPolicy, type ExfiltrationReport } from '../domain/exfiltration';
import type { NetworkSecurityPort, SubnetInfo } from '../domain/ports';
import type { WorkspacesPort } from '../../workspaces/domain/ports';
import { subnetsOfComputes } from '../../fleet/domain/fleet';
import { ErrorCodes } from '../../shared/error-codes';


export type EgressCode = (typeof ErrorCodes)['EGRESS_WORKSPACE_NOT_FOUND' | 'EGRESS_NO_SUBNET' | 'EGRESS_SUBNET_NOT_FOUND' | 'EGRESS_SUBNET_NOT_USED' | 'EGRESS_NO_NSG' | 'EGRESS_NSG_NOT_FOUND' | 'EGRESS_NO_FREE_PRIORITY' | 'EXFILTRATION_SUBNET_NOT_FOUND'];

/** A refusal: nothing was written. Its code gives the HTTP answer (the one list of codes). */
export interface Refusal {
  kind: 'refused';
  code: EgressCode;
  message: string;
}

export interface EgressCheck {
  kind: 'checked';
  subnetId: string;
  nsgId: string;
  regions: string[];
  /** the report after the fix when one was applied */
  report: EgressReport;
  /** with fix: the rules added (empty: nothing was missing) */
  added?: NewRule[];
}

const SUBNET = 'Microsoft.Network/virtualNetworks/subnets';

function refused(code: EgressCode, message: string): Refusal {
  return { kind: 'refused', code, message };
}

/**
 * The fix of a workspace's egress writes only to the NSG of a subnet the workspace's computes are
 * in: any other subnet is refused (read-only) before its NSG is read. Undefined: the subnet is one.
 */
export async function refuseForeignSubnet(workspaces: Pick<WorkspacesPort, 'listComputeSubnets'>, workspaceId: string, subnetId: string): Promise<Refusal | undefined> {
  const used = subnetsOfComputes(await workspaces.listComputeSubnets(workspaceId));
  if (used.some((s) => s.subnetId.toLowerCase() === subnetId.toLowerCase())) return undefined;
  const known = used.length === 0 ? 'none of its computes is in a subnet' : `its computes are in ${used.slice(0, 5).map((s) => s.subnetId).join(', ')}${used.length > 5 ? ` and ${used.length - 5} more` : ''}`;
  return refused(ErrorCodes.EGRESS_SUBNET_NOT_USED, `subnet ${subnetId} is not one the computes of workspace ${workspaceId} use (${known}); the fix changes no other subnet's NSG. Nothing was changed.`);
}

/** Checks (and with `fix`, adds) the outbound rules the guide lists on the subnet's NSG. */
export async function checkRegistryEgress(port: NetworkSecurityPort, input: { subnetId: string; regions?: readonly string[]; fix: boolean }): Promise<EgressCheck | Refusal> {
  const subnetId = parseResourceIdOfType(input.subnetId, SUBNET).id;
  const subnet = await port.getSubnet(subnetId);
  if (!subnet) return refused(ErrorCodes.EGRESS_SUBNET_NOT_FOUND, `subnet ${subnetId} does not exist (or the app cannot read it).`);
  if (!subnet.networkSecurityGroupId) {
    return refused(ErrorCodes.EGRESS_NO_NSG, `subnet ${subnetId} has no network security group: its outbound traffic is not filtered by one, so there are no rules to check or add; associate an NSG with the subnet first.`);
  }
  const nsgId = subnet.networkSecurityGroupId;
  const nsg = await port.getNsg(nsgId);
  if (!nsg) return refused(ErrorCodes.EGRESS_NSG_NOT_FOUND, `the subnet's network security group ${nsgId} does not exist (or the app cannot read it).`);
  const regions = input.regions !== undefined && input.regions.length > 0 ? [...new Set(input.regions.map((r) => r.toLowerCase()))] : [subnet.location.toLowerCase()];
  const flows = requiredFlows(regions);
  const report = evaluateEgress(nsg.rules, flows, subnet.addressPrefixes);
  if (!input.fix) return { kind: 'checked', subnetId, nsgId, regions, report };

  const plan = planEgressFix(nsg.rules, report);
  if (plan.kind === 'refused') return refused(ErrorCodes.EGRESS_NO_FREE_PRIORITY, plan.reason);
  if (plan.kind === 'nothing-to-do') return { kind: 'checked', subnetId, nsgId, regions, report, added: [] };
  // the plan must make every flow present before anything is written
  const planned = evaluateEgress([...nsg.rules, ...plan.rules.map(asNsgRule)], flows, subnet.addressPrefixes);
  if (!planned.compliant) {
    return refused(ErrorCodes.EGRESS_NO_FREE_PRIORITY, `the planned rules would not make every flow present (${planned.flows.filter((f) => f.state !== 'present').map((f) => f.key).join(', ')}); nothing was changed.`);
  }
  for (const rule of plan.rules) await port.addSecurityRule(nsgId, rule);
  const after = await port.getNsg(nsgId);
  return { kind: 'checked', subnetId, nsgId, regions, report: evaluateEgress(after?.rules ?? [], flows, subnet.addressPrefixes), added: plan.rules };
}

export interface ExfiltrationCheck {
  kind: 'checked';
  report: ExfiltrationReport;
  /** with apply: what was done (empty: already protected) */
  changes?: string[];
  /** attached policy ids that could not be read */
  unreadablePolicies: string[];
}

async function attachedPolicies(port: NetworkSecurityPort, subnet: SubnetInfo): Promise<{ policies: EndpointPolicy[]; unreadable: string[] }> {
  const policies: EndpointPolicy[] = [];
  const unreadable: string[] = [];
  for (const id of subnet.serviceEndpointPolicyIds) {
    const p = await port.getEndpointPolicy(id).catch(() => undefined);
    if (p) policies.push(p);
    else unreadable.push(id);
  }
  return { policies, unreadable };
}

/** Reports (and with `apply`, sets up) the ML-alias service endpoint policy and the Storage endpoint on the subnet. */
export async function checkExfiltration(port: NetworkSecurityPort, input: { subnetId: string; apply: boolean }): Promise<ExfiltrationCheck | Refusal> {
  const rid = parseResourceIdOfType(input.subnetId, SUBNET);
  const subnet = await port.getSubnet(rid.id);
  if (!subnet) return refused(ErrorCodes.EXFILTRATION_SUBNET_NOT_FOUND, `subnet ${rid.id} does not exist (or the app cannot read it).`);
  const { policies, unreadable } = await attachedPolicies(port, subnet);
  const report = assessExfiltration(subnet, policies);
  if (!input.apply) return { kind: 'checked', report, unreadablePolicies: unreadable };

  const inGroup = await port.listEndpointPolicies(rid.subscriptionId, rid.resourceGroup);
  const plan = planExfiltration(subnet, policies, inGroup, `/subscriptions/${rid.subscriptionId}/resourceGroups/${rid.resourceGroup}/providers/Microsoft.Network/serviceEndpointPolicies`);
  if (plan.kind === 'nothing-to-do') return { kind: 'checked', report, changes: [], unreadablePolicies: unreadable };
  if (plan.createPolicy) await port.createEndpointPolicy(plan.attachPolicyId, plan.createPolicy.location, plan.createPolicy.definitions);
  const updated = await port.updateSubnetEndpoints(rid.id, plan.serviceEndpoints, plan.serviceEndpointPolicyIds);
  const after = await attachedPolicies(port, updated);
  return { kind: 'checked', report: assessExfiltration(updated, after.policies), changes: plan.changes, unreadablePolicies: after.unreadable };
}
