import type { ArmRequest, ArmResult, Provider, Route } from '../context';
import { ArmError, armErrors } from '../errors';
import { rgId } from '../ids';
import { clone, requireBody, strOf, tagsOf, type SimState } from '../state';
import type { ArmResource } from '../../store';

const RG_TYPE = 'Microsoft.Resources/resourceGroups';

export function newResourceGroup(subscriptionId: string, name: string, location: string, tags?: Record<string, string>, managedBy?: string): ArmResource {
  return {
    id: rgId(subscriptionId, name),
    name,
    type: RG_TYPE,
    location,
    ...(managedBy ? { managedBy } : {}),
    tags: tags ?? {},
    properties: { provisioningState: 'Succeeded' },
  };
}

/** Resource groups (Microsoft.Resources): PUT/GET/HEAD/PATCH/list/DELETE, and resources in a group. */
export class ResourceGroupsProvider implements Provider {
  constructor(private readonly state: SimState) {}

  routes(): Route[] {
    const base = '/subscriptions/{subscriptionId}/resourcegroups/{resourceGroupName}';
    return [
      { method: 'GET', template: '/subscriptions/{subscriptionId}/resourcegroups', apiGroup: 'resources', handler: (r) => this.list(r) },
      { method: 'GET', template: base, apiGroup: 'resources', handler: (r) => this.get(r) },
      { method: 'HEAD', template: base, apiGroup: 'resources', handler: (r) => this.head(r) },
      { method: 'PUT', template: base, apiGroup: 'resources', handler: (r) => this.put(r) },
      { method: 'PATCH', template: base, apiGroup: 'resources', handler: (r) => this.patch(r) },
      { method: 'DELETE', template: base, apiGroup: 'resources', handler: (r) => this.delete(r) },
      { method: 'GET', template: `${base}/resources`, apiGroup: 'resources', handler: (r) => this.resources(r) },
    ];
  }

  private id(req: ArmRequest): string {
    return rgId(req.params.subscriptionId ?? '', req.params.resourceGroupName ?? '');
  }

  private list(req: ArmRequest): ArmResult {
    this.state.requireSubscription(req.params.subscriptionId ?? '');
    const all = this.state.store.list(RG_TYPE).filter((r) => r.id.toLowerCase().startsWith(`/subscriptions/${(req.params.subscriptionId ?? '').toLowerCase()}/`));
    return this.state.page(req, all.map(clone));
  }

  private get(req: ArmRequest): ArmResult {
    this.state.requireSubscription(req.params.subscriptionId ?? '');
    const rg = this.state.store.get(this.id(req));
    if (!rg) throw armErrors.resourceGroupNotFound(req.params.resourceGroupName ?? '');
    return { status: 200, body: clone(rg) };
  }

  private head(req: ArmRequest): ArmResult {
    this.state.requireSubscription(req.params.subscriptionId ?? '');
    return { status: this.state.store.get(this.id(req)) ? 204 : 404 };
  }

  private put(req: ArmRequest): ArmResult {
    this.state.requireSubscription(req.params.subscriptionId ?? '');
    const body = requireBody(req);
    const location = strOf(body.location);
    if (!location) throw armErrors.invalidRequestContent("Required property 'location' not found in JSON. Path '', line 1, position 2");
    const name = req.params.resourceGroupName ?? '';
    if (!/^[-\w._()]{1,90}$/.test(name) || name.endsWith('.')) {
      throw new ArmError(400, 'InvalidResourceGroupName', `The provided resource group name '${name}' has these invalid characters.`);
    }
    const existing = this.state.store.get(this.id(req));
    if (existing && existing.location && existing.location.toLowerCase() !== location.toLowerCase()) {
      throw new ArmError(409, 'InvalidResourceGroupLocation', `Invalid resource group location '${location}'. The Resource group already exists in location '${existing.location}'.`);
    }
    const rg = newResourceGroup(req.params.subscriptionId ?? '', existing?.name ?? name, existing?.location ?? location, tagsOf(body.tags), strOf(existing?.managedBy) ?? strOf(body.managedBy));
    this.state.store.put(rg);
    this.state.emitWrite(req, rg.id, 'write', { isUpdate: !!existing });
    return { status: existing ? 200 : 201, body: clone(rg) };
  }

  private patch(req: ArmRequest): ArmResult {
    const { body: current } = this.get(req) as { body: ArmResource };
    const body = requireBody(req);
    const tags = tagsOf(body.tags);
    const rg = this.state.store.get(current.id);
    if (!rg) throw armErrors.resourceGroupNotFound(req.params.resourceGroupName ?? '');
    if (tags) rg.tags = tags;
    this.state.emitWrite(req, rg.id, 'write', { isUpdate: true });
    return { status: 200, body: clone(rg) };
  }

  private delete(req: ArmRequest): ArmResult {
    this.state.requireSubscription(req.params.subscriptionId ?? '');
    const id = this.id(req);
    const rg = this.state.store.get(id);
    if (!rg) return { status: 204 };
    if (this.state.managedResourceGroupOf(id)) {
      this.state.denyIfManaged(req, req.params.subscriptionId ?? '', req.params.resourceGroupName ?? '', id, 'Microsoft.Resources/subscriptions/resourceGroups/delete');
    }
    const prefix = id.toLowerCase() + '/';
    for (const r of this.state.store.all()) if (r.id.toLowerCase().startsWith(prefix)) this.state.store.delete(r.id);
    this.state.store.delete(id);
    this.state.emitWrite(req, id, 'delete');
    return { status: 200 };
  }

  private resources(req: ArmRequest): ArmResult {
    this.get(req);
    const prefix = this.id(req).toLowerCase() + '/providers/';
    const top = this.state.store
      .all()
      .filter((r) => r.id.toLowerCase().startsWith(prefix) && r.id.split('/').length === 9)
      .map((r) => ({ id: r.id, name: r.name, type: r.type, location: r.location, tags: r.tags ?? {} }));
    return this.state.page(req, top);
  }
}
