/**
 * Schemas of the egress check and exfiltration protection routes (registry-egress, subnets/exfiltration).
 */
import { z } from 'zod';
import { isResourceOfType } from '../shared/arm-id';
import { resourceGroupParam, subscriptionIdParam } from '../http/schemas';

const SUBNET_TYPE = 'Microsoft.Network/virtualNetworks/subnets';

export const subnetIdQueryParam = z.string({ error: () => 'is required: a Microsoft.Network/virtualNetworks/subnets resource id' })
  .max(1024, 'is too long')
  .refine((v) => isResourceOfType(v, SUBNET_TYPE), 'must be a Microsoft.Network/virtualNetworks/subnets resource id')
  .describe('The subnet (resource id) whose NSG / service endpoints are checked.');

export const workspaceNameParam = z.string()
  .regex(/^[a-zA-Z0-9][a-zA-Z0-9_-]{2,32}$/, 'must be a workspace name (3-33 of letters, digits, _ -, starting with a letter or digit)')
  .describe('Azure Machine Learning workspace name.');

export const workspaceParams = () => z.object({ subscriptionId: subscriptionIdParam, resourceGroup: resourceGroupParam, workspaceName: workspaceNameParam });

/** Syntax only here; the handler checks each name against the configured cloud's regions. */
const registryRegionsParam = z.string()
  .max(1024, 'is too long')
  .regex(/^\s*[a-z0-9]+\s*(,\s*[a-z0-9]+\s*)*$/i, 'must be a comma-separated list of region names in ARM form (e.g. westeurope,northeurope)')
  .describe("The registry's regions (comma-separated, ARM form): Storage.<region>, MicrosoftContainerRegistry.<region> and AzureContainerRegistry.<region> are required for each. Default: the subnet's VNet region.");

export const egressQuery = z.object({ subnetId: subnetIdQueryParam, registryRegions: registryRegionsParam.optional() });

export const egressFixQuery = egressQuery.extend({
  fix: z.literal('true', { error: () => "must be 'true': this POST adds the missing rules" })
    .describe('Must be true: add the missing or shadowed rules (never modifying or deleting a rule).'),
});

/** 'westeurope, NorthEurope' → ['westeurope', 'northeurope'] */
export function regionsOf(list: string | undefined): string[] | undefined {
  return list === undefined ? undefined : list.split(',').map((r) => r.trim().toLowerCase()).filter((r) => r !== '');
}

export const exfiltrationQuery = z.object({ subnetId: subnetIdQueryParam });

const ruleRefSchema = z.object({ name: z.string(), priority: z.number(), isDefault: z.boolean() });

export const egressReportSchema = z.object({
  workspace: z.object({ subscriptionId: z.string(), resourceGroup: z.string(), workspaceName: z.string() }).describe('As addressed; the workspace is read first (404 when unknown), the subnet is the one named in subnetId.'),
  subnetId: z.string(),
  nsgId: z.string(),
  regions: z.array(z.string()),
  compliant: z.boolean().describe('Every required flow is present (after the fix, with fix=true).'),
  counts: z.object({ present: z.number(), missing: z.number(), shadowed: z.number() }),
  flows: z.array(z.object({
    key: z.string(), serviceTag: z.string(), protocol: z.enum(['Tcp', 'Udp']), port: z.number(),
    state: z.enum(['present', 'missing', 'shadowed']),
    allowedBy: ruleRefSchema.optional(), deniedBy: ruleRefSchema.optional(), shadowedAllows: z.array(ruleRefSchema).optional(),
    why: z.string(),
  })),
  added: z.array(z.object({
    name: z.string(), priority: z.number(), protocol: z.enum(['Tcp', 'Udp']), destinationAddressPrefix: z.string(),
    destinationPortRanges: z.array(z.string()), flows: z.array(z.string()), description: z.string(),
  })).optional().describe('fix=true: the rules added (empty when nothing was missing).'),
});

export const exfiltrationReportSchema = z.object({
  subnetId: z.string(),
  protected: z.boolean(),
  storageServiceEndpoint: z.boolean(),
  aliasPolicies: z.array(z.string()).describe('Attached policies carrying the /services/Azure/MachineLearning alias.'),
  attachedPolicies: z.array(z.string()),
  unreadablePolicies: z.array(z.string()),
  why: z.string(),
  changes: z.array(z.string()).optional().describe('POST: what was done (empty when already protected).'),
});
