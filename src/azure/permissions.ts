/**
 * Every Azure RBAC action the app's identity needs, in ONE list, each with the HTTP calls that need
 * it and the custom role (ROLE_PARTS) that grants it where the app needs it. The deployment's
 * custom roles (infra/app/role-actions.json, written by `npm run gen:role`) are generated from this
 * list, a unit test fails when the two differ, and an integration test maps every request the app
 * makes against the local Azure to an entry here — so a new ARM call without its permission fails a
 * test.
 *
 * Path templates: `*` stands for exactly one path segment; matching ignores case (ARM does).
 * Pure: no SDK, no I/O.
 */

export type HttpMethod = 'GET' | 'PUT' | 'PATCH' | 'POST' | 'DELETE';

export interface ArmCall {
  method: HttpMethod;
  /** A template ('/subscriptions/*\/…', `*` = one segment) or a RegExp tested against the path (no query). */
  pathPattern: string | RegExp;
  /** Which service receives the call; ARM unless said otherwise. */
  host?: 'arm' | 'registry-discovery' | 'event-grid-topic';
}

/**
 * The custom roles infra/ generates, each assigned at one kind of scope. An action belongs to a
 * role only if one of its calls lies at or below that kind of scope: an assignment grants nothing
 * above its scope (a management group's descendants, or a subscription-level operation status,
 * are out of reach of a resource-group assignment).
 */
export type RolePart = 'hardening' | 'network' | 'networkOperations' | 'networkWrites' | 'managementGroup';
export type BuiltInRole = 'EventGrid Data Sender';
export type ScopeKind = 'managementGroup' | 'subscription' | 'resourceGroup';

export const ROLE_PARTS: Readonly<Record<RolePart, { scope: ScopeKind; assignedAt: string; optIn: boolean }>> = {
  hardening: { scope: 'subscription', optIn: false, assignedAt: 'each target subscription: registries, their storage and ACR, approvals of their endpoint connections, and the reads of the workspace reports' },
  network: { scope: 'resourceGroup', optIn: false, assignedAt: 'the endpoint subnet\'s, the endpoints\' and each private DNS zone\'s resource group: endpoints, zone groups, subnet and zone joins' },
  networkOperations: { scope: 'subscription', optIn: false, assignedAt: 'the subscription of each of those resource groups: the status of their long-running network operations' },
  networkWrites: { scope: 'subscription', optIn: true, assignedAt: 'each target subscription, only when the deployment opts in (grantNetworkWrites): egress fix (NSG rules) and exfiltration protection (subnet, service endpoint policy)' },
  managementGroup: { scope: 'managementGroup', optIn: true, assignedAt: 'TARGET_MANAGEMENT_GROUP, by infra/management-group/main.bicep (with the hardening actions): list its subscriptions' },
};

export interface Permission {
  action: string;
  /** control-plane action, or a data action (granted by a built-in data role, never by a custom role) */
  kind: 'action' | 'dataAction';
  /** who grants it in infra/: the generated custom roles that need it at their scope, or a built-in role */
  grantedBy: ReadonlyArray<RolePart | BuiltInRole>;
  why: string;
  calls: readonly ArmCall[];
}

const SUB = '/subscriptions/*';
const RG = `${SUB}/resourceGroups/*`;
const ML_REGISTRY = `${RG}/providers/Microsoft.MachineLearningServices/registries/*`;
const PE = `${RG}/providers/Microsoft.Network/privateEndpoints/*`;
const ZONE_GROUPS = `${PE}/privateDnsZoneGroups`;
const STORAGE = `${RG}/providers/Microsoft.Storage/storageAccounts/*`;
const ACR = `${RG}/providers/Microsoft.ContainerRegistry/registries/*`;
const SUBNET = `${RG}/providers/Microsoft.Network/virtualNetworks/*/subnets/*`;
const NSG = `${RG}/providers/Microsoft.Network/networkSecurityGroups/*`;
const SEP = `${RG}/providers/Microsoft.Network/serviceEndpointPolicies/*`;

/** Creating an endpoint with privateLinkServiceConnections (automatic approval) is authorized against the target too. */
const PE_PUT: ArmCall = { method: 'PUT', pathPattern: PE };
/** A subnet PUT is authorized against every resource it references too (NSG, route table, service endpoint policies). */
const SUBNET_PUT: ArmCall = { method: 'PUT', pathPattern: SUBNET };

