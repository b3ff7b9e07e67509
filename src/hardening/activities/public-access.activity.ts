import { ErrorCodes, errorCodeOf, LockdownError, withoutCode } from '../../shared/errors';
import type { Target } from '../domain/hardening';
import { denyAssignmentRemedy, listsPrincipal, withAssignedIdentity } from '../domain/managed-group';
import type { Registry } from '../domain/registry';
import type { WriteStart } from '../domain/operations';
import type { ActivityDeps } from '../../main';
import { busy, inFlight, isAnotherOperation, startedOrDone } from './operations.activity';

const isDisabled = (v: string | null | undefined) => (v ?? '').toLowerCase() === 'disabled';

type Deps = Pick<ActivityDeps, 'ports' | 'now' | 'config'>;

/** The registry body with the app's principal in assignedIdentities, when the setting says so and it is missing (existing entries kept). */
function withAppIdentity(reg: Registry, config: Deps['config']): { body: Registry; added: boolean } {
  const principal = config.APP_PRINCIPAL_ID;
  const settings = reg.properties.managedResourceGroupSettings;
  if (!config.MANAGED_RG_ASSIGN_APP_IDENTITY || !principal || listsPrincipal(settings, principal)) return { body: reg, added: false };
  return { body: { ...reg, properties: { ...reg.properties, managedResourceGroupSettings: withAssignedIdentity(settings, principal) } }, added: true };
}

async function registryOf(id: string, { ports }: Deps): Promise<Registry> {
  const reg = await ports.registries.get(id);
  if (!reg) throw new LockdownError(ErrorCodes.REGISTRY_NOT_FOUND, `Registry ${id} no longer exists.`);
  return reg;
}

/**
 * A deny assignment refused a write in the registry's managed group: if the registry lists the
 * app's principal, its exemption is still propagating (waited out by the run); else the run fails
 * with the remedy.
 */
export async function explainDenial(error: unknown, registryId: string | undefined, deps: Deps): Promise<never> {
  if (errorCodeOf(error) !== ErrorCodes.ARM_DENY_ASSIGNMENT || registryId === undefined) throw error;
  const { config } = deps;
  const reg = await registryOf(registryId, deps);
  const message = withoutCode(error);
  if (listsPrincipal(reg.properties.managedResourceGroupSettings, config.APP_PRINCIPAL_ID)) {
    throw new LockdownError(ErrorCodes.ARM_DENY_ASSIGNMENT, `${message} The registry lists the app's principal in assignedIdentities: its exemption has not taken effect yet (ACCESS_PROPAGATION_MINUTES).`, { propagating: true });
  }
  throw new LockdownError(ErrorCodes.ARM_DENY_ASSIGNMENT, `${message} The app is not exempt from the managed resource group's deny assignment: ${denyAssignmentRemedy({ ...(config.APP_PRINCIPAL_ID ? { appPrincipalId: config.APP_PRINCIPAL_ID } : {}), assignEnabled: config.MANAGED_RG_ASSIGN_APP_IDENTITY })}.`);
}

/**
 * Public network access off for one target. Registry: GET, then PUT the whole object (PATCH
 * cannot change properties; the PUT is an LRO), carrying the app's principal in assignedIdentities
 * (MANAGED_RG_ASSIGN_APP_IDENTITY). Storage: PATCH. ACR: PATCH (LRO). Each re-reads first: no
 * write when it is already off (e.g. the service propagated it). A write the managed group's deny
 * assignment refuses is explained by `explainDenial` (`registryId`: the registry whose group it is).
 */
export async function disablePublicAccess(input: { target: Target; registryId?: string }, deps: Deps): Promise<{ changed: boolean; at: string }> {
  const { ports, now, config } = deps;
  const { target } = input;
  if (target.kind === 'registry') {
    const reg = await registryOf(target.id, deps);
    if (isDisabled(reg.properties.publicNetworkAccess)) return { changed: false, at: now().toISOString() };
    const { body } = withAppIdentity(reg, config);
    const after = await ports.registries.put({ ...body, properties: { ...body.properties, publicNetworkAccess: 'Disabled' } });
    if (!isDisabled(after.properties.publicNetworkAccess)) {
      throw new LockdownError(ErrorCodes.ARM_LRO_FAILED, `Registry ${target.id} still reports publicNetworkAccess=${after.properties.publicNetworkAccess ?? 'null'} after its PUT.`, { retryable: true });
    }
    return { changed: true, at: now().toISOString() };
  }
  const port = target.kind === 'storage' ? ports.storage : ports.containerRegistry;
  const current = await port.get(target.id);
  if (!current) throw new LockdownError(ErrorCodes.ARM_NOT_FOUND, `${target.id} no longer exists.`);
  if (isDisabled(current.publicNetworkAccess)) return { changed: false, at: now().toISOString() };
  const after = await port.disablePublicNetworkAccess(target.id).catch((e: unknown) => explainDenial(e, input.registryId, deps));
  if (!isDisabled(after.publicNetworkAccess)) {
    throw new LockdownError(ErrorCodes.ARM_LRO_FAILED, `${target.id} still reports publicNetworkAccess=${after.publicNetworkAccess} after its PATCH.`, { retryable: true });
  }
  return { changed: true, at: now().toISOString() };
}

