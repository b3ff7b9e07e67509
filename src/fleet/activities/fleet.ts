/**
 * Fleet reports over the target subscriptions (shared by GET /api/fleet/* and the CLI's --all):
 * resolve the subscriptions (TARGET_SUBSCRIPTION_IDS + TARGET_MANAGEMENT_GROUP, or an explicit
 * list), list the ML workspaces of each (Workspaces_ListBySubscription, every page), and run one
 * read-only capability per workspace — the same use cases as the per-workspace routes. Reads
 * only: a fix / apply stays per workspace or subnet and explicit. Failures are lines, never
 * thrown: one subscription or workspace the app cannot read does not hide the others.
 *
 * The subnets of a workspace are the subnets of its computes (AmlCompute clusters and compute
 * instances placed in a VNet: `properties.subnet.id`), where the egress rules and the service
 * endpoint policy apply; a subnet shared by several workspaces is read once per report.
 */
import type { Ports } from '../../main';
import { codedFailure } from '../../shared/errors';
import {
  assembleFleetReport,
  egressSubnetLine,
  exfiltrationSubnetLine,
  failedSubnetLine,
  failedWorkspaceLine,
  subnetsOfComputes,
  workspaceFromAudit,
  workspaceFromSubnets,
  type FleetCapability,
  type FleetReport,
  type FleetSubnetLine,
  type FleetWorkspaceLine,
} from '../domain/fleet';
import { listEachSubscription, type TargetSubscriptions } from '../../shared/targets';
import type { Workspace } from '../../workspaces/domain/workspace';
import { mapBounded } from '../../shared/bounded';
import { subscriptionOf } from '../../shared/target-scope';
import { checkExfiltration, checkRegistryEgress } from '../../network';
import { resolveTargetSubscriptions } from '../../sweep';
import { auditWorkspaceDeployments } from '../../workspaces';

export const NO_SUBSCRIPTIONS_MESSAGE = 'no target subscriptions: set TARGET_SUBSCRIPTION_IDS (or TARGET_MANAGEMENT_GROUP) to the subscriptions whose workspaces the fleet reports cover.';

export interface FleetRequest {
  capability: FleetCapability;
  targets: TargetSubscriptions;
  /** registry-egress: the registry's regions (default: each subnet's VNet region) */
  regions?: readonly string[];
  /** subscriptions, workspaces and subnets read at once */
  concurrency: number;
}

type Subnet = { subnetId: string; computes: string[] };
type SubnetCheck = (subnet: Subnet) => Promise<FleetSubnetLine>;

/** One check per subnet id and report: workspaces sharing a subnet share the answer (their computes kept apart). */
function subnetChecker(request: FleetRequest, ports: Pick<Ports, 'networkSecurity'>): SubnetCheck {
  const seen = new Map<string, Promise<(subnet: Subnet) => FleetSubnetLine>>();
  const check = async (subnetId: string): Promise<(subnet: Subnet) => FleetSubnetLine> => {
    try {
      if (request.capability === 'registry-egress') {
        const r = await checkRegistryEgress(ports.networkSecurity, { subnetId, fix: false, ...(request.regions ? { regions: request.regions } : {}) });
        if (r.kind === 'refused') return (s) => failedSubnetLine(s, { code: r.code, message: r.message });
        return (s) => egressSubnetLine(s, r.nsgId, r.report);
      }
      const r = await checkExfiltration(ports.networkSecurity, { subnetId, apply: false });
      if (r.kind === 'refused') return (s) => failedSubnetLine(s, { code: r.code, message: r.message });
      return (s) => exfiltrationSubnetLine(s, r.report);
    } catch (e) {
      const error = codedFailure(e);
      return (s) => failedSubnetLine(s, error);
    }
  };
  return async (subnet) => {
    const key = subnet.subnetId.toLowerCase();
    let answer = seen.get(key);
    if (answer === undefined) {
      answer = check(subnet.subnetId);
      seen.set(key, answer);
    }
    return (await answer)(subnet);
  };
}

async function workspaceLine(request: FleetRequest, ports: Ports, workspace: Workspace, subnetCheck: SubnetCheck): Promise<FleetWorkspaceLine> {
  const ref = { workspaceId: workspace.id, subscriptionId: subscriptionOf(workspace.id) ?? '' };
  if (request.capability === 'deployments-audit') {
    const r = await auditWorkspaceDeployments(ports.workspace, workspace.id);
    return r.ok ? workspaceFromAudit(ref.subscriptionId, r.value) : failedWorkspaceLine(ref, { code: r.failure.code, message: r.failure.message });
  }
  let subnets: Subnet[];
  try {
    subnets = subnetsOfComputes(await ports.workspace.workspaces.listComputeSubnets(workspace.id));
  } catch (e) {
    return failedWorkspaceLine(ref, codedFailure(e));
  }
  const lines: FleetSubnetLine[] = [];
  for (const subnet of subnets) lines.push(await subnetCheck(subnet));
  return workspaceFromSubnets(ref, lines);
}

/** The fleet report of one capability over the target subscriptions (reads only). */
export async function runFleetReport(request: FleetRequest, ports: Ports): Promise<FleetReport> {
  const { subscriptionIds, managementGroups } = await resolveTargetSubscriptions(request.targets, { ports });
  const { subscriptions, items: workspaces } = await listEachSubscription({ subscriptionIds, concurrency: request.concurrency, counted: 'workspaces' }, (subscriptionId) => ports.workspace.workspaces.listBySubscription(subscriptionId));
  const subnetCheck = subnetChecker(request, ports);
  const lines = await mapBounded(workspaces, request.concurrency, (w) => workspaceLine(request, ports, w, subnetCheck));
  return assembleFleetReport({ capability: request.capability, ...(managementGroups ? { managementGroups } : {}), subscriptions, workspaces: lines });
}
