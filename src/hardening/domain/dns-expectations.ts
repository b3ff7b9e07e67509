import { ErrorCodes, LockdownError } from '../../shared/errors';
import type { DiscoveryCheck, DiscoveryHostCheck, DnsCheck, DnsExpectation, TargetKind } from './hardening';

/**
 * Which names the DNS proof resolves and what each must answer, built from what ARM reports at
 * run time (never a hard-coded list):
 * - the endpoint NIC's `ipConfigurations[].properties.privateLinkConnectionProperties.fqdns`
 *   with that configuration's private IP, and
 * - the zone group's `privateDnsZoneConfigs[].properties.recordSets[]` (`fqdn`, `ipAddresses`).
 *
 * Azure may report a name in its public form (`<guid>.registry.<region>.api.azureml.ms`) or in its
 * privatelink form; the proof always resolves the privatelink form of every reported name, since
 * that is the record the zone group writes:
 * - registry (`*.api.azureml.ms`): only the privatelink form. No public registry name resolves
 *   recursively (the registry network-isolation guide), so the public form is never resolved.
 * - storage and ACR: the privatelink form, and the public form too, which clients use and which
 *   must CNAME into `privatelink.` and answer the same private IP.
 * - a wildcard name (`*.x.api.azureml.ms`, as workspace NICs report) cannot be queried as such: it
 *   is proven through one concrete name under it, `dns-proof-probe.x.privatelink.api.azureml.ms`,
 *   which the zone's wildcard record must answer (RFC 4592). `reportedAs` keeps the wildcard.
 */

/** A name on an endpoint and the private IP ARM gave it (NIC or zone record set). */
export interface ReportedName {
  fqdn: string;
  ip: string;
}

/** The label the proof puts in place of a wildcard's `*`. */
export const WILDCARD_PROBE_LABEL = 'dns-proof-probe';

const AZUREML_PUBLIC = '.api.azureml.ms';
const AZUREML_PRIVATE = '.privatelink.api.azureml.ms';

/** Public suffix → where `privatelink.` goes, for the zones the product links. */
const PRIVATELINK_SUFFIXES: readonly (readonly [string, string])[] = [
  ['.api.azureml.ms', '.privatelink.api.azureml.ms'],
  ['.azurecr.io', '.privatelink.azurecr.io'],
];

function normalize(fqdn: string): string {
  return fqdn.trim().toLowerCase().replace(/\.+$/, '');
}

/** The privatelink form of a name (unchanged when it already is one or no known suffix applies). */
export function privatelinkFormOf(fqdn: string): string {
  const name = normalize(fqdn);
  if (name.includes('.privatelink.')) return name;
  // storage: <account>.<service>.core.windows.net → <account>.privatelink.<service>.core.windows.net
  const storage = /^(.+)\.([a-z0-9_-]+)\.core\.windows\.net$/.exec(name);
  if (storage) return `${storage[1] ?? ''}.privatelink.${storage[2] ?? ''}.core.windows.net`;
  // ACR data endpoints: <acr>.<region>.data.azurecr.io → <acr>.<region>.data.privatelink.azurecr.io
  for (const [pub, priv] of PRIVATELINK_SUFFIXES) if (name.endsWith(pub)) return name.slice(0, -pub.length) + priv;
  return name;
}

/** The public form of a name (the reverse of privatelinkFormOf). */
export function publicFormOf(fqdn: string): string {
  return normalize(fqdn).replace('.privatelink.', '.');
}

/** Whether a name is a DNS wildcard (`*` as its leftmost label). */
export function isWildcardName(fqdn: string): boolean {
  return normalize(fqdn).startsWith('*.');
}

/** The concrete name a wildcard is proven through (other names unchanged). */
export function concreteNameOf(fqdn: string): string {
  const name = normalize(fqdn);
  return isWildcardName(name) ? `${WILDCARD_PROBE_LABEL}${name.slice(1)}` : name;
}