export const PERMISSIONS: readonly Permission[] = [
  // ── Azure ML registries (src/azure/registries.adapter.ts) ────────────────────────────────────
  {
    action: 'Microsoft.MachineLearningServices/registries/read',
    kind: 'action', grantedBy: ['hardening'],
    why: 'Re-read the registry (never trust the event), list registries, and call registry discovery (which authorizes the ARM token against the registry).',
    calls: [
      { method: 'GET', pathPattern: ML_REGISTRY },
      { method: 'GET', pathPattern: `${RG}/providers/Microsoft.MachineLearningServices/registries` },
      { method: 'GET', pathPattern: `${SUB}/providers/Microsoft.MachineLearningServices/registries` },
      { method: 'GET', pathPattern: '/registrymanagement/v1.0/registries/*/discovery', host: 'registry-discovery' },
    ],
  },
  {
    action: 'Microsoft.MachineLearningServices/registries/write',
    kind: 'action', grantedBy: ['hardening'],
    why: 'PUT the whole registry with publicNetworkAccess=Disabled (PATCH cannot change it).',
    calls: [{ method: 'PUT', pathPattern: ML_REGISTRY }],
  },
  {
    action: 'Microsoft.ManagedIdentity/userAssignedIdentities/assign/action',
    kind: 'action', grantedBy: ['hardening'],
    why: "The registry PUT carries the registry's identity as read; ARM checks this action (a linked check) on every user-assigned identity named in the body, even one already assigned.",
    calls: [{ method: 'PUT', pathPattern: ML_REGISTRY }],
  },
  {
    action: 'Microsoft.MachineLearningServices/locations/mfeOperationsStatus/read',
    kind: 'action', grantedBy: ['hardening'],
    why: 'Poll the registry PUT (long-running; Azure-AsyncOperation header).',
    calls: [{ method: 'GET', pathPattern: `${SUB}/providers/Microsoft.MachineLearningServices/locations/*/mfeOperationsStatus/*` }],
  },
  {
    action: 'Microsoft.MachineLearningServices/locations/mfeOperationResults/read',
    kind: 'action', grantedBy: ['hardening'],
    why: 'Poll the registry PUT through its Location header.',
    calls: [{ method: 'GET', pathPattern: `${SUB}/providers/Microsoft.MachineLearningServices/locations/*/mfeOperationResults/*` }],
  },
  {
    action: 'Microsoft.MachineLearningServices/registries/privateEndpointConnectionsApproval/action',
    kind: 'action', grantedBy: ['hardening'],
    why: 'Auto-approve the amlregistry endpoint connection on the registry when the endpoint is created (the registry counterpart of workspaces/privateEndpointConnectionsApproval/action).',
    calls: [PE_PUT],
  },

  // ── Management groups (src/azure/management-groups.adapter.ts): the sweep's subscriptions ───
  {
    action: 'Microsoft.Management/managementGroups/descendants/read',
    kind: 'action', grantedBy: ['managementGroup'],
    why: 'List the subscriptions under TARGET_MANAGEMENT_GROUP (Management Groups - Get Descendants) for the sweep; effective only where the role is assigned at (or above) that group.',
    calls: [{ method: 'GET', pathPattern: '/providers/Microsoft.Management/managementGroups/*/descendants' }],
  },

  // ── Azure ML workspaces, online endpoints and deployments (src/azure/workspaces.adapter.ts) ───
  {
    action: 'Microsoft.MachineLearningServices/workspaces/read',
    kind: 'action', grantedBy: ['hardening'],
    why: "Read a workspace for its storage account (share-with), before auditing its online deployments, and to check it exists before the egress check; list a subscription's workspaces (fleet reports).",
    calls: [
      { method: 'GET', pathPattern: `${RG}/providers/Microsoft.MachineLearningServices/workspaces/*` },
      { method: 'GET', pathPattern: `${SUB}/providers/Microsoft.MachineLearningServices/workspaces` },
    ],
  },
  {
    action: 'Microsoft.MachineLearningServices/workspaces/computes/read',
    kind: 'action', grantedBy: ['hardening'],
    why: "List a workspace's computes for the subnets they sit in (fleet egress and exfiltration reports, egress-check of a workspace).",
    calls: [{ method: 'GET', pathPattern: `${RG}/providers/Microsoft.MachineLearningServices/workspaces/*/computes` }],
  },
  {
    action: 'Microsoft.MachineLearningServices/workspaces/onlineEndpoints/read',
    kind: 'action', grantedBy: ['hardening'],
    why: 'List the workspace\'s online endpoints (deployments audit).',
    calls: [{ method: 'GET', pathPattern: `${RG}/providers/Microsoft.MachineLearningServices/workspaces/*/onlineEndpoints` }],
  },
  {
    action: 'Microsoft.MachineLearningServices/workspaces/onlineEndpoints/deployments/read',
    kind: 'action', grantedBy: ['hardening'],
    why: 'List each online endpoint\'s deployments: model and egressPublicNetworkAccess (deployments audit).',
    calls: [{ method: 'GET', pathPattern: `${RG}/providers/Microsoft.MachineLearningServices/workspaces/*/onlineEndpoints/*/deployments` }],
  },

  // ── Private endpoints, zone groups, NICs, VNets (src/azure/network.adapter.ts) ───────────────
  {
    action: 'Microsoft.Network/privateEndpoints/read',
    kind: 'action', grantedBy: ['network'],
    why: 'Read an endpoint (existence, connection state, its NICs with $expand=networkInterfaces), and list the endpoints of their resource group (one list instead of a GET per endpoint).',
    calls: [{ method: 'GET', pathPattern: PE }, { method: 'GET', pathPattern: `${RG}/providers/Microsoft.Network/privateEndpoints` }],
  },
  {
    action: 'Microsoft.Network/privateEndpoints/write',
    kind: 'action', grantedBy: ['network'],
    why: 'Create the amlregistry, blob and registry private endpoints outside the locked managed resource group.',
    calls: [PE_PUT],
  },
  {
    action: 'Microsoft.Network/virtualNetworks/subnets/join/action',
    kind: 'action', grantedBy: ['network'],
    why: 'Place an endpoint in the configured subnet (PRIVATE_ENDPOINT_SUBNET_ID).',
    calls: [PE_PUT],
  },
  {
    action: 'Microsoft.Storage/storageAccounts/privateEndpointConnectionsApproval/action',
    kind: 'action', grantedBy: ['hardening'],
    why: 'Auto-approve the blob endpoint connection on each regional storage account of the registry.',
    calls: [PE_PUT],
  },
  {
    action: 'Microsoft.ContainerRegistry/registries/privateEndpointConnectionsApproval/action',
    kind: 'action', grantedBy: ['hardening'],
    why: 'Auto-approve the registry endpoint connection on the registry\'s container registry.',
    calls: [PE_PUT],
  },
  {
    action: 'Microsoft.Network/privateEndpoints/privateDnsZoneGroups/read',
    kind: 'action', grantedBy: ['network'],
    why: 'List an endpoint\'s zone groups (never fight one someone else attached) and read their record sets for the DNS proof.',
    calls: [{ method: 'GET', pathPattern: ZONE_GROUPS }, { method: 'GET', pathPattern: `${ZONE_GROUPS}/*` }],
  },
  {
    action: 'Microsoft.Network/privateEndpoints/privateDnsZoneGroups/write',
    kind: 'action', grantedBy: ['network'],
    why: 'Attach the private DNS zone group that registers the endpoint\'s names.',
    calls: [{ method: 'PUT', pathPattern: `${ZONE_GROUPS}/*` }],
  },
  {
    action: 'Microsoft.Network/privateDnsZones/join/action',
    kind: 'action', grantedBy: ['network'],
    why: 'Reference the configured private DNS zones (PRIVATE_DNS_ZONE_ID_*) from a zone group.',
    calls: [{ method: 'PUT', pathPattern: `${ZONE_GROUPS}/*` }],
  },
  {
    action: 'Microsoft.Network/networkInterfaces/read',
    kind: 'action', grantedBy: ['network'],
    why: 'Read the endpoint NIC\'s private IPs and FQDNs for the DNS proof (verify-dns reads the NIC itself; a run reads it expanded in the endpoint GET, which may be checked against this too).',
    calls: [{ method: 'GET', pathPattern: `${RG}/providers/Microsoft.Network/networkInterfaces/*` }],
  },
  {
    action: 'Microsoft.Network/virtualNetworks/read',
    kind: 'action', grantedBy: ['network', 'hardening'],
    why: 'Read the endpoint subnet\'s VNet for its region.',
    calls: [{ method: 'GET', pathPattern: `${RG}/providers/Microsoft.Network/virtualNetworks/*` }],
  },
  {
    action: 'Microsoft.Network/locations/operations/read',
    kind: 'action', grantedBy: ['networkOperations', 'networkWrites'],
    why: 'Poll endpoint and zone-group PUTs (long-running; Azure-AsyncOperation header).',
    calls: [{ method: 'GET', pathPattern: `${SUB}/providers/Microsoft.Network/locations/*/operations/*` }],
  },
  {
    action: 'Microsoft.Network/locations/operationResults/read',
    kind: 'action', grantedBy: ['networkOperations', 'networkWrites'],
    why: 'Poll network operations through their Location header.',
    calls: [{ method: 'GET', pathPattern: `${SUB}/providers/Microsoft.Network/locations/*/operationResults/*` }],
  },

  // ── Egress check and exfiltration protection (src/azure/network-security.adapter.ts) ────────
  {
    action: 'Microsoft.Network/virtualNetworks/subnets/read',
    kind: 'action', grantedBy: ['hardening'],
    why: 'Read a workspace subnet: its NSG, address prefixes, service endpoints and service endpoint policies.',
    calls: [{ method: 'GET', pathPattern: SUBNET }],
  },
  {
    action: 'Microsoft.Network/virtualNetworks/subnets/write',
    kind: 'action', grantedBy: ['networkWrites'],
    why: 'Exfiltration protection: PUT the subnet back with the Microsoft.Storage service endpoint and the ML-alias policy added (nothing removed).',
    calls: [SUBNET_PUT],
  },
  {
    action: 'Microsoft.Network/serviceEndpointPolicies/join/action',
    kind: 'action', grantedBy: ['networkWrites'],
    why: 'Attach the service endpoint policy to the subnet (linked access check of the subnet PUT).',
    calls: [SUBNET_PUT],
  },
  {
    action: 'Microsoft.Network/networkSecurityGroups/join/action',
    kind: 'action', grantedBy: ['networkWrites'],
    why: 'The subnet PUT carries its NSG reference unchanged; ARM checks the reference (linked access check).',
    calls: [SUBNET_PUT],
  },
  {
    action: 'Microsoft.Network/routeTables/join/action',
    kind: 'action', grantedBy: ['networkWrites'],
    why: 'The subnet PUT carries its route table reference unchanged; ARM checks the reference (linked access check).',
    calls: [SUBNET_PUT],
  },
  {
    action: 'Microsoft.Network/natGateways/join/action',
    kind: 'action', grantedBy: ['networkWrites'],
    why: 'The subnet PUT carries its NAT gateway reference unchanged; ARM checks the reference (linked access check).',
    calls: [SUBNET_PUT],
  },
  {
    action: 'Microsoft.Network/networkSecurityGroups/read',
    kind: 'action', grantedBy: ['hardening'],
    why: "Egress check: read the subnet's NSG with its security and default rules.",
    calls: [{ method: 'GET', pathPattern: NSG }],
  },
  {
    action: 'Microsoft.Network/networkSecurityGroups/securityRules/write',
    kind: 'action', grantedBy: ['networkWrites'],
    why: 'Egress fix: add one outbound Allow rule per missing service tag and protocol (never modifying or deleting a rule).',
    calls: [{ method: 'PUT', pathPattern: `${NSG}/securityRules/*` }],
  },
  {
    action: 'Microsoft.Network/networkSecurityGroups/securityRules/read',
    kind: 'action', grantedBy: ['networkWrites'],
    why: 'Egress fix: the final GET of an added rule once its PUT completes (long-running).',
    calls: [{ method: 'GET', pathPattern: `${NSG}/securityRules/*` }],
  },
  {
    action: 'Microsoft.Network/serviceEndpointPolicies/read',
    kind: 'action', grantedBy: ['hardening'],
    why: "Exfiltration protection: read the subnet's policies and list the resource group's for one with the ML alias.",
    calls: [{ method: 'GET', pathPattern: SEP }, { method: 'GET', pathPattern: `${RG}/providers/Microsoft.Network/serviceEndpointPolicies` }],
  },
  {
    action: 'Microsoft.Network/serviceEndpointPolicies/write',
    kind: 'action', grantedBy: ['networkWrites'],
    why: 'Exfiltration protection: create sep-aml-<hash> with the /services/Azure/MachineLearning alias when no policy in the resource group has it.',
    calls: [{ method: 'PUT', pathPattern: SEP }],
  },

  // ── Storage accounts and the container registry (src/azure/storage-acr.adapter.ts) ────────────
  {
    action: 'Microsoft.Storage/storageAccounts/read',
    kind: 'action', grantedBy: ['hardening'],
    why: 'Read a registry storage account\'s public access and endpoint connections, and a workspace storage account\'s network rules (share-with).',
    calls: [{ method: 'GET', pathPattern: STORAGE }],
  },
  {
    action: 'Microsoft.Storage/storageAccounts/write',
    kind: 'action', grantedBy: ['hardening'],
    why: 'PATCH publicNetworkAccess=Disabled on a registry storage account; PATCH networkAcls (selected networks + the registry\'s resource-instance rule) on a workspace\'s storage account (share-with). One action for both, so RBAC cannot hold share-with back: the Lockdown.NetworkAdmin app role does.',
    calls: [{ method: 'PATCH', pathPattern: STORAGE }],
  },
  {
    action: 'Microsoft.Storage/locations/asyncoperations/read',
    kind: 'action', grantedBy: ['hardening'],
    why: 'Poll a storage operation should the service answer the PATCH asynchronously.',
    calls: [{ method: 'GET', pathPattern: `${SUB}/providers/Microsoft.Storage/locations/*/asyncoperations/*` }],
  },
  {
    action: 'Microsoft.ContainerRegistry/registries/read',
    kind: 'action', grantedBy: ['hardening'],
    why: 'Read the container registry\'s public access, SKU and endpoint connections.',
    calls: [{ method: 'GET', pathPattern: ACR }],
  },
  {
    action: 'Microsoft.ContainerRegistry/registries/write',
    kind: 'action', grantedBy: ['hardening'],
    why: 'PATCH publicNetworkAccess=Disabled on the container registry (LOCKDOWN_ACR).',
    calls: [{ method: 'PATCH', pathPattern: ACR }],
  },
  {
    action: 'Microsoft.ContainerRegistry/registries/operationStatuses/read',
    kind: 'action', grantedBy: ['hardening'],
    why: 'Poll the container registry PATCH (long-running).',
    calls: [{ method: 'GET', pathPattern: `${ACR}/operationStatuses/*` }],
  },

  // ── Resource groups and resources (src/azure/resource-groups.adapter.ts) ──────────────────────
  {
    action: 'Microsoft.Resources/subscriptions/resourceGroups/read',
    kind: 'action', grantedBy: ['hardening'],
    why: 'Find the registry\'s managed resource group (azureml-rg-<name>_<GUID>) when the registry does not name it.',
    calls: [{ method: 'GET', pathPattern: `${SUB}/resourceGroups` }, { method: 'GET', pathPattern: RG }],
  },
  {
    action: 'Microsoft.Resources/subscriptions/resourceGroups/resources/read',
    kind: 'action', grantedBy: ['hardening'],
    why: 'List the storage accounts and container registry in the managed resource group by type.',
    calls: [{ method: 'GET', pathPattern: `${RG}/resources` }],
  },

  // ── The app's own effective permissions (src/azure/effective-permissions.adapter.ts) ─────────
  {
    action: 'Microsoft.Authorization/permissions/read',
    kind: 'action', grantedBy: ['hardening', 'network'],
    why: 'Plan mode: read the app\'s effective permissions at every scope an apply would write (endpoint resource group, subnet, zones, registry, storage, ACR) and list what is missing before any write.',
    calls: [
      { method: 'GET', pathPattern: /\/providers\/Microsoft\.Authorization\/permissions$/i },
    ],
  },

  // ── Outcome topic (src/azure/outcome-publisher.adapter.ts) ────────────────────────────────────
  {
    action: 'Microsoft.EventGrid/events/send/action',
    kind: 'dataAction', grantedBy: ['EventGrid Data Sender'],
    why: 'Publish one outcome CloudEvent per run to OUTCOME_TOPIC_ENDPOINT (Entra auth; the topic has local auth off).',
    calls: [{ method: 'POST', pathPattern: /\/api\/events$/i, host: 'event-grid-topic' }],
  },
];