/**
 * The app's principal into the registry's assignedIdentities with a PUT of its own (public access
 * unchanged), for a run that must write in the managed group before (or without) the lockdown's
 * registry PUT: endpoints-first, or a registry already Disabled whose storage/ACR are not. No
 * write when it is listed, or when the setting is off (the writes then fail with the remedy).
 */
export async function grantManagedGroupAccess(input: { registryId: string }, deps: Deps): Promise<{ changed: boolean }> {
  const reg = await registryOf(input.registryId, deps);
  const { body, added } = withAppIdentity(reg, deps.config);
  if (!added) return { changed: false };
  await deps.ports.registries.put(body);
  return { changed: true };
}

/** What the start of a public-access write answers when it is done: whether it wrote. */
export interface PublicAccessResult {
  changed: boolean;
}

/**
 * Workflow 2.3: public network access off for one target, answered at once. Each target is read
 * first (the registry PUT needs the whole object; storage and ACR may have been turned off
 * meanwhile — no write then). Registry: its PUT starts an operation the run polls. Storage: a
 * synchronous PATCH, done when it answers. ACR: a PATCH whose operation the run polls. A resource
 * with an operation in flight (provisioningState, or a 409 AnotherOperationInProgress it
 * confirms) is answered busy: the run looks again later, so it never races that operation.
 */
export async function startPublicAccessOff(input: { target: Target; registryId?: string }, deps: Deps): Promise<WriteStart<PublicAccessResult>> {
  const { ports, config } = deps;
  const { target } = input;
  if (target.kind === 'registry') {
    const reg = await registryOf(target.id, deps);
    if (isDisabled(reg.properties.publicNetworkAccess)) return { done: { changed: false } };
    if (inFlight(reg.properties.provisioningState as string | undefined)) return busy(`registry ${target.id} is ${String(reg.properties.provisioningState)}`, config);
    const { body } = withAppIdentity(reg, config);
    const { operation } = await ports.registries.startPut({ ...body, properties: { ...body.properties, publicNetworkAccess: 'Disabled' } });
    return startedOrDone('registryPut', target.id, operation, { changed: true }, config);
  }
  if (target.kind === 'storage') {
    const current = await ports.storage.get(target.id);
    if (!current) throw new LockdownError(ErrorCodes.ARM_NOT_FOUND, `${target.id} no longer exists.`);
    if (isDisabled(current.publicNetworkAccess)) return { done: { changed: false } };
    const after = await ports.storage.disablePublicNetworkAccess(target.id).catch((e: unknown) => explainDenial(e, input.registryId, deps));
    if (!isDisabled(after.publicNetworkAccess)) {
      throw new LockdownError(ErrorCodes.ARM_LRO_FAILED, `${target.id} still reports publicNetworkAccess=${after.publicNetworkAccess} after its PATCH.`, { retryable: true });
    }
    return { done: { changed: true } };
  }
  const current = await ports.containerRegistry.get(target.id);
  if (!current) throw new LockdownError(ErrorCodes.ARM_NOT_FOUND, `${target.id} no longer exists.`);
  if (inFlight(current.provisioningState)) return busy(`container registry ${target.id} is ${current.provisioningState ?? ''}`, config);
  if (isDisabled(current.publicNetworkAccess)) return { done: { changed: false } };
  try {
    const { operation } = await ports.containerRegistry.startDisablePublicNetworkAccess(target.id);
    return startedOrDone('acrPatch', target.id, operation, { changed: true }, config);
  } catch (e) {
    if (isAnotherOperation(e)) {
      const again = await ports.containerRegistry.get(target.id);
      if (inFlight(again?.provisioningState)) return busy(`container registry ${target.id} is ${again?.provisioningState ?? ''}`, config);
    }
    return explainDenial(e, input.registryId, deps);
  }
}

/** Workflow 2.3: grantManagedGroupAccess answered at once (its registry PUT's operation is the run's to poll). */
export async function startManagedGroupAccess(input: { registryId: string }, deps: Deps): Promise<WriteStart<{ changed: boolean }>> {
  const reg = await registryOf(input.registryId, deps);
  const { body, added } = withAppIdentity(reg, deps.config);
  if (!added) return { done: { changed: false } };
  if (inFlight(reg.properties.provisioningState as string | undefined)) return busy(`registry ${input.registryId} is ${String(reg.properties.provisioningState)}`, deps.config);
  const { operation } = await deps.ports.registries.startPut(body);
  return startedOrDone('registryPut', input.registryId, operation, { changed: true }, deps.config);
}
