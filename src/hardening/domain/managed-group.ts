import type { EndpointPlan, HardeningPlan, ManagedGroupAccess, ManagedGroupDecision, PublicAccessPlan, Target } from './hardening';

export type { ManagedGroupAccess, ManagedGroupDecision } from './hardening';
import { describeTarget } from './plan';

/** The part of the run's applied changes (outcome.ts AppliedChanges) the notDone lines need. */
interface Applied {
  endpoints: Array<{ endpointId: string; connectionStatus: string }>;
  zoneGroups: Array<{ endpointId: string }>;
  publicAccess: Array<{ target: Target }>;
  approved: string[];
}

/**
 * The registry's managed resource group sits behind a system deny assignment (azure-facts.md
 * §9): a write or action on its storage accounts and ACR (public access PATCH, approving their
 * endpoint connections) is refused unless the caller's principal is in the registry's
 * `managedResourceGroupSettings.assignedIdentities`. Pure decisions about that, no I/O.
 */

/** Endpoints to storage/ACR the run creates: their automatic approval is an action in the managed group. */
export function managedEndpointsToCreate(plan: Pick<HardeningPlan, 'endpoints'>): EndpointPlan[] {
  return plan.endpoints.filter((e) => e.action === 'create' && e.target.kind !== 'registry');
}

/** Endpoints the run creates to the registry itself: outside the managed group, no deny assignment holds them back. */
export function unmanagedEndpointsToCreate(plan: Pick<HardeningPlan, 'endpoints'>): EndpointPlan[] {
  return plan.endpoints.filter((e) => e.action === 'create' && e.target.kind === 'registry');
}

/** Public-access writes on storage/ACR. */
export function managedLockdowns(plan: Pick<HardeningPlan, 'publicAccess'>): PublicAccessPlan[] {
  return plan.publicAccess.filter((p) => p.action === 'disable' && p.target.kind !== 'registry');
}

export function managedGroupNeedsWrites(plan: Pick<HardeningPlan, 'endpoints' | 'publicAccess'>): boolean {
  return managedEndpointsToCreate(plan).length > 0 || managedLockdowns(plan).length > 0;
}

/** The remedy named when the app may not write in the managed group. */
export function denyAssignmentRemedy(access: Pick<ManagedGroupAccess, 'appPrincipalId' | 'assignEnabled'>): string {
  const who = access.appPrincipalId ? `principal ${access.appPrincipalId}` : "the app's principal";
  const enable = access.appPrincipalId
    ? access.assignEnabled
      ? ''
      : 'set MANAGED_RG_ASSIGN_APP_IDENTITY=true so that the app adds itself in its registry PUT, or '
    : 'set APP_PRINCIPAL_ID (the object id of the app\'s identity) with MANAGED_RG_ASSIGN_APP_IDENTITY=true so that the app adds itself, or ';
  return `${enable}add ${who} to the registry's properties.managedResourceGroupSettings.assignedIdentities yourself (a full registry PUT), then start the run again`;
}

export function decideManagedGroupAccess(access: ManagedGroupAccess | undefined, plan: Pick<HardeningPlan, 'endpoints' | 'publicAccess'>): ManagedGroupDecision {
  if (!managedGroupNeedsWrites(plan)) return { state: 'notNeeded', detail: 'the plan writes nothing in the managed resource group' };
  if (access?.listed) return { state: 'listed', detail: `the app's principal ${access.appPrincipalId ?? ''} is in the registry's assignedIdentities: it can write in the managed resource group`.replace('  ', ' ') };
  if (access?.assignEnabled && access.appPrincipalId) {
    return { state: 'assign', detail: `the app adds its principal ${access.appPrincipalId} to the registry's assignedIdentities (MANAGED_RG_ASSIGN_APP_IDENTITY) before it writes in the managed resource group` };
  }
  const remedy = denyAssignmentRemedy(access ?? { assignEnabled: false });
  return {
    state: 'cannot',
    detail: `the app cannot write in the registry's managed resource group (its deny assignment exempts only the registry's assignedIdentities): public access of its storage/ACR and the approval of their endpoints will fail with ARM.DENY_ASSIGNMENT; ${remedy}`,
  };
}

/** assignedIdentities with the principal added (existing entries kept, in their order); unchanged when it is there. */
export function withAssignedIdentity(settings: { assignedIdentities?: Array<{ principalId?: string }> | null } | null | undefined, principalId: string): { assignedIdentities: Array<{ principalId?: string }> } {
  const current = settings?.assignedIdentities ?? [];
  if (current.some((a) => a.principalId?.toLowerCase() === principalId.toLowerCase())) return { ...settings, assignedIdentities: [...current] };
  return { ...settings, assignedIdentities: [...current, { principalId }] };
}

export function listsPrincipal(settings: { assignedIdentities?: Array<{ principalId?: string }> | null } | null | undefined, principalId: string | undefined): boolean {
  return principalId !== undefined && (settings?.assignedIdentities ?? []).some((a) => a.principalId?.toLowerCase() === principalId.toLowerCase());
}

/**
 * The lockdown order (2.1): the registry first — its PUT carries the app's exemption, which the
 * storage/ACR writes need — then storage and ACR together. A failure after the registry is
 * Disabled ends the run Failed with the `notDone` lines below, and a re-run completes it.
 */
export function lockdownPhases(toDisable: PublicAccessPlan[]): PublicAccessPlan[][] {
  const registry = toDisable.filter((p) => p.target.kind === 'registry');
  const rest = toDisable.filter((p) => p.target.kind !== 'registry');
  return [registry, rest].filter((phase) => phase.length > 0);
}

/** What a failed apply run left undone: planned writes with no answer, connections not approved. */
export function notDoneLines(plan: HardeningPlan, applied: Applied): string[] {
  const lines: string[] = [];
  const has = (list: Array<{ endpointId: string }>, id: string): boolean => list.some((x) => x.endpointId.toLowerCase() === id.toLowerCase());
  for (const p of plan.publicAccess) {
    if (p.action !== 'disable') continue;
    if (!applied.publicAccess.some((x) => x.target.id.toLowerCase() === p.target.id.toLowerCase())) lines.push(`public network access of ${describeTarget(p.target)} is still ${p.current || 'Enabled'}`);
  }
  for (const e of plan.endpoints) {
    const created = applied.endpoints.find((x) => x.endpointId.toLowerCase() === e.endpointId.toLowerCase());
    if (e.action === 'create' && !created) lines.push(`private endpoint '${e.name}' to ${describeTarget(e.target)} not created`);
    if (e.zoneGroup.action === 'create' && !has(applied.zoneGroups, e.endpointId)) lines.push(`private DNS zone group on '${e.name}' not created`);
    const status = created?.connectionStatus ?? (e.action === 'keep' ? e.connectionStatus : undefined);
    if (status !== undefined && status !== 'Approved' && !applied.approved.some((id) => id.toLowerCase() === e.endpointId.toLowerCase())) lines.push(`connection of '${e.name}' is ${status}, not Approved`);
  }
  return lines;
}