/**
 * The names the proof resolves for one reported name, in the order above: the privatelink form,
 * then (storage, ACR) the public form; wildcards replaced by their concrete probe.
 */
export function dnsNamesToResolve(fqdn: string, kind: TargetKind): string[] {
  const name = normalize(fqdn);
  if (name === '') return [];
  const isRegistryName = kind === 'registry' || name.endsWith(AZUREML_PUBLIC) || name.endsWith(AZUREML_PRIVATE);
  const forms = isRegistryName ? [privatelinkFormOf(name)] : [privatelinkFormOf(name), publicFormOf(name)];
  return [...new Set(forms.map(concreteNameOf))];
}

/** Expectations of one endpoint, one per name (a NIC name wins over a record set name that maps to the same form). */
export function expectationsFromNames(endpointId: string, kind: TargetKind, reported: readonly ReportedName[]): DnsExpectation[] {
  const byName = new Map<string, DnsExpectation>();
  for (const { fqdn, ip } of reported) {
    if (!fqdn || !ip) continue;
    const asReported = normalize(fqdn);
    for (const name of dnsNamesToResolve(fqdn, kind)) {
      if (byName.has(name)) continue;
      byName.set(name, { fqdn: name, expectedIp: ip, endpointId, kind, ...(name !== asReported ? { reportedAs: asReported } : {}) });
    }
  }
  return [...byName.values()].sort((a, b) => a.fqdn.localeCompare(b.fqdn));
}

/**
 * The discovery hosts to prove: the host of each registryFqdns URI, in privatelink form, expected
 * to answer the IP of the registry endpoint reporting that name. A host no endpoint reports has
 * no expected IP and cannot be proven.
 */
export function discoveryHostExpectations(
  registryFqdns: Record<string, { uri?: string | null } | null | undefined>,
  expectations: readonly DnsExpectation[],
): Array<Pick<DiscoveryHostCheck, 'region' | 'uri' | 'fqdn' | 'expectedIp'>> {
  const ipOf = new Map(expectations.map((e) => [e.fqdn, e.expectedIp] as const));
  const out: Array<Pick<DiscoveryHostCheck, 'region' | 'uri' | 'fqdn' | 'expectedIp'>> = [];
  for (const [region, entry] of Object.entries(registryFqdns)) {
    const uri = entry?.uri ?? '';
    const host = hostOf(uri);
    if (host === undefined) {
      out.push({ region, uri, fqdn: '' });
      continue;
    }
    const fqdn = concreteNameOf(privatelinkFormOf(host));
    const expectedIp = ipOf.get(fqdn);
    out.push({ region, uri, fqdn, ...(expectedIp !== undefined ? { expectedIp } : {}) });
  }
  return out.sort((a, b) => a.region.localeCompare(b.region));
}

function hostOf(uri: string): string | undefined {
  try {
    const host = new URL(uri).hostname;
    return host === '' ? undefined : normalize(host);
  } catch {
    return undefined;
  }
}

/** One line per discovery host that is not proven. */
export function describeDiscoveryHost(host: DiscoveryHostCheck): string {
  if (host.fqdn === '') return `discovery ${host.region}: registryFqdns uri '${host.uri}' has no host`;
  const answered = host.answered.length > 0 ? host.answered.join(', ') : 'no address';
  const expected = host.expectedIp ?? 'the IP of a registry endpoint reporting this name (none does)';
  return `discovery ${host.region}: ${host.fqdn} (host of ${host.uri}) resolved to ${answered}${host.error ? ` (${host.error})` : ''}; expected ${expected}`;
}

/** One line per name: `name → answered (expected ip)`. */
export function describeDnsCheck(check: DnsCheck): string {
  const answered = check.answered.length > 0 ? check.answered.join(', ') : 'no address';
  const chain = check.chain.length > 0 ? ` via ${check.chain.join(' → ')}` : '';
  const error = check.error ? ` (${check.error})` : '';
  const reported = check.reportedAs !== undefined ? ` (reported as ${check.reportedAs})` : '';
  return `${check.fqdn}${reported} resolved to ${answered}${chain}${error}; expected ${check.expectedIp}`;
}

