/**
 * Azure RBAC as ARM applies it, for the principals the admin API gives a role assignment: every
 * ARM request is mapped to the action it needs (resource type from the path + read/write/delete,
 * POST → …/<name>/action), the caller's `actions` minus `notActions` (wildcards as in role
 * definitions, case-insensitive) must cover it, else 403 `AuthorizationFailed`. Providers add the
 * linked checks ARM makes for references in a body (`LinkedAuthorizationFailed`).
 *
 * A principal without an assignment is not checked (Owner-like): the default of every test that
 * does not ask for least privilege. An assignment applies at every scope of the subscription.
 */
import type { HttpMethod } from './context';

export interface RoleAssignment {
  actions: string[];
  notActions: string[];
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

export function isAllowed(assignment: RoleAssignment, action: string): boolean {
  return assignment.actions.some((p) => actionMatches(p, action)) && !assignment.notActions.some((p) => actionMatches(p, action));
}

/**
 * Role assignments by principal (object id); none = no enforcement for that principal. A change
 * set with a delay (profile `eventual`: role assignments propagate) grants what it adds only once
 * the delay has passed; what it removes is gone at once (until then both roles must allow).
 */
export class RoleAssignments {
  private readonly byPrincipal = new Map<string, RoleAssignment>();
  private readonly pending = new Map<string, { previous: RoleAssignment; effectiveAt: number }>();

  set(principalId: string, assignment: RoleAssignment, delayMs = 0): void {
    const key = principalId.toLowerCase();
    const previous = this.byPrincipal.get(key);
    this.byPrincipal.set(key, { actions: [...assignment.actions], notActions: [...assignment.notActions] });
    if (previous && delayMs > 0) this.pending.set(key, { previous, effectiveAt: Date.now() + delayMs });
    else this.pending.delete(key);
  }

  delete(principalId: string): boolean {
    this.pending.delete(principalId.toLowerCase());
    return this.byPrincipal.delete(principalId.toLowerCase());
  }

  get(principalId: string): RoleAssignment | undefined {
    return this.byPrincipal.get(principalId.toLowerCase());
  }

  all(): Record<string, RoleAssignment> {
    return Object.fromEntries(this.byPrincipal);
  }

  /** Whether the principal may perform the action (always, without an assignment). */
  allows(principalId: string, action: string): boolean {
    const a = this.get(principalId);
    if (!a) return true;
    const change = this.pending.get(principalId.toLowerCase());
    if (change && Date.now() < change.effectiveAt && !isAllowed(change.previous, action)) return false;
    return isAllowed(a, action);
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

/** The scope ARM names in an authorization error: the request path without a trailing slash. */
export function scopeOfPath(path: string): string {
  return path.replace(/\/+$/, '') || '/';
}
