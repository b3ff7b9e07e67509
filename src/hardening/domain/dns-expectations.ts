import { ErrorCodes, LockdownError } from '../../shared/errors';
import type { DiscoveryCheck, DnsCheck, DnsExpectation, TargetKind } from './hardening';

/**
 * Which names the DNS proof resolves and what each must answer, built from what ARM reports at
 * run time (never a hard-coded list):
 * - the endpoint NIC's `ipConfigurations[].properties.privateLinkConnectionProperties.fqdns`
 *   with that configuration's private IP, and
 * - the zone group's `privateDnsZoneConfigs[].properties.recordSets[]` (`fqdn`, `ipAddresses`).
 *
 * Storage and ACR names are resolved in their public form (`acct.blob.core.windows.net`), which
 * must CNAME into `privatelink.` and answer the private IP. A registry has no public name that
 * Azure DNS resolves recursively, so its names are resolved in the `privatelink.api.azureml.ms`
 * form directly (`<registry-guid>.registry.<region>.privatelink.api.azureml.ms`).
 */

export interface EndpointDnsFacts {
  endpointId: string;
  kind: TargetKind;
  /** from the NIC */
  ipConfigurations?: Array<{ privateIpAddress?: string | null; fqdns?: Array<string | null> | null }>;
  /** from the zone group */
  recordSets?: Array<{ fqdn?: string | null; ipAddresses?: Array<string | null> | null }>;
}

const AZUREML_PUBLIC = '.api.azureml.ms';
const AZUREML_PRIVATE = '.privatelink.api.azureml.ms';

/** The form of a name the proof resolves (lower case, no trailing dot). */
export function dnsNameToResolve(fqdn: string, kind: TargetKind): string {
  const name = fqdn.trim().toLowerCase().replace(/\.+$/, '');
  if (kind === 'registry') {
    if (name.endsWith(AZUREML_PUBLIC) && !name.endsWith(AZUREML_PRIVATE)) return name.slice(0, -AZUREML_PUBLIC.length) + AZUREML_PRIVATE;
    return name;
  }
  return name.replace('.privatelink.', '.');
}

/** Expectations of one endpoint, one per name (the NIC wins over a record set for the same name). */
export function expectationsFromEndpoint(facts: EndpointDnsFacts): DnsExpectation[] {
  const byName = new Map<string, DnsExpectation>();
  const add = (fqdn: string | null | undefined, ip: string | null | undefined): void => {
    if (!fqdn || !ip) return;
    const name = dnsNameToResolve(fqdn, facts.kind);
    if (name === '' || byName.has(name)) return;
    byName.set(name, { fqdn: name, expectedIp: ip, endpointId: facts.endpointId, kind: facts.kind });
  };
  for (const config of facts.ipConfigurations ?? []) for (const fqdn of config.fqdns ?? []) add(fqdn, config.privateIpAddress);
  for (const set of facts.recordSets ?? []) add(set.fqdn, set.ipAddresses?.find((ip) => !!ip));
  return [...byName.values()].sort((a, b) => a.fqdn.localeCompare(b.fqdn));
}

/** One line per name: `name → answered (expected ip)`. */
export function describeDnsCheck(check: DnsCheck): string {
  const answered = check.answered.length > 0 ? check.answered.join(', ') : 'no address';
  const chain = check.chain.length > 0 ? ` via ${check.chain.join(' → ')}` : '';
  const error = check.error ? ` (${check.error})` : '';
  return `${check.fqdn} resolved to ${answered}${chain}${error}; expected ${check.expectedIp}`;
}

export function isDnsProven(checks: readonly DnsCheck[], discovery: DiscoveryCheck | undefined): boolean {
  return checks.length > 0 && checks.every((c) => c.ok) && (discovery === undefined || (discovery.ok && discovery.missingRegions.length === 0));
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
  return `attempt ${attempt}: ${failing} of ${checks.length} name(s) not private yet${misses}`;
}

/** The proof holds, for the step detail. */
export function describeDnsProven(checks: readonly DnsCheck[], discovery: DiscoveryCheck | undefined): string {
  return `${checks.length} name(s) resolve to their private IPs; discovery covers ${discovery?.regions.join(', ') ?? 'every region'}`;
}

/** The expectations of several endpoints as one list: each name once (the first endpoint to report it wins), sorted. */
export function mergeExpectations(lists: readonly (readonly DnsExpectation[])[]): DnsExpectation[] {
  const out = new Map<string, DnsExpectation>();
  for (const list of lists) for (const e of list) if (!out.has(e.fqdn)) out.set(e.fqdn, e);
  return [...out.values()].sort((a, b) => a.fqdn.localeCompare(b.fqdn));
}
