/**
 * The rest of the sandbox's world, beside local/world.ts's network and app: a second target
 * subscription with a public registry, and a secured workspace whose computes sit in a subnet
 * with an NSG — made through ARM as a user would (the demo user, a person), so that every
 * feature of the app has something to look at: the egress check and its fix, exfiltration
 * protection, sharing with a registry, the deployments audit, the fleet reports and the sweep.
 */
import type { TokenCredential } from '@azure/core-auth';
import { NetworkManagementClient, type SecurityRule } from '@azure/arm-network';
import type { AzureSim } from './azure-sim/server';
import { createRegistry, DEMO, NET } from './world';

/** The second target subscription (the simulator's own is the first). */
export const SECOND_SUBSCRIPTION_ID = '00000000-0000-0000-0000-0000000000a2';

/** The secured workspace, in the first subscription: its computes in snet-compute, behind nsg-compute. */
export const WORKSPACE = {
  rg: 'rg-ml-workspace',
  name: 'mlw-secure',
  storage: 'stmlsecure',
  subnet: 'snet-compute',
  subnetPrefix: '10.20.8.0/24',
  nsg: 'nsg-compute',
  endpoint: 'ep-scoring',
  location: NET.location,
} as const;

/** The public registry, in the second subscription: exempt by tag, so it stays public (what the egress check is for). */
export const PUBLIC_REGISTRY = { subscriptionId: SECOND_SUBSCRIPTION_ID, rg: 'rg-ml-shared', registry: 'sharedreg', regions: ['westeurope'] } as const;

const WS_API = '2022-10-01';
const STORAGE_API = '2023-05-01';
const LRO = { updateIntervalInMs: 20 };

/**
 * The workspace subnet's NSG as a cautious network team leaves it: everything outbound denied
 * but the container registry; inbound closed. The egress check finds the Azure Machine Learning
 * flows missing; its fix adds them ahead of the deny.
 */
const NSG_RULES: SecurityRule[] = [
  { name: 'allow-mcr-out', protocol: 'Tcp', access: 'Allow', direction: 'Outbound', priority: 300, sourceAddressPrefix: 'VirtualNetwork', sourcePortRange: '*', destinationAddressPrefix: 'MicrosoftContainerRegistry', destinationPortRange: '443' },
  { name: 'deny-all-out', protocol: '*', access: 'Deny', direction: 'Outbound', priority: 4000, sourceAddressPrefix: '*', sourcePortRange: '*', destinationAddressPrefix: '*', destinationPortRange: '*' },
  { name: 'deny-all-in', protocol: '*', access: 'Deny', direction: 'Inbound', priority: 4000, sourceAddressPrefix: '*', sourcePortRange: '*', destinationAddressPrefix: '*', destinationPortRange: '*' },
];

export interface WorkspaceWorld {
  workspaceId: string;
  computeSubnetId: string;
  nsgId: string;
  storageAccountId: string;
  publicRegistryId: string;
}

