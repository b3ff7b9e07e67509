import type { ResourceManagementClient } from '@azure/arm-resources';
import type { ClientOf } from './client-factory';
import { parseResourceId } from '../shared/arm-id';
import type { ResourceGroupPort } from '../hardening/domain/ports';
import { rethrowArm } from './sdk-errors';

/** Generic resource listing, for finding a registry's resources in its managed group by type. */
export class ResourceGroupsAdapter implements ResourceGroupPort {
  constructor(private readonly client: ClientOf<ResourceManagementClient>) {}

  async listResources(resourceGroupId: string, fullType: string): Promise<Array<{ id: string; name: string; location: string }>> {
    const rid = parseResourceId(resourceGroupId);
    if (!rid.resourceGroup) throw new Error(`${resourceGroupId} is not a resource group id`);
    const client = await this.client(rid.subscriptionId);
    const out: Array<{ id: string; name: string; location: string }> = [];
    try {
      for await (const r of client.resources.listByResourceGroup(rid.resourceGroup, { filter: `resourceType eq '${fullType}'` })) {
        if (r.id && r.name) out.push({ id: r.id, name: r.name, location: r.location ?? '' });
      }
    } catch (e) {
      return rethrowArm('GET', `${resourceGroupId}/resources`)(e);
    }
    return out;
  }

  async listResourceGroups(subscriptionId: string): Promise<Array<{ id: string; name: string }>> {
    const client = await this.client(subscriptionId);
    const out: Array<{ id: string; name: string }> = [];
    try {
      for await (const g of client.resourceGroups.list()) if (g.id && g.name) out.push({ id: g.id, name: g.name });
    } catch (e) {
      return rethrowArm('GET', `/subscriptions/${subscriptionId}/resourcegroups`)(e);
    }
    return out;
  }
}
