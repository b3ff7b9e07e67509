import { randomUUID } from 'node:crypto';
import type { ArmResource } from '../../store';
import type { ArmRequest, ArmResult, Provider, Route } from '../context';
import { ArmError, armErrors } from '../errors';
import { resourceId } from '../ids';
import type { LatencyKind } from '../lro';
import { arrOf, clone, etag, isRecord, recOf, requireBody, strOf, tagsOf, type SimState } from '../state';
import { acceptedAnswer, opPaths } from './operations';
import { beginPut, listRoutes } from './tracked-resources';

export const ZONE = 'Microsoft.Network/privateDnsZones';
const LINK = 'Microsoft.Network/privateDnsZones/virtualNetworkLinks';
const RECORD_TYPES = ['A', 'AAAA', 'CNAME', 'MX', 'PTR', 'SOA', 'SRV', 'TXT'];
const RECORD_FIELDS: Record<string, string> = {
  A: 'aRecords',
  AAAA: 'aaaaRecords',
  CNAME: 'cnameRecord',
  MX: 'mxRecords',
  PTR: 'ptrRecords',
  SOA: 'soaRecord',
  SRV: 'srvRecords',
  TXT: 'txtRecords',
};

export function recordSetType(recordType: string): string {
  return `${ZONE}/${recordType.toUpperCase()}`;
}

function recordSetsOf(state: SimState, zone: ArmResource): ArmResource[] {
  const prefix = zone.id.toLowerCase() + '/';
  return state.store.all().filter((r) => r.id.toLowerCase().startsWith(prefix) && r.type.toLowerCase().startsWith(`${ZONE.toLowerCase()}/`) && r.type.split('/').length === 3 && !r.type.toLowerCase().endsWith('/virtualnetworklinks'));
}

function refreshCounts(state: SimState, zone: ArmResource): void {
  const links = state.store.list(LINK, zone.id);
  const props = (zone.properties ??= {});
  props.numberOfRecordSets = recordSetsOf(state, zone).length;
  props.numberOfVirtualNetworkLinks = links.length;
  props.numberOfVirtualNetworkLinksWithRegistration = links.filter((l) => recOf(l.properties).registrationEnabled === true).length;
}

function newRecordSet(zone: ArmResource, recordType: string, name: string, props: Record<string, unknown>): ArmResource {
  const rt = recordType.toUpperCase();
  return {
    id: `${zone.id}/${rt}/${name}`,
    name,
    type: recordSetType(rt),
    etag: randomUUID(),
    properties: {
      ...props,
      fqdn: name === '@' ? `${zone.name}.` : `${name}.${zone.name}.`,
      isAutoRegistered: false,
    },
  };
}

function markFailed(resource: ArmResource): void {
  (resource.properties ??= {}).provisioningState = 'Failed';
}

/** Adds an IP to an A record set (creating it), as a zone group does. */
export function upsertARecord(state: SimState, zone: ArmResource, name: string, ip: string, ttl: number): void {
  const id = `${zone.id}/A/${name}`;
  const existing = state.store.get(id);
  const current = arrOf(recOf(existing?.properties).aRecords).map((r) => strOf(recOf(r).ipv4Address)).filter((x): x is string => !!x);
  const ips = current.includes(ip) ? current : [...current, ip];
  state.store.put(newRecordSet(zone, 'A', existing?.name ?? name, { ttl, aRecords: ips.map((ipv4Address) => ({ ipv4Address })) }));
  refreshCounts(state, zone);
}

/** Removes an IP from an A record set; the set goes when it is empty. */
export function removeRecordIp(state: SimState, zone: ArmResource, name: string, ip: string): void {
  const id = `${zone.id}/A/${name}`;
  const existing = state.store.get(id);
  if (!existing) return;
  const rest = arrOf(recOf(existing.properties).aRecords).filter((r) => strOf(recOf(r).ipv4Address) !== ip);
  if (rest.length === 0) state.store.delete(id);
  else existing.properties = { ...(existing.properties ?? {}), aRecords: rest };
  refreshCounts(state, zone);
}

