/**
 * What the report reads from Azure now (reads only, through the app's ports): the registry and
 * its resources as the run resolves them (readRegistry), the public network access of each, every
 * private endpoint connected to them with its subnet, private IPs and connection state, and the
 * DNS proof of the names of the endpoints in the app's subnet, resolved through the app's resolver.
 * A resource or an endpoint that cannot be read is a line with its coded reason; the others are
 * still reported. The registry itself must be readable: its failure is thrown (coded).
 */
import type { ActivityDeps } from '../../main';
import { lastSegmentOf, sameResourceId, type RegistryId } from '../../shared/arm-id';
import { codedFailure, ErrorCodes } from '../../shared/errors';
import { mapBounded } from '../../shared/bounded';
import { normalizeRegion } from '../../shared/regions';
import { expectationsFromNames, mergeExpectations } from '../../hardening/domain/dns-expectations';
import type { DnsExpectation, Target } from '../../hardening/domain/hardening';
import { parseRegistryId, type Registry } from '../../hardening/domain/registry';
import { proveDns, readRegistry } from '../../hardening';
import { carriesTag, type DnsProof, type IsolationReading, type ReportEndpoint, type ResourceAccess } from '../domain/report';

type Deps = Pick<ActivityDeps, 'ports' | 'config' | 'now'>;

/** Resources and endpoints read at once. */
const READS_AT_ONCE = 4;

/** A registry's public access and the endpoints of its connections. */
function registryAccess(reg: Registry): { publicNetworkAccess: string; endpointIds: string[] } {
  const ids = (reg.properties.registryPrivateEndpointConnections ?? []).map((c) => c.properties?.privateEndpoint?.id).filter((x): x is string => !!x);
  return { publicNetworkAccess: reg.properties.publicNetworkAccess ?? 'Enabled', endpointIds: ids };
}

async function readTarget(target: Target, registry: Registry, deps: Deps): Promise<{ access: ResourceAccess; endpointIds: string[] }> {
  const base = { kind: target.kind, id: target.id, name: target.name, region: target.region };
  try {
    if (target.kind === 'registry') {
      const { publicNetworkAccess, endpointIds } = registryAccess(registry);
      return { access: { ...base, publicNetworkAccess }, endpointIds };
    }
    const port = target.kind === 'storage' ? deps.ports.storage : deps.ports.containerRegistry;
    const r = await port.get(target.id);
    if (r === undefined) return { access: { ...base, error: { code: ErrorCodes.ARM_NOT_FOUND, message: `${target.id} does not exist.` } }, endpointIds: [] };
    return { access: { ...base, publicNetworkAccess: r.publicNetworkAccess }, endpointIds: r.privateEndpointIds };
  } catch (e) {
    return { access: { ...base, error: codedFailure(e, 500) }, endpointIds: [] };
  }
}

interface EndpointRead {
  endpoint: ReportEndpoint;
  expectations: DnsExpectation[];
}

async function readEndpoint(id: string, target: Target, appSubnetId: string, deps: Deps): Promise<EndpointRead> {
  const base: ReportEndpoint = {
    id, name: lastSegmentOf(id), targetKind: target.kind, targetName: target.name, targetId: target.id,
    groupIds: [], subnetId: '', privateIps: [], connectionStatus: 'Unknown', provisioningState: '', inAppSubnet: false,
  };
  try {
    const pe = await deps.ports.network.getEndpoint(id);
    if (pe === undefined) return { endpoint: { ...base, error: { code: ErrorCodes.ARM_NOT_FOUND, message: `the connection names endpoint ${id}, which does not exist (any more).` } }, expectations: [] };
    const names = await deps.ports.network.endpointNames(pe.id);
    const reported = [...(names?.nicNames ?? []), ...(names?.zoneRecords ?? [])];
    const endpoint: ReportEndpoint = {
      ...base,
      id: pe.id,
      name: pe.name,
      groupIds: pe.groupIds,
      subnetId: pe.subnetId,
      privateIps: [...new Set((names?.nicNames ?? []).map((n) => n.ip).filter((ip) => ip !== ''))],
      connectionStatus: pe.connectionStatus,
      provisioningState: pe.provisioningState,
      inAppSubnet: sameResourceId(pe.subnetId, appSubnetId),
      ...(pe.connectionDescription ? { connectionDescription: pe.connectionDescription } : {}),
    };
    return { endpoint, expectations: endpoint.inAppSubnet ? expectationsFromNames(pe.id, target.kind, reported) : [] };
  } catch (e) {
    return { endpoint: { ...base, error: codedFailure(e, 500) }, expectations: [] };
  }
}

