import type { StorageManagementClient } from '@azure/arm-storage';
import type { ContainerRegistryManagementClient } from '@azure/arm-containerregistry';
import { parseResourceIdOfType } from '../domain/arm-id';
import type { ContainerRegistryPort, NetworkedResource, StoragePort } from '../domain/ports';
import { isNotFound, rethrowArm } from './sdk-errors';

function ref(id: string, type: string): { subscriptionId: string; resourceGroup: string; name: string } {
  const rid = parseResourceIdOfType(id, type);
  return { subscriptionId: rid.subscriptionId, resourceGroup: rid.resourceGroup, name: rid.names[0] as string };
}

const STORAGE = 'Microsoft.Storage/storageAccounts';
const ACR = 'Microsoft.ContainerRegistry/registries';

/** Storage accounts: public access is a PATCH (synchronous). The network rules are left as they are. */
export class StorageAdapter implements StoragePort {
  constructor(private readonly client: (subscriptionId: string) => StorageManagementClient) {}

  async get(id: string): Promise<NetworkedResource | undefined> {
    const r = ref(id, STORAGE);
    try {
      const a = await this.client(r.subscriptionId).storageAccounts.getProperties(r.resourceGroup, r.name);
      return {
        id: a.id ?? id,
        location: a.location ?? '',
        publicNetworkAccess: a.publicNetworkAccess ?? 'Enabled',
        privateEndpointIds: (a.privateEndpointConnections ?? []).map((c) => c.privateEndpoint?.id ?? '').filter((x) => x !== ''),
        sku: a.sku?.name,
      };
    } catch (e) {
      if (isNotFound(e)) return undefined;
      return rethrowArm('GET', id)(e);
    }
  }

  async disablePublicNetworkAccess(id: string): Promise<NetworkedResource> {
    const r = ref(id, STORAGE);
    await this.client(r.subscriptionId).storageAccounts.update(r.resourceGroup, r.name, { publicNetworkAccess: 'Disabled' }).catch(rethrowArm('PATCH', id));
    const after = await this.get(id);
    if (!after) throw new Error(`storage account ${id} disappeared after its PATCH`);
    return after;
  }
}

/** The registry's container registry: public access is a PATCH answered as a long-running operation. */
export class ContainerRegistryAdapter implements ContainerRegistryPort {
  constructor(private readonly client: (subscriptionId: string) => ContainerRegistryManagementClient) {}

  async get(id: string): Promise<NetworkedResource | undefined> {
    const r = ref(id, ACR);
    try {
      const a = await this.client(r.subscriptionId).registries.get(r.resourceGroup, r.name);
      return {
        id: a.id ?? id,
        location: a.location ?? '',
        publicNetworkAccess: a.publicNetworkAccess ?? 'Enabled',
        privateEndpointIds: (a.privateEndpointConnections ?? []).map((c) => c.privateEndpoint?.id ?? '').filter((x) => x !== ''),
        sku: a.sku?.name,
      };
    } catch (e) {
      if (isNotFound(e)) return undefined;
      return rethrowArm('GET', id)(e);
    }
  }

  async disablePublicNetworkAccess(id: string): Promise<NetworkedResource> {
    const r = ref(id, ACR);
    await this.client(r.subscriptionId).registries.update(r.resourceGroup, r.name, { publicNetworkAccess: 'Disabled' }).catch(rethrowArm('PATCH', id));
    const after = await this.get(id);
    if (!after) throw new Error(`container registry ${id} disappeared after its PATCH`);
    return after;
  }
}
