/** The report routes' schemas (GET …/report, GET /api/fleet/report): query and JSON answers. */
import { z } from 'zod';
import { REGISTRY_STATES } from './domain/report';

export const reportQuery = z.object({
  format: z.enum(['html', 'json'], { error: () => "must be 'html' or 'json'" }).optional()
    .describe('Overrides the Accept header: html (the page) or json. Default: HTML when Accept prefers text/html (a browser), JSON otherwise.'),
});

const coded = z.object({ code: z.string(), message: z.string() });
const runError = z.object({ code: z.string().optional(), message: z.string() });
const stateSchema = z.enum(REGISTRY_STATES).describe('Hardened, Drifted (hardened by the last run, public access on again now), Failed, Exempt, NeverRun, Running.');

const verdictSchema = z.object({
  state: stateSchema,
  detail: z.string(),
  lastCheckedAt: z.string().optional().describe("The last run's last update."),
});

const stepSchema = z.object({ step: z.string(), state: z.string(), detail: z.string(), startedAt: z.string().optional(), endedAt: z.string().optional() });
const waitSchema = z.object({
  step: z.string(), kind: z.enum(['approval', 'throttling', 'dns', 'provisioning', 'access']),
  startedAt: z.string(), endedAt: z.string().optional().describe('Absent while the run waits.'), count: z.number().int().describe('Waits of this kind in a row (approval polls, DNS retries).'),
});

const dnsCheckSchema = z.looseObject({
  fqdn: z.string(), expectedIp: z.string(), endpointId: z.string(), kind: z.string(), ok: z.boolean(),
  answered: z.array(z.string()), chain: z.array(z.string()), reportedAs: z.string().optional(), error: z.string().optional(),
});

const dnsProofSchema = z.object({
  checkedAt: z.string(),
  source: z.enum(['now', 'lastRun']),
  checks: z.array(dnsCheckSchema),
  error: coded.optional(),
});

const runViewSchema = z.object({
  instanceId: z.string(),
  registryId: z.string(),
  mode: z.enum(['apply', 'plan']),
  trigger: z.string().optional(),
  triggeredAt: z.string().optional(),
  runtimeStatus: z.string(),
  createdTime: z.string(),
  lastUpdatedTime: z.string(),
  steps: z.array(stepSchema),
  waits: z.array(waitSchema).describe('The waits inside the steps (runs from before this field have none).'),
  outcome: z.looseObject({ kind: z.string() }).optional().describe("The run's outcome (completed runs), as GET …/harden shows it."),
  error: runError.optional(),
});

const registrySchema = z.object({
  id: z.string(), name: z.string(), subscriptionId: z.string(), resourceGroup: z.string(), location: z.string(),
  regions: z.array(z.string()), managedResourceGroupId: z.string().optional(), exempt: z.boolean(),
  provisioning: z.string().optional().describe("Set while the registry's storage accounts or ACR are not there yet."),
});

export const registryReportSchema = z.object({
  generatedAt: z.string(),
  registry: registrySchema,
  state: verdictSchema,
  endpoints: z.array(z.object({
    id: z.string(), name: z.string(), targetKind: z.enum(['registry', 'storage', 'acr']), targetName: z.string(), targetId: z.string(),
    groupIds: z.array(z.string()), subnetId: z.string(), privateIps: z.array(z.string()), connectionStatus: z.string(),
    connectionDescription: z.string().optional(), provisioningState: z.string(),
    inAppSubnet: z.boolean().describe("In the app's endpoint subnet: its names are in the DNS proof."), error: coded.optional(),
  })).describe('Every private endpoint connected to the registry, its storage accounts and its ACR, read from ARM now.'),
  publicAccess: z.array(z.object({
    kind: z.enum(['registry', 'storage', 'acr']), id: z.string(), name: z.string(), region: z.string(),
    publicNetworkAccess: z.string().optional().describe('As ARM reports it now; absent when it could not be read (error).'),
    error: coded.optional(),
    expected: z.enum(['Disabled', 'LeftPublic']).describe("LeftPublic: the last run's plan leaves it public (e.g. LOCKDOWN_ACR=false)."),
    reason: z.string().optional(),
    ok: z.boolean(),
  })).describe('Public network access of the registry, each storage account and the ACR, read from ARM now.'),
  dns: dnsProofSchema.describe("The names of the endpoints in the app's subnet, resolved for this report through the app's resolver."),
  lastRunDns: dnsProofSchema.optional().describe("The last run's own DNS proof."),
  exposure: z.object({ windowMs: z.number(), from: z.string().optional(), to: z.string().optional(), instanceId: z.string() }).optional()
    .describe('Creation event → last public-access write, from the newest run that knew both.'),
  lastRun: runViewSchema.optional().describe("The newest run: the page's timeline."),
  runs: z.array(runViewSchema).describe('Every run of the registry in the run history, newest first (the last one included).'),
  links: z.object({ self: z.string(), json: z.string(), fleet: z.string() }),
});

export const fleetOverviewSchema = z.object({
  generatedAt: z.string(),
  managementGroups: z.array(z.object({ managementGroupId: z.string(), ok: z.boolean(), subscriptions: z.number(), error: coded.optional() })).optional(),
  subscriptions: z.array(z.object({ subscriptionId: z.string(), ok: z.boolean(), registries: z.number(), error: coded.optional() }))
    .describe('Per target subscription: its registries listed, or failed with the reason (the others are still reported).'),
  registries: z.array(z.object({
    registryId: z.string(), name: z.string(), subscriptionId: z.string(), resourceGroup: z.string(), location: z.string(),
    state: stateSchema, detail: z.string(), lastCheckedAt: z.string().optional(), reportUrl: z.string(),
  })),
  counts: z.record(z.string(), z.number()).describe('Registries per state (every state, 0 included).'),
  failures: z.number().describe('Subscriptions and management groups that could not be listed.'),
  links: z.object({ self: z.string(), json: z.string() }),
});
