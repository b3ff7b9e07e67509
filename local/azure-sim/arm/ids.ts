/** ARM resource id helpers (ids are case-insensitive; the case given at creation is kept). */
export interface ParsedId {
  subscriptionId: string;
  resourceGroup?: string;
  /** e.g. Microsoft.Network */
  namespace?: string;
  /** type chain, e.g. ['privateEndpoints', 'privateDnsZoneGroups'] */
  types: string[];
  names: string[];
}

export function parseArmId(id: string): ParsedId | undefined {
  const parts = id.replace(/^\/+|\/+$/g, '').split('/');
  if (parts.length < 2 || parts[0]?.toLowerCase() !== 'subscriptions' || !parts[1]) return undefined;
  const out: ParsedId = { subscriptionId: parts[1], types: [], names: [] };
  let i = 2;
  if (parts[i]?.toLowerCase() === 'resourcegroups') {
    if (!parts[i + 1]) return undefined;
    out.resourceGroup = parts[i + 1];
    i += 2;
  }
  if (i >= parts.length) return out;
  if (parts[i]?.toLowerCase() !== 'providers' || !parts[i + 1]) return undefined;
  out.namespace = parts[i + 1];
  i += 2;
  while (i < parts.length) {
    const t = parts[i];
    const n = parts[i + 1];
    if (!t || !n) return undefined;
    out.types.push(t);
    out.names.push(n);
    i += 2;
  }
  return out;
}

/** Full type string like Microsoft.Network/privateEndpoints/privateDnsZoneGroups. */
export function typeOf(p: ParsedId): string {
  return [p.namespace, ...p.types].join('/');
}

export function rgId(subscriptionId: string, resourceGroup: string): string {
  return `/subscriptions/${subscriptionId}/resourceGroups/${resourceGroup}`;
}

export function resourceId(subscriptionId: string, resourceGroup: string, namespace: string, ...typeNamePairs: string[]): string {
  return `${rgId(subscriptionId, resourceGroup)}/providers/${namespace}/${typeNamePairs.join('/')}`;
}

export function sameId(a: string | undefined, b: string | undefined): boolean {
  return !!a && !!b && a.replace(/\/+$/, '').toLowerCase() === b.replace(/\/+$/, '').toLowerCase();
}

/** Parent id of a nested resource id (drops the last type/name pair). */
export function parentId(id: string): string {
  return id.replace(/\/+$/, '').split('/').slice(0, -2).join('/');
}

export function lastName(id: string): string {
  return id.replace(/\/+$/, '').split('/').pop() ?? '';
}

/** The types of Azure DNS and Private DNS: in the Microsoft.Network namespace, but services of their own. */
const DNS_TYPES = new Set(['privatednszones', 'privatednsoperationstatuses', 'privatednsoperationresults', 'dnszones', 'dnsoperationstatuses', 'dnsoperationresults']);

/**
 * The resource provider a request's path is served by: the namespace after the path's last
 * `/providers/`, lower-cased (a zone group is a private endpoint's child: Network; a role
 * assignment on a VNet: Microsoft.Authorization, not Network), and whether it is Azure DNS or
 * Private DNS, which live in Microsoft.Network but have their own limits and Retry-After.
 * Undefined when the path names no provider.
 */
export function providerOfPath(path: string): { namespace: string; dns: boolean } | undefined {
  const parts = path.split('/').filter(Boolean);
  const at = parts.map((p) => p.toLowerCase()).lastIndexOf('providers');
  const namespace = at < 0 ? undefined : parts[at + 1]?.toLowerCase();
  if (namespace === undefined) return undefined;
  return { namespace, dns: namespace === 'microsoft.network' && DNS_TYPES.has(parts[at + 2]?.toLowerCase() ?? '') };
}
