/**
 * Fleet reports (issue 8 part 6), pure parts: the workspace capabilities that only read — the
 * registry egress check, the exfiltration check and the online deployments audit — run over
 * every ML workspace of the target subscriptions (src/shared/targets.ts). A subscription that
 * cannot be listed, a workspace or a subnet that cannot be read, is a failed line with its
 * reason; the others are still reported. Nothing is written: the fixes stay per workspace /
 * subnet and explicit, and sharing (one workspace with one registry) is never iterated.
 */
import type { DeploymentFinding, WorkspaceDeploymentsAudit } from '../../workspaces/domain/deployments-audit';
import type { EgressReport } from '../../network/domain/egress';
import { lastSegmentOf } from '../../shared/arm-id';
import type { CodedFailure } from '../../shared/errors';
import type { ExfiltrationReport } from '../../network/domain/exfiltration';
import type { ManagementGroupLine } from '../../shared/targets';
import type { ComputeSubnet } from '../../workspaces/domain/ports';

export const FLEET_CAPABILITIES = ['registry-egress', 'exfiltration', 'deployments-audit'] as const;
export type FleetCapability = (typeof FLEET_CAPABILITIES)[number];

/** noSubnet: no compute of the workspace sits in a subnet of the customer's, nothing to check there */
export type FleetResult = 'compliant' | 'nonCompliant' | 'noSubnet' | 'failed';
export const FLEET_RESULTS: readonly FleetResult[] = ['compliant', 'nonCompliant', 'noSubnet', 'failed'];

export interface FleetSubnetLine {
  subnetId: string;
  /** the workspace's computes in this subnet */
  computes: string[];
  result: 'compliant' | 'nonCompliant' | 'failed';
  detail: string;
  /** registry-egress: the subnet's NSG and the flows that are not let out */
  nsgId?: string;
  counts?: EgressReport['counts'];
  missing?: string[];
  shadowed?: string[];
  error?: CodedFailure;
}

export interface FleetWorkspaceLine {
  workspaceId: string;
  subscriptionId: string;
  result: FleetResult;
  detail: string;
  /** registry-egress, exfiltration */
  subnets?: FleetSubnetLine[];
  /** deployments-audit */
  findings?: DeploymentFinding[];
  error?: CodedFailure;
}

export interface FleetSubscriptionLine {
  subscriptionId: string;
  ok: boolean;
  workspaces: number;
  error?: CodedFailure;
}

export interface FleetReport {
  capability: FleetCapability;
  /** present when a management group was configured */
  managementGroups?: ManagementGroupLine[];
  subscriptions: FleetSubscriptionLine[];
  workspaces: FleetWorkspaceLine[];
  totals: Record<FleetResult, number>;
  /** failed management groups + failed subscriptions + failed workspaces */
  failures: number;
  /** nothing failed and no workspace is non-compliant */
  compliant: boolean;
}

/** The distinct subnets of a workspace's computes (ids compared case-insensitively), each with its computes. */
export function subnetsOfComputes(computes: readonly ComputeSubnet[]): Array<{ subnetId: string; computes: string[] }> {
  const bySubnet = new Map<string, { subnetId: string; computes: string[] }>();
  for (const c of computes) {
    const key = c.subnetId.toLowerCase();
    const entry = bySubnet.get(key) ?? { subnetId: c.subnetId, computes: [] };
    entry.computes.push(c.computeName);
    bySubnet.set(key, entry);
  }
  return [...bySubnet.values()].sort((a, b) => a.subnetId.toLowerCase().localeCompare(b.subnetId.toLowerCase()));
}

/** An egress report as a subnet line: the flows missing or shadowed by name. */
export function egressSubnetLine(subnet: { subnetId: string; computes: string[] }, nsgId: string, report: EgressReport): FleetSubnetLine {
  const missing = report.flows.filter((f) => f.state === 'missing').map((f) => f.key);
  const shadowed = report.flows.filter((f) => f.state === 'shadowed').map((f) => f.key);
  const detail = report.compliant
    ? `every required outbound flow is let out by NSG ${nsgId}`
    : [missing.length > 0 ? `missing: ${missing.join(', ')}` : '', shadowed.length > 0 ? `shadowed by a higher-priority deny: ${shadowed.join(', ')}` : ''].filter((s) => s !== '').join('; ');
  return { ...subnet, result: report.compliant ? 'compliant' : 'nonCompliant', detail, nsgId, counts: report.counts, missing, shadowed };
}

