import type { ArmResource } from '../../store';
import { API_VERSIONS } from '../api-versions';
import type { ArmRequest, ArmResult, Provider, Route } from '../context';
import { ArmError } from '../errors';
import { parseArmId, typeOf } from '../ids';
import type { SimState } from '../state';

/**
 * The subscription-level surface of Microsoft.Resources that clients such as the Azure CLI use
 * before any resource call: `GET /subscriptions` (`az login`, `az account list`), `/tenants`,
 * `/subscriptions/{id}`, its `locations`, its resource providers with their resource types and
 * api-versions (how `az resource show` picks an api-version), and `/subscriptions/{id}/resources`
 * with `$filter` (`az resource list`, `az acr show` without a group). Lists show what the caller
 * may see: subscriptions where it holds an assignment (all for an unchecked principal), resources
 * it may read.
 */

/** Regions the simulator answers in `locations` (name → display name); resources in others are listed too. */
const REGIONS: Readonly<Record<string, string>> = {
  eastus: 'East US', eastus2: 'East US 2', westus: 'West US', westus2: 'West US 2', westus3: 'West US 3', centralus: 'Central US',
  northcentralus: 'North Central US', southcentralus: 'South Central US', canadacentral: 'Canada Central', brazilsouth: 'Brazil South',
  northeurope: 'North Europe', westeurope: 'West Europe', uksouth: 'UK South', ukwest: 'UK West', francecentral: 'France Central',
  germanywestcentral: 'Germany West Central', swedencentral: 'Sweden Central', switzerlandnorth: 'Switzerland North', norwayeast: 'Norway East',
  eastasia: 'East Asia', southeastasia: 'Southeast Asia', japaneast: 'Japan East', koreacentral: 'Korea Central', centralindia: 'Central India',
  australiaeast: 'Australia East', australiasoutheast: 'Australia Southeast', uaenorth: 'UAE North', southafricanorth: 'South Africa North',
};

interface Filter {
  field: string;
  value: string;
}

/** `$filter` of Resources_List: `field eq 'value'` terms joined by `and` (resourceType, name, resourceGroup, location, tagName, tagValue). */
export function parseResourceFilter(filter: string | null): Filter[] {
  if (filter === null || filter.trim() === '') return [];
  const fields = ['resourcetype', 'name', 'resourcegroup', 'location', 'tagname', 'tagvalue'];
  return filter.split(/\s+and\s+/i).map((term) => {
    const m = /^\s*(\w+)\s+eq\s+'((?:[^']|'')*)'\s*$/i.exec(term);
    const field = m?.[1]?.toLowerCase();
    if (!m || !field || !fields.includes(field)) {
      throw new ArmError(400, 'InvalidFilterInQueryString', `The $filter '${filter}' is not supported. Supported: resourceType, name, resourceGroup, location, tagName, tagValue with 'eq', joined by 'and'.`);
    }
    return { field, value: (m[2] ?? '').replace(/''/g, "'") };
  });
}

function matchesFilter(r: ArmResource, filters: readonly Filter[]): boolean {
  const eq = (a: string | undefined, b: string): boolean => (a ?? '').toLowerCase() === b.toLowerCase();
  const tags = r.tags ?? {};
  return filters.every((f) => {
    switch (f.field) {
      case 'resourcetype': return eq(r.type, f.value);
      case 'name': return eq(r.name, f.value);
      case 'resourcegroup': return eq(parseArmId(r.id)?.resourceGroup, f.value);
      case 'location': return eq(r.location?.replace(/\s+/g, ''), f.value.replace(/\s+/g, ''));
      case 'tagname': return Object.keys(tags).some((k) => eq(k, f.value));
      default: return Object.values(tags).some((v) => eq(v, f.value));
    }
  });
}

/** `{namespace → {resourceType → apiVersions}}` from the simulator's own route table. */
function resourceTypesOf(routes: readonly Route[]): Map<string, Map<string, readonly string[]>> {
  const out = new Map<string, Map<string, readonly string[]>>();
  for (const r of routes) {
    const parts = r.template.split('/').filter(Boolean);
    const at = parts.findIndex((p) => p.toLowerCase() === 'providers');
    const ns = parts[at + 1];
    if (at < 0 || !ns || ns.startsWith('{')) continue;
    const types = parts.slice(at + 2).filter((_, i) => i % 2 === 0).filter((t) => !t.startsWith('{'));
    if (types.length === 0) continue;
    const byType = out.get(ns) ?? new Map<string, readonly string[]>();
    byType.set(types.join('/'), API_VERSIONS[r.apiGroup]);
    out.set(ns, byType);
  }
  return out;
}

export class SubscriptionsProvider implements Provider {
  private readonly types: Map<string, Map<string, readonly string[]>>;

  constructor(private readonly state: SimState, otherRoutes: readonly Route[]) {
    this.types = resourceTypesOf(otherRoutes);
  }

  routes(): Route[] {
    const sub = '/subscriptions/{subscriptionId}';
    return [
      { method: 'GET', template: '/subscriptions', apiGroup: 'subscriptions', handler: (r) => this.list(r) },
      { method: 'GET', template: '/tenants', apiGroup: 'subscriptions', handler: () => this.tenants() },
      { method: 'GET', template: sub, apiGroup: 'subscriptions', handler: (r) => ({ status: 200, body: this.subscription(this.known(r)) }) },
      { method: 'GET', template: `${sub}/locations`, apiGroup: 'subscriptions', handler: (r) => this.locations(r) },
      { method: 'GET', template: `${sub}/providers`, apiGroup: 'resources', handler: (r) => this.providers(r) },
      { method: 'GET', template: `${sub}/providers/{resourceProviderNamespace}`, apiGroup: 'resources', handler: (r) => this.provider(r) },
      { method: 'GET', template: `${sub}/resources`, apiGroup: 'resources', handler: (r) => this.resources(r) },
    ];
  }

