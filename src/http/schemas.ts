/**
 * The HTTP API's schemas: what handlers validate requests with, and what the OpenAPI document is
 * generated from (src/http/openapi-document.ts). zod lives here, not in src/domain.
 */
import { z } from 'zod';
import { knownRegions, type AzureCloud } from '../shared/regions';
import { REGISTRY_NAME_RULE } from '../hardening/domain/registry';

/** What the request schemas depend on: the region list of the configured cloud. */
export interface SchemaContext {
  cloud: AzureCloud;
}

export const RUNTIME_STATUSES = ['Running', 'Pending', 'Completed', 'Failed', 'Terminated', 'Suspended', 'Canceled', 'ContinuedAsNew'] as const;
export type RuntimeStatusName = (typeof RUNTIME_STATUSES)[number];

/* ---- parameters ---- */

export const regionParam = (cloud: AzureCloud) =>
  z.enum(knownRegions(cloud) as [string, ...string[]], { error: () => `must be an ${cloud} region name in ARM form (lower case, no spaces, e.g. westeurope)` })
    .describe(`Azure region (ARM location name) of the ${cloud} cloud; the discovery host is built from it.`);

export const registryNameParam = z.string()
  .regex(REGISTRY_NAME_RULE, `must be a registry name (${REGISTRY_NAME_RULE.source})`)
  .describe('Azure Machine Learning registry name.');

export const subscriptionIdParam = z.string()
  .regex(/^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/, 'must be a subscription id (GUID)')
  .describe('Subscription id (GUID).');

export const resourceGroupParam = z.string()
  .regex(/^[-\w.()]{0,89}[-\w()]$/, 'must be a resource group name (1-90 of letters, digits, - _ . ( ), not ending with .)')
  .describe('Resource group of the registry.');

export const discoveryParams = (ctx: SchemaContext) => z.object({ region: regionParam(ctx.cloud), registryName: registryNameParam });

export const registryParams = () => z.object({ subscriptionId: subscriptionIdParam, resourceGroup: resourceGroupParam, registryName: registryNameParam });

export const noParams = () => z.object({});

/* ---- query strings (unknown query parameters such as `code` are ignored) ---- */

export const noQuery = z.object({});

export const startQuery = z.object({
  mode: z.enum(['apply', 'plan'], { error: () => "must be 'apply' or 'plan'" }).optional()
    .describe("'plan' is a dry run: the run's output is the plan and nothing is written. Default apply."),
});

export const statusQuery = z.object({
  instanceId: z.string().regex(/^[A-Za-z0-9_-]{1,100}$/, 'must be a run id (the instanceId a start answered)').optional()
    .describe("One run of the registry (apply or plan), by the instanceId its start answered; without it, the registry's current or last apply run."),
});

export const terminateQuery = z.object({
  reason: z.string().min(1, 'must not be empty').max(500, 'must be at most 500 characters').optional()
    .describe('Why the run is stopped (kept with the instance). Default: "terminated through the HTTP API".'),
});

const STATUS_LIST = new RegExp(`^(${RUNTIME_STATUSES.join('|')})(,(${RUNTIME_STATUSES.join('|')}))*$`);

export const runsQuery = z.object({
  status: z.string().regex(STATUS_LIST, `must be a comma-separated list of ${RUNTIME_STATUSES.join(', ')}`).optional()
    .describe(`Only runs in these runtime states (comma-separated: ${RUNTIME_STATUSES.join(', ')}).`),
  top: z.coerce.number({ error: () => 'must be an integer from 1 to 100' }).int('must be an integer from 1 to 100').min(1, 'must be an integer from 1 to 100').max(100, 'must be an integer from 1 to 100').optional()
    .describe('Page size, 1..100 (default 20).'),
  continuationToken: z.string().max(512, 'is too long').regex(/^[A-Za-z0-9_-]+$/, 'is not a token this API issued').optional()
    .describe('The continuationToken of the previous page.'),
});

