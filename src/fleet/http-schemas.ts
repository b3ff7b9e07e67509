/** The fleet routes' schemas (GET /api/fleet/{registry-egress|exfiltration|deployments-audit}). */
import { z } from 'zod';
import { FLEET_CAPABILITIES, FLEET_RESULTS } from './domain/fleet';
import { egressQuery } from '../network';

const codedFailureSchema = z.object({ code: z.string(), message: z.string() });

/** registryRegions as on the per-workspace egress route; no subnet: each workspace's compute subnets are checked. */
export const fleetEgressQuery = egressQuery.pick({ registryRegions: true });

export const fleetReportSchema = z.object({
  capability: z.enum(FLEET_CAPABILITIES),
  managementGroups: z.array(z.object({ managementGroupId: z.string(), ok: z.boolean(), subscriptions: z.number(), error: codedFailureSchema.optional() }))
    .optional().describe('With TARGET_MANAGEMENT_GROUP: the subscriptions found under it, or failed with the reason (the named subscriptions still go on).'),
  subscriptions: z.array(z.object({ subscriptionId: z.string(), ok: z.boolean(), workspaces: z.number(), error: codedFailureSchema.optional() }))
    .describe('Per target subscription: its workspaces listed, or failed with the reason (the others are still reported).'),
  workspaces: z.array(z.object({
    workspaceId: z.string(),
    subscriptionId: z.string(),
    result: z.enum(FLEET_RESULTS),
    detail: z.string(),
    subnets: z.array(z.object({
      subnetId: z.string(),
      computes: z.array(z.string()).describe("The workspace's computes in this subnet."),
      result: z.enum(['compliant', 'nonCompliant', 'failed']),
      detail: z.string(),
      nsgId: z.string().optional(),
      counts: z.object({ present: z.number(), missing: z.number(), shadowed: z.number() }).optional(),
      missing: z.array(z.string()).optional().describe('registry-egress: required flows no rule lets out.'),
      shadowed: z.array(z.string()).optional().describe('registry-egress: flows whose Allow comes after a deny.'),
      error: codedFailureSchema.optional(),
    })).optional().describe("registry-egress, exfiltration: the subnets of the workspace's computes (AmlCompute, ComputeInstance)."),
    findings: z.array(z.object({
      deploymentId: z.string(), endpointName: z.string(), deploymentName: z.string(), model: z.string(),
      registryName: z.string(), egressPublicNetworkAccess: z.string(), reason: z.string(),
    })).optional().describe('deployments-audit: the findings, as on the per-workspace route.'),
    error: codedFailureSchema.optional(),
  })).describe('Per workspace: compliant, nonCompliant, noSubnet (no compute in a subnet: nothing to check) or failed with the reason.'),
  totals: z.record(z.string(), z.number()),
  failures: z.number().describe('Failed management groups, subscriptions and workspaces.'),
  compliant: z.boolean().describe('Nothing failed and no workspace is non-compliant.'),
});