/** Private DNS zones (global), virtual network links and record sets (Microsoft.Network/privateDnsZones). */
export class PrivateDnsProvider implements Provider {
  constructor(private readonly state: SimState) {}

  routes(): Route[] {
    const z = '/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/Microsoft.Network/privateDnsZones/{zoneName}';
    const d = 'privateDns' as const;
    return [
      { method: 'PUT', template: z, apiGroup: d, handler: (r) => this.putZone(r) },
      { method: 'GET', template: z, apiGroup: d, handler: (r) => ({ status: 200, body: clone(this.zone(r)) }) },
      { method: 'DELETE', template: z, apiGroup: d, handler: (r) => this.deleteZone(r) },
      ...listRoutes(this.state, ZONE, d),
      { method: 'PUT', template: `${z}/virtualNetworkLinks/{linkName}`, apiGroup: d, handler: (r) => this.putLink(r) },
      { method: 'GET', template: `${z}/virtualNetworkLinks/{linkName}`, apiGroup: d, handler: (r) => ({ status: 200, body: clone(this.state.requireResource(`${this.zone(r).id}/virtualNetworkLinks/${r.params.linkName ?? ''}`)) }) },
      { method: 'DELETE', template: `${z}/virtualNetworkLinks/{linkName}`, apiGroup: d, handler: (r) => this.deleteLink(r) },
      { method: 'GET', template: `${z}/virtualNetworkLinks`, apiGroup: d, handler: (r) => this.state.page(r, this.state.store.list(LINK, this.zone(r).id).map(clone)) },
      { method: 'GET', template: `${z}/ALL`, apiGroup: d, handler: (r) => this.state.page(r, recordSetsOf(this.state, this.zone(r)).map(clone)) },
      { method: 'GET', template: `${z}/{recordType}`, apiGroup: d, handler: (r) => this.listByType(r) },
      { method: 'GET', template: `${z}/{recordType}/{relativeRecordSetName}`, apiGroup: d, handler: (r) => ({ status: 200, body: clone(this.state.requireResource(this.recordId(r))) }) },
      { method: 'PUT', template: `${z}/{recordType}/{relativeRecordSetName}`, apiGroup: d, handler: (r) => this.putRecord(r, false) },
      { method: 'PATCH', template: `${z}/{recordType}/{relativeRecordSetName}`, apiGroup: d, handler: (r) => this.putRecord(r, true) },
      { method: 'DELETE', template: `${z}/{recordType}/{relativeRecordSetName}`, apiGroup: d, handler: (r) => this.deleteRecord(r) },
    ];
  }

  private zoneId(req: ArmRequest): string {
    return resourceId(req.params.subscriptionId ?? '', req.params.resourceGroupName ?? '', 'Microsoft.Network', 'privateDnsZones', req.params.zoneName ?? '');
  }

  private zone(req: ArmRequest): ArmResource {
    return this.state.requireResource(this.zoneId(req));
  }

  private recordType(req: ArmRequest): string {
    const t = (req.params.recordType ?? '').toUpperCase();
    if (!RECORD_TYPES.includes(t)) throw new ArmError(400, 'BadRequest', `The record type '${req.params.recordType ?? ''}' is not supported.`);
    return t;
  }

  private recordId(req: ArmRequest): string {
    return `${this.zoneId(req)}/${this.recordType(req)}/${req.params.relativeRecordSetName ?? ''}`;
  }

  /** Private DNS LROs: 202 with Azure-AsyncOperation (privateDnsOperationStatuses) and Location (privateDnsOperationResults). */
  private accepted(req: ArmRequest, kind: LatencyKind, target: ArmResource, complete: () => void, extra: { onFailed?: () => void; finalBody?: () => unknown } = {}): ArmResult {
    const op = this.state.startLro(req, kind, target.id, complete, extra);
    const sub = this.state.subscriptionOf(target.id);
    const rg = req.params.resourceGroupName ?? '';
    return acceptedAnswer(this.state, req, opPaths.dnsStatus(sub, rg, op.id), opPaths.dnsResult(sub, rg, op.id));
  }

