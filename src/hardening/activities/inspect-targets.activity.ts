import { parseResourceIdOfType, sameResourceId } from '../../shared/arm-id';
import { ErrorCodes, LockdownError } from '../../shared/errors';
import type { EndpointInfo, EndpointPlacement, Target, TargetState } from '../domain/hardening';
import type { ActivityDeps } from '../../main';

/**
 * Where endpoints go: the configured subnet (or the run's override), its VNet's region, the
 * endpoint group, the zones. PRIVATE_ENDPOINT_RESOURCE_GROUP belongs to the configured subnet;
 * an overriding subnet keeps its endpoints in its own group.
 */
export async function placementFrom({ ports, config }: Pick<ActivityDeps, 'ports' | 'config'>, subnetOverride?: string): Promise<EndpointPlacement> {
  const subnet = parseResourceIdOfType(subnetOverride ?? config.PRIVATE_ENDPOINT_SUBNET_ID, 'Microsoft.Network/virtualNetworks/subnets');
  const group = subnetOverride === undefined ? config.PRIVATE_ENDPOINT_RESOURCE_GROUP : undefined;
  return {
    subnetId: subnet.id,
    subscriptionId: subnet.subscriptionId,
    resourceGroup: group ?? subnet.resourceGroup,
    location: await ports.network.subnetLocation(subnet.id),
    zoneIds: { amlregistry: config.PRIVATE_DNS_ZONE_ID_API_AZUREML, blob: config.PRIVATE_DNS_ZONE_ID_BLOB, registry: config.PRIVATE_DNS_ZONE_ID_ACR },
  };
}

async function publicAccessAndEndpoints(target: Target, { ports }: Pick<ActivityDeps, 'ports'>): Promise<{ publicNetworkAccess: string; endpointIds: string[] }> {
  if (target.kind === 'registry') {
    const reg = await ports.registries.get(target.id);
    if (!reg) throw new LockdownError(ErrorCodes.REGISTRY_NOT_FOUND, `Registry ${target.id} no longer exists.`);
    const ids = (reg.properties.registryPrivateEndpointConnections ?? []).map((c) => c.properties?.privateEndpoint?.id).filter((x): x is string => !!x);
    return { publicNetworkAccess: reg.properties.publicNetworkAccess ?? 'Enabled', endpointIds: ids };
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
export async function inspectTargets(input: { targets: Target[]; subnetId?: string }, deps: Pick<ActivityDeps, 'ports' | 'config'>): Promise<{ placement: EndpointPlacement; states: TargetState[] }> {
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
