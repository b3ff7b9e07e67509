import type { RegistryId } from '../../shared/arm-id';
import { nameOf, parseResourceId, sameResourceId } from '../../shared/arm-id';
import { fitNetworkName, isNetworkName, NETWORK_NAME_MAX, networkNameChars } from '../../shared/azure-names';
import { fnv1a32Hex } from '../../shared/hash';
import {
  GROUP_ID_OF,
  type EndpointInfo,
  type EndpointPlacement,
  type EndpointPlan,
  type GroupId,
  type HardeningPlan,
  type PublicAccessPlan,
  type Target,
  type TargetKind,
  type TargetState,
  zoneGroupServes,
} from './hardening';
import { parseRegistryId } from './registry';

/**
 * The pure decision of the hardening job: what must be written so that every target has a
 * private endpoint in our subnet (with its DNS zone group) and its public access off, given
 * what exists. Writes only the difference; never duplicates an endpoint; never fights a zone
 * group someone else attached.
 */

/** The `<kind>` part of a deterministic endpoint name. */
export type EndpointKindLabel = 'amlregistry' | 'blob' | 'acr';

export const ENDPOINT_KIND_LABEL: Readonly<Record<TargetKind, EndpointKindLabel>> = { registry: 'amlregistry', storage: 'blob', acr: 'acr' };

/** Microsoft.Network/privateEndpoints name rule: 2–64 characters (resource-name-rules; not 80). */
export const ENDPOINT_NAME_MAX = NETWORK_NAME_MAX.privateEndpoint;
export const ENDPOINT_NAME_RULE = /^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,62}[a-zA-Z0-9_]$/;

/** The name of the private DNS zone groups we create. */
export const ZONE_GROUP_NAME = 'default';

/** Why ACR public access stays on when ACR lock-down is switched off. */
export const ACR_LOCKDOWN_OFF_REASON = 'environment assets cannot be created in a registry whose ACR is private';

const UNUSABLE_CONNECTION = new Set(['rejected', 'disconnected']);

/**
 * `pe-<registry>-<kind>-<region>`, lower-cased (ARM names are case-insensitive; one spelling
 * whatever casing the caller used), characters outside the rule replaced by '-'. A name longer
 * than 64 characters keeps its kind and region and shortens the registry part, followed by an
 * FNV-1a hash of the full name (`pe-<registry head>-<hash>-<kind>-<region>`), so it stays unique
 * and stable; when even that does not fit, the whole name is cut and ends in the hash. The plan
 * finds existing endpoints by target and subnet, never by this name alone.
 */
export function endpointName(registryName: string, kind: EndpointKindLabel, region: string): string {
  const full = networkNameChars(`pe-${registryName}-${kind}-${region}`.toLowerCase());
  if (isNetworkName(full, ENDPOINT_NAME_MAX)) return full;
  const tail = networkNameChars(`-${fnv1a32Hex(full)}-${kind}-${region}`.toLowerCase());
  const head = networkNameChars(registryName.toLowerCase()).slice(0, ENDPOINT_NAME_MAX - 'pe-'.length - tail.length).replace(/[.-]+$/, '');
  const short = `pe-${head}${tail}`;
  return head && isNetworkName(short, ENDPOINT_NAME_MAX) ? short : fitEndpointName(full);
}

function fitEndpointName(raw: string): string {
  return fitNetworkName(raw, ENDPOINT_NAME_MAX);
}

export function privateEndpointId(placement: Pick<EndpointPlacement, 'subscriptionId' | 'resourceGroup'>, name: string): string {
  return `/subscriptions/${placement.subscriptionId}/resourceGroups/${placement.resourceGroup}/providers/Microsoft.Network/privateEndpoints/${name}`;
}

/** e.g. `storage account 'stregeastus'`; used in plan warnings and outcome lines. */
export function describeTarget(target: Target): string {
  const noun = target.kind === 'registry' ? 'registry' : target.kind === 'storage' ? 'storage account' : 'container registry';
  return `${noun} '${target.name}' (${target.region})`;
}

/** The last segment of a zone id (`privatelink.blob.core.windows.net`), or the id if it does not parse. */
export function zoneNameOf(zoneId: string): string {
  try {
    return nameOf(parseResourceId(zoneId));
  } catch {
    return zoneId;
  }
}

function isUsable(endpoint: EndpointInfo): boolean {
  return !UNUSABLE_CONNECTION.has(endpoint.connectionStatus.toLowerCase()) && endpoint.provisioningState.toLowerCase() !== 'failed';
}

function pointsAt(endpoint: EndpointInfo, target: Target, groupId: GroupId, subnetId: string): boolean {
  return (
    sameResourceId(endpoint.subnetId, subnetId) &&
    sameResourceId(endpoint.targetId, target.id) &&
    endpoint.groupIds.some((g) => g.toLowerCase() === groupId)
  );
}

