import type { NetworkManagementClient } from '@azure/arm-network';
import type { ClientOf } from './client-factory';
import { lastSegmentOf, parseResourceId, parseResourceIdOfType } from '../shared/arm-id';
import type { ConnectionStatus, EndpointInfo, ZoneGroupInfo } from '../hardening/domain/hardening';
import type { EndpointName, EndpointSpec, NetworkPort } from '../hardening/domain/ports';
import type { OperationLocation } from '../hardening/domain/operations';
import { runLro, type LroSettings } from './arm-pipeline';
import { operationOf, sendWriteOnly } from './arm-operations.adapter';
import { isNotFound, rethrowArm } from './sdk-errors';

type PrivateEndpoint = Awaited<ReturnType<NetworkManagementClient['privateEndpoints']['get']>>;

const STATUSES: readonly ConnectionStatus[] = ['Approved', 'Pending', 'Rejected', 'Disconnected'];

function toStatus(s: string | undefined): ConnectionStatus {
  return STATUSES.find((x) => x.toLowerCase() === (s ?? '').toLowerCase()) ?? 'Unknown';
}

type Rec = Record<string, unknown>;
const rec = (v: unknown): Rec => (typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Rec) : {});
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

/** An endpoint as ARM's wire JSON has it (the answer to a PUT the SDK did not deserialize); `spec` fills what an empty answer lacks. */
function infoFromWire(body: unknown, spec: EndpointSpec): EndpointInfo {
  const pe = rec(body);
  const props = rec(pe.properties);
  const conn = rec(arr(props.privateLinkServiceConnections)[0] ?? arr(props.manualPrivateLinkServiceConnections)[0]);
  const cp = rec(conn.properties);
  const state = rec(cp.privateLinkServiceConnectionState);
  const description = str(state.description);
  return {
    id: str(pe.id) ?? spec.id,
    name: str(pe.name) ?? lastSegmentOf(spec.id),
    subnetId: str(rec(props.subnet).id) ?? spec.subnetId,
    location: str(pe.location) ?? spec.location,
    targetId: str(cp.privateLinkServiceId) ?? spec.targetId,
    groupIds: arr(cp.groupIds).filter((g): g is string => typeof g === 'string'),
    connectionStatus: toStatus(str(state.status)),
    ...(description !== undefined ? { connectionDescription: description } : {}),
    provisioningState: str(props.provisioningState) ?? 'Unknown',
    zoneGroups: [],
  };
}

/** The names on an endpoint's NICs (privateLinkConnectionProperties.fqdns) with their private IPs. */
function nicNamesOf(nics: Array<{ ipConfigurations?: Array<{ privateIPAddress?: string; privateLinkConnectionProperties?: { fqdns?: string[] } }> }>): EndpointName[] {
  const out: EndpointName[] = [];
  for (const nic of nics) {
    for (const ipc of nic.ipConfigurations ?? []) {
      const ip = ipc.privateIPAddress;
      for (const fqdn of ipc.privateLinkConnectionProperties?.fqdns ?? []) if (ip) out.push({ fqdn, ip });
    }
  }
  return out;
}

function endpointRef(id: string): { subscriptionId: string; resourceGroup: string; name: string } {
  const rid = parseResourceIdOfType(id, 'Microsoft.Network/privateEndpoints');
  return { subscriptionId: rid.subscriptionId, resourceGroup: rid.resourceGroup, name: rid.names[0] as string };
}

/** Private endpoints, zone groups and NICs through @azure/arm-network. */
export class NetworkAdapter implements NetworkPort {
  constructor(
    private readonly client: ClientOf<NetworkManagementClient>,
    /** LRO poll interval when ARM gives no Retry-After (the SDK default otherwise) */
    private readonly lro: LroSettings = {},
    /** where polling URLs must point (the bearer token goes only there) */
    private readonly armEndpoint = 'https://management.azure.com',
  ) {}

  async subnetLocation(subnetId: string): Promise<string> {
    const rid = parseResourceIdOfType(subnetId, 'Microsoft.Network/virtualNetworks/subnets');
    const vnet = await (await this.client(rid.subscriptionId)).virtualNetworks.get(rid.resourceGroup, rid.names[0] as string).catch(rethrowArm('GET', rid.id));
    if (!vnet.location) throw new Error(`virtual network of ${subnetId} has no location`);
    return vnet.location;
  }

