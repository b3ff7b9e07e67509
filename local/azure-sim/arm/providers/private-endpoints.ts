import { randomUUID } from 'node:crypto';
import type { ArmResource } from '../../store';
import type { ArmRequest, ArmResult, Provider, Route } from '../context';
import { enforceDenyAssignment } from '../deny-assignment';
import { ArmError, armErrors } from '../errors';
import { parentId, resourceId, sameId } from '../ids';
import { resourceTypeOfPath } from '../rbac';
import { arrOf, clone, etag, recOf, requireBody, strOf, tagsOf, type SimState } from '../state';
import { requireNetworkName } from './name-rules';
import { NIC, PE } from './network';
import { intToIp, networkDelete, networkPut, parseCidr } from './network-common';
import { normLocation } from './operations';
import {
  createConnection,
  findConnectionForEndpoint,
  membersFor,
  recordNameInZone,
  targetKind,
  validGroupIds,
  type ConnectionStatus,
  type LinkMember,
} from './private-link';
import { removeRecordIp, upsertARecord } from './private-dns';
import { beginPut, listRoutes, requireLocation } from './tracked-resources';

const ZONE_GROUP = 'Microsoft.Network/privateEndpoints/privateDnsZoneGroups';
const ZONE = 'Microsoft.Network/privateDnsZones';

/**
 * A zone group as the network RP answers it: id, name, etag, properties; no `type`, and each zone
 * config only `name` and `properties` (PrivateDnsZoneGroup / PrivateDnsZoneConfig in the spec and
 * its examples). The store keeps the type (it lists by type).
 */
function renderZoneGroup(group: ArmResource): Record<string, unknown> {
  const { type: _type, ...out } = clone(group);
  const props = recOf(out.properties);
  props.privateDnsZoneConfigs = arrOf(props.privateDnsZoneConfigs).map((c) => {
    const cfg = { ...recOf(c) };
    delete cfg.id;
    delete cfg.etag;
    return cfg;
  });
  return out;
}

interface NicIpConfig {
  name: string;
  id: string;
  ip: string;
  member: LinkMember;
}

/** Private endpoints (with their NIC and the target-side connection) and private DNS zone groups. */
export class PrivateEndpointsProvider implements Provider {
  constructor(private readonly state: SimState) {}

  routes(): Route[] {
    const rg = '/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/Microsoft.Network';
    const n = 'network' as const;
    return [
      { method: 'PUT', template: `${rg}/privateEndpoints/{name}`, apiGroup: n, handler: (r) => this.put(r) },
      { method: 'GET', template: `${rg}/privateEndpoints/{name}`, apiGroup: n, handler: (r) => ({ status: 200, body: this.expand(this.render(this.state.requireResource(this.id(r))), r) }) },
      { method: 'DELETE', template: `${rg}/privateEndpoints/{name}`, apiGroup: n, handler: (r) => this.delete(r) },
      ...listRoutes(this.state, PE, n, (p) => this.render(p)),
      { method: 'PUT', template: `${rg}/privateEndpoints/{name}/privateDnsZoneGroups/{groupName}`, apiGroup: n, handler: (r) => this.putZoneGroup(r) },
      { method: 'GET', template: `${rg}/privateEndpoints/{name}/privateDnsZoneGroups/{groupName}`, apiGroup: n, handler: (r) => ({ status: 200, body: renderZoneGroup(this.state.requireResource(this.zoneGroupId(r))) }) },
      { method: 'DELETE', template: `${rg}/privateEndpoints/{name}/privateDnsZoneGroups/{groupName}`, apiGroup: n, handler: (r) => this.deleteZoneGroup(r) },
      { method: 'GET', template: `${rg}/privateEndpoints/{name}/privateDnsZoneGroups`, apiGroup: n, handler: (r) => this.state.page(r, this.state.store.list(ZONE_GROUP, this.state.requireResource(this.id(r)).id).map(renderZoneGroup)) },
    ];
  }

