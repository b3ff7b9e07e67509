import type { ArmResource } from '../../store';
import type { ArmRequest, ArmResult, Provider, Route } from '../context';
import { ArmError, armErrors } from '../errors';
import { resourceId } from '../ids';
import { clone, isRecord, recOf, requireBody, strOf, tagsOf, type SimState } from '../state';
import { normLocation, opPaths } from './operations';
import { setConnectionState, withEmbeddedConnections } from './private-link';
import { TargetConnections } from './target-connections';
import { beginPut, listRoutes, requireLocation } from './tracked-resources';

export const ACR = 'Microsoft.ContainerRegistry/registries';
export const ACR_REPLICATION = 'Microsoft.ContainerRegistry/registries/replications';

export function newAcr(subscriptionId: string, resourceGroup: string, name: string, location: string, sku = 'Premium', tags: Record<string, string> = {}): ArmResource {
  return {
    id: resourceId(subscriptionId, resourceGroup, 'Microsoft.ContainerRegistry', 'registries', name),
    name,
    type: ACR,
    location,
    tags,
    sku: { name: sku, tier: sku },
    properties: {
      loginServer: `${name.toLowerCase()}.azurecr.io`,
      creationDate: new Date().toISOString(),
      provisioningState: 'Succeeded',
      adminUserEnabled: false,
      networkRuleSet: { defaultAction: 'Allow', ipRules: [] },
      policies: {
        quarantinePolicy: { status: 'disabled' },
        trustPolicy: { type: 'Notary', status: 'disabled' },
        retentionPolicy: { days: 7, status: 'disabled' },
        exportPolicy: { status: 'enabled' },
      },
      encryption: { status: 'disabled' },
      dataEndpointEnabled: false,
      dataEndpointHostNames: [],
      publicNetworkAccess: 'Enabled',
      networkRuleBypassOptions: 'AzureServices',
      zoneRedundancy: 'Disabled',
      anonymousPullEnabled: false,
    },
  };
}

export function newReplication(acr: ArmResource, location: string): ArmResource {
  const name = normLocation(location);
  return {
    id: `${acr.id}/replications/${name}`,
    name,
    type: ACR_REPLICATION,
    location: name,
    tags: {},
    properties: { provisioningState: 'Succeeded', status: { displayStatus: 'Ready', timestamp: new Date().toISOString() }, regionEndpointEnabled: true, zoneRedundancy: 'Disabled' },
  };
}

/** Container registries: create/GET/list, PATCH as LRO, replications, private endpoint connections (LRO). */
export class ContainerRegistryProvider implements Provider {
  private readonly connectionApi: TargetConnections;

  constructor(private readonly state: SimState) {
    this.connectionApi = new TargetConnections(state, {
      target: (req) => this.registry(req),
      notFound: (name, acr) => new ArmError(404, 'ResourceNotFound', `The private endpoint connection '${name}' was not found on registry '${acr.name}'.`),
      paged: true,
      put: (req, conn) => this.putConnection(req, conn),
    });
  }

  routes(): Route[] {
    const r = '/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/Microsoft.ContainerRegistry/registries/{registryName}';
    const c = 'containerRegistry' as const;
    return [
      { method: 'GET', template: r, apiGroup: c, handler: (q) => ({ status: 200, body: this.render(this.registry(q)) }) },
      { method: 'PUT', template: r, apiGroup: c, handler: (q) => this.create(q) },
      { method: 'PATCH', template: r, apiGroup: c, handler: (q) => this.patch(q) },
      ...listRoutes(this.state, ACR, c, (a) => this.render(a)),
      { method: 'GET', template: `${r}/replications`, apiGroup: c, handler: (q) => this.state.page(q, this.state.store.list(ACR_REPLICATION, this.registry(q).id).map(clone)) },
      { method: 'GET', template: `${r}/replications/{replicationName}`, apiGroup: c, handler: (q) => ({ status: 200, body: clone(this.state.requireResource(`${this.registry(q).id}/replications/${q.params.replicationName ?? ''}`)) }) },
      ...this.connectionApi.routes(r, c),
    ];
  }

  private id(req: ArmRequest): string {
    return resourceId(req.params.subscriptionId ?? '', req.params.resourceGroupName ?? '', 'Microsoft.ContainerRegistry', 'registries', req.params.registryName ?? '');
  }

  private registry(req: ArmRequest): ArmResource {
    return this.state.requireResource(this.id(req));
  }

  render(acr: ArmResource): ArmResource {
    return withEmbeddedConnections(this.state, acr);
  }

  /** ACR LRO answer: body + Azure-AsyncOperation (…/operationStatuses/{id}) + Retry-After. */
  private lroAnswer(req: ArmRequest, status: number, acrId: string, opId: string, body: unknown): ArmResult {
    return { status, body, headers: { 'Azure-AsyncOperation': this.state.url(opPaths.acrStatus(acrId, opId), req.apiVersion), ...this.state.retryAfter(req) } };
  }

