import type { ArmResource } from '../../store';
import type { ArmRequest, ArmResult, Provider, Route } from '../context';
import { ArmError, armErrors } from '../errors';
import { resourceId } from '../ids';
import { arrOf, clone, isRecord, recOf, requireBody, strOf, tagsOf, type SimState } from '../state';
import { normLocation, opPaths } from './operations';
import { connectionsOf, embeddedConnections, setConnectionState } from './private-link';

export const STORAGE = 'Microsoft.Storage/storageAccounts';

export function newStorageAccount(subscriptionId: string, resourceGroup: string, name: string, location: string, opts: { tags?: Record<string, string>; skuName?: string; hns?: boolean; allowBlobPublicAccess?: boolean } = {}): ArmResource {
  const n = name.toLowerCase();
  const endpoints = (suffix: string) => ({
    blob: `https://${n}${suffix}.blob.core.windows.net/`,
    queue: `https://${n}${suffix}.queue.core.windows.net/`,
    table: `https://${n}${suffix}.table.core.windows.net/`,
    file: `https://${n}${suffix}.file.core.windows.net/`,
    web: `https://${n}${suffix}.z13.web.core.windows.net/`,
    dfs: `https://${n}${suffix}.dfs.core.windows.net/`,
  });
  return {
    id: resourceId(subscriptionId, resourceGroup, 'Microsoft.Storage', 'storageAccounts', name),
    name,
    type: STORAGE,
    location,
    tags: opts.tags ?? {},
    sku: { name: opts.skuName ?? 'Standard_LRS', tier: (opts.skuName ?? 'Standard_LRS').startsWith('Premium') ? 'Premium' : 'Standard' },
    kind: 'StorageV2',
    properties: {
      provisioningState: 'Succeeded',
      creationTime: new Date().toISOString(),
      primaryEndpoints: endpoints(''),
      primaryLocation: location,
      statusOfPrimary: 'available',
      publicNetworkAccess: 'Enabled',
      networkAcls: { bypass: 'AzureServices', virtualNetworkRules: [], ipRules: [], resourceAccessRules: [], defaultAction: 'Allow' },
      allowBlobPublicAccess: opts.allowBlobPublicAccess ?? false,
      allowSharedKeyAccess: true,
      isHnsEnabled: opts.hns ?? false,
      minimumTlsVersion: 'TLS1_2',
      supportsHttpsTrafficOnly: true,
      accessTier: 'Hot',
      encryption: {
        services: { blob: { enabled: true, keyType: 'Account' }, file: { enabled: true, keyType: 'Account' } },
        keySource: 'Microsoft.Storage',
      },
      keyCreationTime: { key1: new Date().toISOString(), key2: new Date().toISOString() },
    },
  };
}

const PUBLIC_ACCESS = ['Enabled', 'Disabled', 'SecuredByPerimeter'];
const DEFAULT_ACTIONS = ['Allow', 'Deny'];
const BYPASS = ['None', 'Logging', 'Metrics', 'AzureServices'];

/** Storage accounts: create (LRO), GET, PATCH (sync), list, private endpoint connections. */
export class StorageProvider implements Provider {
  constructor(private readonly state: SimState) {}

  routes(): Route[] {
    const a = '/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/Microsoft.Storage/storageAccounts/{accountName}';
    const s = 'storage' as const;
    return [
      { method: 'GET', template: a, apiGroup: s, handler: (r) => ({ status: 200, body: this.render(this.account(r)) }) },
      { method: 'PUT', template: a, apiGroup: s, handler: (r) => this.create(r) },
      { method: 'PATCH', template: a, apiGroup: s, handler: (r) => this.patch(r) },
      { method: 'GET', template: '/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/Microsoft.Storage/storageAccounts', apiGroup: s, handler: (r) => this.list(r, true) },
      { method: 'GET', template: '/subscriptions/{subscriptionId}/providers/Microsoft.Storage/storageAccounts', apiGroup: s, handler: (r) => this.list(r, false) },
      { method: 'GET', template: `${a}/privateEndpointConnections`, apiGroup: s, handler: (r) => ({ status: 200, body: { value: embeddedConnections(this.state, this.account(r)) } }) },
      { method: 'GET', template: `${a}/privateEndpointConnections/{connectionName}`, apiGroup: s, handler: (r) => ({ status: 200, body: clone(this.connection(r)) }) },
      { method: 'PUT', template: `${a}/privateEndpointConnections/{connectionName}`, apiGroup: s, handler: (r) => this.putConnection(r) },
      { method: 'DELETE', template: `${a}/privateEndpointConnections/{connectionName}`, apiGroup: s, handler: (r) => this.deleteConnection(r) },
      { method: 'GET', template: `${a}/privateLinkResources`, apiGroup: s, handler: (r) => this.linkResources(r) },
    ];
  }

