import { lastSegmentOf, sameResourceId } from '../../shared/arm-id';
import type { ManagedGroupAccess, RegistryReading, RegistryState, Target } from '../domain/hardening';
import { listsPrincipal } from '../domain/managed-group';
import type { ResourceGroupPort } from '../domain/ports';
import { normalizeRegion } from '../../shared/regions';
import { parseManagedResourceGroupName, parseRegistryId, toRegistryId, type Registry } from '../domain/registry';
import type { ActivityDeps } from '../../main';
import { ErrorCodes, LockdownError } from '../../shared/errors';

const STORAGE = 'Microsoft.Storage/storageAccounts';
const ACR = 'Microsoft.ContainerRegistry/registries';

/** Storage per region and the one ACR, from regionDetails (the ACR id repeats in every region). */
function targetsFromProperties(reg: Registry): { storage: Target[]; acr: Target[]; complete: boolean } {
  const regions = reg.properties.regionDetails ?? [];
  const storage: Target[] = [];
  const acr: Target[] = [];
  let complete = regions.length > 0;
  for (const region of regions) {
    const loc = normalizeRegion(region.location ?? reg.location);
    const sIds = (region.storageAccountDetails ?? []).map((d) => d.systemCreatedStorageAccount?.armResourceId?.resourceId).filter((x): x is string => !!x);
    const aIds = (region.acrDetails ?? []).map((d) => d.systemCreatedAcrAccount?.armResourceId?.resourceId).filter((x): x is string => !!x);
    if (sIds.length === 0 || aIds.length === 0) complete = false;
    for (const id of sIds) if (!storage.some((t) => sameResourceId(t.id, id))) storage.push({ kind: 'storage', id, name: lastSegmentOf(id), region: loc });
    for (const id of aIds) if (!acr.some((t) => sameResourceId(t.id, id))) acr.push({ kind: 'acr', id, name: lastSegmentOf(id), region: normalizeRegion(reg.location) });
  }
  return { storage, acr, complete };
}

async function managedGroupOf(reg: Registry, resourceGroups: ResourceGroupPort): Promise<string | undefined> {
  const fromProps = reg.properties.managedResourceGroup?.resourceId;
  if (fromProps) return fromProps;
  const ref = parseRegistryId(reg.id);
  const groups = await resourceGroups.listResourceGroups(ref.subscriptionId);
  const match = groups.filter((g) => parseManagedResourceGroupName(g.name)?.registryName.toLowerCase() === ref.name.toLowerCase());
  return match.length === 1 ? match[0]?.id : undefined;
}

/** Whether the app is exempt from the managed group's deny assignment, and whether it may add itself. */
export function managedGroupAccessOf(reg: Registry, config: Pick<ActivityDeps['config'], 'APP_PRINCIPAL_ID' | 'MANAGED_RG_ASSIGN_APP_IDENTITY'>): ManagedGroupAccess {
  const appPrincipalId = config.APP_PRINCIPAL_ID;
  return {
    ...(appPrincipalId ? { appPrincipalId } : {}),
    listed: listsPrincipal(reg.properties.managedResourceGroupSettings, appPrincipalId),
    assignEnabled: config.MANAGED_RG_ASSIGN_APP_IDENTITY,
  };
}

/** The registry's public access and the endpoints its connections name. */
export function registryStateOf(reg: Registry): RegistryState {
  const endpointIds = (reg.properties.registryPrivateEndpointConnections ?? []).map((c) => c.properties?.privateEndpoint?.id).filter((x): x is string => !!x);
  return { publicNetworkAccess: reg.properties.publicNetworkAccess ?? 'Enabled', endpointIds };
}

/**
 * Step 1–2: re-read the registry (never trust the event) and resolve its storage accounts and ACR,
 * from its properties or, when those are empty, from its managed resource group.
 */
export async function readRegistry(input: { registryId: string }, { ports, config }: Pick<ActivityDeps, 'ports' | 'config'>): Promise<RegistryReading> {
  const ref = parseRegistryId(input.registryId);
  // the first activity of every run checks the target scope again, whoever started the run
  if (!(await ports.targetScope.contains(ref.subscriptionId))) {
    throw new LockdownError(ErrorCodes.REQUEST_OUT_OF_SCOPE, `registry ${ref.id} is outside the app's target scope (${ports.targetScope.describe()}); nothing was read or changed.`);
  }
  const reg = await ports.registries.get(ref.id);
  if (!reg) return { status: 'notFound', registryId: ref.id };

  const tag = config.EXEMPTION_TAG;
  const exempt = Object.entries(reg.tags ?? {}).some(([k, v]) => k.toLowerCase() === tag.name.toLowerCase() && v.toLowerCase() === tag.value.toLowerCase());
  const regions = (reg.properties.regionDetails ?? []).map((r) => normalizeRegion(r.location ?? reg.location));
  const registryTarget: Target = { kind: 'registry', id: reg.id, name: reg.name, region: normalizeRegion(reg.location) };

  let { storage, acr, complete } = targetsFromProperties(reg);
  let resolvedBy: 'properties' | 'managedResourceGroup' = 'properties';
  const managedGroup = await managedGroupOf(reg, ports.resourceGroups);
  if (!complete && managedGroup) {
    const accounts = await ports.resourceGroups.listResources(managedGroup, STORAGE);
    const acrs = await ports.resourceGroups.listResources(managedGroup, ACR);
    storage = accounts.map((a) => ({ kind: 'storage' as const, id: a.id, name: a.name, region: normalizeRegion(a.location) }));
    acr = acrs.map((a) => ({ kind: 'acr' as const, id: a.id, name: a.name, region: normalizeRegion(reg.location) }));
    resolvedBy = 'managedResourceGroup';
    const regionsCovered = regions.every((r) => storage.some((s) => s.region === r));
    complete = regions.length > 0 && regionsCovered && acr.length === 1;
  }
  if (!complete) {
    return { status: 'provisioning', registryId: toRegistryId(reg.id), provisioningState: `storage accounts or ACR not yet created (${storage.length} storage, ${acr.length} ACR for ${regions.length} regions)` };
  }
  return {
    status: 'ready',
    registryId: toRegistryId(reg.id),
    name: reg.name,
    location: normalizeRegion(reg.location),
    regions,
    exempt,
    managedResourceGroupId: managedGroup,
    targets: [registryTarget, ...storage, ...acr],
    resolvedBy,
    managedGroupAccess: managedGroupAccessOf(reg, config),
    registryState: registryStateOf(reg),
  };
}