export function isDnsProven(checks: readonly DnsCheck[], discovery: DiscoveryCheck | undefined): boolean {
  const hostsOk = (discovery?.hosts ?? []).every((h) => h.ok);
  return checks.length > 0 && checks.every((c) => c.ok) && (discovery === undefined || (discovery.ok && discovery.missingRegions.length === 0 && hostsOk));
}

/** What the DNS proof failure says: every failing name, and discovery's missing regions. */
export function describeDnsFailure(checks: readonly DnsCheck[], discovery: DiscoveryCheck | undefined): string {
  const lines: string[] = [];
  if (checks.length === 0) lines.push('ARM reported no DNS names for the private endpoints yet (NIC fqdns and zone group record sets are empty)');
  for (const check of checks) if (!check.ok) lines.push(describeDnsCheck(check));
  if (discovery !== undefined && (!discovery.ok || discovery.missingRegions.length > 0)) {
    const missing = discovery.missingRegions.length > 0 ? `registryFqdns misses region(s) ${discovery.missingRegions.join(', ')}` : 'discovery failed';
    const covered = discovery.regions.length > 0 ? discovery.regions.join(', ') : 'none';
    lines.push(`discovery: ${missing}${discovery.error ? ` (${discovery.error})` : ''}; regions covered: ${covered}; expected every region of the registry`);
  }
  for (const host of discovery?.hosts ?? []) if (!host.ok) lines.push(describeDiscoveryHost(host));
  return lines.join('\n');
}

/** The DNS proof gave up at its deadline: the error names the attempts and every problem left. */
export function dnsProofFailedError(attempts: number, deadlineMinutes: number, checks: readonly DnsCheck[], discovery: DiscoveryCheck | undefined): LockdownError {
  return new LockdownError(
    ErrorCodes.HARDEN_DNS_PROOF_FAILED,
    `DNS proof failed after ${attempts} attempt(s) in ${deadlineMinutes} minute(s): ` +
      `check the private DNS zone links of the resolver's VNet and the zone groups.\n${describeDnsFailure(checks, discovery)}`,
  );
}

/** One attempt that did not prove DNS yet, for the step detail (the caller adds when it tries again). */
export function describeDnsAttempt(attempt: number, checks: readonly DnsCheck[], discovery: DiscoveryCheck): string {
  const failing = checks.filter((c) => !c.ok).length;
  const misses = discovery.missingRegions.length > 0 ? `, discovery misses ${discovery.missingRegions.join(', ')}` : '';
  const hosts = (discovery.hosts ?? []).filter((h) => !h.ok).length;
  return `attempt ${attempt}: ${failing} of ${checks.length} name(s) not private yet${misses}${hosts > 0 ? `, ${hosts} discovery host(s) not private yet` : ''}`;
}

/** The proof holds, for the step detail. */
export function describeDnsProven(checks: readonly DnsCheck[], discovery: DiscoveryCheck | undefined): string {
  const hosts = discovery?.hosts !== undefined ? ` (${discovery.hosts.length} registryFqdns host(s) private)` : '';
  return `${checks.length} name(s) resolve to their private IPs; discovery covers ${discovery?.regions.join(', ') ?? 'every region'}${hosts}`;
}

/** The expectations of several endpoints as one list: each name once (the first endpoint to report it wins), sorted. */
export function mergeExpectations(lists: readonly (readonly DnsExpectation[])[]): DnsExpectation[] {
  const out = new Map<string, DnsExpectation>();
  for (const list of lists) for (const e of list) if (!out.has(e.fqdn)) out.set(e.fqdn, e);
  return [...out.values()].sort((a, b) => a.fqdn.localeCompare(b.fqdn));
}