/**
 * Sorted as infra/app/role-actions.json has them. The lists below are functions, not constants
 * made when the module loads: the first localeCompare starts ICU's collator, 5–25 ms that a cold
 * start (every function's registration imports this file) does not need.
 */
function uniqueSorted(values: Iterable<string>): string[] {
  return [...new Set(values)].sort((a, b) => a.localeCompare(b));
}

const isRolePart = (g: string): g is RolePart => g in ROLE_PARTS;

/** Every action and data action the app performs, sorted. */
export function allActions(): string[] {
  return uniqueSorted(PERMISSIONS.map((p) => p.action));
}

/** Every control-plane action of the generated custom roles, whichever role grants it. */
export function customRoleActions(): string[] {
  return uniqueSorted(PERMISSIONS.filter((p) => p.grantedBy.some(isRolePart)).map((p) => p.action));
}

/** The actions of one generated custom role (infra/app/role-actions.json `roles.<part>.actions`). */
export function roleActions(part: RolePart): string[] {
  return uniqueSorted(PERMISSIONS.filter((p) => p.grantedBy.includes(part)).map((p) => p.action));
}

/** What built-in roles grant instead of the custom roles, by role name. */
export function builtInRoleGrants(): Record<string, string[]> {
  return PERMISSIONS
    .flatMap((p) => p.grantedBy.filter((g) => !isRolePart(g)).map((role) => [role, p.action] as const))
    .reduce<Record<string, string[]>>((acc, [role, action]) => {
      acc[role] = uniqueSorted([...(acc[role] ?? []), action]);
      return acc;
    }, {});
}

