import { lastSegmentOf } from '../../shared/arm-id';
import type { EndpointPlacement, HardeningPlan, PermissionCheck, PermissionEntry, PermissionNeed, TargetKind } from './hardening';

export type { PermissionCheck, PermissionEntry, PermissionNeed } from './hardening';

/**
 * Plan mode's permission check (pure): every scope an apply of the plan would write, with the
 * ARM actions it needs there — the endpoint subnet's and the zones' resource groups may sit in a
 * hub subscription outside the target subscriptions, each with its own role assignment — and
 * what the app's effective permissions at each scope (ARM's permissions API) leave out.
 */

const APPROVAL: Readonly<Record<TargetKind, string>> = {
  registry: 'Microsoft.MachineLearningServices/registries/privateEndpointConnectionsApproval/action',
  storage: 'Microsoft.Storage/storageAccounts/privateEndpointConnectionsApproval/action',
  acr: 'Microsoft.ContainerRegistry/registries/privateEndpointConnectionsApproval/action',
};

const WRITE: Readonly<Record<TargetKind, string>> = {
  registry: 'Microsoft.MachineLearningServices/registries/write',
  storage: 'Microsoft.Storage/storageAccounts/write',
  acr: 'Microsoft.ContainerRegistry/registries/write',
};

/**
 * What an apply of the plan writes: endpoints (write in the endpoint resource group, join the
 * subnet, approve on the target), zone groups (write in the endpoint resource group, join the
 * zone), public
 * access (write on the registry, storage accounts and ACR). Endpoints and zone groups that exist
 * need nothing; approval is asked only for automatically approved connections.
 */
export function writeNeeds(plan: HardeningPlan, placement: EndpointPlacement): PermissionNeed[] {
  const needs: PermissionNeed[] = [];
  const endpointGroup = `/subscriptions/${placement.subscriptionId}/resourceGroups/${placement.resourceGroup}`;
  for (const e of plan.endpoints) {
    if (e.action === 'create') {
      needs.push({ scope: endpointGroup, action: 'Microsoft.Network/privateEndpoints/write', why: `create endpoint '${e.name}'` });
      needs.push({ scope: placement.subnetId, action: 'Microsoft.Network/virtualNetworks/subnets/join/action', why: `place '${e.name}' in the endpoint subnet` });
      needs.push({ scope: e.target.id, action: APPROVAL[e.target.kind], why: `approve the connection of '${e.name}' on its target` });
    }
    if (e.zoneGroup.action === 'create') {
      needs.push({ scope: endpointGroup, action: 'Microsoft.Network/privateEndpoints/privateDnsZoneGroups/write', why: `attach zone group '${e.zoneGroup.name}' to '${e.name}'` });
      needs.push({ scope: e.zoneGroup.zoneId, action: 'Microsoft.Network/privateDnsZones/join/action', why: `link zone ${lastSegmentOf(e.zoneGroup.zoneId)}` });
    }
  }
  for (const p of plan.publicAccess) {
    if (p.action === 'disable') needs.push({ scope: p.target.id, action: WRITE[p.target.kind], why: `disable public network access of ${p.target.kind} ${p.target.name}` });
  }
  return needs;
}

/** The scopes to ask, each once (ARM scopes are case-insensitive; the first spelling is kept). */
export function scopesOf(needs: readonly PermissionNeed[]): string[] {
  const seen = new Map<string, string>();
  for (const n of needs) if (!seen.has(n.scope.toLowerCase())) seen.set(n.scope.toLowerCase(), n.scope);
  return [...seen.values()];
}

/** A role definition's action pattern (`*` any characters), case-insensitive, as ARM matches it. */
export function actionMatches(pattern: string, action: string): boolean {
  const re = new RegExp(`^${pattern.split('*').map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`, 'i');
  return re.test(action);
}

/** Whether ARM's answer at a scope grants the action: some entry's actions cover it and its notActions do not. */
export function grants(entries: readonly PermissionEntry[], action: string): boolean {
  return entries.some((e) => e.actions.some((a) => actionMatches(a, action)) && !e.notActions.some((a) => actionMatches(a, action)));
}

/** The needs not granted, given the answer per scope (keyed by lower-case scope). */
export function missingPermissions(needs: readonly PermissionNeed[], granted: ReadonlyMap<string, readonly PermissionEntry[]>): PermissionNeed[] {
  const missing: PermissionNeed[] = [];
  const key = (n: PermissionNeed): string => `${n.scope.toLowerCase()} ${n.action.toLowerCase()}`;
  const seen = new Set<string>();
  for (const n of needs) {
    if (seen.has(key(n))) continue;
    seen.add(key(n));
    if (!grants(granted.get(n.scope.toLowerCase()) ?? [], n.action)) missing.push(n);
  }
  return missing;
}

/** One line per missing permission, for the outcome's warnings. */
export function missingPermissionLines(check: PermissionCheck): string[] {
  return check.missing.map((m) => `missing permission '${m.action}' at scope '${m.scope}' (needed to ${m.why}): assign the AML Registry Lockdown role there`);
}

export function describePermissionCheck(check: PermissionCheck): string {
  if (check.scopes.length === 0) return 'an apply writes nothing: no permission to check';
  if (check.missing.length === 0) return `the app holds every permission an apply needs at ${check.scopes.length} scope(s)`;
  const scopes = new Set(check.missing.map((m) => m.scope.toLowerCase())).size;
  return `the app lacks ${check.missing.length} permission(s) at ${scopes} of ${check.scopes.length} scope(s) an apply writes: ${check.missing.map((m) => `'${m.action}' at '${m.scope}'`).join('; ')}`;
}
