import { sameResourceId } from '../../shared/arm-id';
import { ErrorCodes, errorCodeOf, LockdownError } from '../../shared/errors';
import { zoneGroupServes, type EndpointInfo, type EndpointPlacement, type EndpointPlan } from '../domain/hardening';
import { APP_NAME } from '../../shared/version';
import type { ActivityDeps } from '../../main';
import { explainDenial } from './public-access.activity';
import type { WriteStart } from '../domain/operations';
import { busy, inFlight, isAnotherOperation, startedOrDone } from './operations.activity';

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

function pointsAsPlanned(existing: EndpointInfo, plan: EndpointPlan, placement: EndpointPlacement): boolean {
  return sameResourceId(existing.targetId, plan.target.id) && sameResourceId(existing.subnetId, placement.subnetId) &&
    existing.groupIds.some((g) => g.toLowerCase() === plan.groupId.toLowerCase());
}

function conflictError(plan: EndpointPlan, existing: EndpointInfo): LockdownError {
  return new LockdownError(ErrorCodes.ARM_CONFLICT, `Private endpoint ${plan.endpointId} exists but points at ${existing.targetId} (${existing.groupIds.join(',')}) in ${existing.subnetId}; rename or remove it.`);
}

/**
 * Workflow 2.3: the planned endpoint's PUT, answered at once with the endpoint as ARM answered it
 * and the operation it started. The first start trusts the plan (its list of the endpoints is
 * fresh: no read); a later one (`check`, after a failed operation or a busy endpoint) reads the
 * endpoint first: as planned → done, an operation in flight → busy, never a second PUT racing
 * it. A refused automatic approval becomes a manual connection, as in ensurePrivateEndpoint.
 */
export async function startPrivateEndpoint(
  input: { plan: EndpointPlan; placement: EndpointPlacement; registryId?: string; check?: boolean },
  deps: Pick<ActivityDeps, 'ports' | 'config' | 'now'>,
): Promise<WriteStart<EndpointInfo>> {
  const { ports, config } = deps;
  const { plan, placement } = input;
  const look = async (): Promise<WriteStart<EndpointInfo> | undefined> => {
    const existing = (await ports.network.endpointWithNicNames(plan.endpointId))?.endpoint;
    if (!existing) return undefined;
    if (!pointsAsPlanned(existing, plan, placement)) throw conflictError(plan, existing);
    if (inFlight(existing.provisioningState)) return busy(`private endpoint ${plan.endpointId} is ${existing.provisioningState}`, config);
    return existing.provisioningState.toLowerCase() === 'failed' ? undefined : { done: existing };
  };
  if (input.check) {
    const seen = await look();
    if (seen) return seen;
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
  const start = async (s: typeof spec & { manual?: boolean; requestMessage?: string }): Promise<WriteStart<EndpointInfo>> => {
    const { endpoint, operation } = await ports.network.startEndpoint(s);
    return startedOrDone('endpointPut', plan.endpointId, operation, endpoint, config);
  };
  try {
    return await start(spec);
  } catch (e) {
    if (isAnotherOperation(e)) {
      const seen = await look();
      if (seen && 'busy' in seen) return seen;
      throw e;
    }
    if (errorCodeOf(e) !== ErrorCodes.ARM_DENY_ASSIGNMENT || input.registryId === undefined) throw e;
    try {
      await explainDenial(e, input.registryId, deps);
    } catch (explained) {
      if (explained instanceof LockdownError && explained.propagating) throw explained;
    }
    return start({ ...spec, manual: true, requestMessage: `Requested by ${APP_NAME} for registry ${input.registryId}: approve to isolate the registry's ${plan.target.kind === 'acr' ? 'container registry' : 'storage account'}.` });
  }
}

/**
 * Workflow 2.3: the zone group's PUT, answered at once. The first start trusts the plan (the
 * endpoint was created by this run, or its groups were just listed); a later one (`check`) lists
 * the endpoint's groups first: one serving the zone → done, one with an operation in flight → busy.
 */
export async function startZoneGroup(input: { endpointId: string; name: string; zoneId: string; check?: boolean }, { ports, config }: Pick<ActivityDeps, 'ports' | 'config'>): Promise<WriteStart<{ changed: boolean }>> {
  const id = `${input.endpointId}/privateDnsZoneGroups/${input.name}`;
  const look = async (): Promise<WriteStart<{ changed: boolean }> | undefined> => {
    const groups = await ports.network.listZoneGroups(input.endpointId);
    const running = groups.find((g) => inFlight(g.provisioningState));
    if (running) return busy(`zone group ${input.endpointId}/privateDnsZoneGroups/${running.name} is ${running.provisioningState ?? ''}`, config);
    return groups.some((g) => zoneGroupServes(g, input.zoneId, sameResourceId)) ? { done: { changed: false } } : undefined;
  };
  if (input.check) {
    const seen = await look();
    if (seen) return seen;
  }
  try {
    const { operation } = await ports.network.startZoneGroup(input.endpointId, input.name, input.zoneId);
    return startedOrDone('zoneGroupPut', id, operation, { changed: true }, config);
  } catch (e) {
    if (isAnotherOperation(e)) {
      const seen = await look();
      if (seen && 'busy' in seen) return seen;
    }
    throw e;
  }
}
