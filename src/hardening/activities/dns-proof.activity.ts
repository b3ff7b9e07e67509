import { fullTypeOf, parseResourceId } from '../../shared/arm-id';
import type { DiscoveryCheck, DiscoveryHostCheck, DnsCheck, DnsExpectation, TargetKind } from '../domain/hardening';
import { discoveryHostExpectations, expectationsFromNames, mergeExpectations } from '../domain/dns-expectations';
import { normalizeRegion } from '../../shared/regions';
import { parseRegistryId } from '../domain/registry';
import type { ActivityDeps } from '../../main';

const KIND_OF_TYPE: Record<string, TargetKind> = {
  'microsoft.machinelearningservices/registries': 'registry',
  'microsoft.storage/storageaccounts': 'storage',
  'microsoft.containerregistry/registries': 'acr',
};

/**
 * Every name of every endpoint as ARM reports it at run time, in the form the proof resolves
 * (domain/dns-expectations.ts: the privatelink form of each name, storage/ACR also the public one,
 * a wildcard through a concrete probe name): the NICs' privateLinkConnectionProperties fqdns and
 * the zone groups' record sets. customDnsConfigs is empty once a zone group exists, so it is not used.
 * Three reads per endpoint (the endpoint, its NIC, its zone groups): under throttling every read counts.
 */
export async function collectDnsExpectations(input: { endpointIds: string[]; nicFirst?: boolean }, deps: Pick<ActivityDeps, 'ports'>): Promise<DnsExpectation[]> {
  if (input.nicFirst) return collectNicFirst(input.endpointIds, deps);
  const { ports } = deps;
  const lists: DnsExpectation[][] = [];
  for (const endpointId of input.endpointIds) {
    const names = await ports.network.endpointNames(endpointId);
    if (!names) continue;
    const kind = kindOfTarget(names.targetId);
    lists.push(expectationsFromNames(endpointId, kind, [...names.nicNames, ...names.zoneRecords]));
  }
  return mergeExpectations(lists);
}

export function kindOfTarget(targetId: string): TargetKind {
  return KIND_OF_TYPE[(fullTypeOf(parseResourceId(targetId)) ?? '').toLowerCase()] ?? 'registry';
}

/**
 * Workflow 2.3: the names with the fewest reads — one GET of the endpoint with its NICs expanded
 * (`$expand=networkInterfaces`: the NICs' privateLinkConnectionProperties fqdns and IPs); the zone
 * groups' record sets are listed only when the NICs report no name.
 */
async function collectNicFirst(endpointIds: string[], { ports }: Pick<ActivityDeps, 'ports'>): Promise<DnsExpectation[]> {
  const lists = await Promise.all(endpointIds.map(async (endpointId): Promise<DnsExpectation[]> => {
    const found = await ports.network.endpointWithNicNames(endpointId);
    if (!found) return [];
    const kind = kindOfTarget(found.endpoint.targetId);
    if (found.nicNames.length > 0) return expectationsFromNames(endpointId, kind, found.nicNames);
    const records = (await ports.network.listZoneGroups(endpointId)).flatMap((g) => g.records ?? []);
    return expectationsFromNames(endpointId, kind, records);
  }));
  return mergeExpectations(lists);
}

/** Resolves each name through the configured resolver; each must answer its endpoint's private IP. */
export async function proveDns(input: { expectations: DnsExpectation[] }, { ports }: Pick<ActivityDeps, 'ports'>): Promise<DnsCheck[]> {
  return Promise.all(input.expectations.map(async (e): Promise<DnsCheck> => {
    const answer = await ports.dns.resolve(e.fqdn);
    const ok = answer.addresses.includes(e.expectedIp);
    return { ...e, ok, answered: answer.addresses, chain: answer.chain, ...(answer.error ? { error: answer.error } : {}) };
  }));
}

/**
 * Discovery must list every region of the registry in registryFqdns, and the host of every URI it
 * lists must resolve, in privatelink form, to the private IP of the registry endpoint reporting
 * that name (`expectations`: the names the proof collected; absent in calls scheduled by older runs).
 */
export async function checkDiscovery(
  input: { registryId: string; regions: string[]; expectations?: DnsExpectation[] },
  { ports }: Pick<ActivityDeps, 'ports'>,
): Promise<DiscoveryCheck> {
  const ref = parseRegistryId(input.registryId);
  const home = input.regions[0];
  if (!home) return { ok: false, regions: [], missingRegions: [], error: 'the registry has no regions' };
  const doc = await ports.discovery.discover(home, ref.name);
  const listed = Object.keys(doc.registryFqdns ?? {}).map(normalizeRegion);
  const missingRegions = input.regions.map(normalizeRegion).filter((r) => !listed.includes(r));
  const result: DiscoveryCheck = { ok: missingRegions.length === 0, regions: listed, missingRegions };
  if (input.expectations === undefined) return result;
  result.hosts = await Promise.all(discoveryHostExpectations(doc.registryFqdns ?? {}, input.expectations).map(async (h): Promise<DiscoveryHostCheck> => {
    if (h.fqdn === '') return { ...h, ok: false, answered: [] };
    const answer = await ports.dns.resolve(h.fqdn);
    const ok = h.expectedIp !== undefined && answer.addresses.includes(h.expectedIp);
    return { ...h, ok, answered: answer.addresses, ...(answer.error ? { error: answer.error } : {}) };
  }));
  return result;
}
