/**
 * The system deny assignment on a registry's managed resource group (azure-facts.md §9): with
 * the profile flag `managedRgDenyAssignment`, every write or action on a resource inside the
 * group (PUT, PATCH, DELETE, POST; approving a private endpoint connection to one of its
 * resources, also when an endpoint elsewhere asks for automatic approval) is refused with 403
 * DenyAssignmentAuthorizationFailed, unless the caller's principal is in the registry's
 * `properties.managedResourceGroupSettings.assignedIdentities` AND that membership has taken
 * effect: `assignedIdentityPropagationMs` (time-scaled) after the registry PUT that added it
 * completed. Removal takes effect at once. Reads are never refused.
 */
import { randomUUID } from 'node:crypto';
import type { ArmResource } from '../store';
import { armErrors } from './errors';
import { parseArmId, rgId } from './ids';
import { arrOf, recOf, strOf, type SimState } from './state';

const EXEMPT_PREFIX = 'exemptAt:';

/** The principal ids a registry body lists in managedResourceGroupSettings.assignedIdentities (lower case). */
export function assignedPrincipalIds(registry: ArmResource | Record<string, unknown> | undefined): string[] {
  const settings = recOf(recOf(registry?.properties).managedResourceGroupSettings);
  return arrOf(settings.assignedIdentities)
    .map((a) => strOf(recOf(a).principalId)?.toLowerCase())
    .filter((p): p is string => p !== undefined && p !== '');
}

/**
 * Called when a registry PUT completes: identities newly listed become exempt after the
 * propagation delay; identities no longer listed lose the exemption now.
 */
export function recordAssignedIdentities(state: SimState, registry: ArmResource, nowMs = Date.now()): void {
  const internal = state.internalOf(registry.id);
  const listed = new Set(assignedPrincipalIds(registry));
  for (const key of Object.keys(internal)) {
    if (key.startsWith(EXEMPT_PREFIX) && !listed.has(key.slice(EXEMPT_PREFIX.length))) delete internal[key];
  }
  const delay = state.profile.flags.assignedIdentityPropagationMs * state.options.timeScale;
  for (const p of listed) {
    const key = `${EXEMPT_PREFIX}${p}`;
    if (internal[key] === undefined) internal[key] = String(nowMs + delay);
  }
}

/** Whether the principal's exemption from the registry's deny assignment is in effect. */
export function isExempt(state: SimState, registry: ArmResource, principalId: string, nowMs = Date.now()): boolean {
  const at = state.internalOf(registry.id)[`${EXEMPT_PREFIX}${principalId.toLowerCase()}`];
  return at !== undefined && Number(at) <= nowMs;
}

/** The registry whose managed resource group holds `resourceId` (undefined when it is not in one). */
export function managingRegistryOf(state: SimState, resourceId: string): ArmResource | undefined {
  const p = parseArmId(resourceId);
  if (!p?.resourceGroup) return undefined;
  const rg = state.managedResourceGroupOf(rgId(p.subscriptionId, p.resourceGroup));
  return rg ? state.store.get(String(rg.managedBy)) : undefined;
}

/**
 * Refuses `action` on `scopeId` (a resource inside a managed resource group) for a caller that
 * is not exempt, when the profile models the deny assignment. Resources outside managed groups pass.
 */
export function enforceDenyAssignment(state: SimState, principalId: string, action: string, scopeId: string): void {
  if (!state.profile.flags.managedRgDenyAssignment) return;
  const p = parseArmId(scopeId);
  if (!p?.resourceGroup) return;
  const rg = state.managedResourceGroupOf(rgId(p.subscriptionId, p.resourceGroup));
  if (!rg) return;
  const registry = state.store.get(String(rg.managedBy));
  if (registry && isExempt(state, registry, principalId)) return;
  const internal = state.internalOf(rg.id);
  const denyId = internal.denyAssignmentId ?? randomUUID();
  internal.denyAssignmentId = denyId;
  throw armErrors.denyAssignment(principalId, action, scopeId.replace(/\/+$/, ''), rg.id, denyId);
}

/** Whether a request path names something inside a resource group (not the group itself). */
export function isInsideResourceGroup(path: string): boolean {
  const parts = path.split('/').filter(Boolean);
  return parts.length > 4 && parts[0]?.toLowerCase() === 'subscriptions' && parts[2]?.toLowerCase() === 'resourcegroups';
}