  private id(req: ArmRequest): string {
    return resourceId(req.params.subscriptionId ?? '', req.params.resourceGroupName ?? '', 'Microsoft.Network', 'privateEndpoints', req.params.name ?? '');
  }

  private zoneGroupId(req: ArmRequest): string {
    return `${this.id(req)}/privateDnsZoneGroups/${req.params.groupName ?? ''}`;
  }

  /** customDnsConfigs are filled only while the endpoint has no zone group (as Azure does). */
  render(pe: ArmResource): ArmResource {
    const out = clone(pe);
    const hasZoneGroup = this.state.store.list(ZONE_GROUP, pe.id).length > 0;
    const props = (out.properties ??= {});
    if (hasZoneGroup) props.customDnsConfigs = [];
    else props.customDnsConfigs = JSON.parse(this.state.internalOf(pe.id).customDnsConfigs ?? '[]') as unknown[];
    return out;
  }

  /**
   * `$expand` (PrivateEndpoints_Get: "Expands referenced resources"): `networkInterfaces` answers
   * each NIC in full — the NetworkInterface the spec types the array with, ipConfigurations and
   * their privateLinkConnectionProperties included — instead of `{ id }`. Other values, and the
   * other references (subnet, …), are answered unexpanded [inferred: the spec names no values].
   */
  private expand(pe: ArmResource, req: ArmRequest): ArmResource {
    const wanted = (req.query.get('$expand') ?? '').split(',').map((x) => x.trim().toLowerCase());
    if (!wanted.includes('networkinterfaces')) return pe;
    const props = (pe.properties ??= {});
    props.networkInterfaces = arrOf(props.networkInterfaces).map((ref) => {
      const nic = this.state.store.get(strOf(recOf(ref).id) ?? '');
      return nic ? clone(nic) : ref;
    });
    return pe;
  }

  // ---- PUT private endpoint ---------------------------------------------------------------

