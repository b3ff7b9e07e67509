import { createHash } from 'node:crypto';
import type { ArmResource, ResourceStore } from '../store';

/**
 * Split-horizon name resolution as Azure DNS (168.63.129.16) answers it inside a VNet:
 * private DNS zones linked to the VNet win (and are authoritative: a missing name is NXDOMAIN),
 * storage / ACR public names CNAME to their `privatelink` form once the resource has a private
 * endpoint, and everything else the simulator does not know is NXDOMAIN. State is read from the
 * ResourceStore at query time, so answers follow ARM writes immediately.
 */

export type QueryType = 'A' | 'AAAA' | 'CNAME' | 'TXT' | 'SOA' | string;

export type DnsRecord =
  | { type: 'A'; name: string; ttl: number; data: string }
  | { type: 'AAAA'; name: string; ttl: number; data: string }
  | { type: 'CNAME'; name: string; ttl: number; data: string }
  | { type: 'TXT'; name: string; ttl: number; data: string[] }
  | { type: 'SOA'; name: string; ttl: number; data: SoaData };

export interface SoaData {
  mname: string;
  rname: string;
  serial: number;
  refresh: number;
  retry: number;
  expire: number;
  minimum: number;
}

export interface Resolution {
  rcode: 'NOERROR' | 'NXDOMAIN';
  /** true when the final answer came from a private zone */
  authoritative: boolean;
  answers: DnsRecord[];
  authorities: DnsRecord[];
}

const ZONE_TYPE = 'microsoft.network/privatednszones';
const LINK_TYPE = 'Microsoft.Network/privateDnsZones/virtualNetworkLinks';
const STORAGE_TYPE = 'Microsoft.Storage/storageAccounts';
const ACR_TYPE = 'Microsoft.ContainerRegistry/registries';
const ACR_REPLICATION_TYPE = 'Microsoft.ContainerRegistry/registries/replications';
const ML_REGISTRY_TYPE = 'Microsoft.MachineLearningServices/registries';
const PE_TYPE = 'Microsoft.Network/privateEndpoints';

/** TTL of the public CNAME / A records the simulator synthesises. */
export const PUBLIC_TTL = 60;
/** Default TTL of records in private zones (Azure writes 10 s for private endpoint records). */
const DEFAULT_PRIVATE_TTL = 10;
/** SOA of Azure private DNS zones. */
const PRIVATE_SOA = (zone: string): DnsRecord => ({
  type: 'SOA',
  name: zone,
  ttl: 3600,
  data: { mname: 'azureprivatedns.net', rname: 'azureprivatedns-host.microsoft.com', serial: 1, refresh: 3600, retry: 300, expire: 2419200, minimum: 10 },
});

const STORAGE_SERVICES = ['blob', 'file', 'queue', 'table', 'dfs', 'web'];

const norm = (name: string): string => name.toLowerCase().replace(/\.+$/, '');
const lastSegment = (id: string): string => id.replace(/\/+$/, '').split('/').pop() ?? '';
const obj = (v: unknown): Record<string, unknown> | undefined =>
  v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

/** A deterministic public-looking IPv4 address for a public endpoint name (nothing ever connects to it). */
export function publicAddressOf(name: string): string {
  const h = createHash('sha1').update(norm(name)).digest();
  return `20.${32 + ((h[0] ?? 0) % 96)}.${h[1] ?? 0}.${1 + ((h[2] ?? 0) % 254)}`;
}

interface Zone {
  id: string;
  name: string;
}

/** A public endpoint of a storage account or ACR and the name it moves to behind a private endpoint. */
interface PrivateLinkTarget {
  publicName: string;
  privateLinkName: string;
  resourceId: string;
  groupId: string;
}

export class SplitHorizonResolver {
  constructor(
    private readonly store: ResourceStore,
    private readonly clientVnetIds: () => string[],
  ) {}