  private id(req: ArmRequest): string {
    return resourceId(req.params.subscriptionId ?? '', req.params.resourceGroupName ?? '', 'Microsoft.Storage', 'storageAccounts', req.params.accountName ?? '');
  }

  private account(req: ArmRequest): ArmResource {
    return this.state.requireResource(this.id(req));
  }

  render(account: ArmResource): ArmResource {
    const out = clone(account);
    out.properties = { ...(out.properties ?? {}), privateEndpointConnections: embeddedConnections(this.state, account) };
    return out;
  }

  private list(req: ArmRequest, inGroup: boolean): ArmResult {
    if (inGroup) {
      const rg = this.state.requireResourceGroup(req.params.subscriptionId ?? '', req.params.resourceGroupName ?? '');
      return this.state.page(req, this.state.store.list(STORAGE, rg.id).map((a) => this.render(a)));
    }
    this.state.requireSubscription(req.params.subscriptionId ?? '');
    return this.state.page(req, this.state.store.list(STORAGE).map((a) => this.render(a)));
  }

  /** StorageAccounts_Create: 202 + Location (asyncoperations) polled to 200 with the account. */
  private create(req: ArmRequest): ArmResult {
    const sub = req.params.subscriptionId ?? '';
    const rgName = req.params.resourceGroupName ?? '';
    this.state.requireResourceGroup(sub, rgName);
    const id = this.id(req);
    const existing = this.state.store.get(id);
    if (!existing) this.state.denyIfManaged(req, sub, rgName, id, 'Microsoft.Storage/storageAccounts/write');
    const body = requireBody(req);
    const location = strOf(body.location);
    if (!location) throw armErrors.invalidRequestContent("Required property 'location' not found in JSON. Path ''");
    const name = req.params.accountName ?? '';
    if (!/^[a-z0-9]{3,24}$/.test(name)) {
      throw new ArmError(400, 'AccountNameInvalid', `${name} is not a valid storage account name. Storage account name must be between 3 and 24 characters in length and use numbers and lower-case letters only.`);
    }
    if (existing) {
      existing.tags = tagsOf(body.tags) ?? existing.tags;
      this.state.emitWrite(req, id, 'write', { isUpdate: true });
      return { status: 200, body: this.render(existing) };
    }
    const account = newStorageAccount(sub, rgName, name, location, { ...(tagsOf(body.tags) ? { tags: tagsOf(body.tags) } : {}), skuName: strOf(recOf(body.sku).name) ?? 'Standard_LRS' });
    this.applyProps(account, recOf(body.properties));
    const op = this.state.startLro(req, 'storageCreate', id, () => {
      this.state.store.put(account);
      this.state.emitWrite(req, id, 'write');
    }, { finalBody: () => this.render(account) });
    return { status: 202, headers: { Location: this.state.url(opPaths.storageResult(sub, normLocation(location), op.id), req.apiVersion), ...this.state.retryAfter() } };
  }

