/**
 * Secured-workspace fixtures on the simulator, made through ARM as the demo user: resource
 * groups, storage accounts with network rules, workspaces (api 2022-10-01), online endpoints and
 * deployments. Shared by the HTTP and CLI tests of the workspace capabilities.
 */
import type { TokenCredential } from '@azure/core-auth';
import type { AzureSim } from '../../../local/azure-sim/server';

export const WS_API = '2022-10-01';
export const WS_RG = 'rg-ws';

export interface ArmCall { status: number; body: Record<string, unknown> }

export async function armAs(sim: AzureSim, cred: TokenCredential, method: string, path: string, apiVersion: string, body?: unknown): Promise<ArmCall> {
  const token = await cred.getToken('https://management.azure.com/.default');
  const res = await fetch(`${sim.armEndpoint}${path}?api-version=${apiVersion}`, {
    method,
    headers: { authorization: `Bearer ${token?.token ?? ''}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}

async function ok(call: Promise<ArmCall>, what: string): Promise<ArmCall> {
  const r = await call;
  if (r.status >= 300) throw new Error(`${what}: ${r.status} ${JSON.stringify(r.body)}`);
  return r;
}

export function rgPath(sub: string, rg = WS_RG): string {
  return `/subscriptions/${sub}/resourceGroups/${rg}`;
}

export async function ensureResourceGroup(sim: AzureSim, cred: TokenCredential, rg = WS_RG): Promise<void> {
  await ok(armAs(sim, cred, 'PUT', rgPath(sim.subscriptionId, rg), '2024-03-01', { location: 'westeurope' }), `resource group ${rg}`);
}

export interface NetworkSettings {
  publicNetworkAccess?: 'Enabled' | 'Disabled';
  networkAcls?: Record<string, unknown>;
}

/** Creates a storage account (202, polled until it exists), then PATCHes its network settings. */
export async function createStorage(sim: AzureSim, cred: TokenCredential, name: string, network: NetworkSettings): Promise<string> {
  const id = `${rgPath(sim.subscriptionId)}/providers/Microsoft.Storage/storageAccounts/${name}`;
  await ok(armAs(sim, cred, 'PUT', id, '2023-05-01', { location: 'westeurope', sku: { name: 'Standard_LRS' }, kind: 'StorageV2', properties: {} }), `storage ${name}`);
  for (let i = 0; i < 200; i++) {
    if ((await armAs(sim, cred, 'GET', id, '2023-05-01')).status === 200) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  await ok(armAs(sim, cred, 'PATCH', id, '2023-05-01', { properties: network }), `network of ${name}`);
  return id;
}

export async function getStorage(sim: AzureSim, cred: TokenCredential, id: string): Promise<{ publicNetworkAccess?: string; networkAcls?: Record<string, unknown> }> {
  return (await ok(armAs(sim, cred, 'GET', id, '2023-05-01'), `GET ${id}`)).body.properties as { publicNetworkAccess?: string; networkAcls?: Record<string, unknown> };
}

export async function createWorkspace(sim: AzureSim, cred: TokenCredential, name: string, storageAccountId: string): Promise<string> {
  const sub = sim.subscriptionId;
  const id = `${rgPath(sub)}/providers/Microsoft.MachineLearningServices/workspaces/${name}`;
  await ok(armAs(sim, cred, 'PUT', id, WS_API, {
    location: 'westeurope',
    identity: { type: 'SystemAssigned' },
    properties: {
      friendlyName: name,
      storageAccount: storageAccountId,
      keyVault: `${rgPath(sub)}/providers/Microsoft.KeyVault/vaults/kv-${name}`,
      applicationInsights: `${rgPath(sub)}/providers/Microsoft.Insights/components/ai-${name}`,
      publicNetworkAccess: 'Disabled',
    },
  }), `workspace ${name}`);
  return id;
}

export async function createEndpoint(sim: AzureSim, cred: TokenCredential, workspaceId: string, endpoint: string): Promise<string> {
  const id = `${workspaceId}/onlineEndpoints/${endpoint}`;
  await ok(armAs(sim, cred, 'PUT', id, WS_API, { location: 'westeurope', identity: { type: 'SystemAssigned' }, properties: { authMode: 'Key', publicNetworkAccess: 'Disabled' } }), `endpoint ${endpoint}`);
  return id;
}

export async function createDeployment(sim: AzureSim, cred: TokenCredential, endpointId: string, name: string, properties: { model?: string; egressPublicNetworkAccess?: 'Enabled' | 'Disabled'; endpointComputeType?: string }): Promise<string> {
  const id = `${endpointId}/deployments/${name}`;
  await ok(armAs(sim, cred, 'PUT', id, WS_API, { location: 'westeurope', sku: { name: 'Default', capacity: 1 }, properties: { endpointComputeType: 'Managed', instanceType: 'Standard_DS3_v2', ...properties } }), `deployment ${name}`);
  return id;
}

/** Selected networks with rules the sharing must keep exactly. */
export function selectedNetworks(subnetId: string, otherResourceId: string, tenantId: string): NetworkSettings {
  return {
    publicNetworkAccess: 'Enabled',
    networkAcls: {
      defaultAction: 'Deny',
      bypass: 'AzureServices, Logging',
      ipRules: [{ value: '203.0.113.0/24', action: 'Allow' }],
      virtualNetworkRules: [{ id: subnetId, action: 'Allow' }],
      resourceAccessRules: [{ tenantId, resourceId: otherResourceId }],
    },
  };
}

/** The next `count` GETs of `path` answer what ARM answers for a subscription of another tenant. */
export async function otherTenantFault(sim: AzureSim, pathPattern: string, count = 10): Promise<void> {
  const res = await fetch(`${sim.adminUrl}/faults`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      method: 'GET', pathPattern, count, kind: 'respond', status: 401,
      body: { error: { code: 'InvalidAuthenticationTokenTenant', message: "The access token is from the wrong issuer 'https://sts.windows.net/00000000-0000-0000-0000-0000000000f1/'. It must match the tenant 'https://sts.windows.net/22222222-2222-2222-2222-222222222222/' associated with this subscription." } },
    }),
  });
  if (!res.ok) throw new Error(`fault: ${res.status}`);
}

/** A compute of the workspace in a subnet (Compute_CreateOrUpdate, api 2022-10-01): an AmlCompute cluster or a ComputeInstance. */
export async function createCompute(sim: AzureSim, cred: TokenCredential, workspaceId: string, name: string, computeType: 'AmlCompute' | 'ComputeInstance', subnetId: string): Promise<string> {
  const id = `${workspaceId}/computes/${name}`;
  const properties = computeType === 'AmlCompute'
    ? { vmSize: 'STANDARD_DS3_V2', scaleSettings: { minNodeCount: 0, maxNodeCount: 2 }, subnet: { id: subnetId } }
    : { vmSize: 'STANDARD_DS3_V2', subnet: { id: subnetId } };
  await ok(armAs(sim, cred, 'PUT', id, WS_API, { location: 'westeurope', properties: { computeType, properties } }), `compute ${name}`);
  return id;
}

/** The next `count` ARM calls under the subscription answer 403 AuthorizationFailed: a subscription the app cannot read. */
export async function unreadableSubscription(sim: AzureSim, subscriptionId: string, count = 100): Promise<void> {
  const res = await fetch(`${sim.adminUrl}/faults`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      pathPattern: `^/subscriptions/${subscriptionId}/`, count, kind: 'respond', status: 403,
      body: { error: { code: 'AuthorizationFailed', message: `The client '${sim.principal.oid}' with object id '${sim.principal.oid}' does not have authorization to perform action 'Microsoft.MachineLearningServices/workspaces/read' over scope '/subscriptions/${subscriptionId}' or the scope is invalid. If access was recently granted, please refresh your credentials.` } },
    }),
  });
  if (!res.ok) throw new Error(`fault: ${res.status}`);
}
