/**
 * Schemas of the workspace routes (share-with a registry, deployments audit): request validation
 * and the OpenAPI document, like ./schemas.ts.
 */
import { z } from 'zod';
import { isResourceOfType } from '../shared/arm-id';
import { REGISTRY_RESOURCE_TYPE, WORKSPACE_NAME_RULE } from './domain/workspace';
import { resourceGroupParam, subscriptionIdParam } from '../http/schemas';

export const workspaceNameSegment = z.string()
  .regex(WORKSPACE_NAME_RULE, `must be a workspace name (${WORKSPACE_NAME_RULE.source})`)
  .describe('Azure Machine Learning workspace name.');

export const workspaceRouteParams = () => z.object({ subscriptionId: subscriptionIdParam, resourceGroup: resourceGroupParam, workspaceName: workspaceNameSegment });

export const shareWithQuery = z.object({
  registryId: z.string({ error: () => `is required: a ${REGISTRY_RESOURCE_TYPE} resource id` })
    .max(1024, 'is too long')
    .refine((v) => isResourceOfType(v, REGISTRY_RESOURCE_TYPE), `must be a ${REGISTRY_RESOURCE_TYPE} resource id`)
    .describe(`The registry (resource id, ${REGISTRY_RESOURCE_TYPE}) to let in on the workspace's storage account.`),
  force: z.enum(['true', 'false'], { error: () => "must be 'true' or 'false'" }).optional()
    .describe('true: also change an account that is fully public (defaultAction Allow → Deny) or has public access Disabled (→ selected networks; needs reason). Default false: refuse with 409 and the reason.'),
  reason: z.string().trim().min(1, 'must not be empty').max(500, 'must be at most 500 characters').regex(/^[^\r\n]*$/, 'must be one line').optional()
    .describe('Why the change is wanted (recorded in the report and the log). Required with force=true on an account whose public access is Disabled.'),
});

const ipRuleSchema = z.object({ value: z.string(), action: z.string().optional() });
const networkAclsSchema = z.object({
  defaultAction: z.string(),
  bypass: z.string().optional(),
  ipRules: z.array(ipRuleSchema),
  ipv6Rules: z.array(ipRuleSchema).optional(),
  virtualNetworkRules: z.array(z.object({ id: z.string(), action: z.string().optional(), state: z.string().optional() })),
  resourceAccessRules: z.array(z.object({ tenantId: z.string(), resourceId: z.string() })),
});
export const storageNetworkSchema = z.object({
  id: z.string(),
  publicNetworkAccess: z.string().optional(),
  networkAcls: networkAclsSchema.optional().describe('The storage account\'s networkAcls as ARM reports them.'),
});

export const shareReportSchema = z.object({
  workspaceId: z.string(),
  storageAccountId: z.string(),
  registryId: z.string(),
  tenantId: z.string().describe("The rule's tenant: the tenant of the app's ARM token (the registry and the account are both readable with it)."),
  action: z.enum(['added', 'unchanged']).describe('added: one PATCH was sent; unchanged: already shared, zero writes.'),
  forced: z.boolean(),
  reason: z.string().optional().describe('The reason given, as recorded.'),
  changes: z.array(z.string()),
  writes: z.number().int(),
  before: storageNetworkSchema,
  after: storageNetworkSchema,
});

export const refusalSchema = z.object({
  error: z.object({ code: z.string(), message: z.string() }),
  storageAccountId: z.string().optional(),
  current: storageNetworkSchema.optional().describe("The account's network settings as they are (nothing was changed)."),
});

export const deploymentsAuditSchema = z.object({
  workspaceId: z.string(),
  endpoints: z.number().int(),
  deployments: z.number().int(),
  managedDeployments: z.number().int(),
  registryModelDeployments: z.number().int(),
  skipped: z.array(z.object({ deploymentId: z.string(), computeType: z.string() })).describe('Not managed: no egress setting to judge.'),
  findings: z.array(z.object({
    deploymentId: z.string(),
    endpointName: z.string(),
    deploymentName: z.string(),
    model: z.string(),
    registryName: z.string(),
    egressPublicNetworkAccess: z.string(),
    reason: z.string(),
  })).describe('Managed deployments of a registry model (azureml://registries/…) whose egressPublicNetworkAccess is not Disabled.'),
  compliant: z.boolean(),
});
