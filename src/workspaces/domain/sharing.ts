import { lastSegmentOf, sameResourceId } from '../../shared/arm-id';
import type { ResourceAccessRule, StorageNetworkAcls, StorageNetworkPatch, StorageNetworkState } from './ports';
import { ErrorCodes } from '../../shared/error-codes';

/**
 * Sharing assets from a secured workspace to a registry (the isolation guide): the workspace's
 * storage account must accept the registry as a resource instance — public network access
 * "enabled from selected networks" (`publicNetworkAccess: Enabled`, `networkAcls.defaultAction:
 * Deny`) plus a resource-instance rule `{ tenantId, resourceId: <registry id> }`.
 *
 * The rule is ADDED: bypass, ipRules, ipv6Rules, virtualNetworkRules and the other resource
 * rules stay exactly as they are. Nothing else is widened. Two states need `force`, because the
 * change is not only "let the registry in":
 * - fully public (Enabled + defaultAction Allow): Deny would cut off every caller the owner let
 *   in on purpose — a narrowing nobody asked for;
 * - public access Disabled: "selected networks" makes every existing ip/vnet/resource rule
 *   effective again — a widening beyond the registry.
 * Turning Disabled into Enabled also needs a stated reason, which goes into the report (and the
 * app's log line): the widening is on record with why.
 * `SecuredByPerimeter` is never changed: a network security perimeter governs the account.
 * Pure: no I/O.
 */

export type SharingRefusalCode = (typeof ErrorCodes)['SHARING_FULLY_PUBLIC' | 'SHARING_PUBLIC_ACCESS_DISABLED' | 'SHARING_SECURED_BY_PERIMETER' | 'SHARING_REASON_REQUIRED'];

export interface SharingInput {
  storage: StorageNetworkState;
  registryId: string;
  tenantId: string;
  force: boolean;
  /** why the change is wanted; required to turn public access Disabled into Enabled */
  reason?: string;
}

export type SharingDecision =
  | { kind: 'unchanged'; rule: ResourceAccessRule; reason: string }
  | { kind: 'update'; rule: ResourceAccessRule; patch: StorageNetworkPatch; changes: string[]; forced: boolean }
  | { kind: 'refused'; rule: ResourceAccessRule; code: SharingRefusalCode; reason: string };

/** Azure's defaults for an account whose networkAcls ARM does not report. */
export const DEFAULT_NETWORK_ACLS: StorageNetworkAcls = { defaultAction: 'Allow', bypass: 'AzureServices', ipRules: [], virtualNetworkRules: [], resourceAccessRules: [] };

function eq(a: string | undefined, b: string): boolean {
  return (a ?? '').toLowerCase() === b.toLowerCase();
}

export function hasRule(acls: StorageNetworkAcls, rule: ResourceAccessRule): boolean {
  return acls.resourceAccessRules.some((r) => sameResourceId(r.resourceId, rule.resourceId) && eq(r.tenantId, rule.tenantId));
}

