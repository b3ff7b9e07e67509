import type { ArmResource } from '../../store';
import type { ArmRequest, ArmResult, Provider, Route } from '../context';
import { ArmError, armErrors } from '../errors';
import { resourceId } from '../ids';
import { arrOf, clone, isRecord, recOf, requireBody, strOf, tagsOf, type SimState } from '../state';
import { normLocation, opPaths } from './operations';
import { withEmbeddedConnections } from './private-link';
import { TargetConnections } from './target-connections';
import { beginPut, listRoutes, requireLocation } from './tracked-resources';

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
  private readonly connectionApi: TargetConnections;

  constructor(private readonly state: SimState) {
    this.connectionApi = new TargetConnections(state, {
      target: (req) => this.account(req),
      notFound: (name, account) => new ArmError(404, 'PrivateEndpointConnectionNotFound', `The private endpoint connection '${name}' does not exist on storage account '${account.name}'.`),
    });
  }

  routes(): Route[] {
    const a = '/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/Microsoft.Storage/storageAccounts/{accountName}';
    const s = 'storage' as const;
    return [
      { method: 'GET', template: a, apiGroup: s, handler: (r) => ({ status: 200, body: this.render(this.account(r)) }) },
      { method: 'PUT', template: a, apiGroup: s, handler: (r) => this.create(r) },
      { method: 'PATCH', template: a, apiGroup: s, handler: (r) => this.patch(r) },
      ...listRoutes(this.state, STORAGE, s, (x) => this.render(x)),
      ...this.connectionApi.routes(a, s),
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
    return withEmbeddedConnections(this.state, account);
  }

  /** StorageAccounts_Create: 202 + Location (asyncoperations) polled to 200 with the account. */
  private create(req: ArmRequest): ArmResult {
    const sub = req.params.subscriptionId ?? '';
    const rgName = req.params.resourceGroupName ?? '';
    const id = this.id(req);
    const existing = beginPut(this.state, req, id, `${STORAGE}/write`);
    const body = requireBody(req);
    const location = requireLocation(body);
    const name = req.params.accountName ?? '';
    if (!/^[a-z0-9]{3,24}$/.test(name)) {
      throw new ArmError(400, 'AccountNameInvalid', `${name} is not a valid storage account name. Storage account name must be between 3 and 24 characters in length and use numbers and lower-case letters only.`);
    }
    if (existing) {
      // "a subsequent create request with different properties updates the account": applied as a PATCH would
      if (location.replace(/\s+/g, '').toLowerCase() !== (existing.location ?? '').replace(/\s+/g, '').toLowerCase()) {
        throw new ArmError(409, 'StorageAccountAlreadyExists', `The storage account named ${existing.name} already exists in location '${existing.location ?? ''}'; its location cannot change.`);
      }
      const updated = clone(existing);
      this.applyProps(updated, recOf(body.properties));
      updated.tags = tagsOf(body.tags) ?? {};
      if (strOf(recOf(body.sku).name)) updated.sku = { name: strOf(recOf(body.sku).name), tier: strOf(recOf(body.sku).name)?.startsWith('Premium') ? 'Premium' : 'Standard' };
      if (strOf(body.kind)) updated.kind = strOf(body.kind);
      this.state.store.put(updated);
      this.state.emitWrite(req, id, 'write', { isUpdate: true });
      return { status: 200, body: this.render(updated) };
    }
    const account = newStorageAccount(sub, rgName, name, location, { ...(tagsOf(body.tags) ? { tags: tagsOf(body.tags) } : {}), skuName: strOf(recOf(body.sku).name) ?? 'Standard_LRS' });
    this.applyProps(account, recOf(body.properties));
    const op = this.state.startLro(req, 'storageCreate', id, () => {
      this.state.store.put(account);
      this.state.emitWrite(req, id, 'write');
    }, { finalBody: () => this.render(account) });
    return { status: 202, headers: { Location: this.state.url(opPaths.storageResult(sub, normLocation(location), op.id), req.apiVersion), ...this.state.retryAfter(req) } };
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
