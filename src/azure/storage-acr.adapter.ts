import type { StorageManagementClient } from '@azure/arm-storage';
import type { ContainerRegistryManagementClient } from '@azure/arm-containerregistry';
import type { ClientOf } from './client-factory';
import { parseResourceIdOfType } from '../shared/arm-id';
import type { ContainerRegistryPort, NetworkedResource, StoragePort } from '../hardening/domain/ports';
import type { OperationLocation } from '../hardening/domain/operations';
import { runLro, type LroSettings } from './arm-pipeline';
import { operationOf, sendWriteOnly } from './arm-operations.adapter';
import { isNotFound, rethrowArm } from './sdk-errors';

/** What storage accounts and container registries share: a name, public access and endpoint connections. */
interface ArmNetworked {
  id?: string;
  location?: string;
  publicNetworkAccess?: string;
  privateEndpointConnections?: Array<{ privateEndpoint?: { id?: string } }>;
  sku?: { name?: string };
  provisioningState?: string;
}

interface NetworkedOps {
  type: string;
  label: string;
  get(subscriptionId: string, resourceGroup: string, name: string): Promise<ArmNetworked>;
  /** the write; what it answers when that is the resource as written (a synchronous PATCH) */
  disable(subscriptionId: string, resourceGroup: string, name: string): Promise<ArmNetworked | undefined>;
}

/**
 * GET → NetworkedResource, and "public access off" followed by a re-read, for one resource type.
 * Only publicNetworkAccess is sent: the network rules are left as the owner set them.
 */
class NetworkedAdapter {
  constructor(private readonly ops: NetworkedOps) {}

  protected ref(id: string): [string, string, string] {
    const rid = parseResourceIdOfType(id, this.ops.type);
    return [rid.subscriptionId, rid.resourceGroup, rid.names[0] as string];
  }

  private toResource(a: ArmNetworked, id: string): NetworkedResource {
    return {
      id: a.id ?? id,
      location: a.location ?? '',
      publicNetworkAccess: a.publicNetworkAccess ?? 'Enabled',
      privateEndpointIds: (a.privateEndpointConnections ?? []).map((c) => c.privateEndpoint?.id ?? '').filter((x) => x !== ''),
      sku: a.sku?.name,
      ...(a.provisioningState ? { provisioningState: a.provisioningState } : {}),
    };
  }

  async get(id: string): Promise<NetworkedResource | undefined> {
    try {
      return this.toResource(await this.ops.get(...this.ref(id)), id);
    } catch (e) {
      if (isNotFound(e)) return undefined;
      return rethrowArm('GET', id)(e);
    }
  }

  /** Public access off; the PATCH's own answer when it is the resource (storage), else a re-read once the operation is done (ACR). */
  async disablePublicNetworkAccess(id: string): Promise<NetworkedResource> {
    const answered = await this.ops.disable(...this.ref(id)).catch(rethrowArm('PATCH', id));
    if (answered?.publicNetworkAccess !== undefined) return this.toResource(answered, id);
    const after = await this.get(id);
    if (!after) throw new Error(`${this.ops.label} ${id} disappeared after its PATCH`);
    return after;
  }
}

/** Storage accounts: public access is a synchronous PATCH. */
export class StorageAdapter extends NetworkedAdapter implements StoragePort {
  constructor(client: ClientOf<StorageManagementClient>) {
    super({
      type: 'Microsoft.Storage/storageAccounts',
      label: 'storage account',
      get: async (sub, rg, name) => (await client(sub)).storageAccounts.getProperties(rg, name),
      disable: async (sub, rg, name) => (await client(sub)).storageAccounts.update(rg, name, { publicNetworkAccess: 'Disabled' }),
    });
  }
}

/** The registry's container registry: public access is a PATCH answered as a long-running operation. */
export class ContainerRegistryAdapter extends NetworkedAdapter implements ContainerRegistryPort {
  /**
   * `lro`: poll interval when ARM gives no Retry-After (the SDK default otherwise) and the deadline,
   * for the PATCH that waits (runs started before workflow 2.3); `armEndpoint`: where polling URLs must point.
   */
  constructor(
    private readonly client: ClientOf<ContainerRegistryManagementClient>,
    lro: LroSettings = {},
    private readonly armEndpoint = 'https://management.azure.com',
  ) {
    super({
      type: 'Microsoft.ContainerRegistry/registries',
      label: 'container registry',
      get: async (sub, rg, name) => (await client(sub)).registries.get(rg, name),
      disable: async (sub, rg, name) => {
        const registries = (await client(sub)).registries;
        await runLro(lro, `PATCH /subscriptions/${sub}/resourceGroups/${rg}/providers/Microsoft.ContainerRegistry/registries/${name}`, (options) => registries.update(rg, name, { publicNetworkAccess: 'Disabled' }, options));
        return undefined;
      },
    });
  }

  async startDisablePublicNetworkAccess(id: string): Promise<{ operation?: OperationLocation }> {
    const [sub, rg, name] = this.ref(id);
    const { registries } = await this.client(sub);
    const answer = await sendWriteOnly((options) => registries.update(rg, name, { publicNetworkAccess: 'Disabled' }, options)).catch(rethrowArm('PATCH', id));
    const operation = operationOf(answer.status, answer.header, this.armEndpoint, `PATCH ${id}`);
    return operation ? { operation } : {};
  }
}