async function armCall(sim: AzureSim, cred: TokenCredential, method: string, path: string, apiVersion: string, body?: unknown): Promise<{ status: number; body: Record<string, unknown> }> {
  const token = await cred.getToken('https://management.azure.com/.default');
  const res = await fetch(`${sim.armEndpoint}${path}?api-version=${apiVersion}`, {
    method,
    headers: { authorization: `Bearer ${token?.token ?? ''}`, 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  return { status: res.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}

async function ok(sim: AzureSim, cred: TokenCredential, what: string, method: string, path: string, apiVersion: string, body?: unknown): Promise<Record<string, unknown>> {
  const r = await armCall(sim, cred, method, path, apiVersion, body);
  if (r.status >= 300) throw new Error(`${what}: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body;
}

/** Lays out the secured workspace (first subscription) and the public registry (second): see the module comment. */
export async function layOutWorkspaceWorld(sim: AzureSim, cred: TokenCredential): Promise<WorkspaceWorld> {
  const sub = sim.subscriptionId;
  const rg = `/subscriptions/${sub}/resourceGroups/${WORKSPACE.rg}`;
  await ok(sim, cred, `resource group ${WORKSPACE.rg}`, 'PUT', rg, '2024-03-01', { location: WORKSPACE.location });

  // the compute subnet behind its NSG, in the sandbox VNet
  const network = new NetworkManagementClient(cred, sub, { endpoint: sim.armEndpoint });
  const nsg = await network.networkSecurityGroups.createOrUpdate(NET.rg, WORKSPACE.nsg, { location: NET.location, securityRules: NSG_RULES }, LRO);
  const subnet = await network.subnets.createOrUpdate(NET.rg, NET.vnet, WORKSPACE.subnet, { addressPrefix: WORKSPACE.subnetPrefix, networkSecurityGroup: { id: nsg.id ?? '' } }, LRO);
  const computeSubnetId = subnet.id ?? '';

  // the workspace's storage account: selected networks (nothing let in yet), as a secured workspace has it
  const storageAccountId = `${rg}/providers/Microsoft.Storage/storageAccounts/${WORKSPACE.storage}`;
  await ok(sim, cred, `storage ${WORKSPACE.storage}`, 'PUT', storageAccountId, STORAGE_API, { location: WORKSPACE.location, sku: { name: 'Standard_LRS' }, kind: 'StorageV2', properties: {} });
  for (let i = 0; (await armCall(sim, cred, 'GET', storageAccountId, STORAGE_API)).status !== 200; i++) {
    if (i > 600) throw new Error(`storage ${WORKSPACE.storage} was not created`);
    await new Promise((r) => setTimeout(r, 50));
  }
  await ok(sim, cred, `network rules of ${WORKSPACE.storage}`, 'PATCH', storageAccountId, STORAGE_API, {
    properties: { publicNetworkAccess: 'Enabled', networkAcls: { defaultAction: 'Deny', bypass: 'AzureServices', ipRules: [], virtualNetworkRules: [], resourceAccessRules: [] } },
  });

  const workspaceId = `${rg}/providers/Microsoft.MachineLearningServices/workspaces/${WORKSPACE.name}`;
  await ok(sim, cred, `workspace ${WORKSPACE.name}`, 'PUT', workspaceId, WS_API, {
    location: WORKSPACE.location,
    identity: { type: 'SystemAssigned' },
    properties: {
      friendlyName: 'Secured workspace',
      storageAccount: storageAccountId,
      keyVault: `${rg}/providers/Microsoft.KeyVault/vaults/kv-${WORKSPACE.name}`,
      applicationInsights: `${rg}/providers/Microsoft.Insights/components/ai-${WORKSPACE.name}`,
      publicNetworkAccess: 'Disabled',
    },
  });
  // a compute cluster and a compute instance, both in the compute subnet
  await ok(sim, cred, 'compute cluster', 'PUT', `${workspaceId}/computes/cpu-cluster`, WS_API, {
    location: WORKSPACE.location,
    properties: { computeType: 'AmlCompute', properties: { vmSize: 'STANDARD_DS3_V2', scaleSettings: { minNodeCount: 0, maxNodeCount: 2 }, subnet: { id: computeSubnetId } } },
  });
  await ok(sim, cred, 'compute instance', 'PUT', `${workspaceId}/computes/ci-dev`, WS_API, {
    location: WORKSPACE.location,
    properties: { computeType: 'ComputeInstance', properties: { vmSize: 'STANDARD_DS3_V2', subnet: { id: computeSubnetId } } },
  });
  // an online endpoint serving registry models: blue with public egress off, green with it on (the audit's finding)
  const endpointId = `${workspaceId}/onlineEndpoints/${WORKSPACE.endpoint}`;
  await ok(sim, cred, 'online endpoint', 'PUT', endpointId, WS_API, { location: WORKSPACE.location, identity: { type: 'SystemAssigned' }, properties: { authMode: 'Key', publicNetworkAccess: 'Disabled' } });
  for (const [name, registry, egress] of [['blue', DEMO.registry, 'Disabled'], ['green', PUBLIC_REGISTRY.registry, 'Enabled']] as const) {
    await ok(sim, cred, `deployment ${name}`, 'PUT', `${endpointId}/deployments/${name}`, WS_API, {
      location: WORKSPACE.location,
      sku: { name: 'Default', capacity: 1 },
      properties: { endpointComputeType: 'Managed', instanceType: 'Standard_DS3_v2', model: `azureml://registries/${registry}/models/fraud-detector/versions/1`, egressPublicNetworkAccess: egress },
    });
  }

  // the public registry of the second subscription, exempt by its tag (the app's default EXEMPTION_TAG)
  await ok(sim, cred, `resource group ${PUBLIC_REGISTRY.rg}`, 'PUT', `/subscriptions/${PUBLIC_REGISTRY.subscriptionId}/resourceGroups/${PUBLIC_REGISTRY.rg}`, '2024-03-01', { location: WORKSPACE.location });
  const publicRegistryId = await createRegistry(sim, cred, {
    subscriptionId: PUBLIC_REGISTRY.subscriptionId,
    resourceGroup: PUBLIC_REGISTRY.rg,
    name: PUBLIC_REGISTRY.registry,
    regions: [...PUBLIC_REGISTRY.regions],
    tags: { purpose: 'shared models, public on purpose', 'aml-registry-lockdown': 'exempt' },
  });
  return { workspaceId, computeSubnetId, nsgId: nsg.id ?? '', storageAccountId, publicRegistryId };
}
