import { createHash } from 'node:crypto';

/**
 * The GUID Azure ML gives a registry (used in its private FQDN
 * `<registry-guid>.registry.<region>.privatelink.api.azureml.ms`). The real service does not
 * return it in the ARM resource, so the simulator derives it deterministically from the
 * lower-cased registry id (sha1, formatted as an RFC 4122 name-based GUID). The ARM part
 * (private endpoints, zone groups), discovery and the DNS server must all use this function.
 */
export function registryGuidOf(resourceOrId: { id: string } | string): string {
  const id = (typeof resourceOrId === 'string' ? resourceOrId : resourceOrId.id).replace(/\/+$/, '').toLowerCase();
  const b = createHash('sha1').update(`azureml-registry:${id}`).digest().subarray(0, 16);
  b[6] = ((b[6] ?? 0) & 0x0f) | 0x50; // version 5 (name-based, SHA-1)
  b[8] = ((b[8] ?? 0) & 0x3f) | 0x80; // RFC 4122 variant
  const h = b.toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

/** `<registry-guid>.registry.<region>.privatelink.api.azureml.ms` (region lower-cased). */
export function registryPrivateFqdn(resourceOrId: { id: string } | string, region: string): string {
  return `${registryGuidOf(resourceOrId)}.registry.${region.toLowerCase()}.privatelink.api.azureml.ms`;
}

/** The registry's regions: `properties.regionDetails[].location`, else its `location`. */
export function registryRegionsOf(resource: { location?: string; properties?: Record<string, unknown> }): string[] {
  const details = resource.properties?.['regionDetails'];
  const out: string[] = [];
  if (Array.isArray(details)) {
    for (const d of details as unknown[]) {
      const loc = d && typeof d === 'object' ? (d as { location?: unknown }).location : undefined;
      if (typeof loc === 'string' && loc && !out.some((r) => r.toLowerCase() === loc.toLowerCase())) out.push(loc);
    }
  }
  if (out.length === 0 && resource.location) out.push(resource.location);
  return out;
}