  private create(req: ArmRequest): ArmResult {
    const sub = req.params.subscriptionId ?? '';
    const rgName = req.params.resourceGroupName ?? '';
    const id = this.id(req);
    const existing = beginPut(this.state, req, id, `${ACR}/write`);
    const body = requireBody(req);
    const location = requireLocation(body);
    const sku = strOf(recOf(body.sku).name);
    if (!sku || !['Basic', 'Standard', 'Premium'].includes(sku)) throw armErrors.invalidRequestContent("Required property 'sku' not found in JSON. Path ''");
    const name = req.params.registryName ?? '';
    if (!/^[a-zA-Z0-9]{5,50}$/.test(name)) throw new ArmError(400, 'InvalidRegistryName', `The registry name '${name}' is invalid: alphanumeric characters only, 5 to 50 long.`);
    const acr = existing ?? newAcr(sub, rgName, name, location, sku, tagsOf(body.tags) ?? {});
    if (existing) {
      existing.sku = { name: sku, tier: sku };
      existing.tags = tagsOf(body.tags) ?? existing.tags;
    }
    (acr.properties ??= {}).provisioningState = existing ? 'Updating' : 'Creating';
    this.state.store.put(acr);
    const op = this.state.startLro(req, 'acrCreate', id, () => {
      (acr.properties ??= {}).provisioningState = 'Succeeded';
      this.state.emitWrite(req, id, 'write', { isUpdate: !!existing });
    }, { onFailed: () => void ((acr.properties ??= {}).provisioningState = 'Failed') });
    return this.lroAnswer(req, existing ? 200 : 201, id, op.id, this.render(acr));
  }

  private patch(req: ArmRequest): ArmResult {
    const acr = this.registry(req);
    const body = requireBody(req);
    const props = recOf(body.properties);
    const sku = isRecord(body.sku) ? strOf(body.sku.name) : undefined;
    const effectiveSku = sku ?? strOf(recOf(acr.sku).name) ?? 'Basic';
    if (props.publicNetworkAccess !== undefined && !['Enabled', 'Disabled'].includes(String(props.publicNetworkAccess))) {
      throw new ArmError(400, 'InvalidRequestContent', 'The request content was invalid: publicNetworkAccess must be Enabled or Disabled.');
    }
    if (props.publicNetworkAccess === 'Disabled' && effectiveSku !== 'Premium') {
      throw new ArmError(400, 'DisablingPublicNetworkAccessNotSupported', `Disabling public network access is not supported for the SKU ${effectiveSku}. For more information, please visit https://aka.ms/acr/private-link.`);
    }
    const p = (acr.properties ??= {});
    for (const f of ['publicNetworkAccess', 'adminUserEnabled', 'networkRuleBypassOptions', 'anonymousPullEnabled', 'dataEndpointEnabled', 'networkRuleSet', 'policies']) {
      if (props[f] !== undefined) p[f] = props[f];
    }
    const tags = tagsOf(body.tags);
    if (tags) acr.tags = tags;
    if (sku) acr.sku = { name: sku, tier: sku };
    p.provisioningState = 'Updating';
    const op = this.state.startLro(req, 'acrUpdate', acr.id, () => {
      p.provisioningState = 'Succeeded';
      this.state.emitWrite(req, acr.id, 'write', { isUpdate: true });
    }, { onFailed: () => void (p.provisioningState = 'Failed') });
    return this.lroAnswer(req, 200, acr.id, op.id, this.render(acr));
  }

  /** ACR approves/rejects as an LRO: validated now, applied when the operation completes. */
  private putConnection(req: ArmRequest, conn: ArmResource): ArmResult {
    const body = requireBody(req);
    const st = recOf(recOf(body.properties).privateLinkServiceConnectionState);
    const cp = (conn.properties ??= {});
    if (!['Approved', 'Pending', 'Rejected', 'Disconnected'].includes(String(st.status))) {
      throw armErrors.invalidRequestContent("privateLinkServiceConnectionState.status must be one of Approved, Pending, Rejected, Disconnected");
    }
    cp.provisioningState = 'Updating';
    const op = this.state.startLro(req, 'acrConnectionUpdate', conn.id, () => {
      setConnectionState(this.state, conn, st);
      (conn.properties ??= {}).provisioningState = 'Succeeded';
      this.state.emitWrite(req, conn.id, 'write', { isUpdate: true });
    }, { onFailed: () => void ((conn.properties ??= {}).provisioningState = 'Failed') });
    return this.lroAnswer(req, 201, this.id(req), op.id, clone(conn));
  }
}
