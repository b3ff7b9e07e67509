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
