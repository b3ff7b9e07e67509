import { sameResourceId } from '../../shared/arm-id';
import { ErrorCodes, errorCodeOf, LockdownError } from '../../shared/errors';
import { zoneGroupServes, type EndpointInfo, type EndpointPlacement, type EndpointPlan } from '../domain/hardening';
import { APP_NAME } from '../../shared/version';
import type { ActivityDeps } from '../../main';
import { explainDenial } from './public-access.activity';

/**
 * Create the planned endpoint unless it already exists as planned (GET, compare, PUT only the
 * difference). Its automatic approval is an action on the target: when the target sits in the
 * registry's managed group and the deny assignment refuses it, the endpoint is requested as a
 * manual connection (Pending: the run's approval wait takes over) — unless the app is listed in
 * assignedIdentities, when the exemption is still propagating and the run waits and calls again.
 */
export async function ensurePrivateEndpoint(input: { plan: EndpointPlan; placement: EndpointPlacement; registryId?: string }, deps: Pick<ActivityDeps, 'ports' | 'config' | 'now'>): Promise<EndpointInfo> {
  const { ports } = deps;
  const { plan, placement } = input;
  const existing = await ports.network.getEndpoint(plan.endpointId);
  if (existing) {
    const same = sameResourceId(existing.targetId, plan.target.id) && sameResourceId(existing.subnetId, placement.subnetId) &&
      existing.groupIds.some((g) => g.toLowerCase() === plan.groupId.toLowerCase());
    if (same && existing.provisioningState.toLowerCase() !== 'failed') return existing;
    if (!same) {
      throw new LockdownError(ErrorCodes.ARM_CONFLICT, `Private endpoint ${plan.endpointId} exists but points at ${existing.targetId} (${existing.groupIds.join(',')}) in ${existing.subnetId}; rename or remove it.`);
    }
  }
  const spec = {
    id: plan.endpointId,
    location: placement.location,
    subnetId: placement.subnetId,
    targetId: plan.target.id,
    groupId: plan.groupId,
    connectionName: plan.name,
    tags: { 'managed-by': APP_NAME },
  };
  try {
    return await ports.network.createEndpoint(spec);
  } catch (e) {
    if (errorCodeOf(e) !== ErrorCodes.ARM_DENY_ASSIGNMENT || input.registryId === undefined) throw e;
    try {
      await explainDenial(e, input.registryId, deps);
    } catch (explained) {
      if (explained instanceof LockdownError && explained.propagating) throw explained;
    }
    return ports.network.createEndpoint({ ...spec, manual: true, requestMessage: `Requested by ${APP_NAME} for registry ${input.registryId}: approve to isolate the registry's ${plan.target.kind === 'acr' ? 'container registry' : 'storage account'}.` });
  }
}

/** Attach our zone to the endpoint unless some zone group already has it (a group its last PUT left Failed is put again). */
export async function ensureZoneGroup(input: { endpointId: string; name: string; zoneId: string }, { ports }: Pick<ActivityDeps, 'ports'>): Promise<{ changed: boolean }> {
  const groups = await ports.network.listZoneGroups(input.endpointId);
  if (groups.some((g) => zoneGroupServes(g, input.zoneId, sameResourceId))) return { changed: false };
  await ports.network.putZoneGroup(input.endpointId, input.name, input.zoneId);
  return { changed: true };
}

export async function readEndpoint(input: { endpointId: string }, { ports }: Pick<ActivityDeps, 'ports'>): Promise<EndpointInfo> {
  const pe = await ports.network.getEndpoint(input.endpointId);
  if (!pe) throw new LockdownError(ErrorCodes.ARM_NOT_FOUND, `Private endpoint ${input.endpointId} does not exist (deleted while waiting for approval?).`);
  return pe;
}