/* ---- bodies ---- */

export const hardenOverridesBody = z.strictObject({
  order: z.enum(['lockdown-first', 'endpoints-first']).optional().describe('Override LOCKDOWN_ORDER for this run.'),
  lockdownAcr: z.boolean().optional().describe("Override LOCKDOWN_ACR for this run (false keeps the registry's ACR public)."),
  approvalDeadlineMinutes: z.number().int().min(1).max(7 * 24 * 60).optional().describe('Override APPROVAL_DEADLINE_MINUTES for this run.'),
  dnsDeadlineMinutes: z.number().int().min(1).max(24 * 60).optional().describe('Override DNS_DEADLINE_MINUTES for this run.'),
}).describe('Optional overrides of the settings for this run; unknown fields are rejected.');

export type HardenOverrides = z.output<typeof hardenOverridesBody>;

/* ---- responses ---- */

export const errorResponseSchema = z.object({
  error: z.object({ code: z.string().describe('Stable error code, e.g. REQUEST.INVALID_PARAMETER.'), message: z.string() }),
});

export const stepSchema = z.object({
  step: z.string(),
  state: z.enum(['pending', 'running', 'done', 'skipped', 'failed']),
  detail: z.string(),
  startedAt: z.string().optional(),
  endedAt: z.string().optional(),
});

export const runStatusSchema = z.object({
  instanceId: z.string(),
  registryId: z.string().optional(),
  mode: z.enum(['apply', 'plan']).optional(),
  trigger: z.string().optional().describe("What started the run: eventgrid, http, sweep, follow-up (an event came while the registry's previous apply run went on), …"),
  runtimeStatus: z.string(),
  steps: z.array(stepSchema).describe('Per-step progress (the run\'s custom status).'),
  output: z.unknown().nullable().describe('The outcome summary when the run has finished (or the failure).'),
  createdTime: z.string(),
  lastUpdatedTime: z.string(),
});
export type RunStatusView = z.output<typeof runStatusSchema>;

export const startAcceptedSchema = z.object({
  instanceId: z.string(),
  registryId: z.string(),
  mode: z.enum(['apply', 'plan']),
  statusUrl: z.string().describe("GET this for the run's status (…/harden?instanceId=; also in the Location header)."),
  previousRuntimeStatus: z.string().optional().describe("The status of the registry's previous apply run, when there was one (an apply start only)."),
});

export const conflictSchema = errorResponseSchema.extend({ run: runStatusSchema });

export const eventAcceptedSchema = z.object({ instanceId: z.string(), event: z.string() });

export const terminateAcceptedSchema = z.object({ instanceId: z.string(), reason: z.string() });

export const runSummarySchema = z.object({
  instanceId: z.string(),
  registryId: z.string().optional(),
  mode: z.enum(['apply', 'plan']).optional(),
  trigger: z.string().optional(),
  runtimeStatus: z.string(),
  createdTime: z.string(),
  lastUpdatedTime: z.string(),
  statusUrl: z.string().optional().describe('The status of this run (…/harden?instanceId=).'),
});
export type RunSummary = z.output<typeof runSummarySchema>;

export const runsPageSchema = z.object({
  items: z.array(runSummarySchema).describe('Newest first.'),
  continuationToken: z.string().nullable().describe('Pass as ?continuationToken= for the next page; null on the last page.'),
});

export const discoveryDocumentSchema = z.looseObject({
  registryName: z.string().optional(),
  primaryRegion: z.string().optional(),
  regions: z.array(z.string()).optional(),
  registryFqdns: z.record(z.string(), z.looseObject({ uri: z.string().optional() })).optional().describe('Per region: the private FQDN of the registry API.'),
}).describe('The registry discovery document, as the service returns it.');

export const openApiDocumentSchema = z.looseObject({ openapi: z.string(), info: z.looseObject({}), paths: z.looseObject({}) }).describe('This document.');
