import type { ArmResource } from '../../store';
import type { ApiGroup } from '../api-versions';
import type { ArmRequest, ArmResult, Route } from '../context';
import { armErrors } from '../errors';
import { clone, strOf, type SimState } from '../state';

/**
 * GET …/resourceGroups/{rg}/providers/{type} (inGroup) or …/providers/{type} for the whole
 * subscription: the top-level resources of `type`, rendered and paged.
 */
export function listTracked(state: SimState, req: ArmRequest, type: string, inGroup: boolean, render: (r: ArmResource) => unknown = clone): ArmResult {
  const subscriptionId = req.params.subscriptionId ?? '';
  let underId: string | undefined;
  if (inGroup) underId = state.requireResourceGroup(subscriptionId, req.params.resourceGroupName ?? '').id;
  else {
    state.requireSubscription(subscriptionId);
    // the subscription's own resources only (with otherSubscriptionIds the store holds several)
    underId = `/subscriptions/${subscriptionId}`;
  }
  // a top-level id has 9 segments; a NIC's custom name could carry a '/'
  return state.page(req, state.store.list(type, underId).filter((r) => r.id.split('/').length === 9).map(render));
}

/** The two list routes of a top-level `type` (e.g. Microsoft.Storage/storageAccounts): in a resource group, and in the subscription. */
export function listRoutes(state: SimState, type: string, apiGroup: ApiGroup, render: (r: ArmResource) => unknown = clone): Route[] {
  return [
    { method: 'GET', template: `/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/${type}`, apiGroup, handler: (q) => listTracked(state, q, type, true, render) },
    { method: 'GET', template: `/subscriptions/{subscriptionId}/providers/${type}`, apiGroup, handler: (q) => listTracked(state, q, type, false, render) },
  ];
}

/**
 * The start of a PUT on a top-level resource: its resource group must exist, and a new resource
 * may not go into a registry's managed resource group (deny assignment). Returns what exists.
 */
export function beginPut(state: SimState, req: ArmRequest, id: string, action: string): ArmResource | undefined {
  const subscriptionId = req.params.subscriptionId ?? '';
  const rgName = req.params.resourceGroupName ?? '';
  state.requireResourceGroup(subscriptionId, rgName);
  const existing = state.store.get(id);
  if (!existing) state.denyIfManaged(req, subscriptionId, rgName, id, action);
  return existing;
}

/** The body's location (or `fallback`), required. */
export function requireLocation(body: Record<string, unknown>, fallback?: string): string {
  const location = strOf(body.location) ?? fallback;
  if (!location) throw armErrors.invalidRequestContent("Required property 'location' not found in JSON. Path ''");
  return location;
}
