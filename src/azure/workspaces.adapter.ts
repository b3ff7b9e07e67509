import type { AmlCompute, AzureMachineLearningWorkspaces, ComputeInstance, ComputeUnion, Workspace as SdkWorkspace } from '@azure/arm-machinelearning';
import type { NetworkRuleSet, StorageManagementClient } from '@azure/arm-storage';
import type { TokenCredential } from '@azure/core-auth';
import { isRestError } from '@azure/core-rest-pipeline';
import { parseResourceIdOfType } from '../shared/arm-id';
import { ErrorCodes, LockdownError } from '../shared/errors';
import { parseWorkspaceId, STORAGE_ACCOUNT_TYPE, WORKSPACE_TYPE, type Workspace } from '../workspaces/domain/workspace';
import type { ComputeSubnet, OnlineDeploymentInfo, StorageLookup, StorageNetworkAcls, StorageNetworkPatch, StorageNetworkPort, StorageNetworkState, TenantPort, WorkspacesPort } from '../workspaces/domain/ports';
import type { ClientOf } from './client-factory';
import { isNotFound, rethrowArm } from './sdk-errors';

function isAmlCompute(c: ComputeUnion): c is AmlCompute {
  return c.computeType === 'AmlCompute';
}

function isComputeInstance(c: ComputeUnion): c is ComputeInstance {
  return c.computeType === 'ComputeInstance';
}

function fromSdkWorkspace(w: SdkWorkspace, id: string, name: string): Workspace {
  return {
    id: w.id ?? id,
    name: w.name ?? name,
    location: w.location ?? '',
    ...(w.storageAccount ? { storageAccountId: w.storageAccount } : {}),
    ...(w.publicNetworkAccess ? { publicNetworkAccess: w.publicNetworkAccess } : {}),
    ...(w.tenantId ? { tenantId: w.tenantId } : {}),
  };
}

/**
 * Azure ML workspaces and their online endpoints/deployments through @azure/arm-machinelearning
 * 2.1.1 (api 2022-10-01): Workspaces_Get, Workspaces_ListBySubscription, Compute_List,
 * OnlineEndpoints_List, OnlineDeployments_List.
 */
export class WorkspacesAdapter implements WorkspacesPort {
  constructor(private readonly client: ClientOf<AzureMachineLearningWorkspaces>) {}

  async get(id: string): Promise<Workspace | undefined> {
    const ref = parseWorkspaceId(id);
    const client = await this.client(ref.subscriptionId);
    try {
      return fromSdkWorkspace(await client.workspaces.get(ref.resourceGroup, ref.name), ref.id, ref.name);
    } catch (e) {
      if (isNotFound(e)) return undefined;
      return rethrowArm('GET', ref.id)(e);
    }
  }

  /** Workspaces_ListBySubscription, every page (the SDK follows nextLink). */
  async listBySubscription(subscriptionId: string): Promise<Workspace[]> {
    const client = await this.client(subscriptionId);
    const out: Workspace[] = [];
    try {
      for await (const w of client.workspaces.listBySubscription()) {
        if (w.id !== undefined) out.push(fromSdkWorkspace(w, w.id, w.name ?? ''));
      }
    } catch (e) {
      return rethrowArm('GET', `/subscriptions/${subscriptionId}/providers/${WORKSPACE_TYPE}`)(e);
    }
    return out;
  }

  /** Compute_List, every page: the computes with `properties.subnet.id` (AmlCompute, ComputeInstance). */
  async listComputeSubnets(id: string): Promise<ComputeSubnet[]> {
    const ref = parseWorkspaceId(id);
    const client = await this.client(ref.subscriptionId);
    const out: ComputeSubnet[] = [];
    try {
      for await (const c of client.computeOperations.list(ref.resourceGroup, ref.name)) {
        const p = c.properties;
        if (p === undefined) continue;
        const subnetId = isAmlCompute(p) || isComputeInstance(p) ? p.properties?.subnet?.id : undefined;
        if (subnetId) out.push({ computeName: c.name ?? '', computeType: p.computeType, subnetId });
      }
    } catch (e) {
      return rethrowArm('GET', `${ref.id}/computes`)(e);
    }
    return out;
  }

  async listOnlineDeployments(id: string): Promise<{ endpoints: number; deployments: OnlineDeploymentInfo[] }> {
    const ref = parseWorkspaceId(id);
    const client = await this.client(ref.subscriptionId);
    const deployments: OnlineDeploymentInfo[] = [];
    let endpoints = 0;
    try {
      for await (const endpoint of client.onlineEndpoints.list(ref.resourceGroup, ref.name)) {
        endpoints++;
        const endpointName = endpoint.name ?? '';
        for await (const d of client.onlineDeployments.list(ref.resourceGroup, ref.name, endpointName)) {
          const p = d.properties;
          deployments.push({
            id: d.id ?? `${ref.id}/onlineEndpoints/${endpointName}/deployments/${d.name ?? ''}`,
            name: d.name ?? '',
            endpointId: endpoint.id ?? `${ref.id}/onlineEndpoints/${endpointName}`,
            endpointName,
            ...(p.endpointComputeType ? { computeType: p.endpointComputeType } : {}),
            ...(p.model ? { model: p.model } : {}),
            ...(p.egressPublicNetworkAccess ? { egressPublicNetworkAccess: p.egressPublicNetworkAccess } : {}),
            ...(p.provisioningState ? { provisioningState: p.provisioningState } : {}),
          });
        }
      }
    } catch (e) {
      return rethrowArm('GET', `${ref.id}/onlineEndpoints`)(e);
    }
    return { endpoints, deployments };
  }
}

