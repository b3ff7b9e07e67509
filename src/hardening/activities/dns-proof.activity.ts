import { fullTypeOf, parseResourceId } from '../../shared/arm-id';
import type { DiscoveryCheck, DnsCheck, DnsExpectation, TargetKind } from '../domain/hardening';
import { normalizeRegion } from '../../shared/regions';
import { parseRegistryId } from '../domain/registry';
import type { ActivityDeps } from '../../main';

const KIND_OF_TYPE: Record<string, TargetKind> = {
  'microsoft.machinelearningservices/registries': 'registry',
  'microsoft.storage/storageaccounts': 'storage',
  'microsoft.containerregistry/registries': 'acr',
};

/**
 * Every name of every endpoint as ARM reports it at run time: the NICs' privateLinkConnectionProperties
 * fqdns (public forms, and the registry's private FQDNs) and the zone groups' record sets
 * (privatelink forms). customDnsConfigs is empty once a zone group exists, so it is not used.
 * Three reads per endpoint (the endpoint, its NIC, its zone groups): under throttling every read counts.
 */
export async function collectDnsExpectations(input: { endpointIds: string[] }, { ports }: Pick<ActivityDeps, 'ports'>): Promise<DnsExpectation[]> {
  const out = new Map<string, DnsExpectation>();
  for (const endpointId of input.endpointIds) {
    const names = await ports.network.endpointNames(endpointId);
    if (!names) continue;
    const kind = KIND_OF_TYPE[(fullTypeOf(parseResourceId(names.targetId)) ?? '').toLowerCase()] ?? 'registry';
    for (const n of [...names.nicNames, ...names.zoneRecords]) {
      const fqdn = n.fqdn.toLowerCase().replace(/\.$/, '');
      if (!out.has(fqdn)) out.set(fqdn, { fqdn, expectedIp: n.ip, endpointId, kind });
    }
  }
  return [...out.values()].sort((a, b) => a.fqdn.localeCompare(b.fqdn));
}

/** Resolves each name through the configured resolver; each must answer its endpoint's private IP. */
export async function proveDns(input: { expectations: DnsExpectation[] }, { ports }: Pick<ActivityDeps, 'ports'>): Promise<DnsCheck[]> {
  return Promise.all(input.expectations.map(async (e): Promise<DnsCheck> => {
    const answer = await ports.dns.resolve(e.fqdn);
    const ok = answer.addresses.includes(e.expectedIp);
    return { ...e, ok, answered: answer.addresses, chain: answer.chain, ...(answer.error ? { error: answer.error } : {}) };
  }));
}

/** Discovery must list every region of the registry in registryFqdns. */
export async function checkDiscovery(input: { registryId: string; regions: string[] }, { ports }: Pick<ActivityDeps, 'ports'>): Promise<DiscoveryCheck> {
  const ref = parseRegistryId(input.registryId);
  const home = input.regions[0];
  if (!home) return { ok: false, regions: [], missingRegions: [], error: 'the registry has no regions' };
  const doc = await ports.discovery.discover(home, ref.name);
  const listed = Object.keys(doc.registryFqdns ?? {}).map(normalizeRegion);
  const missingRegions = input.regions.map(normalizeRegion).filter((r) => !listed.includes(r));
  return { ok: missingRegions.length === 0, regions: listed, missingRegions };
}
