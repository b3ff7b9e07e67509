import type { ArmRequest, ArmResult, Provider, Route } from '../context';
import type { SimState } from '../state';

/**
 * Microsoft.Authorization permissions (Permissions_ListForResourceGroup / _ListForResource, and
 * the same at subscription scope): the caller's effective permissions at a scope, one entry per
 * role assignment of the caller that holds there (at the scope or above it), as ARM computes
 * them from its role assignments. An unchecked principal (no assignment) is Owner-like: `*`.
 * Any authenticated caller may ask for its own permissions (no RBAC action is checked).
 */
export class AuthorizationProvider implements Provider {
  constructor(private readonly state: SimState) {}

  routes(): Route[] {
    const tail = 'providers/Microsoft.Authorization/permissions';
    const sub = '/subscriptions/{subscriptionId}';
    const rg = `${sub}/resourceGroups/{resourceGroupName}`;
    const res = `${rg}/providers/{resourceProviderNamespace}`;
    const route = (template: string, check: (r: ArmRequest) => void): Route => ({
      method: 'GET',
      template,
      apiGroup: 'authorization',
      handler: (r) => {
        check(r);
        return this.permissions(r);
      },
    });
    const subOk = (r: ArmRequest): void => this.state.requireSubscription(r.params.subscriptionId ?? '');
    const rgOk = (r: ArmRequest): void => void this.state.requireResourceGroup(r.params.subscriptionId ?? '', r.params.resourceGroupName ?? '');
    return [
      route(`${sub}/${tail}`, subOk),
      route(`${rg}/${tail}`, rgOk),
      route(`${res}/{resourceType}/{resourceName}/${tail}`, rgOk),
      route(`${res}/{parentType}/{parentName}/{resourceType}/{resourceName}/${tail}`, rgOk),
    ];
  }

  private permissions(req: ArmRequest): ArmResult {
    const scope = req.path.replace(/\/+$/, '').replace(/\/providers\/Microsoft\.Authorization\/permissions$/i, '');
    const at = this.state.rbac.atScope(req.principalId, scope);
    const value = (at ?? [{ scope: '/', actions: ['*'], notActions: [] }]).map((a) => ({ actions: [...a.actions], notActions: [...a.notActions], dataActions: [], notDataActions: [] }));
    return { status: 200, body: { value } };
  }
}