  private putZone(req: ArmRequest): ArmResult {
    const id = this.zoneId(req);
    const existing = beginPut(this.state, req, id, `${ZONE}/write`);
    const body = requireBody(req);
    const location = strOf(body.location) ?? 'global';
    if (location.toLowerCase() !== 'global') throw new ArmError(400, 'BadRequest', `The location '${location}' is not valid for a private DNS zone; it must be 'global'.`);
    const name = (req.params.zoneName ?? '').toLowerCase();
    if (!/^([a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?\.)+[a-z0-9-]{2,63}$/.test(name)) {
      throw new ArmError(400, 'BadRequest', `The zone name '${req.params.zoneName ?? ''}' is not a valid domain name.`);
    }
    const zone: ArmResource = existing ?? {
      id,
      name: req.params.zoneName ?? '',
      type: ZONE,
      location: 'global',
      tags: {},
      etag: randomUUID(),
      properties: {
        maxNumberOfRecordSets: 25000,
        maxNumberOfVirtualNetworkLinks: 1000,
        maxNumberOfVirtualNetworkLinksWithRegistration: 100,
        numberOfRecordSets: 0,
        numberOfVirtualNetworkLinks: 0,
        numberOfVirtualNetworkLinksWithRegistration: 0,
        internalId: Buffer.from(randomUUID()).toString('base64'),
      },
    };
    zone.tags = tagsOf(body.tags) ?? zone.tags ?? {};
    (zone.properties ??= {}).provisioningState = existing ? 'Updating' : 'Creating';
    this.state.store.put(zone);
    if (!existing) {
      this.state.store.put(
        newRecordSet(zone, 'SOA', '@', {
          ttl: 3600,
          soaRecord: { email: 'azureprivatedns-host.microsoft.com', expireTime: 2419200, host: 'azureprivatedns.net', minimumTtl: 10, refreshTime: 3600, retryTime: 300, serialNumber: 1 },
        }),
      );
      refreshCounts(this.state, zone);
    }
    return this.accepted(
      req,
      'privateDnsZoneCreate',
      zone,
      () => {
        (zone.properties ??= {}).provisioningState = 'Succeeded';
        this.state.emitWrite(req, id, 'write', { isUpdate: !!existing });
      },
      { onFailed: () => markFailed(zone), finalBody: () => clone(zone) },
    );
  }

  private deleteZone(req: ArmRequest): ArmResult {
    this.state.requireResourceGroup(req.params.subscriptionId ?? '', req.params.resourceGroupName ?? '');
    const zone = this.state.store.get(this.zoneId(req));
    if (!zone) return { status: 204 };
    if (this.state.store.list(LINK, zone.id).length > 0) {
      throw new ArmError(400, 'BadRequest', `You cannot delete a Private DNS zone '${zone.name}' that contains virtual network links. Delete the virtual network links first.`);
    }
    (zone.properties ??= {}).provisioningState = 'Deleting';
    return this.accepted(
      req,
      'privateDnsZoneDelete',
      zone,
      () => {
        for (const r of recordSetsOf(this.state, zone)) this.state.store.delete(r.id);
        this.state.store.delete(zone.id);
        this.state.emitWrite(req, zone.id, 'delete');
      },
      { onFailed: () => markFailed(zone) },
    );
  }

  private putLink(req: ArmRequest): ArmResult {
    const zone = this.zone(req);
    const body = requireBody(req);
    const id = `${zone.id}/virtualNetworkLinks/${req.params.linkName ?? ''}`;
    const existing = this.state.store.get(id);
    const props = recOf(body.properties);
    const vnetId = strOf(recOf(props.virtualNetwork).id);
    if (!vnetId) throw armErrors.invalidRequestContent("Required property 'virtualNetwork' not found in JSON. Path 'properties'");
    if (!this.state.store.get(vnetId)) throw new ArmError(400, 'BadRequest', `Virtual network resource not found for '${vnetId}'.`);
    const dupe = this.state.store.list(LINK, zone.id).find((l) => l.id.toLowerCase() !== id.toLowerCase() && strOf(recOf(recOf(l.properties).virtualNetwork).id)?.toLowerCase() === vnetId.toLowerCase());
    if (dupe) throw new ArmError(409, 'Conflict', `A virtual network cannot be linked to the same private DNS zone more than once; link '${dupe.name}' exists.`);
    const link: ArmResource = {
      id,
      name: req.params.linkName ?? '',
      type: LINK,
      location: 'global',
      tags: tagsOf(body.tags) ?? existing?.tags ?? {},
      etag: etag(),
      properties: {
        virtualNetwork: { id: vnetId },
        registrationEnabled: props.registrationEnabled === true,
        ...(strOf(props.resolutionPolicy) ? { resolutionPolicy: strOf(props.resolutionPolicy) } : {}),
        virtualNetworkLinkState: 'InProgress',
        provisioningState: existing ? 'Updating' : 'Creating',
      },
    };
    this.state.store.put(link);
    refreshCounts(this.state, zone);
    return this.accepted(
      req,
      'vnetLinkCreate',
      link,
      () => {
        Object.assign(link.properties ?? {}, { provisioningState: 'Succeeded', virtualNetworkLinkState: 'Completed' });
        this.state.emitWrite(req, id, 'write', { isUpdate: !!existing });
      },
      { onFailed: () => markFailed(link), finalBody: () => clone(link) },
    );
  }

  private deleteLink(req: ArmRequest): ArmResult {
    const zone = this.zone(req);
    const id = `${zone.id}/virtualNetworkLinks/${req.params.linkName ?? ''}`;
    const link = this.state.store.get(id);
    if (!link) return { status: 204 };
    (link.properties ??= {}).provisioningState = 'Deleting';
    return this.accepted(
      req,
      'vnetLinkDelete',
      link,
      () => {
        this.state.store.delete(id);
        refreshCounts(this.state, zone);
        this.state.emitWrite(req, id, 'delete');
      },
    );
  }

  private listByType(req: ArmRequest): ArmResult {
    const zone = this.zone(req);
    const t = recordSetType(this.recordType(req));
    return this.state.page(req, recordSetsOf(this.state, zone).filter((r) => r.type.toLowerCase() === t.toLowerCase()).map(clone));
  }

  private putRecord(req: ArmRequest, isPatch: boolean): ArmResult {
    const zone = this.zone(req);
    const rt = this.recordType(req);
    const id = this.recordId(req);
    const existing = this.state.store.get(id);
    if (isPatch && !existing) this.state.requireResource(id);
    const body = requireBody(req);
    const props = recOf(body.properties);
    const field = RECORD_FIELDS[rt] ?? 'aRecords';
    const ifMatch = req.headers['if-match'];
    if (typeof ifMatch === 'string' && existing && ifMatch !== '*' && ifMatch !== existing.etag) {
      throw new ArmError(412, 'PreconditionFailed', 'The condition specified using HTTP conditional header(s) is not met.');
    }
    if (req.headers['if-none-match'] === '*' && existing) {
      throw new ArmError(412, 'PreconditionFailed', 'The record set already exists.');
    }
    const base = isPatch ? recOf(existing?.properties) : {};
    const next: Record<string, unknown> = { ...base, ...(props.ttl !== undefined ? { ttl: props.ttl } : {}) };
    if (props[field] !== undefined) next[field] = props[field];
    if (isRecord(props.metadata)) next.metadata = props.metadata;
    delete next.fqdn;
    delete next.isAutoRegistered;
    const rs = newRecordSet(zone, rt, existing?.name ?? req.params.relativeRecordSetName ?? '', next);
    this.state.store.put(rs);
    refreshCounts(this.state, zone);
    this.state.emitWrite(req, id, 'write', { isUpdate: !!existing });
    return { status: existing ? 200 : 201, body: clone(rs) };
  }

  private deleteRecord(req: ArmRequest): ArmResult {
    const zone = this.zone(req);
    if (this.recordType(req) === 'SOA') throw new ArmError(400, 'BadRequest', 'The SOA record set cannot be deleted.');
    const id = this.recordId(req);
    if (!this.state.store.get(id)) return { status: 204 };
    this.state.store.delete(id);
    refreshCounts(this.state, zone);
    this.state.emitWrite(req, id, 'delete');
    return { status: 200 };
  }
}
