import type { NetworkManagementClient, SecurityRule, ServiceEndpointPolicy, Subnet } from '@azure/arm-network';
import { parseResourceIdOfType } from '../shared/arm-id';
import type { NewRule, NsgRule } from '../network/domain/egress';
import type { EndpointPolicy, PolicyDefinition } from '../network/domain/exfiltration';
import type { NetworkSecurityPort, NsgInfo, SubnetInfo } from '../network/domain/ports';
import type { ClientOf } from './client-factory';
import { isNotFound, rethrowArm } from './sdk-errors';

const SUBNET = 'Microsoft.Network/virtualNetworks/subnets';
const NSG = 'Microsoft.Network/networkSecurityGroups';
const SEP = 'Microsoft.Network/serviceEndpointPolicies';

export interface NetworkSecurityAdapterOptions {
  /** LRO poll interval when ARM gives no Retry-After (the SDK default otherwise) */
  updateIntervalInMs?: number;
}

function toRule(r: SecurityRule, isDefault: boolean): NsgRule {
  return {
    name: r.name ?? '',
    priority: r.priority ?? Number.MAX_SAFE_INTEGER,
    direction: r.direction ?? '',
    access: r.access ?? '',
    protocol: r.protocol ?? '',
    ...(r.sourceAddressPrefix !== undefined ? { sourceAddressPrefix: r.sourceAddressPrefix } : {}),
    ...(r.sourceAddressPrefixes !== undefined ? { sourceAddressPrefixes: r.sourceAddressPrefixes } : {}),
    ...(r.sourcePortRange !== undefined ? { sourcePortRange: r.sourcePortRange } : {}),
    ...(r.sourcePortRanges !== undefined ? { sourcePortRanges: r.sourcePortRanges } : {}),
    ...(r.destinationAddressPrefix !== undefined ? { destinationAddressPrefix: r.destinationAddressPrefix } : {}),
    ...(r.destinationAddressPrefixes !== undefined ? { destinationAddressPrefixes: r.destinationAddressPrefixes } : {}),
    ...(r.destinationPortRange !== undefined ? { destinationPortRange: r.destinationPortRange } : {}),
    ...(r.destinationPortRanges !== undefined ? { destinationPortRanges: r.destinationPortRanges } : {}),
    ...(isDefault ? { isDefault: true } : {}),
  };
}

function toPolicy(p: ServiceEndpointPolicy): EndpointPolicy {
  return {
    id: p.id ?? '',
    name: p.name ?? '',
    location: p.location ?? '',
    definitions: (p.serviceEndpointPolicyDefinitions ?? []).map((d) => ({ name: d.name ?? '', service: d.service ?? '', serviceResources: d.serviceResources ?? [] })),
  };
}

/** NSG security rules, subnets' service endpoints and service endpoint policies through @azure/arm-network. */
export class NetworkSecurityAdapter implements NetworkSecurityPort {
  constructor(
    private readonly client: ClientOf<NetworkManagementClient>,
    private readonly options: NetworkSecurityAdapterOptions = {},
  ) {}

  private lro(): { updateIntervalInMs?: number } {
    return this.options.updateIntervalInMs !== undefined ? { updateIntervalInMs: this.options.updateIntervalInMs } : {};
  }

  private async readSubnet(subnetId: string): Promise<{ subnet: Subnet; location: string } | undefined> {
    const rid = parseResourceIdOfType(subnetId, SUBNET);
    const client = await this.client(rid.subscriptionId);
    const [vnetName, subnetName] = rid.names as [string, string];
    let subnet: Subnet;
    try {
      subnet = await client.subnets.get(rid.resourceGroup, vnetName, subnetName);
    } catch (e) {
      if (isNotFound(e)) return undefined;
      return rethrowArm('GET', rid.id)(e);
    }
    const vnet = await client.virtualNetworks.get(rid.resourceGroup, vnetName).catch(rethrowArm('GET', rid.id.replace(/\/subnets\/[^/]+$/i, '')));
    return { subnet, location: vnet.location ?? '' };
  }

  private toSubnetInfo(id: string, subnet: Subnet, location: string): SubnetInfo {
    const prefixes = [...(subnet.addressPrefixes ?? []), ...(subnet.addressPrefix ? [subnet.addressPrefix] : [])];
    return {
      id: subnet.id ?? id,
      location,
      addressPrefixes: [...new Set(prefixes)],
      ...(subnet.networkSecurityGroup?.id ? { networkSecurityGroupId: subnet.networkSecurityGroup.id } : {}),
      serviceEndpoints: (subnet.serviceEndpoints ?? []).map((e) => ({ service: e.service ?? '', ...(e.locations ? { locations: e.locations } : {}) })),
      serviceEndpointPolicyIds: (subnet.serviceEndpointPolicies ?? []).map((p) => p.id ?? '').filter((p) => p !== ''),
    };
  }

  async getSubnet(subnetId: string): Promise<SubnetInfo | undefined> {
    const read = await this.readSubnet(subnetId);
    return read && this.toSubnetInfo(subnetId, read.subnet, read.location);
  }