  private put(req: ArmRequest): ArmResult {
    const subscriptionId = req.params.subscriptionId ?? '';
    const rgName = req.params.resourceGroupName ?? '';
    const id = this.id(req);
    const existing = beginPut(this.state, req, id, `${PE}/write`);
    requireNetworkName('privateEndpoints', req.params.name ?? '');
    const body = requireBody(req);
    const props = recOf(body.properties);
    const location = requireLocation(body);
    const customNic = strOf(props.customNetworkInterfaceName);
    if (customNic !== undefined) requireNetworkName('networkInterfaces', customNic);

    const subnetId = strOf(recOf(props.subnet).id);
    if (!subnetId) throw new ArmError(400, 'PrivateEndpointSubnetRequired', `Private endpoint ${id} must reference a subnet.`);
    const subnet = this.state.store.get(subnetId);
    if (!subnet) throw armErrors.invalidResourceReference(subnetId, id);
    const vnet = this.state.store.get(parentId(subnetId));
    if (!vnet) throw armErrors.invalidResourceReference(parentId(subnetId), id);
    if (normLocation(vnet.location) !== normLocation(location)) {
      throw new ArmError(
        400,
        'InvalidResourceReference',
        `Resource ${subnetId} referenced by resource ${id} was not found. Please make sure that the referenced resource exists, and that both resources are in the same region.`,
      );
    }

    const auto = arrOf(props.privateLinkServiceConnections);
    const manual = arrOf(props.manualPrivateLinkServiceConnections);
    if (auto.length + manual.length !== 1) {
      throw new ArmError(400, 'PrivateEndpointMustHaveOneConnection', `Private endpoint ${id} must have exactly one private link service connection (privateLinkServiceConnections or manualPrivateLinkServiceConnections).`);
    }
    const isManual = manual.length === 1;
    const conn = recOf(isManual ? manual[0] : auto[0]);
    const connName = strOf(conn.name) ?? req.params.name ?? 'connection';
    const connProps = { ...recOf(conn.properties), ...conn };
    const targetId = strOf(connProps.privateLinkServiceId);
    if (!targetId) throw armErrors.invalidRequestContent("Required property 'privateLinkServiceId' not found in JSON. Path 'properties.privateLinkServiceConnections[0].properties'");
    // ARM's linked access checks for the body's references: joining the subnet, and approving on the target (automatic approval only)
    this.state.authorizeLinked(req, [
      { action: 'Microsoft.Network/virtualNetworks/subnets/join/action', scope: subnetId },
      ...(isManual ? [] : [{ action: `${resourceTypeOfPath(targetId) ?? 'unknown'}/privateEndpointConnectionsApproval/action`, scope: targetId }]),
    ]);
    // automatic approval is an action on the target: refused inside a registry's managed group unless the caller is exempt
    if (!isManual) enforceDenyAssignment(this.state, req.principalId, `${resourceTypeOfPath(targetId) ?? 'unknown'}/privateEndpointConnectionsApproval/action`, targetId);
    const target = this.state.store.get(targetId);
    if (!target) throw armErrors.invalidResourceReference(targetId, id);
    const kind = targetKind(target);
    const groupIds = arrOf(connProps.groupIds).filter((g): g is string => typeof g === 'string');
    const providerNs = target.type;
    if (!kind) throw new ArmError(400, 'PrivateEndpointBadRequest', `Call to ${providerNs} failed. Error message: The resource type does not support private endpoints.`);
    if (groupIds.length !== 1 || !validGroupIds(kind).includes(groupIds[0] ?? '')) {
      throw new ArmError(
        400,
        'PrivateEndpointBadRequest',
        `Call to ${providerNs} failed. Error message: The group id '${groupIds.join(',')}' is not valid for the resource. Supported group ids: ${validGroupIds(kind).join(', ')}.`,
      );
    }
    const groupId = groupIds[0] ?? '';
    if (kind === 'acr' && strOf(recOf(target.sku).name) !== 'Premium') {
      throw new ArmError(400, 'PrivateEndpointBadRequest', `Call to ${providerNs} failed. Error message: Private endpoint connections are only supported for registries of the Premium SKU. For more information, please visit https://aka.ms/acr/private-link.`);
    }

    if (existing) {
      const prevTarget = strOf(recOf(recOf(arrOf(recOf(existing.properties).privateLinkServiceConnections).concat(arrOf(recOf(existing.properties).manualPrivateLinkServiceConnections))[0]).properties).privateLinkServiceId);
      if (!sameId(prevTarget, targetId) || !sameId(strOf(recOf(recOf(existing.properties).subnet).id), subnetId)) {
        throw new ArmError(400, 'CannotChangePrivateEndpointConnection', `Private endpoint ${id} cannot change its subnet or private link service connection; delete and recreate it.`);
      }
      existing.tags = tagsOf(body.tags) ?? existing.tags ?? {};
      existing.etag = etag();
      return networkPut(this.state, req, 'privateEndpointCreate', existing, false);
    }

    // approval: the caller may approve on the target unless the admin API says otherwise
    const mode = this.state.approvalMode(target.id);
    if (mode === 'deny' && !isManual) {
      throw armErrors.linkedAuthorizationFailed(req.principalId, `${PE}/write`, id, [{ action: `${target.type}/privateEndpointConnectionsApproval/action`, scope: target.id }]);
    }
    const status: ConnectionStatus = isManual || mode === 'manual' ? 'Pending' : 'Approved';
    const description = status === 'Approved' ? 'Auto-Approved' : strOf(connProps.requestMessage) ?? 'Awaiting approval';

    // NIC with one IP per member name
    const members = membersFor(this.state, target, groupId);
    const ips = this.allocate(subnet, members.length);
    const nicGuid = randomUUID();
    const nicName = strOf(props.customNetworkInterfaceName) ?? `${req.params.name ?? ''}.nic.${nicGuid}`;
    const nicId = resourceId(subscriptionId, rgName, 'Microsoft.Network', 'networkInterfaces', nicName);
    const configs: NicIpConfig[] = members.map((m, i) => {
      const name = `privateEndpointIpConfig.${randomUUID()}`;
      return { name, id: `${nicId}/ipConfigurations/${name}`, ip: ips[i] ?? '', member: m };
    });
    const nic: ArmResource = {
      id: nicId,
      name: nicName,
      type: NIC,
      location: vnet.location,
      etag: etag(),
      kind: 'Regular',
      properties: {
        provisioningState: 'Succeeded',
        resourceGuid: nicGuid,
        ipConfigurations: configs.map((c, i) => ({
          name: c.name,
          id: c.id,
          etag: etag(),
          type: `${NIC}/ipConfigurations`,
          properties: {
            provisioningState: 'Succeeded',
            privateIPAddress: c.ip,
            privateIPAllocationMethod: 'Dynamic',
            subnet: { id: subnet.id },
            primary: i === 0,
            privateIPAddressVersion: 'IPv4',
            privateLinkConnectionProperties: { groupId: c.member.groupId, requiredMemberName: c.member.requiredMemberName, fqdns: c.member.fqdns },
          },
        })),
        dnsSettings: { dnsServers: [], appliedDnsServers: [], internalDomainNameSuffix: `${nicGuid.replace(/-/g, '').slice(0, 24)}.bx.internal.cloudapp.net` },
        macAddress: '',
        enableAcceleratedNetworking: false,
        vnetEncryptionSupported: false,
        enableIPForwarding: false,
        disableTcpStateTracking: false,
        hostedWorkloads: [],
        tapConfigurations: [],
        privateEndpoint: { id },
        nicType: 'Standard',
        allowPort25Out: false,
        auxiliaryMode: 'None',
        auxiliarySku: 'None',
      },
    };

    const connection = {
      name: connName,
      id: `${id}/${isManual ? 'manualPrivateLinkServiceConnections' : 'privateLinkServiceConnections'}/${connName}`,
      etag: etag(),
      type: 'Microsoft.Network/privateEndpoints/privateLinkServiceConnections',
      properties: {
        provisioningState: 'Succeeded',
        privateLinkServiceId: target.id,
        groupIds: [groupId],
        ...(strOf(connProps.requestMessage) ? { requestMessage: strOf(connProps.requestMessage) } : {}),
        privateLinkServiceConnectionState: { status, description, actionsRequired: 'None' },
      },
    };
    const pe: ArmResource = {
      id,
      name: req.params.name ?? '',
      type: PE,
      location: vnet.location,
      tags: tagsOf(body.tags) ?? {},
      etag: etag(),
      properties: {
        resourceGuid: randomUUID(),
        subnet: { id: subnet.id },
        networkInterfaces: [{ id: nicId }],
        ipVersionType: 'IPv4',
        privateLinkServiceConnections: isManual ? [] : [connection],
        manualPrivateLinkServiceConnections: isManual ? [connection] : [],
        customNetworkInterfaceName: strOf(props.customNetworkInterfaceName) ?? '',
        isIPv6EnabledPrivateEndpoint: false,
        ipConfigurations: arrOf(props.ipConfigurations),
        applicationSecurityGroups: arrOf(props.applicationSecurityGroups),
      },
    };
    this.state.internalOf(id).customDnsConfigs = JSON.stringify(configs.flatMap((c) => c.member.fqdns.map((fqdn) => ({ fqdn, ipAddresses: [c.ip] }))));
    this.state.store.put(nic);
    createConnection(this.state, target, id, groupId, status, description);
    const result = networkPut(this.state, req, 'privateEndpointCreate', pe, true);
    return { ...result, body: this.render(pe) };
  }