export function decideSharing(input: SharingInput): SharingDecision {
  const rule: ResourceAccessRule = { tenantId: input.tenantId, resourceId: input.registryId };
  const acls = input.storage.networkAcls ?? DEFAULT_NETWORK_ACLS;
  const pna = input.storage.publicNetworkAccess ?? 'Enabled';
  const name = lastSegmentOf(input.storage.id);

  if (eq(pna, 'SecuredByPerimeter')) {
    return { kind: 'refused', rule, code: ErrorCodes.SHARING_SECURED_BY_PERIMETER, reason: `storage account '${name}' is secured by a network security perimeter; add the registry to the perimeter's access rules instead (nothing was changed, force does not apply).` };
  }
  const changes: string[] = [];
  let forced = false;
  if (eq(pna, 'Disabled')) {
    if (!input.force) {
      return { kind: 'refused', rule, code: ErrorCodes.SHARING_PUBLIC_ACCESS_DISABLED, reason: `storage account '${name}' has public network access Disabled; sharing needs "enabled from selected networks", which would also make its ${describeRules(acls)} effective — a widening beyond the registry. Nothing was changed; pass force=true to do it anyway.` };
    }
    if (input.reason === undefined || input.reason.trim() === '') {
      return { kind: 'refused', rule, code: ErrorCodes.SHARING_REASON_REQUIRED, reason: `storage account '${name}' has public network access Disabled: turning it to Enabled (selected networks) with force needs a stated reason, which is recorded with the change. Nothing was changed; pass reason=… (CLI: --reason).` };
    }
    forced = true;
    changes.push('publicNetworkAccess: Disabled → Enabled (selected networks)');
  } else if (eq(acls.defaultAction, 'Allow')) {
    if (!input.force) {
      return { kind: 'refused', rule, code: ErrorCodes.SHARING_FULLY_PUBLIC, reason: `storage account '${name}' is fully public (public network access Enabled, defaultAction Allow); adding the registry means defaultAction Deny, which would shut out every caller the owner lets in today — a narrowing nobody asked for. Nothing was changed; pass force=true to do it anyway.` };
    }
    forced = true;
  }
  if (!eq(acls.defaultAction, 'Deny')) changes.push(`networkAcls.defaultAction: ${acls.defaultAction} → Deny`);
  if (!eq(pna, 'Enabled') && !eq(pna, 'Disabled')) changes.push(`publicNetworkAccess: ${pna} → Enabled`);
  const present = hasRule(acls, rule);
  if (!present) changes.push(`networkAcls.resourceAccessRules: + { tenantId: ${rule.tenantId}, resourceId: ${rule.resourceId} }`);
  if (changes.length === 0) {
    return { kind: 'unchanged', rule, reason: `storage account '${name}' already lets the registry in (selected networks, resource-instance rule present).` };
  }
  const networkAcls: StorageNetworkAcls = {
    ...acls,
    defaultAction: 'Deny',
    ipRules: acls.ipRules.map((r) => ({ ...r })),
    virtualNetworkRules: acls.virtualNetworkRules.map((r) => ({ ...r })),
    resourceAccessRules: [...acls.resourceAccessRules.map((r) => ({ ...r })), ...(present ? [] : [rule])],
    ...(acls.ipv6Rules ? { ipv6Rules: acls.ipv6Rules.map((r) => ({ ...r })) } : {}),
  };
  return { kind: 'update', rule, patch: { publicNetworkAccess: 'Enabled', networkAcls }, changes, forced };
}

function describeRules(acls: StorageNetworkAcls): string {
  const n = acls.ipRules.length + (acls.ipv6Rules?.length ?? 0);
  return `${n} IP rule(s), ${acls.virtualNetworkRules.length} virtual network rule(s), ${acls.resourceAccessRules.length} resource rule(s) and bypass '${acls.bypass ?? 'AzureServices'}'`;
}

/**
 * What must hold after the PATCH: selected networks, the rule, and every rule that was there
 * before still there. Empty: verified; otherwise what is missing.
 */
export function verifySharing(before: StorageNetworkAcls, after: StorageNetworkState, rule: ResourceAccessRule): string[] {
  const problems: string[] = [];
  const acls = after.networkAcls;
  if (!eq(after.publicNetworkAccess, 'Enabled') && after.publicNetworkAccess !== undefined) problems.push(`publicNetworkAccess is ${after.publicNetworkAccess}`);
  if (!acls) return [...problems, 'networkAcls is missing'];
  if (!eq(acls.defaultAction, 'Deny')) problems.push(`defaultAction is ${acls.defaultAction}`);
  if (!hasRule(acls, rule)) problems.push('the registry rule is missing');
  for (const r of before.resourceAccessRules) if (!hasRule(acls, r)) problems.push(`resource rule ${r.resourceId} was lost`);
  for (const r of before.ipRules) if (!acls.ipRules.some((x) => x.value === r.value)) problems.push(`IP rule ${r.value} was lost`);
  for (const r of before.virtualNetworkRules) if (!acls.virtualNetworkRules.some((x) => sameResourceId(x.id, r.id))) problems.push(`virtual network rule ${r.id} was lost`);
  if ((before.bypass ?? 'AzureServices') !== (acls.bypass ?? 'AzureServices')) problems.push(`bypass changed from ${before.bypass ?? 'AzureServices'} to ${acls.bypass ?? 'AzureServices'}`);
  return problems;
}
