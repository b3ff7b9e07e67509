import { parseResourceId, parseResourceIdOfType, sameResourceId } from '../../shared/arm-id';
import { ErrorCodes, LockdownError } from '../../shared/errors';
import type { EndpointInfo, EndpointPlacement, RegistryState, Target, TargetState } from '../domain/hardening';
import type { ActivityDeps } from '../../main';
import { registryStateOf } from './read-registry.activity';

/**
 * Where endpoints go: the configured subnet (or the run's override), its VNet's region, the
 * endpoint group, the zones. PRIVATE_ENDPOINT_RESOURCE_GROUP belongs to the configured subnet;
 * an overriding subnet keeps its endpoints in its own group.
 */
export async function placementFrom(deps: Pick<ActivityDeps, 'ports' | 'config'>, subnetOverride?: string): Promise<EndpointPlacement> {
  const where = placementWithoutLocation(deps, subnetOverride);
  return { ...where, location: await deps.ports.network.subnetLocation(where.subnetId) };
}

function placementWithoutLocation({ config }: Pick<ActivityDeps, 'config'>, subnetOverride?: string): Omit<EndpointPlacement, 'location'> {
  const subnet = parseResourceIdOfType(subnetOverride ?? config.PRIVATE_ENDPOINT_SUBNET_ID, 'Microsoft.Network/virtualNetworks/subnets');
  const group = subnetOverride === undefined ? config.PRIVATE_ENDPOINT_RESOURCE_GROUP : undefined;
  return {
    subnetId: subnet.id,
    subscriptionId: subnet.subscriptionId,
    resourceGroup: group ?? subnet.resourceGroup,
    zoneIds: { amlregistry: config.PRIVATE_DNS_ZONE_ID_API_AZUREML, blob: config.PRIVATE_DNS_ZONE_ID_BLOB, registry: config.PRIVATE_DNS_ZONE_ID_ACR },
  };
}

async function publicAccessAndEndpoints(target: Target, { ports }: Pick<ActivityDeps, 'ports'>, registry?: RegistryState): Promise<{ publicNetworkAccess: string; endpointIds: string[] }> {
  if (target.kind === 'registry') {
    if (registry) return registry;
    const reg = await ports.registries.get(target.id);
    if (!reg) throw new LockdownError(ErrorCodes.REGISTRY_NOT_FOUND, `Registry ${target.id} no longer exists.`);
    return registryStateOf(reg);
  }
  const port = target.kind === 'storage' ? ports.storage : ports.containerRegistry;
  const r = await port.get(target.id);
  if (!r) throw new LockdownError(ErrorCodes.ARM_NOT_FOUND, `${target.kind === 'storage' ? 'Storage account' : 'Container registry'} ${target.id} of the registry does not exist.`);
  return { publicNetworkAccess: r.publicNetworkAccess, endpointIds: r.privateEndpointIds };
}

/**
 * Current state of every target: public access, and the endpoints connected to it that sit in
 * our subnet (whatever their name or group) — so the plan never creates a duplicate.
 */
export async function inspectTargets(input: { targets: Target[]; subnetId?: string; registry?: RegistryState }, deps: Pick<ActivityDeps, 'ports' | 'config'>): Promise<{ placement: EndpointPlacement; states: TargetState[] }> {
  if (input.registry) return inspectTargetsBatched({ ...input, registry: input.registry }, deps);
  const placement = await placementFrom(deps, input.subnetId);
  const states = await Promise.all(input.targets.map(async (target): Promise<TargetState> => {
    const { publicNetworkAccess, endpointIds } = await publicAccessAndEndpoints(target, deps);
    const endpoints: EndpointInfo[] = [];
    for (const id of endpointIds) {
      const pe = await deps.ports.network.getEndpoint(id);
      if (pe && sameResourceId(pe.subnetId, placement.subnetId) && sameResourceId(pe.targetId, target.id)) endpoints.push(pe);
    }
    return { target, publicNetworkAccess, endpoints };
  }));
  return { placement, states };
}

const UNUSABLE = new Set(['rejected', 'disconnected']);

/**
 * Workflow 2.3, the fewest reads (docs/benchmarks.md): the registry's state comes from readRegistry
 * (no second GET); storage and ACR one GET each; the endpoints their connections name from ONE list
 * of the endpoints' resource group (a GET each only for one outside that group), none at all while
 * no target has a connection; zone groups (with their record sets: the DNS proof's names) only of
 * the endpoints the plan may keep; the subnet's region from such an endpoint, its VNet read only
 * when there is none.
 */
async function inspectTargetsBatched(input: { targets: Target[]; subnetId?: string; registry: RegistryState }, deps: Pick<ActivityDeps, 'ports' | 'config'>): Promise<{ placement: EndpointPlacement; states: TargetState[] }> {
  const { ports } = deps;
  const where = placementWithoutLocation(deps, input.subnetId);
  const seen = await Promise.all(input.targets.map(async (target) => ({ target, ...(await publicAccessAndEndpoints(target, deps, input.registry)) })));
  const named = [...new Map(seen.flatMap((s) => s.endpointIds).map((id) => [id.toLowerCase(), id] as const)).values()];
  const inGroup = (id: string): boolean => {
    const rid = parseResourceId(id);
    return rid.subscriptionId.toLowerCase() === where.subscriptionId.toLowerCase() && (rid.resourceGroup ?? '').toLowerCase() === where.resourceGroup.toLowerCase();
  };
  const listed = named.some(inGroup) ? await ports.network.listEndpoints(where.subscriptionId, where.resourceGroup) : [];
  const outside = await Promise.all(named.filter((id) => !inGroup(id)).map(async (id) => (await ports.network.endpointWithNicNames(id))?.endpoint));
  const candidates = [...listed, ...outside.filter((e): e is EndpointInfo => e !== undefined)].filter((e) => sameResourceId(e.subnetId, where.subnetId));
  const states = await Promise.all(seen.map(async ({ target, publicNetworkAccess }): Promise<TargetState> => {
    const endpoints = await Promise.all(candidates.filter((e) => sameResourceId(e.targetId, target.id)).map(async (e): Promise<EndpointInfo> => {
      const usable = !UNUSABLE.has(e.connectionStatus.toLowerCase()) && e.provisioningState.toLowerCase() !== 'failed';
      return usable ? { ...e, zoneGroups: await ports.network.listZoneGroups(e.id) } : e;
    }));
    return { target, publicNetworkAccess, endpoints };
  }));
  const location = candidates.find((e) => e.location !== '')?.location ?? (await ports.network.subnetLocation(where.subnetId));
  return { placement: { ...where, location }, states };
}