const templateCache = new Map<string, RegExp>();

/** A path template ('*' = one segment) as an anchored, case-insensitive RegExp. */
export function templateToRegExp(template: string): RegExp {
  let re = templateCache.get(template);
  if (!re) {
    const body = template
      .replace(/\/+$/, '')
      .split('/')
      .map((seg) => (seg === '*' ? '[^/]+' : seg.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
      .join('/');
    re = new RegExp(`^${body}/?$`, 'i');
    templateCache.set(template, re);
  }
  return re;
}

function matches(call: ArmCall, method: string, path: string): boolean {
  if (call.method !== method.toUpperCase()) return false;
  const p = path.split('?')[0] ?? '';
  if (typeof call.pathPattern === 'string') return templateToRegExp(call.pathPattern).test(p);
  call.pathPattern.lastIndex = 0;
  return call.pathPattern.test(p);
}

/** The actions a request needs (empty: a call this list does not know — give it a permission). */
export function actionsFor(method: string, path: string): string[] {
  return uniqueSorted(PERMISSIONS.filter((p) => p.calls.some((c) => matches(c, method, path))).map((p) => p.action));
}

/** The document infra/app/role-actions.json holds (what `npm run gen:role` writes). */
export function roleActionsDocument(): {
  description: string;
  actions: string[];
  roles: Record<RolePart, { scope: ScopeKind; optIn: boolean; assignedAt: string; actions: string[] }>;
  notActions: string[]; dataActions: string[]; notDataActions: string[];
  builtInRoles: Record<string, string[]>;
} {
  const parts = Object.keys(ROLE_PARTS) as RolePart[];
  return {
    description: 'Generated by `npm run gen:role` from src/azure/permissions.ts — do not edit by hand. `actions`: every action of every role (the local Azure and the tests assign it whole); `roles`: what each custom role holds and where infra/ assigns it.',
    actions: customRoleActions(),
    roles: Object.fromEntries(parts.map((part) => [part, { ...ROLE_PARTS[part], actions: roleActions(part) }])) as Record<RolePart, { scope: ScopeKind; optIn: boolean; assignedAt: string; actions: string[] }>,
    notActions: [],
    dataActions: [],
    notDataActions: [],
    builtInRoles: builtInRoleGrants(),
  };
}
