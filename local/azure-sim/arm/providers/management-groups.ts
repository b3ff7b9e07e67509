import type { ArmRequest, ArmResult, Provider, Route } from '../context';
import { ArmError } from '../errors';
import type { SimState } from '../state';
import type { ArmResource } from '../../store';

/**
 * Management groups (Microsoft.Management, api 2020-05-01), tenant-level: no subscription in the
 * path. What the app reads is `GET /providers/Microsoft.Management/managementGroups/{groupId}`
 * and its `descendants` (every group and subscription below it, paged with nextLink /
 * `$skiptoken`). A group is a stored resource `Microsoft.Management/managementGroups`
 * (`properties.details.parent.id` links it to its parent); a subscription placed in a group is a
 * stored `Microsoft.Management/managementGroups/subscriptions` under the group's id, named by the
 * subscription id. Both are loaded through the admin API's `POST /fixtures`
 * (see managementGroupFixture). Unknown group: 404 `NotFound`, as ARM answers.
 */
export const MG_TYPE = 'Microsoft.Management/managementGroups';
export const MG_SUBSCRIPTION_TYPE = 'Microsoft.Management/managementGroups/subscriptions';
const MG_PREFIX = '/providers/Microsoft.Management/managementGroups';

export function managementGroupId(groupId: string): string {
  return `${MG_PREFIX}/${groupId}`;
}

/**
 * The fixture of a management group holding subscriptions (and under an optional parent group):
 * POST it to the admin API's /fixtures.
 */
export function managementGroupFixture(args: { groupId: string; tenantId: string; subscriptionIds: readonly string[]; parentGroupId?: string; displayName?: string }): ArmResource[] {
  const id = managementGroupId(args.groupId);
  const parent = managementGroupId(args.parentGroupId ?? args.tenantId);
  const group: ArmResource = {
    id,
    name: args.groupId,
    type: MG_TYPE,
    properties: { tenantId: args.tenantId, displayName: args.displayName ?? args.groupId, details: { parent: { id: parent, name: args.parentGroupId ?? args.tenantId } } },
  };
  const subs: ArmResource[] = args.subscriptionIds.map((s) => ({
    id: `${id}/subscriptions/${s}`,
    name: s,
    type: MG_SUBSCRIPTION_TYPE,
    properties: { tenant: args.tenantId, displayName: `subscription ${s}`, parent: { id }, state: 'Active' },
  }));
  return [group, ...subs];
}

function parentOf(r: ArmResource): string {
  const props = (r.properties ?? {}) as { details?: { parent?: { id?: string } } };
  return (props.details?.parent?.id ?? '').toLowerCase();
}

export class ManagementGroupsProvider implements Provider {
  constructor(private readonly state: SimState) {}

  routes(): Route[] {
    const group = `${MG_PREFIX}/{groupId}`;
    return [
      { method: 'GET', template: group, apiGroup: 'managementGroups', handler: (r) => this.get(r) },
      { method: 'GET', template: `${group}/descendants`, apiGroup: 'managementGroups', handler: (r) => this.descendants(r) },
    ];
  }

  private group(req: ArmRequest): ArmResource {
    const name = req.params.groupId ?? '';
    const g = this.state.store.get(managementGroupId(name));
    if (!g || g.type.toLowerCase() !== MG_TYPE.toLowerCase()) {
      throw new ArmError(404, 'NotFound', `'${managementGroupId(name)}' not found`);
    }
    return g;
  }

  private get(req: ArmRequest): ArmResult {
    const g = this.group(req);
    const props = (g.properties ?? {}) as Record<string, unknown>;
    return { status: 200, body: { id: g.id, type: g.type, name: g.name, properties: { tenantId: props.tenantId, displayName: props.displayName, details: props.details } } };
  }

  /** Every group and subscription below the group, depth first (groups before their subscriptions). */
  private descendants(req: ArmRequest): ArmResult {
    const root = this.group(req);
    const groups = this.state.store.list(MG_TYPE);
    const out: Array<{ id: string; type: string; name: string; properties: { displayName: string; parent: { id: string } } }> = [];
    const visit = (g: ArmResource): void => {
      for (const s of this.state.store.list(MG_SUBSCRIPTION_TYPE, g.id)) {
        const displayName = String((s.properties as { displayName?: unknown } | undefined)?.displayName ?? s.name);
        out.push({ id: `/subscriptions/${s.name}`, type: MG_SUBSCRIPTION_TYPE, name: s.name, properties: { displayName, parent: { id: g.id } } });
      }
      for (const child of groups.filter((c) => parentOf(c) === g.id.toLowerCase())) {
        const displayName = String((child.properties as { displayName?: unknown } | undefined)?.displayName ?? child.name);
        out.push({ id: child.id, type: MG_TYPE, name: child.name, properties: { displayName, parent: { id: g.id } } });
        visit(child);
      }
    };
    visit(root);
    return this.page(req, out);
  }

  /** ARM pages descendants with `$skiptoken` in nextLink. */
  private page<T>(req: ArmRequest, items: T[]): ArmResult {
    const offset = Math.max(0, Number.parseInt(req.query.get('$skiptoken') ?? req.query.get('$skipToken') ?? '0', 10) || 0);
    const size = this.state.options.pageSize;
    const body: { value: T[]; nextLink: string | null } = { value: items.slice(offset, offset + size), nextLink: null };
    if (offset + size < items.length) body.nextLink = `${this.state.armBase}${req.path}?api-version=${encodeURIComponent(req.apiVersion)}&$skiptoken=${offset + size}`;
    return { status: 200, body };
  }
}