/** An exfiltration report as a subnet line. */
export function exfiltrationSubnetLine(subnet: { subnetId: string; computes: string[] }, report: ExfiltrationReport): FleetSubnetLine {
  return { ...subnet, result: report.protected ? 'compliant' : 'nonCompliant', detail: report.why };
}

/** A subnet that could not be checked (refused, unreadable): a failed line with the reason. */
export function failedSubnetLine(subnet: { subnetId: string; computes: string[] }, error: CodedFailure): FleetSubnetLine {
  return { ...subnet, result: 'failed', detail: `[${error.code}] ${error.message}`, error };
}

/** A workspace's line from its subnets: failed if one failed, non-compliant if one is, noSubnet without any. */
export function workspaceFromSubnets(workspace: { workspaceId: string; subscriptionId: string }, subnets: readonly FleetSubnetLine[]): FleetWorkspaceLine {
  const base = { ...workspace, subnets: [...subnets] };
  if (subnets.length === 0) return { ...base, result: 'noSubnet', detail: 'no compute of the workspace is in a subnet (AmlCompute / ComputeInstance with properties.subnet): nothing to check' };
  const failed = subnets.filter((s) => s.result === 'failed');
  const open = subnets.filter((s) => s.result === 'nonCompliant');
  const first = failed[0]?.error;
  if (first !== undefined) return { ...base, result: 'failed', detail: `${failed.length} of ${subnets.length} subnet(s) could not be checked: [${first.code}] ${first.message}`, error: first };
  if (open.length > 0) return { ...base, result: 'nonCompliant', detail: `${open.length} of ${subnets.length} subnet(s) not compliant: ${open.map((s) => lastSegmentOf(s.subnetId)).join(', ')}` };
  return { ...base, result: 'compliant', detail: `${subnets.length} subnet(s) compliant` };
}

/** A deployments audit as a workspace line. */
export function workspaceFromAudit(subscriptionId: string, audit: WorkspaceDeploymentsAudit): FleetWorkspaceLine {
  const detail = audit.compliant
    ? `${audit.deployments} deployment(s), ${audit.registryModelDeployments} serving a registry model, none with public egress`
    : `${audit.findings.length} deployment(s) serve a registry model without egressPublicNetworkAccess Disabled: ${audit.findings.map((f) => `${f.endpointName}/${f.deploymentName}`).join(', ')}`;
  return { workspaceId: audit.workspaceId, subscriptionId, result: audit.compliant ? 'compliant' : 'nonCompliant', detail, findings: audit.findings };
}

/** A workspace that could not be read or judged. */
export function failedWorkspaceLine(workspace: { workspaceId: string; subscriptionId: string }, error: CodedFailure): FleetWorkspaceLine {
  return { ...workspace, result: 'failed', detail: `[${error.code}] ${error.message}`, error };
}

function byId(a: string, b: string): number {
  return a.toLowerCase().localeCompare(b.toLowerCase());
}

export function assembleFleetReport(args: { capability: FleetCapability; managementGroups?: ManagementGroupLine[]; subscriptions: FleetSubscriptionLine[]; workspaces: FleetWorkspaceLine[] }): FleetReport {
  const totals = Object.fromEntries(FLEET_RESULTS.map((r) => [r, 0])) as Record<FleetResult, number>;
  for (const w of args.workspaces) totals[w.result]++;
  const groups = args.managementGroups ?? [];
  const subscriptions = [...args.subscriptions].sort((a, b) => byId(a.subscriptionId, b.subscriptionId));
  const workspaces = [...args.workspaces].sort((a, b) => byId(a.workspaceId, b.workspaceId));
  const failures = groups.filter((g) => !g.ok).length + subscriptions.filter((s) => !s.ok).length + totals.failed;
  return {
    capability: args.capability,
    ...(args.managementGroups ? { managementGroups: args.managementGroups } : {}),
    subscriptions,
    workspaces,
    totals,
    failures,
    compliant: failures === 0 && totals.nonCompliant === 0,
  };
}