  private applyProps(account: ArmResource, props: Record<string, unknown>): void {
    const cur = (account.properties ??= {});
    if (props.publicNetworkAccess !== undefined) {
      if (typeof props.publicNetworkAccess !== 'string' || !PUBLIC_ACCESS.includes(props.publicNetworkAccess)) {
        throw new ArmError(400, 'InvalidValuesForRequestParameters', 'Values for request parameters are invalid: publicNetworkAccess.');
      }
      cur.publicNetworkAccess = props.publicNetworkAccess;
    }
    if (props.networkAcls !== undefined) {
      if (!isRecord(props.networkAcls)) throw armErrors.invalidRequestContent("Error converting value to type 'NetworkRuleSet'. Path 'properties.networkAcls'");
      const acls = props.networkAcls;
      if (typeof acls.defaultAction !== 'string') {
        throw armErrors.invalidRequestContent("Required property 'defaultAction' not found in JSON. Path 'properties.networkAcls'");
      }
      if (!DEFAULT_ACTIONS.includes(acls.defaultAction)) throw new ArmError(400, 'InvalidValuesForRequestParameters', 'Values for request parameters are invalid: networkAcls.defaultAction.');
      const bypass = acls.bypass === undefined ? 'AzureServices' : acls.bypass;
      if (typeof bypass !== 'string' || bypass.split(',').some((b) => !BYPASS.includes(b.trim()))) {
        throw new ArmError(400, 'InvalidValuesForRequestParameters', 'Values for request parameters are invalid: networkAcls.bypass.');
      }
      const rules = arrOf(acls.resourceAccessRules).map((r) => {
        const rr = recOf(r);
        if (!strOf(rr.tenantId) || !strOf(rr.resourceId)) throw new ArmError(400, 'InvalidValuesForRequestParameters', 'Values for request parameters are invalid: networkAcls.resourceAccessRules.');
        return { tenantId: strOf(rr.tenantId), resourceId: strOf(rr.resourceId) };
      });
      cur.networkAcls = {
        bypass,
        virtualNetworkRules: arrOf(acls.virtualNetworkRules).map((r) => ({ id: strOf(recOf(r).id), action: 'Allow', state: 'Succeeded' })),
        ipRules: arrOf(acls.ipRules).map((r) => ({ value: strOf(recOf(r).value), action: 'Allow' })),
        resourceAccessRules: rules,
        defaultAction: acls.defaultAction,
      };
    }
    for (const f of ['allowBlobPublicAccess', 'allowSharedKeyAccess', 'minimumTlsVersion', 'supportsHttpsTrafficOnly', 'accessTier']) {
      if (props[f] !== undefined) cur[f] = props[f];
    }
  }

  private patch(req: ArmRequest): ArmResult {
    const account = this.account(req);
    const body = requireBody(req);
    const updated = clone(account);
    this.applyProps(updated, recOf(body.properties));
    const tags = tagsOf(body.tags);
    if (tags) updated.tags = tags;
    if (isRecord(body.sku) && strOf(body.sku.name)) updated.sku = { name: strOf(body.sku.name), tier: strOf(body.sku.name)?.startsWith('Premium') ? 'Premium' : 'Standard' };
    this.state.store.put(updated);
    this.state.emitWrite(req, account.id, 'write', { isUpdate: true });
    return { status: 200, body: this.render(updated) };
  }

  private connection(req: ArmRequest): ArmResource {
    const account = this.account(req);
    const c = connectionsOf(this.state, account).find((x) => x.name.toLowerCase() === (req.params.connectionName ?? '').toLowerCase());
    if (!c) throw new ArmError(404, 'PrivateEndpointConnectionNotFound', `The private endpoint connection '${req.params.connectionName ?? ''}' does not exist on storage account '${account.name}'.`);
    return c;
  }

  private putConnection(req: ArmRequest): ArmResult {
    const conn = this.connection(req);
    const body = requireBody(req);
    const st = recOf(recOf(body.properties).privateLinkServiceConnectionState);
    setConnectionState(this.state, conn, st);
    this.state.emitWrite(req, conn.id, 'write', { isUpdate: true });
    return { status: 200, body: clone(conn) };
  }

  private deleteConnection(req: ArmRequest): ArmResult {
    const conn = this.connection(req);
    setConnectionState(this.state, conn, { status: 'Disconnected', description: 'Deleted by the resource owner' });
    this.state.store.delete(conn.id);
    this.state.emitWrite(req, conn.id, 'delete');
    return { status: 200 };
  }

  private linkResources(req: ArmRequest): ArmResult {
    const account = this.account(req);
    const groups = ['blob', 'blob_secondary', 'table', 'table_secondary', 'queue', 'queue_secondary', 'file', 'web', 'web_secondary', 'dfs', 'dfs_secondary'];
    return {
      status: 200,
      body: {
        value: groups.map((g) => ({
          id: `${account.id}/privateLinkResources/${g}`,
          name: g,
          type: 'Microsoft.Storage/storageAccounts/privateLinkResources',
          properties: { groupId: g, requiredMembers: [g], requiredZoneNames: [`privatelink.${g.replace(/_secondary$/, '')}.core.windows.net`] },
        })),
      },
    };
  }
}