  /** Next free IPs of the subnet, skipping the first four addresses and the last (as Azure reserves them). */
  private allocate(subnet: ArmResource, count: number): string[] {
    const prefix = strOf(recOf(subnet.properties).addressPrefix) ?? '';
    const cidr = parseCidr(prefix);
    if (!cidr) throw new ArmError(400, 'InvalidAddressPrefixFormat', `Subnet ${subnet.id} has no valid address prefix.`);
    const used = new Set<string>();
    for (const nic of this.state.store.list(NIC)) {
      for (const c of arrOf(recOf(nic.properties).ipConfigurations)) {
        const cp = recOf(recOf(c).properties);
        if (sameId(strOf(recOf(cp.subnet).id), subnet.id)) used.add(strOf(cp.privateIPAddress) ?? '');
      }
    }
    const out: string[] = [];
    for (let i = 4; i < cidr.size - 1 && out.length < count; i++) {
      const ip = intToIp(cidr.base + i);
      if (!used.has(ip)) out.push(ip);
    }
    if (out.length < count) {
      throw new ArmError(400, 'SubnetIsFull', `Subnet ${subnet.name} with address prefix ${prefix} does not have enough capacity for ${count} IP addresses.`);
    }
    return out;
  }

  // ---- DELETE private endpoint --------------------------------------------------------------