  private all(): string[] {
    return [this.state.options.subscriptionId, ...(this.state.options.otherSubscriptionIds ?? [])];
  }

  private known(req: ArmRequest): string {
    const wanted = req.params.subscriptionId ?? '';
    this.state.requireSubscription(wanted);
    return this.all().find((s) => s.toLowerCase() === wanted.toLowerCase()) ?? wanted;
  }

  private subscription(id: string): Record<string, unknown> {
    const home = id.toLowerCase() === this.state.options.subscriptionId.toLowerCase();
    return {
      id: `/subscriptions/${id}`,
      authorizationSource: 'RoleBased',
      managedByTenants: [],
      subscriptionId: id,
      tenantId: this.state.options.tenantId,
      displayName: home ? 'Local Azure (home)' : `Local Azure ${id.slice(-4)}`,
      state: 'Enabled',
      subscriptionPolicies: { locationPlacementId: 'Public_2014-09-01', quotaId: 'PayAsYouGo_2014-09-01', spendingLimit: 'Off' },
    };
  }

  /** The subscriptions where the caller holds a role assignment at, above or below the subscription (every one when unchecked). */
  private list(req: ArmRequest): ArmResult {
    const assignments = this.state.rbac.get(req.principalId);
    const visible = this.all().filter((s) => !assignments || assignments.some((a) => a.scope === '/' || a.scope.toLowerCase().startsWith(`/subscriptions/${s.toLowerCase()}`)));
    return this.state.page(req, visible.map((s) => this.subscription(s)));
  }

  private tenants(): ArmResult {
    const t = this.state.options.tenantId;
    return { status: 200, body: { value: [{ id: `/tenants/${t}`, tenantId: t, tenantCategory: 'Home', countryCode: 'US', displayName: 'Local Azure', domains: ['localazure.onmicrosoft.com'], tenantType: 'AAD' }] } };
  }

  private locations(req: ArmRequest): ArmResult {
    const sub = this.known(req);
    const value = Object.entries(REGIONS).map(([name, displayName]) => ({
      id: `/subscriptions/${sub}/locations/${name}`,
      name,
      displayName,
      regionalDisplayName: displayName,
      type: 'Region',
      metadata: { regionType: 'Physical', regionCategory: 'Recommended' },
    }));
    return { status: 200, body: { value } };
  }

  private providerBody(sub: string, namespace: string, types: Map<string, readonly string[]>): Record<string, unknown> {
    return {
      id: `/subscriptions/${sub}/providers/${namespace}`,
      namespace,
      registrationState: 'Registered',
      registrationPolicy: 'RegistrationRequired',
      resourceTypes: [...types].map(([resourceType, apiVersions]) => ({
        resourceType,
        locations: Object.values(REGIONS),
        apiVersions: [...apiVersions],
        defaultApiVersion: apiVersions.find((v) => !v.endsWith('-preview')) ?? apiVersions[0],
        capabilities: 'None',
      })),
    };
  }

  private providers(req: ArmRequest): ArmResult {
    const sub = this.known(req);
    return this.state.page(req, [...this.types].map(([ns, types]) => this.providerBody(sub, ns, types)));
  }

  private provider(req: ArmRequest): ArmResult {
    const sub = this.known(req);
    const wanted = (req.params.resourceProviderNamespace ?? '').toLowerCase();
    const found = [...this.types].find(([ns]) => ns.toLowerCase() === wanted);
    if (!found) throw new ArmError(404, 'InvalidResourceNamespace', `The resource namespace '${req.params.resourceProviderNamespace ?? ''}' is invalid.`);
    return { status: 200, body: this.providerBody(sub, found[0], found[1]) };
  }

  /** Resources_List: the top-level resources of the subscription the caller may read, `$filter`ed. */
  private resources(req: ArmRequest): ArmResult {
    const sub = this.known(req);
    const filters = parseResourceFilter(req.query.get('$filter'));
    const prefix = `/subscriptions/${sub.toLowerCase()}/resourcegroups/`;
    const items = this.state.store
      .all()
      .filter((r) => r.id.toLowerCase().startsWith(prefix) && r.id.split('/').length === 9 && r.id.toLowerCase().includes('/providers/'))
      .filter((r) => matchesFilter(r, filters))
      .filter((r) => {
        const p = parseArmId(r.id);
        return this.state.rbac.allows(req.principalId, `${p ? typeOf(p) : r.type}/read`, r.id);
      })
      .map((r) => ({
        id: r.id,
        name: r.name,
        type: r.type,
        location: r.location,
        ...(r.kind !== undefined ? { kind: r.kind } : {}),
        ...(r.sku !== undefined ? { sku: r.sku } : {}),
        ...(r.identity !== undefined ? { identity: r.identity } : {}),
        ...(r.managedBy !== undefined ? { managedBy: r.managedBy } : {}),
        tags: r.tags ?? {},
      }));
    return this.state.page(req, items);
  }
}