  /** Private DNS zones linked to one of the client VNets. */
  visibleZones(): Zone[] {
    const vnets = new Set(this.clientVnetIds().map((v) => v.replace(/\/+$/, '').toLowerCase()));
    if (vnets.size === 0) return [];
    const out: Zone[] = [];
    for (const zone of this.store.all()) {
      if (zone.type.toLowerCase() !== ZONE_TYPE) continue;
      const linked = this.store.list(LINK_TYPE, zone.id).some((link) => {
        const state = obj(link.properties)?.['provisioningState'];
        if (state === 'Failed' || state === 'Deleting') return false;
        const vnetId = obj(obj(link.properties)?.['virtualNetwork'])?.['id'];
        return typeof vnetId === 'string' && vnets.has(vnetId.replace(/\/+$/, '').toLowerCase());
      });
      if (linked) out.push({ id: zone.id, name: norm(zone.name) });
    }
    return out;
  }

  resolve(qname: string, qtype: QueryType): Resolution {
    return this.resolveAt(norm(qname), qtype.toUpperCase(), this.visibleZones(), 0);
  }

  private resolveAt(name: string, qtype: string, zones: Zone[], depth: number): Resolution {
    if (depth > 8) return { rcode: 'NXDOMAIN', authoritative: false, answers: [], authorities: [] };
    const zone = zones
      .filter((z) => name === z.name || name.endsWith('.' + z.name))
      .sort((a, b) => b.name.length - a.name.length)[0];
    if (zone) return this.fromZone(zone, name, qtype, zones, depth);
    return this.fromPublic(name, qtype, zones, depth);
  }

  private fromZone(zone: Zone, name: string, qtype: string, zones: Zone[], depth: number): Resolution {
    const rel = name === zone.name ? '@' : name.slice(0, -(zone.name.length + 1));
    const recordSets = this.store
      .all()
      .filter((r) => r.type.toLowerCase().startsWith(ZONE_TYPE + '/') && r.id.toLowerCase().startsWith(zone.id.toLowerCase() + '/'))
      .filter((r) => !r.type.toLowerCase().endsWith('/virtualnetworklinks'));
    const setOf = (type: string): ArmResource | undefined =>
      recordSets.find((r) => r.type.toLowerCase() === `${ZONE_TYPE}/${type.toLowerCase()}` && lastSegment(r.id).toLowerCase() === rel);
    const exists = recordSets.some((r) => {
      const n = lastSegment(r.id).toLowerCase();
      return n === rel || (rel !== '@' && n.endsWith('.' + rel)) || (rel === '@' && n !== '@');
    });
    const soa = [PRIVATE_SOA(zone.name)];
    const cname = setOf('CNAME');
    if (cname && qtype !== 'CNAME') {
      const target = obj(obj(cname.properties)?.['cnameRecord'])?.['cname'];
      if (typeof target === 'string' && target) {
        const record: DnsRecord = { type: 'CNAME', name, ttl: ttlOf(cname), data: norm(target) };
        const next = this.resolveAt(norm(target), qtype, zones, depth + 1);
        return { ...next, answers: [record, ...next.answers] };
      }
    }
    const wildcard = exists ? undefined : this.wildcardOf(recordSets, rel);
    const answers = this.recordsOf(setOf(qtype) ?? wildcard?.(qtype), qtype, name);
    if (answers.length > 0) return { rcode: 'NOERROR', authoritative: true, answers, authorities: [] };
    if (wildcard !== undefined) return { rcode: 'NOERROR', authoritative: true, answers: [], authorities: soa };
    if (qtype === 'SOA' && rel === '@') return { rcode: 'NOERROR', authoritative: true, answers: soa, authorities: [] };
    return { rcode: exists || rel === '@' ? 'NOERROR' : 'NXDOMAIN', authoritative: true, answers: [], authorities: soa };
  }