  private delete(req: ArmRequest): ArmResult {
    const subscriptionId = req.params.subscriptionId ?? '';
    const rgName = req.params.resourceGroupName ?? '';
    this.state.requireResourceGroup(subscriptionId, rgName);
    const id = this.id(req);
    const pe = this.state.store.get(id);
    if (!pe) return { status: 204 };
    this.state.denyIfManaged(req, subscriptionId, rgName, id, 'Microsoft.Network/privateEndpoints/delete');
    return networkDelete(this.state, req, 'privateEndpointDelete', pe, () => {
      for (const zg of this.state.store.list(ZONE_GROUP, id)) this.removeZoneRecords(zg);
      for (const zg of this.state.store.list(ZONE_GROUP, id)) this.state.store.delete(zg.id);
      for (const nicRef of arrOf(recOf(pe.properties).networkInterfaces)) {
        const nicId = strOf(recOf(nicRef).id);
        if (nicId) this.state.store.delete(nicId);
      }
      const pp = recOf(pe.properties);
      for (const c of [...arrOf(pp.privateLinkServiceConnections), ...arrOf(pp.manualPrivateLinkServiceConnections)]) {
        const targetId = strOf(recOf(recOf(c).properties).privateLinkServiceId);
        const target = targetId ? this.state.store.get(targetId) : undefined;
        const conn = target ? findConnectionForEndpoint(this.state, target, id) : undefined;
        if (conn) this.state.store.delete(conn.id);
      }
      this.state.store.delete(id);
      this.state.internal.delete(id.toLowerCase());
    });
  }

  // ---- zone groups ----------------------------------------------------------------------------

  private nicConfigs(pe: ArmResource): { ip: string; fqdns: string[] }[] {
    const out: { ip: string; fqdns: string[] }[] = [];
    for (const nicRef of arrOf(recOf(pe.properties).networkInterfaces)) {
      const nic = this.state.store.get(strOf(recOf(nicRef).id) ?? '');
      for (const c of arrOf(recOf(nic?.properties).ipConfigurations)) {
        const cp = recOf(recOf(c).properties);
        const fqdns = arrOf(recOf(cp.privateLinkConnectionProperties).fqdns).filter((f): f is string => typeof f === 'string');
        out.push({ ip: strOf(cp.privateIPAddress) ?? '', fqdns });
      }
    }
    return out;
  }