  async getNsg(nsgId: string): Promise<NsgInfo | undefined> {
    const rid = parseResourceIdOfType(nsgId, NSG);
    try {
      const nsg = await (await this.client(rid.subscriptionId)).networkSecurityGroups.get(rid.resourceGroup, rid.names[0] as string);
      return {
        id: nsg.id ?? rid.id,
        location: nsg.location ?? '',
        rules: [...(nsg.securityRules ?? []).map((r) => toRule(r, false)), ...(nsg.defaultSecurityRules ?? []).map((r) => toRule(r, true))],
      };
    } catch (e) {
      if (isNotFound(e)) return undefined;
      return rethrowArm('GET', rid.id)(e);
    }
  }

  async addSecurityRule(nsgId: string, rule: NewRule): Promise<void> {
    const rid = parseResourceIdOfType(nsgId, NSG);
    const body: SecurityRule = {
      description: rule.description,
      protocol: rule.protocol,
      access: 'Allow',
      direction: 'Outbound',
      priority: rule.priority,
      sourceAddressPrefix: 'VirtualNetwork',
      sourcePortRange: '*',
      destinationAddressPrefix: rule.destinationAddressPrefix,
      ...(rule.destinationPortRanges.length === 1 ? { destinationPortRange: rule.destinationPortRanges[0] as string } : { destinationPortRanges: rule.destinationPortRanges }),
    };
    await (await this.client(rid.subscriptionId)).securityRules
      .createOrUpdate(rid.resourceGroup, rid.names[0] as string, rule.name, body, this.lro())
      .catch(rethrowArm('PUT', `${rid.id}/securityRules/${rule.name}`));
  }

  async getEndpointPolicy(policyId: string): Promise<EndpointPolicy | undefined> {
    const rid = parseResourceIdOfType(policyId, SEP);
    try {
      return toPolicy(await (await this.client(rid.subscriptionId)).serviceEndpointPolicies.get(rid.resourceGroup, rid.names[0] as string));
    } catch (e) {
      if (isNotFound(e)) return undefined;
      return rethrowArm('GET', rid.id)(e);
    }
  }

  async listEndpointPolicies(subscriptionId: string, resourceGroup: string): Promise<EndpointPolicy[]> {
    const client = await this.client(subscriptionId);
    const out: EndpointPolicy[] = [];
    try {
      for await (const p of client.serviceEndpointPolicies.listByResourceGroup(resourceGroup)) out.push(toPolicy(p));
    } catch (e) {
      return rethrowArm('GET', `/subscriptions/${subscriptionId}/resourceGroups/${resourceGroup}/providers/${SEP}`)(e);
    }
    return out;
  }

  async createEndpointPolicy(policyId: string, location: string, definitions: PolicyDefinition[]): Promise<EndpointPolicy> {
    const rid = parseResourceIdOfType(policyId, SEP);
    const created = await (await this.client(rid.subscriptionId)).serviceEndpointPolicies
      .createOrUpdate(rid.resourceGroup, rid.names[0] as string, {
        location,
        tags: { 'created-by': 'aml-lockdown' },
        serviceEndpointPolicyDefinitions: definitions.map((d) => ({ name: d.name, service: d.service, serviceResources: [...d.serviceResources], description: 'Azure Machine Learning managed storage (aml-lockdown)' })),
      }, this.lro())
      .catch(rethrowArm('PUT', rid.id));
    return toPolicy(created);
  }

  async updateSubnetEndpoints(subnetId: string, serviceEndpoints: Array<{ service: string; locations?: string[] }>, serviceEndpointPolicyIds: string[]): Promise<SubnetInfo> {
    const rid = parseResourceIdOfType(subnetId, SUBNET);
    const read = await this.readSubnet(subnetId);
    if (!read) return rethrowArm('PUT', rid.id)(new Error(`subnet ${rid.id} disappeared before it could be updated`));
    const current = read.subnet;
    const body: Subnet = {
      ...current,
      ...(current.networkSecurityGroup?.id ? { networkSecurityGroup: { id: current.networkSecurityGroup.id } } : {}),
      ...(current.routeTable?.id ? { routeTable: { id: current.routeTable.id } } : {}),
      // merged with what the subnet has now: nothing is ever removed, even if it changed since the plan
      serviceEndpoints: [
        ...(current.serviceEndpoints ?? []).map((e) => ({ service: e.service, ...(e.locations ? { locations: e.locations } : {}) })),
        ...serviceEndpoints
          .filter((e) => !(current.serviceEndpoints ?? []).some((c) => (c.service ?? '').toLowerCase() === e.service.toLowerCase()))
          .map((e) => ({ service: e.service, ...(e.locations ? { locations: e.locations } : {}) })),
      ],
      serviceEndpointPolicies: [
        ...(current.serviceEndpointPolicies ?? []).filter((p) => p.id).map((p) => ({ id: p.id as string })),
        ...serviceEndpointPolicyIds
          .filter((id) => !(current.serviceEndpointPolicies ?? []).some((c) => (c.id ?? '').toLowerCase() === id.toLowerCase()))
          .map((id) => ({ id })),
      ],
    };
    const [vnetName, subnetName] = rid.names as [string, string];
    const updated = await (await this.client(rid.subscriptionId)).subnets
      .createOrUpdate(rid.resourceGroup, vnetName, subnetName, body, this.lro())
      .catch(rethrowArm('PUT', rid.id));
    return this.toSubnetInfo(subnetId, updated, read.location);
  }
}
