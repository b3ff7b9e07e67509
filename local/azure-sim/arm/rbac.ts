/**
 * Azure RBAC as ARM applies it, for the principals the admin API gives role assignments: every
 * ARM request is mapped to the action it needs (resource type from the path + read/write/delete,
 * POST → …/<name>/action), and an assignment of the caller whose scope contains the request's
 * scope must cover it (`actions` minus `notActions`, wildcards as in role definitions,
 * case-insensitive), else 403 `AuthorizationFailed`. Providers add the linked checks ARM makes
 * for references in a body (`LinkedAuthorizationFailed`), each at the referenced resource's scope.
 *
 * An assignment holds only at its scope and below (`/` = every scope; an assignment set without
 * a scope is at the simulator's home subscription). A principal without any assignment is not
 * checked (Owner-like): the default of every test that does not ask for least privilege.
 */
import type { HttpMethod } from './context';

export interface RoleAssignment {
  /** `/`, `/subscriptions/{s}`, `/subscriptions/{s}/resourceGroups/{rg}` or a resource id */
  scope: string;
  actions: string[];
  notActions: string[];
}

/** A scope as compared: lower case, no trailing slash ('/' for the root). */
export function normScope(scope: string): string {
  const s = scope.trim().replace(/\/+$/, '').toLowerCase();
  return s === '' ? '/' : s;
}

/** Whether an assignment at `outer` holds at `inner` (the same scope or one below it). */
export function scopeContains(outer: string, inner: string): boolean {
  const o = normScope(outer);
  const i = normScope(inner);
  return o === '/' || i === o || i.startsWith(`${o}/`);
}

const patternCache = new Map<string, RegExp>();

/** A role definition's action pattern (`*` = any characters, `/` included) as a case-insensitive RegExp. */
function patternOf(pattern: string): RegExp {
  let re = patternCache.get(pattern);
  if (!re) {
    re = new RegExp(`^${pattern.split('*').map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`, 'i');
    patternCache.set(pattern, re);
  }
  return re;
}

export function actionMatches(pattern: string, action: string): boolean {
  return patternOf(pattern).test(action);
}

export function isAllowed(assignment: Pick<RoleAssignment, 'actions' | 'notActions'>, action: string): boolean {
  return assignment.actions.some((p) => actionMatches(p, action)) && !assignment.notActions.some((p) => actionMatches(p, action));
}

/**
 * Role assignments by principal (object id); none = no enforcement for that principal. A change
 * set with a delay (profile `eventual`: role assignments propagate) grants what it adds only once
 * the delay has passed; what it removes is gone at once (until then both roles must allow).
 */
export class RoleAssignments {
  private readonly byPrincipal = new Map<string, RoleAssignment[]>();
  /** a set with a delay: until effectiveAt an action must also be allowed by the previous assignments */
  private readonly pending = new Map<string, { previous: RoleAssignment[]; effectiveAt: number }>();

  set(principalId: string, assignments: readonly RoleAssignment[], delayMs = 0): void {
    const key = principalId.toLowerCase();
    const previous = this.byPrincipal.get(key);
    this.byPrincipal.set(
      key,
      assignments.map((a) => ({ scope: a.scope, actions: [...a.actions], notActions: [...a.notActions] })),
    );
    if (previous && delayMs > 0) this.pending.set(key, { previous, effectiveAt: Date.now() + delayMs });
    else this.pending.delete(key);
  }

  delete(principalId: string): boolean {
    this.pending.delete(principalId.toLowerCase());
    return this.byPrincipal.delete(principalId.toLowerCase());
  }

  get(principalId: string): RoleAssignment[] | undefined {
    return this.byPrincipal.get(principalId.toLowerCase());
  }

  all(): Record<string, RoleAssignment[]> {
    return Object.fromEntries(this.byPrincipal);
  }

  /** The principal's assignments that hold at the scope (undefined: the principal is not checked). */
  atScope(principalId: string, scope: string): RoleAssignment[] | undefined {
    return this.get(principalId)?.filter((a) => scopeContains(a.scope, scope));
  }

