import { z } from 'zod';
import { parseResourceId, fullTypeOf } from '../shared/arm-id';
import { withoutCode } from '../shared/errors';
import { DEFAULT_OPERATION_SECONDS, parseOperationSeconds } from '../hardening/domain/operations';

/**
 * Every setting the app reads, in one list: the loader validates with it, and tests check that
 * local.settings.sample.json and the settings table of docs/settings.md cover exactly these names.
 */
export interface SettingSpec<T extends z.ZodType = z.ZodType> {
  name: string;
  required: boolean;
  meaning: string;
  example: string;
  schema: T;
}

const httpsUrl = z
  .string()
  .url()
  .refine((u) => u.startsWith('https://'), 'must be an https URL')
  .transform((u) => u.replace(/\/+$/, ''));

const guid = z.string().regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i, 'must be a GUID');

function armIdOf(type: string) {
  return z.string().superRefine((value, ctx) => {
    try {
      const rid = parseResourceId(value);
      if (fullTypeOf(rid)?.toLowerCase() !== type.toLowerCase()) ctx.addIssue({ code: 'custom', message: `must be a ${type} resource id` });
    } catch (e) {
      ctx.addIssue({ code: 'custom', message: withoutCode(e) });
    }
  });
}

const positiveInt = (max: number) => z.coerce.number().int().positive().max(max);
const bool = z.enum(['true', 'false']).transform((v) => v === 'true');
const csv = z.string().transform((s) => s.split(',').map((x) => x.trim()).filter((x) => x.length > 0));

