import { sha256Hex } from './hash';

/**
 * The durable instance id of a registry's hardening run: `harden-<name>-<16 hex>`, where the hex
 * is the start of the SHA-256 of the lower-cased id without trailing slashes. The same registry,
 * in any casing, always maps to the same instance, so duplicate events (and our own writes, which
 * raise the event again) cannot start a second run while one is going.
 *
 * Durable instance ids must not contain '/', '\\', '#' or '?' and we keep them ≤ 100 characters;
 * the readable part is only for people: uniqueness comes from the hash (64 bits).
 */
export const INSTANCE_ID_PREFIX = 'harden-';
const MAX_NAME_PART = 40;

export function canonicalRegistryKey(registryId: string): string {
  return registryId.trim().replace(/\/+$/, '').toLowerCase();
}

export function instanceIdFor(registryId: string): string {
  const key = canonicalRegistryKey(registryId);
  const lastSegment = key.split('/').pop() ?? '';
  const name = lastSegment.replace(/[^a-z0-9_-]/g, '-').slice(0, MAX_NAME_PART) || 'registry';
  return `${INSTANCE_ID_PREFIX}${name}-${sha256Hex(key).slice(0, 16)}`;
}