  /**
   * A name that does not exist is answered by the closest wildcard record set above it
   * (`*.x` for `a.x`, RFC 4592; Azure private DNS supports wildcard record sets).
   */
  private wildcardOf(recordSets: ArmResource[], rel: string): ((type: string) => ArmResource | undefined) | undefined {
    if (rel === '@') return undefined;
    const labels = rel.split('.');
    for (let i = 1; i <= labels.length; i++) {
      const parent = labels.slice(i).join('.');
      const wild = parent === '' ? '*' : `*.${parent}`;
      const sets = recordSets.filter((r) => lastSegment(r.id).toLowerCase() === wild);
      if (sets.length > 0) return (type) => sets.find((r) => r.type.toLowerCase() === `${ZONE_TYPE}/${type.toLowerCase()}`);
      if (parent !== '' && recordSets.some((r) => lastSegment(r.id).toLowerCase() === parent)) return undefined;
    }
    return undefined;
  }

  private recordsOf(set: ArmResource | undefined, qtype: string, name: string): DnsRecord[] {
    if (!set) return [];
    const p = obj(set.properties) ?? {};
    const ttl = ttlOf(set);
    switch (qtype) {
      case 'A':
        return arr(p['aRecords'])
          .map((r) => obj(r)?.['ipv4Address'])
          .filter((ip): ip is string => typeof ip === 'string')
          .map((ip) => ({ type: 'A', name, ttl, data: ip }));
      case 'AAAA':
        return arr(p['aaaaRecords'])
          .map((r) => obj(r)?.['ipv6Address'])
          .filter((ip): ip is string => typeof ip === 'string')
          .map((ip) => ({ type: 'AAAA', name, ttl, data: ip }));
      case 'CNAME': {
        const target = obj(p['cnameRecord'])?.['cname'];
        return typeof target === 'string' ? [{ type: 'CNAME', name, ttl, data: norm(target) }] : [];
      }
      case 'TXT':
        return arr(p['txtRecords'])
          .map((r) => arr(obj(r)?.['value']).filter((v): v is string => typeof v === 'string'))
          .map((value) => ({ type: 'TXT', name, ttl, data: value }));
      default:
        return [];
    }
  }

  /** What public Azure DNS answers for the simulator's storage / ACR endpoints. */
  private fromPublic(name: string, qtype: string, zones: Zone[], depth: number): Resolution {
    const nx: Resolution = { rcode: 'NXDOMAIN', authoritative: false, answers: [], authorities: [] };
    const target = this.privateLinkTargetOf(name);
    if (!target) return nx;
    const hasEndpoint = this.hasPrivateEndpoint(target.resourceId, target.groupId);
    if (name === target.privateLinkName) {
      // The privatelink name exists publicly only once an endpoint exists; outside a linked
      // zone it leads back to the public address.
      if (!hasEndpoint) return nx;
      return this.publicA(target.publicName, name, qtype);
    }
    if (!hasEndpoint) return this.publicA(target.publicName, name, qtype);
    const record: DnsRecord = { type: 'CNAME', name, ttl: PUBLIC_TTL, data: target.privateLinkName };
    if (qtype === 'CNAME') return { rcode: 'NOERROR', authoritative: false, answers: [record], authorities: [] };
    const next = this.resolveAt(target.privateLinkName, qtype, zones, depth + 1);
    return { ...next, answers: [record, ...next.answers] };
  }

  private publicA(publicName: string, name: string, qtype: string): Resolution {
    const answers: DnsRecord[] = qtype === 'A' ? [{ type: 'A', name, ttl: PUBLIC_TTL, data: publicAddressOf(publicName) }] : [];
    return { rcode: 'NOERROR', authoritative: false, answers, authorities: [] };
  }