  private toInfo(pe: PrivateEndpoint, zoneGroups: ZoneGroupInfo[]): EndpointInfo {
    const conn = pe.privateLinkServiceConnections?.[0] ?? pe.manualPrivateLinkServiceConnections?.[0];
    return {
      id: pe.id ?? '',
      name: pe.name ?? '',
      subnetId: pe.subnet?.id ?? '',
      location: pe.location ?? '',
      targetId: conn?.privateLinkServiceId ?? '',
      groupIds: conn?.groupIds ?? [],
      connectionStatus: toStatus(conn?.privateLinkServiceConnectionState?.status),
      connectionDescription: conn?.privateLinkServiceConnectionState?.description,
      provisioningState: pe.provisioningState ?? 'Unknown',
      zoneGroups,
    };
  }

  async getEndpoint(id: string): Promise<EndpointInfo | undefined> {
    const ref = endpointRef(id);
    const client = await this.client(ref.subscriptionId);
    let pe: PrivateEndpoint;
    try {
      pe = await client.privateEndpoints.get(ref.resourceGroup, ref.name);
    } catch (e) {
      if (isNotFound(e)) return undefined;
      return rethrowArm('GET', id)(e);
    }
    return this.toInfo(pe, await this.listZoneGroups(id));
  }

  async createEndpoint(spec: EndpointSpec): Promise<EndpointInfo> {
    const ref = endpointRef(spec.id);
    const client = await this.client(ref.subscriptionId);
    const pe = await runLro(this.lro, `PUT ${spec.id}`, (options) => client.privateEndpoints.createOrUpdate(ref.resourceGroup, ref.name, this.endpointBody(spec), options)).catch(rethrowArm('PUT', spec.id));
    return this.toInfo(pe, await this.listZoneGroups(spec.id));
  }

  async listZoneGroups(endpointId: string): Promise<ZoneGroupInfo[]> {
    const ref = endpointRef(endpointId);
    const client = await this.client(ref.subscriptionId);
    const out: ZoneGroupInfo[] = [];
    try {
      for await (const g of client.privateDnsZoneGroups.list(ref.resourceGroup, ref.name)) {
        const records: EndpointName[] = [];
        for (const cfg of g.privateDnsZoneConfigs ?? []) {
          for (const rs of cfg.recordSets ?? []) for (const ip of rs.ipAddresses ?? []) if (rs.fqdn) records.push({ fqdn: rs.fqdn.replace(/\.$/, ''), ip });
        }
        out.push({
          name: g.name ?? '',
          zoneIds: (g.privateDnsZoneConfigs ?? []).map((c) => c.privateDnsZoneId ?? '').filter((z) => z !== ''),
          ...(g.provisioningState ? { provisioningState: g.provisioningState } : {}),
          records,
        });
      }
    } catch (e) {
      return rethrowArm('GET', `${endpointId}/privateDnsZoneGroups`)(e);
    }
    return out;
  }

  private endpointBody(spec: EndpointSpec): Parameters<NetworkManagementClient['privateEndpoints']['createOrUpdate']>[2] {
    return {
      location: spec.location,
      tags: spec.tags,
      subnet: { id: spec.subnetId },
      ...(spec.manual
        ? { manualPrivateLinkServiceConnections: [{ name: spec.connectionName, privateLinkServiceId: spec.targetId, groupIds: [spec.groupId], ...(spec.requestMessage ? { requestMessage: spec.requestMessage } : {}) }] }
        : { privateLinkServiceConnections: [{ name: spec.connectionName, privateLinkServiceId: spec.targetId, groupIds: [spec.groupId] }] }),
    };
  }

  async startEndpoint(spec: EndpointSpec): Promise<{ endpoint: EndpointInfo; operation?: OperationLocation }> {
    const ref = endpointRef(spec.id);
    const client = await this.client(ref.subscriptionId);
    const answer = await sendWriteOnly((options) => client.privateEndpoints.createOrUpdate(ref.resourceGroup, ref.name, this.endpointBody(spec), options)).catch(rethrowArm('PUT', spec.id));
    const operation = operationOf(answer.status, answer.header, this.armEndpoint, `PUT ${spec.id}`);
    return { endpoint: infoFromWire(answer.body, spec), ...(operation ? { operation } : {}) };
  }