  /** Whether the principal may perform the action at the scope (always, without assignments). */
  allows(principalId: string, action: string, scope: string): boolean {
    const at = this.atScope(principalId, scope);
    if (!at) return true;
    const change = this.pending.get(principalId.toLowerCase());
    if (change && Date.now() < change.effectiveAt && !change.previous.some((a) => scopeContains(a.scope, scope) && isAllowed(a, action))) return false;
    return at.some((a) => isAllowed(a, action));
  }

  /**
   * Whether some assignment of the principal at the scope, above it or anywhere below it covers
   * the action: how ARM lets a caller poll the operation-status URLs of a subscription
   * (`/subscriptions/{s}/providers/{ns}/locations/…`) for the writes it made in one of its groups.
   */
  allowsSomewhereIn(principalId: string, action: string, scope: string): boolean {
    const all = this.get(principalId);
    return !all || all.some((a) => (scopeContains(a.scope, scope) || scopeContains(scope, a.scope)) && isAllowed(a, action));
  }
}

const VERB: Record<HttpMethod, string> = { GET: 'read', HEAD: 'read', PUT: 'write', PATCH: 'write', DELETE: 'delete', POST: 'action' };

/** The resource type of an ARM id or path (`Microsoft.Network/privateEndpoints/privateDnsZoneGroups`), a trailing collection included. */
export function resourceTypeOfPath(path: string): string | undefined {
  const parts = path.replace(/^\/+|\/+$/g, '').split('/');
  const lower = parts.map((p) => p.toLowerCase());
  const at = lower.lastIndexOf('providers');
  if (at >= 0 && parts[at + 1]) {
    // …/providers/{namespace}/{type}/{name}/{type}/{name}…: every other segment is a type
    const types = parts.slice(at + 2).filter((_, i) => i % 2 === 0);
    return [parts[at + 1], ...types].join('/');
  }
  if (lower[0] !== 'subscriptions') return undefined;
  // /subscriptions/{s}[/resourceGroups[/{rg}[/resources]]] and /subscriptions/{s}/resources
  const types = ['subscriptions', ...parts.slice(2).filter((_, i) => i % 2 === 0)];
  return ['Microsoft.Resources', ...types].join('/');
}

/**
 * The action ARM authorizes a request against: GET/HEAD → `<type>/read`, PUT/PATCH → `/write`,
 * DELETE → `/delete`, POST `…/{name}/{operation}` → `<type>/<operation>/action`. The type is the
 * path's, so an LRO status URL (`…/locations/{loc}/operations/{id}`) needs
 * `Microsoft.Network/locations/operations/read`, a list its collection's read.
 */
export function actionForRequest(method: HttpMethod, path: string): string | undefined {
  if (method === 'POST') {
    const trimmed = path.replace(/\/+$/, '');
    const operation = trimmed.split('/').pop() ?? '';
    const type = resourceTypeOfPath(trimmed.slice(0, trimmed.length - operation.length - 1));
    return type ? `${type}/${operation}/action` : undefined;
  }
  const type = resourceTypeOfPath(path);
  return type ? `${type}/${VERB[method]}` : undefined;
}

/** Subscription-level operation-status paths (`/subscriptions/{s}/providers/{ns}/locations/{l}/…`). */
export function isSubscriptionOperationPath(path: string): boolean {
  return /^\/subscriptions\/[^/]+\/providers\/[^/]+\/locations\/[^/]+\/[^/]+\/[^/]+\/?$/i.test(path);
}

/**
 * Paths ARM answers to any authenticated caller without an RBAC action: the subscription and
 * tenant lists (filtered to what the caller may see), a subscription, its locations and resource
 * providers (reading metadata), the caller's own effective permissions at a scope, and the
 * subscription-wide resource list (filtered per resource, see the subscriptions provider).
 */
export function needsNoAction(path: string): boolean {
  const p = path.replace(/\/+$/, '');
  return (
    /^\/(subscriptions|tenants)$/i.test(p) ||
    /^\/subscriptions\/[^/]+(\/locations|\/resources|\/providers(\/[^/]+)?)?$/i.test(p) ||
    /\/providers\/Microsoft\.Authorization\/permissions$/i.test(p)
  );
}

/** The scope ARM names in an authorization error: the request path without a trailing slash. */
export function scopeOfPath(path: string): string {
  return path.replace(/\/+$/, '') || '/';
}