  private privateLinkTargetOf(name: string): PrivateLinkTarget | undefined {
    let m = /^([a-z0-9]{3,24})\.(?:(privatelink)\.)?(blob|file|queue|table|dfs|web)\.core\.windows\.net$/.exec(name);
    if (m) {
      const [, account = '', , service = ''] = m;
      if (!STORAGE_SERVICES.includes(service)) return undefined;
      const resource = this.findByName(STORAGE_TYPE, account);
      if (!resource) return undefined;
      return {
        publicName: `${account}.${service}.core.windows.net`,
        privateLinkName: `${account}.privatelink.${service}.core.windows.net`,
        resourceId: resource.id,
        groupId: service,
      };
    }
    m = /^([a-z0-9]{5,50})\.(?:(privatelink)\.)?azurecr\.io$/.exec(name);
    if (m) {
      const [, acr = ''] = m;
      const resource = this.findByName(ACR_TYPE, acr);
      if (!resource) return undefined;
      return { publicName: `${acr}.azurecr.io`, privateLinkName: `${acr}.privatelink.azurecr.io`, resourceId: resource.id, groupId: 'registry' };
    }
    m = /^([a-z0-9]{5,50})\.([a-z0-9]+)\.data\.(?:(privatelink)\.)?azurecr\.io$/.exec(name);
    if (m) {
      const [, acr = '', region = ''] = m;
      const resource = this.findByName(ACR_TYPE, acr);
      if (!resource || !this.acrRegions(resource).has(region)) return undefined;
      return {
        publicName: `${acr}.${region}.data.azurecr.io`,
        privateLinkName: `${acr}.${region}.data.privatelink.azurecr.io`,
        resourceId: resource.id,
        groupId: 'registry',
      };
    }
    return undefined;
  }

  private findByName(type: string, name: string): ArmResource | undefined {
    return this.store.list(type).find((r) => r.name.toLowerCase() === name);
  }

  /** Regions an ACR serves data endpoints in: its home, its replications, and the ML registries naming it. */
  private acrRegions(acr: ArmResource): Set<string> {
    const regions = new Set<string>();
    const add = (loc: unknown): void => {
      if (typeof loc === 'string' && loc) regions.add(loc.toLowerCase().replace(/\s+/g, ''));
    };
    add(acr.location);
    for (const rep of this.store.list(ACR_REPLICATION_TYPE, acr.id)) add(rep.location);
    const acrKey = acr.id.toLowerCase();
    for (const reg of this.store.list(ML_REGISTRY_TYPE)) {
      for (const detail of arr(obj(reg.properties)?.['regionDetails'])) {
        const d = obj(detail);
        const names = arr(d?.['acrDetails']).some((a) => {
          const acct = obj(obj(a)?.['systemCreatedAcrAccount']);
          const rid = obj(acct?.['armResourceId'])?.['resourceId'];
          return typeof rid === 'string' && rid.toLowerCase() === acrKey;
        });
        if (names) add(d?.['location']);
      }
    }
    return regions;
  }

  /** Any private endpoint whose (manual) private link service connection targets the resource for that group. */
  hasPrivateEndpoint(resourceId: string, groupId: string): boolean {
    const key = resourceId.toLowerCase();
    return this.store.list(PE_TYPE).some((pe) => {
      const p = obj(pe.properties) ?? {};
      if (p['provisioningState'] === 'Failed' || p['provisioningState'] === 'Deleting') return false;
      const connections = [...arr(p['privateLinkServiceConnections']), ...arr(p['manualPrivateLinkServiceConnections'])];
      return connections.some((c) => {
        const cp = obj(obj(c)?.['properties']) ?? obj(c) ?? {};
        const target = cp['privateLinkServiceId'];
        if (typeof target !== 'string' || target.toLowerCase() !== key) return false;
        const groups = arr(cp['groupIds']).filter((g): g is string => typeof g === 'string');
        return groups.length === 0 || groups.some((g) => g.toLowerCase() === groupId);
      });
    });
  }
}

function ttlOf(set: ArmResource): number {
  const ttl = obj(set.properties)?.['ttl'];
  return typeof ttl === 'number' && ttl >= 0 ? ttl : DEFAULT_PRIVATE_TTL;
}
