import { fnv1a32Hex } from './hash';

/**
 * Names Azure accepts for the Microsoft.Network resources the app creates ("Naming rules and
 * restrictions for Azure resources", Microsoft.Network): alphanumerics, `_`, `.`, `-`; start with
 * an alphanumeric; end with an alphanumeric or `_`. Private endpoints: 2–64 characters; network
 * security rules and service endpoint policies: 1–80.
 */
export const NETWORK_NAME_MAX = { privateEndpoint: 64, securityRule: 80, serviceEndpointPolicy: 80 } as const;

export function isNetworkName(name: string, max: number): boolean {
  return name.length <= max && (name.length === 1 ? /^[A-Za-z0-9]$/.test(name) : /^[A-Za-z0-9][A-Za-z0-9_.-]*[A-Za-z0-9_]$/.test(name));
}

/** Characters outside the rule become '-'. */
export function networkNameChars(text: string): string {
  return text.replace(/[^A-Za-z0-9_.-]/g, '-');
}

/**
 * `name` when Azure accepts it, else a shorter one, deterministically: its head (cut to fit,
 * without trailing '.' or '-') + '-' + FNV-1a of the whole name, so two names that differ
 * anywhere stay different and a re-run computes the same one.
 */
export function fitNetworkName(name: string, max: number): string {
  const raw = networkNameChars(name);
  if (isNetworkName(raw, max)) return raw;
  const hash = fnv1a32Hex(name);
  const head = raw.slice(0, Math.max(0, max - 1 - hash.length)).replace(/[.-]+$/, '').replace(/^[^A-Za-z0-9]+/, '');
  return head ? `${head}-${hash}` : hash;
}