/** The registry's targets as a run resolves them; while it provisions, the registry alone. */
async function targetsOf(registryId: RegistryId, registry: Registry, deps: Deps): Promise<{ targets: Target[]; managedResourceGroupId?: string; exempt: boolean; provisioning?: string }> {
  const reading = await readRegistry({ registryId }, deps);
  const self: Target = { kind: 'registry', id: registry.id, name: registry.name, region: normalizeRegion(registry.location) };
  if (reading.status === 'ready') {
    return { targets: reading.targets, exempt: reading.exempt, ...(reading.managedResourceGroupId ? { managedResourceGroupId: reading.managedResourceGroupId } : {}) };
  }
  const exempt = carriesTag(registry.tags ?? undefined, deps.config.EXEMPTION_TAG);
  const managed = registry.properties.managedResourceGroup?.resourceId ?? undefined;
  return { targets: [self], exempt, ...(managed ? { managedResourceGroupId: managed } : {}), provisioning: reading.status === 'provisioning' ? reading.provisioningState : 'the registry is not visible to the app' };
}

/** Everything the report reads now; undefined when the registry does not exist. */
export async function readIsolation(registryId: RegistryId, deps: Deps): Promise<IsolationReading | undefined> {
  const ref = parseRegistryId(registryId);
  const registry = await deps.ports.registries.get(ref.id);
  if (registry === undefined) return undefined;
  const { targets, managedResourceGroupId, exempt, provisioning } = await targetsOf(ref.id, registry, deps);
  const read = await mapBounded(targets, READS_AT_ONCE, (t) => readTarget(t, registry, deps));
  const pairs: Array<{ id: string; target: Target }> = [];
  read.forEach((r, i) => {
    const target = targets[i] as Target;
    for (const id of r.endpointIds) if (!pairs.some((p) => sameResourceId(p.id, id))) pairs.push({ id, target });
  });
  const endpoints = await mapBounded(pairs, READS_AT_ONCE, (p) => readEndpoint(p.id, p.target, deps.config.PRIVATE_ENDPOINT_SUBNET_ID, deps));
  const dns = await proveNow(mergeExpectations(endpoints.map((e) => e.expectations)), deps);
  const regions = (registry.properties.regionDetails ?? []).map((r) => normalizeRegion(r.location ?? registry.location));
  return {
    readAt: deps.now().toISOString(),
    registry: {
      id: registry.id,
      name: registry.name,
      subscriptionId: ref.subscriptionId,
      resourceGroup: ref.resourceGroup,
      location: normalizeRegion(registry.location),
      regions,
      exempt,
      ...(managedResourceGroupId ? { managedResourceGroupId } : {}),
      ...(provisioning ? { provisioning } : {}),
    },
    resources: read.map((r) => r.access),
    endpoints: endpoints.map((e) => e.endpoint),
    dns,
  };
}

/** The names resolved through the app's resolver, now (the run's proof activity). */
async function proveNow(expectations: DnsExpectation[], deps: Deps): Promise<DnsProof> {
  try {
    const checks = await proveDns({ expectations }, deps);
    return { source: 'now', checkedAt: deps.now().toISOString(), checks };
  } catch (e) {
    return { source: 'now', checkedAt: deps.now().toISOString(), checks: [], error: codedFailure(e, 500) };
  }
}