  async startZoneGroup(endpointId: string, name: string, zoneId: string): Promise<{ operation?: OperationLocation }> {
    const ref = endpointRef(endpointId);
    const id = `${endpointId}/privateDnsZoneGroups/${name}`;
    const zoneName = parseResourceId(zoneId).names[0] ?? 'zone';
    const client = await this.client(ref.subscriptionId);
    const answer = await sendWriteOnly((options) => client.privateDnsZoneGroups.createOrUpdate(ref.resourceGroup, ref.name, name, {
      privateDnsZoneConfigs: [{ name: zoneName.replace(/\./g, '-'), privateDnsZoneId: zoneId }],
    }, options)).catch(rethrowArm('PUT', id));
    const operation = operationOf(answer.status, answer.header, this.armEndpoint, `PUT ${id}`);
    return operation ? { operation } : {};
  }

  async listEndpoints(subscriptionId: string, resourceGroup: string): Promise<EndpointInfo[]> {
    const client = await this.client(subscriptionId);
    const out: EndpointInfo[] = [];
    try {
      for await (const pe of client.privateEndpoints.list(resourceGroup)) out.push(this.toInfo(pe, []));
    } catch (e) {
      return rethrowArm('GET', `/subscriptions/${subscriptionId}/resourceGroups/${resourceGroup}/providers/Microsoft.Network/privateEndpoints`)(e);
    }
    return out;
  }

  async endpointWithNicNames(endpointId: string): Promise<{ endpoint: EndpointInfo; nicNames: EndpointName[] } | undefined> {
    const ref = endpointRef(endpointId);
    const client = await this.client(ref.subscriptionId);
    let pe: PrivateEndpoint;
    try {
      pe = await client.privateEndpoints.get(ref.resourceGroup, ref.name, { expand: 'networkInterfaces' });
    } catch (e) {
      if (isNotFound(e)) return undefined;
      return rethrowArm('GET', endpointId)(e);
    }
    return { endpoint: this.toInfo(pe, []), nicNames: nicNamesOf(pe.networkInterfaces ?? []) };
  }

  async putZoneGroup(endpointId: string, name: string, zoneId: string): Promise<void> {
    const ref = endpointRef(endpointId);
    const zoneName = parseResourceId(zoneId).names[0] ?? 'zone';
    const client = await this.client(ref.subscriptionId);
    await runLro(this.lro, `PUT ${endpointId}/privateDnsZoneGroups/${name}`, (options) => client.privateDnsZoneGroups.createOrUpdate(ref.resourceGroup, ref.name, name, {
      privateDnsZoneConfigs: [{ name: zoneName.replace(/\./g, '-'), privateDnsZoneId: zoneId }],
    }, options)).catch(rethrowArm('PUT', `${endpointId}/privateDnsZoneGroups/${name}`));
  }

  async endpointNames(endpointId: string): Promise<{ targetId: string; nicNames: EndpointName[]; zoneRecords: EndpointName[] } | undefined> {
    const ref = endpointRef(endpointId);
    const client = await this.client(ref.subscriptionId);
    let pe: PrivateEndpoint;
    try {
      pe = await client.privateEndpoints.get(ref.resourceGroup, ref.name);
    } catch (e) {
      if (isNotFound(e)) return undefined;
      return rethrowArm('GET', endpointId)(e);
    }
    const conn = pe.privateLinkServiceConnections?.[0] ?? pe.manualPrivateLinkServiceConnections?.[0];
    const nicNames: EndpointName[] = [];
    for (const nicRef of pe.networkInterfaces ?? []) {
      if (!nicRef.id) continue;
      const nicId = parseResourceIdOfType(nicRef.id, 'Microsoft.Network/networkInterfaces');
      const nic = await (await this.client(nicId.subscriptionId)).networkInterfaces.get(nicId.resourceGroup, nicId.names[0] as string).catch(rethrowArm('GET', nicRef.id));
      for (const ipc of nic.ipConfigurations ?? []) {
        const ip = ipc.privateIPAddress;
        for (const fqdn of ipc.privateLinkConnectionProperties?.fqdns ?? []) if (ip) nicNames.push({ fqdn, ip });
      }
    }
    const zoneRecords: EndpointName[] = [];
    try {
      for await (const g of client.privateDnsZoneGroups.list(ref.resourceGroup, ref.name)) {
        for (const cfg of g.privateDnsZoneConfigs ?? []) {
          for (const rs of cfg.recordSets ?? []) {
            for (const ip of rs.ipAddresses ?? []) if (rs.fqdn) zoneRecords.push({ fqdn: rs.fqdn.replace(/\.$/, ''), ip });
          }
        }
      }
    } catch (e) {
      return rethrowArm('GET', `${endpointId}/privateDnsZoneGroups`)(e);
    }
    return { targetId: conn?.privateLinkServiceId ?? '', nicNames, zoneRecords };
  }
}