export const SETTINGS = {
  AZURE_CLIENT_ID: {
    name: 'AZURE_CLIENT_ID', required: false, example: '11111111-2222-3333-4444-555555555555',
    meaning: 'Client id of the user-assigned managed identity used for every Azure call (unset: system-assigned identity / developer credential).',
    schema: guid.optional(),
  },
  APP_PRINCIPAL_ID: {
    name: 'APP_PRINCIPAL_ID', required: false, example: '22222222-3333-4444-5555-666666666666',
    meaning: 'Object (principal) id of the identity the app calls ARM with: Event Grid registry writes whose caller is this principal (the app\'s own public-access PUT) start no run (unset: every registry write starts one, a read-only re-check for the app\'s own).',
    schema: guid.transform((s) => s.toLowerCase()).optional(),
  },
  AUTH_APP_ID: {
    name: 'AUTH_APP_ID', required: false, example: '33333333-4444-5555-6666-777777777777',
    meaning: 'Client (application) id of the app registration App Service Authentication validates the HTTP API\'s tokens for (audience api://<id>; app roles Lockdown.Reader, Lockdown.Operator, Lockdown.NetworkAdmin). Unset: the HTTP API answers every call 503 AUTH.NOT_CONFIGURED (function keys open only the Event Grid webhook).',
    schema: guid.transform((s) => s.toLowerCase()).optional(),
  },
  WEBSITE_AUTH_ENABLED: {
    name: 'WEBSITE_AUTH_ENABLED', required: false, example: 'True',
    meaning: 'Set by App Service (never by hand, never in the Bicep): True when App Service Authentication is on, so X-MS-CLIENT-PRINCIPAL comes from the platform and not from the caller. Not True while AUTH_APP_ID is set: the HTTP API answers 503 AUTH.NOT_CONFIGURED.',
    schema: z.string().regex(/^(true|false)$/i, "must be 'True' or 'False'").transform((v) => v.toLowerCase() === 'true').default(false),
  },
  ARM_ENDPOINT: {
    name: 'ARM_ENDPOINT', required: false, example: 'https://management.azure.com',
    meaning: 'Azure Resource Manager endpoint (sovereign clouds, or the local simulator).',
    schema: httpsUrl.default('https://management.azure.com'),
  },
  ARM_SCOPE: {
    name: 'ARM_SCOPE', required: false, example: 'https://management.azure.com/.default',
    meaning: 'Token scope for ARM and registry discovery.',
    schema: z.string().min(1).default('https://management.azure.com/.default'),
  },
  ARM_MAX_RETRY_AFTER_SECONDS: {
    name: 'ARM_MAX_RETRY_AFTER_SECONDS', required: false, example: '30',
    meaning: 'Longest Retry-After the SDK waits in-process; a longer one ends the call as ARM.THROTTLED and the run waits it out with a durable timer (see THROTTLE_PATIENCE_MINUTES).',
    schema: positiveInt(3600).default(30),
  },
  ARM_MAX_RETRIES: {
    name: 'ARM_MAX_RETRIES', required: false, example: '4',
    meaning: 'Retries of one ARM request on 429, 5xx and connection errors.',
    schema: z.coerce.number().int().min(0).max(10).default(4),
  },
  ARM_LRO_POLL_INTERVAL_MS: {
    name: 'ARM_LRO_POLL_INTERVAL_MS', required: false, example: '2000',
    meaning: 'How long the run waits between two looks at a long-running ARM operation when ARM sends no Retry-After (a Retry-After always wins); the SDK default is 2000.',
    schema: z.coerce.number().int().min(1).max(600_000).default(2000),
  },
  ARM_LRO_EXPECTED_SECONDS: {
    name: 'ARM_LRO_EXPECTED_SECONDS', required: false, example: 'registryPut=30,acrPatch=15,endpointPut=30,zoneGroupPut=10',
    meaning: 'How long each kind of long-running operation usually takes (seconds, `kind=seconds` pairs over the defaults shown): the run looks first after the larger of this, ARM\'s Retry-After and the longest the kind took earlier in the run.',
    schema: z.string().optional().transform((text, ctx) => {
      const parsed = parseOperationSeconds(text ?? '');
      if (parsed.ok) return parsed.value;
      ctx.addIssue({ code: 'custom', message: parsed.problem });
      return { ...DEFAULT_OPERATION_SECONDS };
    }),
  },
  LRO_DEADLINE_MINUTES: {
    name: 'LRO_DEADLINE_MINUTES', required: false, example: '60',
    meaning: 'How long a run waits for one long-running ARM operation (durable timers, no activity waits) before it fails as ARM.LRO_DEADLINE; Azure may still finish it.',
    schema: positiveInt(24 * 60).default(60),
  },
  ARM_REQUEST_TIMEOUT_SECONDS: {
    name: 'ARM_REQUEST_TIMEOUT_SECONDS', required: false, example: '30',
    meaning: 'How long one ARM (or discovery, Event Grid) request may go unanswered before it is abandoned and retried like a connection error; the last one fails as ARM.TIMEOUT.',
    schema: positiveInt(600).default(30),
  },
  ARM_LRO_DEADLINE_SECONDS: {
    name: 'ARM_LRO_DEADLINE_SECONDS', required: false, example: '240',
    meaning: 'Runs started before workflow 2.3 only (their activities wait on the operation): how long one waits for a long-running ARM operation before it fails as ARM.LRO_DEADLINE and the durable retry takes over. With the request settings it must fit in FUNCTION_TIMEOUT_SECONDS (checked at start).',
    schema: positiveInt(24 * 3600).default(240),
  },
  FUNCTION_TIMEOUT_SECONDS: {
    name: 'FUNCTION_TIMEOUT_SECONDS', required: false, example: '600',
    meaning: 'host.json functionTimeout in seconds (the app cannot read host.json in Azure; a test keeps them equal): settings that let an activity wait longer (a request with its retries, then ARM_LRO_DEADLINE_SECONDS, plus 60 s) stop the app with CONFIG.INVALID; each activity\'s Azure calls together stop at this less 60 s (INVOCATION.BUDGET_SPENT, retried).',
    schema: positiveInt(24 * 3600).default(600),
  },
  AZURE_CLOUD: {
    name: 'AZURE_CLOUD', required: false, example: 'AzurePublicCloud',
    meaning: 'Which cloud\'s region list validates region names (AzurePublicCloud, AzureUSGovernment, AzureChinaCloud).',
    schema: z.enum(['AzurePublicCloud', 'AzureUSGovernment', 'AzureChinaCloud']).default('AzurePublicCloud'),
  },
  PRIVATE_ENDPOINT_SUBNET_ID: {
    name: 'PRIVATE_ENDPOINT_SUBNET_ID', required: true,
    example: '/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-network/providers/Microsoft.Network/virtualNetworks/vnet-ml/subnets/snet-pe',
    meaning: 'Subnet for the registry, storage and ACR private endpoints (Microsoft recommends the subnet of the workspace\'s private endpoint).',
    schema: armIdOf('Microsoft.Network/virtualNetworks/subnets'),
  },
  PRIVATE_ENDPOINT_RESOURCE_GROUP: {
    name: 'PRIVATE_ENDPOINT_RESOURCE_GROUP', required: false, example: 'rg-ml-endpoints',
    meaning: 'Resource group (in the subnet\'s subscription) for the private endpoints; never the registry\'s managed group. Default: the subnet\'s group.',
    schema: z.string().regex(/^[-\w._()]{1,90}$/, 'must be a resource group name').optional(),
  },
  PRIVATE_DNS_ZONE_ID_API_AZUREML: {
    name: 'PRIVATE_DNS_ZONE_ID_API_AZUREML', required: true,
    example: '/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-dns/providers/Microsoft.Network/privateDnsZones/privatelink.api.azureml.ms',
    meaning: 'Private DNS zone privatelink.api.azureml.ms for the registry endpoint (group amlregistry).',
    schema: armIdOf('Microsoft.Network/privateDnsZones'),
  },
  PRIVATE_DNS_ZONE_ID_BLOB: {
    name: 'PRIVATE_DNS_ZONE_ID_BLOB', required: true,
    example: '/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-dns/providers/Microsoft.Network/privateDnsZones/privatelink.blob.core.windows.net',
    meaning: 'Private DNS zone privatelink.blob.core.windows.net for the storage endpoints (group blob).',
    schema: armIdOf('Microsoft.Network/privateDnsZones'),
  },
  PRIVATE_DNS_ZONE_ID_ACR: {
    name: 'PRIVATE_DNS_ZONE_ID_ACR', required: true,
    example: '/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-dns/providers/Microsoft.Network/privateDnsZones/privatelink.azurecr.io',
    meaning: 'Private DNS zone privatelink.azurecr.io for the container registry endpoint (group registry; it also holds the per-region data names).',
    schema: armIdOf('Microsoft.Network/privateDnsZones'),
  },
  LOCKDOWN_ORDER: {
    name: 'LOCKDOWN_ORDER', required: false, example: 'lockdown-first',
    meaning: 'lockdown-first (public access off before endpoints: smallest exposure window) or endpoints-first.',
    schema: z.enum(['lockdown-first', 'endpoints-first']).default('lockdown-first'),
  },
  LOCKDOWN_ACR: {
    name: 'LOCKDOWN_ACR', required: false, example: 'true',
    meaning: 'Turn the registry ACR\'s public access off. Environment assets cannot be created in a registry whose ACR is private: false keeps it public and says so in every outcome.',
    schema: bool.default(true),
  },
  MANAGED_RG_ASSIGN_APP_IDENTITY: {
    name: 'MANAGED_RG_ASSIGN_APP_IDENTITY', required: false, example: 'true',
    meaning: 'Add the app\'s principal (APP_PRINCIPAL_ID) to the registry\'s managedResourceGroupSettings.assignedIdentities, which exempts it from the managed resource group\'s deny assignment, so that it can turn off public access of the registry\'s storage and ACR and approve their endpoints; existing entries are kept. false: those writes fail with ARM.DENY_ASSIGNMENT unless someone lists the app.',
    schema: bool.default(true),
  },
  ACCESS_PROPAGATION_MINUTES: {
    name: 'ACCESS_PROPAGATION_MINUTES', required: false, example: '10',
    meaning: 'How long a run waits (durable timers, then calls again) when ARM refuses access that may not have taken effect yet: a 403 naming a permission of the app\'s role, or the managed group\'s deny assignment while the app\'s exemption propagates; then it fails with ARM.FORBIDDEN / ARM.DENY_ASSIGNMENT. 0: fail at the first refusal.',
    schema: z.coerce.number().int().min(0).max(24 * 60).default(10),
  },
  EXEMPTION_TAG: {
    name: 'EXEMPTION_TAG', required: false, example: 'aml-registry-lockdown=exempt',
    meaning: 'Tag name=value that exempts a registry from hardening.',
    schema: z.string().regex(/^[^=\s][^=]*=.+$/, "must be 'name=value'").default('aml-registry-lockdown=exempt')
      .transform((s) => { const i = s.indexOf('='); return { name: s.slice(0, i), value: s.slice(i + 1) }; }),
  },
  APPROVAL_DEADLINE_MINUTES: {
    name: 'APPROVAL_DEADLINE_MINUTES', required: false, example: '1440',
    meaning: 'How long a run waits for a Pending private endpoint connection to be approved.',
    schema: positiveInt(7 * 24 * 60).default(24 * 60),
  },
  DNS_DEADLINE_MINUTES: {
    name: 'DNS_DEADLINE_MINUTES', required: false, example: '15',
    meaning: 'How long the DNS proof retries before the run fails with a per-name diagnosis.',
    schema: positiveInt(24 * 60).default(15),
  },
  PROVISIONING_DEADLINE_MINUTES: {
    name: 'PROVISIONING_DEADLINE_MINUTES', required: false, example: '60',
    meaning: 'How long a run waits for a registry that is still provisioning.',
    schema: positiveInt(24 * 60).default(60),
  },
  THROTTLE_PATIENCE_MINUTES: {
    name: 'THROTTLE_PATIENCE_MINUTES', required: false, example: '60',
    meaning: 'How long in total a run waits out ARM throttling (429 after the in-process retries): it waits with durable timers and calls again; past this it fails with ARM.THROTTLED.',
    schema: positiveInt(24 * 60).default(60),
  },
  DNS_SERVERS: {
    name: 'DNS_SERVERS', required: false, example: '168.63.129.16',
    meaning: 'Resolvers for the DNS proof, comma-separated host[:port] (empty: the system resolver; in Azure the VNet-integrated app uses the VNet\'s DNS).',
    schema: csv.default([]).pipe(z.array(z.string().regex(/^(\[[0-9a-f:]+\]|[0-9.]+|[0-9a-f:]+)(:\d{1,5})?$/i, 'must be an IP address with an optional :port'))),
  },
  DISCOVERY_URL_TEMPLATE: {
    name: 'DISCOVERY_URL_TEMPLATE', required: false, example: 'https://{region}.api.azureml.ms',
    meaning: 'Base URL of registry discovery, with {region}; the ARM token is sent only to this host with a known region substituted.',
    schema: z.string().refine((s) => s.startsWith('https://') && s.includes('{region}'), 'must be an https URL containing {region}')
      .default('https://{region}.api.azureml.ms').transform((u) => u.replace(/\/+$/, '')),
  },
  DISCOVERY_CACHE_SECONDS: {
    name: 'DISCOVERY_CACHE_SECONDS', required: false, example: '60',
    meaning: 'How long GET /api/discovery keeps a successful discovery answer in memory (0: no cache).',
    schema: z.coerce.number().int().min(0).max(3600).default(60),
  },
  OUTCOME_TOPIC_ENDPOINT: {
    name: 'OUTCOME_TOPIC_ENDPOINT', required: false, example: 'https://egt-lockdown.westeurope-1.eventgrid.azure.net/api/events',
    meaning: 'Event Grid custom topic (CloudEvents schema, Entra auth) that receives one outcome event per run; unset: no event.',
    schema: httpsUrl.optional(),
  },
  TARGET_SUBSCRIPTION_IDS: {
    name: 'TARGET_SUBSCRIPTION_IDS', required: false, example: '00000000-0000-0000-0000-000000000000,11111111-2222-3333-4444-555555555555',
    meaning: 'Comma-separated ids of the target subscriptions, with TARGET_MANAGEMENT_GROUP the target scope: every request, event and run outside it is refused (403 REQUEST.OUT_OF_SCOPE; an event is ignored), and the sweep and the fleet reports cover it (empty, and no group: nothing is in scope, and POST /api/sweep answers 409 SWEEP.NO_SUBSCRIPTIONS).',
    schema: csv.default([]).pipe(z.array(guid.transform((s) => s.toLowerCase())).max(100, 'at most 100 subscriptions')),
  },
  TARGET_MANAGEMENT_GROUP: {
    name: 'TARGET_MANAGEMENT_GROUP', required: false, example: 'mg-ml-platform',
    meaning: 'Id (name) of a management group: every subscription under it is in the target scope too (its members are listed when needed and kept 5 minutes for the scope check), and the sweep and the fleet reports cover them (listed at each use, merged with TARGET_SUBSCRIPTION_IDS); a group the app cannot read is a failed line of the report, and a request or event it would decide fails with the listing\'s code.',
    schema: z.string().regex(/^[A-Za-z0-9_().-]{0,89}[A-Za-z0-9_()-]$/, 'must be a management group id (1-90 letters, digits, - _ ( ) .; not ending in .)').optional(),
  },
  SWEEP_SCHEDULE: {
    name: 'SWEEP_SCHEDULE', required: false, example: '0 0 3 * * *',
    meaning: 'NCRONTAB schedule (6 fields, seconds first, UTC) of the backfill and drift sweep; unset: no timer is registered (read when the app loads).',
    schema: z.string().regex(/^\S+(\s+\S+){5}$/, 'must be an NCRONTAB expression with 6 fields (second minute hour day month day-of-week)').optional(),
  },
  SWEEP_WRITE_BURST: {
    name: 'SWEEP_WRITE_BURST', required: false, example: '200',
    meaning: 'The sweep paces run starts by their estimated ARM writes through a token bucket per subscription: its capacity (ARM: 200 writes).',
    schema: positiveInt(10_000).default(200),
  },
  SWEEP_WRITE_REFILL_PER_SECOND: {
    name: 'SWEEP_WRITE_REFILL_PER_SECOND', required: false, example: '10',
    meaning: 'Refill of the sweep\'s per-subscription write bucket, tokens per second (ARM: 10 writes/s).',
    schema: z.coerce.number().positive().max(1000).default(10),
  },
  SWEEP_CONCURRENCY: {
    name: 'SWEEP_CONCURRENCY', required: false, example: '10',
    meaning: 'How many registries the sweep plans, or runs it starts, at once.',
    schema: positiveInt(100).default(10),
  },
} as const satisfies Record<string, SettingSpec>;

export type SettingName = keyof typeof SETTINGS;