function fromSdk(set: NetworkRuleSet | undefined): StorageNetworkAcls | undefined {
  if (!set) return undefined;
  return {
    defaultAction: set.defaultAction,
    ...(set.bypass !== undefined ? { bypass: set.bypass } : {}),
    ipRules: (set.ipRules ?? []).map((r) => ({ value: r.iPAddressOrRange, ...(r.action ? { action: r.action } : {}) })),
    ...(set.ipv6Rules ? { ipv6Rules: set.ipv6Rules.map((r) => ({ value: r.iPAddressOrRange, ...(r.action ? { action: r.action } : {}) })) } : {}),
    virtualNetworkRules: (set.virtualNetworkRules ?? []).map((r) => ({ id: r.virtualNetworkResourceId, ...(r.action ? { action: r.action } : {}), ...(r.state ? { state: r.state } : {}) })),
    resourceAccessRules: (set.resourceAccessRules ?? []).map((r) => ({ tenantId: r.tenantId ?? '', resourceId: r.resourceId ?? '' })),
  };
}

function toSdk(acls: StorageNetworkAcls): NetworkRuleSet {
  return {
    defaultAction: acls.defaultAction === 'Allow' ? 'Allow' : 'Deny',
    ...(acls.bypass !== undefined ? { bypass: acls.bypass } : {}),
    ipRules: acls.ipRules.map((r) => ({ iPAddressOrRange: r.value, action: 'Allow' as const })),
    ...(acls.ipv6Rules ? { ipv6Rules: acls.ipv6Rules.map((r) => ({ iPAddressOrRange: r.value, action: 'Allow' as const })) } : {}),
    // state is the service's (read-only in effect); only the subnet and the action are sent
    virtualNetworkRules: acls.virtualNetworkRules.map((r) => ({ virtualNetworkResourceId: r.id, action: 'Allow' as const })),
    resourceAccessRules: acls.resourceAccessRules.map((r) => ({ tenantId: r.tenantId, resourceId: r.resourceId })),
  };
}

/** ARM's answer for a subscription of another tenant than the token's. */
const OTHER_TENANT_CODES = new Set(['InvalidAuthenticationTokenTenant']);

/**
 * The storage account's network rules: GET (getProperties) and PATCH (update) with
 * publicNetworkAccess and the whole networkRuleSet (wire: networkAcls), then a re-read.
 */
export class StorageNetworkAdapter implements StorageNetworkPort {
  constructor(private readonly client: ClientOf<StorageManagementClient>) {}

  private ref(id: string): [string, string, string] {
    const rid = parseResourceIdOfType(id, STORAGE_ACCOUNT_TYPE);
    return [rid.subscriptionId, rid.resourceGroup, rid.names[0] as string];
  }

  async get(id: string): Promise<StorageLookup> {
    const [sub, rg, name] = this.ref(id);
    const client = await this.client(sub);
    try {
      const a = await client.storageAccounts.getProperties(rg, name);
      const acls = fromSdk(a.networkRuleSet);
      return { found: true, account: { id: a.id ?? id, ...(a.publicNetworkAccess ? { publicNetworkAccess: a.publicNetworkAccess } : {}), ...(acls ? { networkAcls: acls } : {}) } };
    } catch (e) {
      if (isNotFound(e)) return { found: false, reason: 'not-found', detail: `storage account ${id} does not exist, or the app cannot see it` };
      if (isRestError(e) && (e.statusCode === 401 || e.statusCode === 403) && OTHER_TENANT_CODES.has(e.code ?? '')) {
        return { found: false, reason: 'other-tenant', detail: `ARM answered ${e.statusCode} ${e.code ?? ''} for storage account ${id}: its subscription belongs to another tenant than the app's` };
      }
      return rethrowArm('GET', id)(e);
    }
  }

  async update(id: string, patch: StorageNetworkPatch): Promise<StorageNetworkState> {
    const [sub, rg, name] = this.ref(id);
    await (await this.client(sub)).storageAccounts.update(rg, name, { publicNetworkAccess: patch.publicNetworkAccess, networkRuleSet: toSdk(patch.networkAcls) }).catch(rethrowArm('PATCH', id));
    const after = await this.get(id);
    if (!after.found) throw new LockdownError(ErrorCodes.ARM_NOT_FOUND, `storage account ${id} could not be re-read after its PATCH: ${after.detail}`);
    return after.account;
  }
}

function base64UrlJson(part: string): Record<string, unknown> | undefined {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(part.replace(/-/g, '+').replace(/_/g, '/'), 'base64').toString('utf8'));
    return typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** The tenant of the app's ARM token: the `tid` claim (the token is only read, never logged). */
export class TokenTenantAdapter implements TenantPort {
  constructor(
    private readonly credential: TokenCredential,
    private readonly scope: string,
  ) {}

  async currentTenantId(): Promise<string> {
    const token = await this.credential.getToken(this.scope);
    const payload = token ? base64UrlJson(token.token.split('.')[1] ?? '') : undefined;
    const tid = payload?.tid;
    if (typeof tid !== 'string' || !/^[0-9a-f-]{36}$/i.test(tid)) {
      throw new LockdownError(ErrorCodes.ARM_AUTH, "the app's ARM token carries no tenant id (tid claim)");
    }
    return tid.toLowerCase();
  }
}