/** Among several usable endpoints, keep ours (deterministic name) first, then an approved one, then the first by id. */
function pickEndpoint(candidates: EndpointInfo[], ourName: string): EndpointInfo | undefined {
  const rank = (e: EndpointInfo): number => (e.name.toLowerCase() === ourName ? 0 : e.connectionStatus === 'Approved' ? 1 : 2);
  return [...candidates].sort((a, b) => rank(a) - rank(b) || a.id.toLowerCase().localeCompare(b.id.toLowerCase()))[0];
}

/** A name for a new endpoint that is not the id of a rejected/disconnected one (re-PUT would not reset it). */
function freeName(base: string, placement: EndpointPlacement, taken: EndpointInfo[]): string {
  const isTaken = (name: string): boolean => taken.some((e) => sameResourceId(e.id, privateEndpointId(placement, name)) && UNUSABLE_CONNECTION.has(e.connectionStatus.toLowerCase()));
  if (!isTaken(base)) return base;
  for (let n = 2; ; n++) {
    const suffix = `-${n}`;
    const candidate = base.length + suffix.length <= ENDPOINT_NAME_MAX ? base + suffix : fitEndpointName(base.slice(0, ENDPOINT_NAME_MAX - suffix.length) + suffix);
    if (!isTaken(candidate)) return candidate;
  }
}

function planEndpoint(registryName: string, state: TargetState, placement: EndpointPlacement, warnings: string[]): EndpointPlan {
  const { target } = state;
  const groupId = GROUP_ID_OF[target.kind];
  const zoneId = placement.zoneIds[groupId];
  const ourName = endpointName(registryName, ENDPOINT_KIND_LABEL[target.kind], target.region);
  const pointing = state.endpoints.filter((e) => pointsAt(e, target, groupId, placement.subnetId));
  const kept = pickEndpoint(pointing.filter(isUsable), ourName);

  if (kept === undefined) {
    const name = freeName(ourName, placement, pointing);
    return {
      target,
      groupId,
      name,
      endpointId: privateEndpointId(placement, name),
      action: 'create',
      zoneGroup: { action: 'create', name: ZONE_GROUP_NAME, zoneId },
      connectionStatus: 'New',
    };
  }

  const ours = kept.zoneGroups.find((zg) => zg.zoneIds.some((z) => sameResourceId(z, zoneId)));
  let zoneGroup: EndpointPlan['zoneGroup'];
  if (ours !== undefined) {
    // a group its last PUT left Failed has no records: put it again under its name
    zoneGroup = { action: zoneGroupServes(ours, zoneId, sameResourceId) ? 'keep' : 'create', name: ours.name, zoneId };
  } else if (kept.zoneGroups.length > 0) {
    const foreign = kept.zoneGroups[0] as (typeof kept.zoneGroups)[number];
    const zones = foreign.zoneIds.map(zoneNameOf).join(', ') || 'no zones';
    zoneGroup = { action: 'foreign', name: foreign.name, zoneId };
    warnings.push(
      `Private endpoint '${kept.name}' to ${describeTarget(target)} already has private DNS zone group '${foreign.name}' (${zones}), ` +
        `not linked to ${zoneNameOf(zoneId)}; left as it is (probably attached by a policy). Make sure it resolves the ${groupId} names privately.`,
    );
  } else {
    zoneGroup = { action: 'create', name: ZONE_GROUP_NAME, zoneId };
  }
  return { target, groupId, name: kept.name, endpointId: kept.id, action: 'keep', zoneGroup, connectionStatus: kept.connectionStatus };
}

function planPublicAccess(state: TargetState, lockdownAcr: boolean, warnings: string[]): PublicAccessPlan {
  const { target } = state;
  const current = state.publicNetworkAccess ?? '';
  if (current.toLowerCase() === 'disabled') return { target, current, action: 'keep' };
  if (target.kind === 'acr' && !lockdownAcr) {
    warnings.push(
      `ACR lock-down is switched off: public network access of ${describeTarget(target)} stays ${current || 'Enabled'}, ` +
        `because ${ACR_LOCKDOWN_OFF_REASON}.`,
    );
    return { target, current, action: 'skip', reason: ACR_LOCKDOWN_OFF_REASON };
  }
  return { target, current, action: 'disable' };
}

export function planHardening(args: { registryId: RegistryId; states: TargetState[]; placement: EndpointPlacement; lockdownAcr: boolean }): HardeningPlan {
  const { registryId, states, placement, lockdownAcr } = args;
  const registryName = states.find((s) => s.target.kind === 'registry')?.target.name ?? parseRegistryId(registryId).name;
  const warnings: string[] = [];
  const endpoints = states.map((s) => planEndpoint(registryName, s, placement, warnings));
  const publicAccess = states.map((s) => planPublicAccess(s, lockdownAcr, warnings));
  const writes =
    endpoints.filter((e) => e.action === 'create').length +
    endpoints.filter((e) => e.zoneGroup.action === 'create').length +
    publicAccess.filter((p) => p.action === 'disable').length;
  return { registryId, endpoints, publicAccess, warnings, writes };
}