  private putZoneGroup(req: ArmRequest): ArmResult {
    const pe = this.state.requireResource(this.id(req));
    requireNetworkName('privateDnsZoneGroups', req.params.groupName ?? '');
    const body = requireBody(req);
    const id = this.zoneGroupId(req);
    const existing = this.state.store.get(id);
    const others = this.state.store.list(ZONE_GROUP, pe.id).filter((g) => !sameId(g.id, id));
    if (others.length > 0) {
      throw new ArmError(400, 'OnlyOnePrivateDnsZoneGroupAllowed', `Private endpoint ${pe.id} already has a private DNS zone group ${others[0]?.name ?? ''}; only one zone group is allowed.`);
    }
    const zoneIdOf = (c: unknown): string | undefined => strOf(recOf(recOf(c).properties).privateDnsZoneId) ?? strOf(recOf(c).privateDnsZoneId);
    const zoneConfigs = arrOf(recOf(body.properties).privateDnsZoneConfigs);
    // ARM's linked access check: referencing a private DNS zone needs its join action
    this.state.authorizeLinked(
      req,
      zoneConfigs.flatMap((c) => zoneIdOf(c) ?? []).map((zoneId) => ({ action: 'Microsoft.Network/privateDnsZones/join/action', scope: zoneId })),
    );
    const configs = zoneConfigs.map((c) => {
      const cr = recOf(c);
      const zoneId = zoneIdOf(c);
      if (!zoneId) throw armErrors.invalidRequestContent("Required property 'privateDnsZoneId' not found in JSON. Path 'properties.privateDnsZoneConfigs[0].properties'");
      const zone = this.state.store.get(zoneId);
      if (!zone || zone.type.toLowerCase() !== ZONE.toLowerCase()) throw armErrors.invalidResourceReference(zoneId, id);
      const name = strOf(cr.name) ?? zone.name.replace(/\./g, '-');
      requireNetworkName('privateDnsZoneConfigs', name);
      return { name, zone };
    });
    if (configs.length === 0) throw new ArmError(400, 'PrivateDnsZoneConfigsRequired', `Private DNS zone group ${id} must have at least one private DNS zone config.`);
    if (existing) this.removeZoneRecords(existing);
    const group: ArmResource = {
      id,
      name: req.params.groupName ?? '',
      type: ZONE_GROUP,
      etag: etag(),
      properties: {
        provisioningState: 'Updating',
        privateDnsZoneConfigs: configs.map(({ name, zone }) => ({
          name,
          id: `${id}/privateDnsZoneConfigs/${name}`,
          etag: etag(),
          properties: { privateDnsZoneId: zone.id, recordSets: [] as unknown[] },
        })),
      },
    };
    group.location = pe.location;
    const nicConfigs = this.nicConfigs(pe);
    const result = networkPut(this.state, req, 'zoneGroupCreate', group, !existing, () => {
      const cur = this.state.store.get(id);
      if (!cur) return;
      for (const cfg of arrOf(recOf(cur.properties).privateDnsZoneConfigs)) {
        const cp = recOf(recOf(cfg).properties);
        const zone = this.state.store.get(strOf(cp.privateDnsZoneId) ?? '');
        if (!zone) throw armErrors.invalidResourceReference(strOf(cp.privateDnsZoneId) ?? '', id);
        const recordSets: unknown[] = [];
        for (const nc of nicConfigs) {
          for (const fqdn of nc.fqdns) {
            const recordName = recordNameInZone(fqdn, zone.name);
            if (!recordName) continue;
            upsertARecord(this.state, zone, recordName, nc.ip, 10);
            recordSets.push({ recordType: 'A', recordSetName: recordName, fqdn: `${recordName}.${zone.name}`, ttl: 10, ipAddresses: [nc.ip], provisioningState: 'Succeeded' });
          }
        }
        cp.recordSets = recordSets;
      }
    });
    delete group.location;
    return { ...result, body: renderZoneGroup(group) };
  }

  private removeZoneRecords(group: ArmResource): void {
    for (const cfg of arrOf(recOf(group.properties).privateDnsZoneConfigs)) {
      const cp = recOf(recOf(cfg).properties);
      const zone = this.state.store.get(strOf(cp.privateDnsZoneId) ?? '');
      if (!zone) continue;
      for (const rs of arrOf(cp.recordSets)) {
        const r = recOf(rs);
        for (const ip of arrOf(r.ipAddresses)) removeRecordIp(this.state, zone, strOf(r.recordSetName) ?? '', String(ip));
      }
    }
  }

  private deleteZoneGroup(req: ArmRequest): ArmResult {
    const pe = this.state.requireResource(this.id(req));
    const id = this.zoneGroupId(req);
    const group = this.state.store.get(id);
    if (!group) return { status: 204 };
    const located = { ...group, location: pe.location };
    return networkDelete(this.state, req, 'zoneGroupDelete', located, () => {
      this.removeZoneRecords(group);
      this.state.store.delete(id);
    });
  }
}
