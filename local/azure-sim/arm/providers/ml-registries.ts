import { createHash } from 'node:crypto';
import type { ArmResource } from '../../store';
import type { ArmRequest, ArmResult, Provider, Route } from '../context';
import { recordAssignedIdentities } from '../deny-assignment';
import { ArmError, armErrors } from '../errors';
import { resourceId, rgId } from '../ids';
import { arrOf, clone, isRecord, recOf, requireBody, strOf, tagsOf, type SimState } from '../state';
import { ACR, newAcr, newReplication } from './container-registry';
import { authorizeIdentities, requireResourceIds } from './ml-registry-body';
import { acceptedAnswer, normLocation, opPaths } from './operations';
import { connectionsOf, registryGuid, setConnectionState } from './private-link';
import { newResourceGroup } from './resource-groups';
import { newStorageAccount } from './storage';
import { TargetConnections } from './target-connections';
import { beginPut, listRoutes, requireLocation } from './tracked-resources';

export const ML_REGISTRY = 'Microsoft.MachineLearningServices/registries';
const NAME_PATTERN = /^[a-zA-Z0-9][a-zA-Z0-9\-_]{2,32}$/;

function hashHex(s: string): string {
  return createHash('sha256').update(s.toLowerCase()).digest('hex');
}

/**
 * Azure ML registries (api 2025-12-01). PUT answers 202 with no body (the real service's quirk),
 * with Azure-AsyncOperation + Location; the status URL ends with an operation status, or with the
 * full registry object under the option registryAsyncOperationBody 'bare' (server.ts).
 * Creating a registry creates its managed resource group (locked by a deny assignment) with one
 * storage account per region and ONE Premium ACR geo-replicated to every region.
 */
export class MlRegistriesProvider implements Provider {
  private readonly connectionApi: TargetConnections;

  constructor(
    private readonly state: SimState,
    private readonly discoveryUrlTemplate: () => string,
  ) {
    this.connectionApi = new TargetConnections(state, {
      target: (req) => this.registry(req),
      notFound: (name, registry) => new ArmError(404, 'ResourceNotFound', `The private endpoint connection '${name}' was not found on registry '${registry.name}'.`),
      render: (conn) => this.renderConnection(conn),
      requestedState: (p) => p.registryPrivateLinkServiceConnectionState ?? p.privateLinkServiceConnectionState,
    });
  }

  routes(): Route[] {
    const r = '/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/Microsoft.MachineLearningServices/registries/{registryName}';
    const m = 'mlRegistries' as const;
    return [
      { method: 'GET', template: r, apiGroup: m, handler: (q) => ({ status: 200, body: this.render(this.visibleRegistry(q)) }) },
      { method: 'PUT', template: r, apiGroup: m, handler: (q) => this.put(q) },
      { method: 'PATCH', template: r, apiGroup: m, handler: (q) => this.patch(q) },
      { method: 'DELETE', template: r, apiGroup: m, handler: (q) => this.delete(q) },
      ...listRoutes(this.state, ML_REGISTRY, m, (x) => this.render(x)),
      ...this.connectionApi.routes(r, m),
    ];
  }

  private id(req: ArmRequest): string {
    return resourceId(req.params.subscriptionId ?? '', req.params.resourceGroupName ?? '', 'Microsoft.MachineLearningServices', 'registries', req.params.registryName ?? '');
  }

  private registry(req: ArmRequest): ArmResource {
    return this.state.requireResource(this.id(req));
  }

  /**
   * GET: profile `eventual` keeps a just-created registry invisible for its read lag to every
   * principal but its creator (whose LRO ends with a GET of the resource, which must succeed).
   */
  private visibleRegistry(req: ArmRequest): ArmResource {
    const registry = this.registry(req);
    const internal = this.state.internalOf(registry.id);
    const visibleAt = Number(internal.visibleAt ?? 0);
    if (Date.now() < visibleAt && internal.createdBy !== req.principalId.toLowerCase()) throw armErrors.resourceNotFound(`Microsoft.MachineLearningServices/registries/${registry.name}`, req.params.resourceGroupName ?? '');
    return registry;
  }

  /** When a PUT completes: the deny assignment's exemptions, and (profile `propagating`) the service's own lockdown of storage and ACR. */
  private afterPut(registry: ArmResource, created: boolean): void {
    const { flags } = this.state.profile;
    recordAssignedIdentities(this.state, registry);
    if (created && flags.registryReadLagMs > 0) this.state.internalOf(registry.id).visibleAt = String(Date.now() + flags.registryReadLagMs * this.state.options.timeScale);
    if (!flags.servicePropagatesPublicAccess) return;
    const mrgId = strOf(recOf(recOf(registry.properties).managedResourceGroup).resourceId);
    const wanted = strOf(recOf(registry.properties).publicNetworkAccess);
    if (!mrgId || !wanted) return;
    setTimeout(() => {
      for (const type of ['Microsoft.Storage/storageAccounts', ACR]) {
        for (const r of this.state.store.list(type, mrgId)) {
          const p = (r.properties ??= {});
          if (p.publicNetworkAccess === wanted) continue;
          p.publicNetworkAccess = wanted;
          this.state.store.put(r);
          this.state.emitSystemWrite(r.id, `propagate-${registry.name}`);
        }
      }
    }, flags.servicePropagationMs * this.state.options.timeScale).unref();
  }

  // ---- rendering ------------------------------------------------------------------------

  private renderConnection(conn: ArmResource): Record<string, unknown> {
    const p = clone(recOf(conn.properties));
    const pe = recOf(p.privateEndpoint);
    const peRes = this.state.store.get(strOf(pe.id) ?? '');
    p.privateEndpoint = { id: strOf(pe.id), subnetArmId: strOf(recOf(recOf(peRes?.properties).subnet).id) ?? strOf(pe.subnetArmId) ?? '' };
    return { id: conn.id, name: conn.name, type: conn.type, location: conn.location, properties: p };
  }

  private connections(registry: ArmResource): Record<string, unknown>[] {
    return connectionsOf(this.state, registry).map((c) => {
      const full = this.renderConnection(c);
      // the embedded form in the registry (RegistryPrivateEndpointConnection) has id, location, properties
      return { id: full.id, location: full.location, properties: full.properties };
    });
  }

  render(registry: ArmResource): ArmResource {
    const out = clone(registry);
    const props = (out.properties ??= {});
    props.registryPrivateEndpointConnections = this.connections(registry);
    return out;
  }

  // ---- PUT ---------------------------------------------------------------------------------

  private put(req: ArmRequest): ArmResult {
    const sub = req.params.subscriptionId ?? '';
    const id = this.id(req);
    const name = req.params.registryName ?? '';
    const existing = beginPut(this.state, req, id, `${ML_REGISTRY}/write`);
    if (!NAME_PATTERN.test(name)) {
      throw new ArmError(400, 'InvalidResourceName', `Resource name ${name} is invalid. The name must match '^[a-zA-Z0-9][a-zA-Z0-9\\-_]{2,32}$'.`);
    }
    const body = requireBody(req);
    const location = requireLocation(body);
    if (!isRecord(body.properties)) throw armErrors.invalidRequestContent("Required property 'properties' not found in JSON. Path ''");
    if (existing && normLocation(existing.location) !== normLocation(location)) {
      throw new ArmError(400, 'LocationNotAvailableForResourceType', `The registry location cannot be changed from '${existing.location ?? ''}' to '${location}'.`);
    }
    const props = body.properties;
    authorizeIdentities(this.state, req, body.identity);
    requireResourceIds(req, props, normLocation(location));
    const pna = props.publicNetworkAccess;
    if (pna !== undefined && pna !== null && (typeof pna !== 'string' || !['enabled', 'disabled'].includes(pna.toLowerCase()))) {
      throw new ArmError(400, 'UserError', `Invalid value '${String(pna)}' for publicNetworkAccess. Possible values: Enabled or Disabled.`);
    }
    const now = new Date().toISOString();
    const regions = [normLocation(location)];
    for (const d of arrOf(props.regionDetails)) {
      const loc = normLocation(strOf(recOf(d).location));
      if (loc && !regions.includes(loc)) regions.push(loc);
    }
    const previous = existing ? clone(existing) : undefined;
    const registry: ArmResource = {
      id,
      name: existing?.name ?? name,
      type: ML_REGISTRY,
      location: existing?.location ?? location,
      tags: tagsOf(body.tags) ?? {},
      ...(isRecord(body.identity) ? { identity: this.identity(body.identity, existing) } : {}),
      ...(strOf(body.kind) ? { kind: strOf(body.kind) } : {}),
      ...(isRecord(body.sku) ? { sku: body.sku } : {}),
      systemData: {
        createdAt: strOf(recOf(existing?.systemData).createdAt) ?? now,
        createdBy: strOf(recOf(existing?.systemData).createdBy) ?? String(req.claims.appid ?? req.principalId),
        createdByType: strOf(recOf(existing?.systemData).createdByType) ?? 'Application',
        lastModifiedAt: now,
        lastModifiedBy: String(req.claims.appid ?? req.principalId),
        lastModifiedByType: 'Application',
      },
      properties: {
        ...(strOf(props.intellectualPropertyPublisher) ? { intellectualPropertyPublisher: strOf(props.intellectualPropertyPublisher) } : {}),
        publicNetworkAccess: typeof pna === 'string' ? (pna.toLowerCase() === 'disabled' ? 'Disabled' : 'Enabled') : strOf(recOf(existing?.properties).publicNetworkAccess) ?? 'Enabled',
        ...(isRecord(props.managedResourceGroupSettings) ? { managedResourceGroupSettings: this.managedGroupSettings(props.managedResourceGroupSettings) } : {}),
        regionDetails: regions.map((r) => ({ location: r, acrDetails: [], storageAccountDetails: [] })),
      },
    };
    // during the operation, keep what the previous state showed (existing system-created resources)
    if (previous) {
      const pp = recOf(previous.properties);
      for (const f of ['discoveryUrl', 'mlFlowRegistryUri', 'managedResourceGroup']) if (pp[f] !== undefined) (registry.properties ??= {})[f] = pp[f];
      (registry.properties ??= {}).regionDetails = this.mergeRegionDetails(arrOf(pp.regionDetails), regions);
    }
    const requested = { props, regions };
    const op = this.state.startLro(
      req,
      existing ? 'registryUpdate' : 'registryCreate',
      id,
      () => {
        this.provision(req, registry, requested.props, requested.regions);
        this.state.store.put(registry);
        if (!existing) this.state.internalOf(id).createdBy = req.principalId.toLowerCase();
        this.afterPut(registry, !existing);
        this.state.emitWrite(req, id, 'write', { isUpdate: !!existing });
      },
      {
        onFailed: () => {
          if (previous) this.state.store.put(previous);
          else this.state.store.delete(id);
        },
        finalBody: () => {
          const cur = this.state.store.get(id);
          return cur ? this.render(cur) : undefined;
        },
      },
    );
    // a new registry is visible while it is created, except under profile `eventual` (404 until it completes)
    if (!existing && !this.state.profile.flags.registryNotFoundUntilCreated) this.state.store.put(registry);
    const loc = normLocation(location);
    return acceptedAnswer(this.state, req, opPaths.mlStatus(sub, loc, op.id), opPaths.mlResult(sub, loc, op.id));
  }

  /**
   * managedResourceGroupSettings as stored: `assignedIdentities[].principalId` (GUIDs). The spec
   * marks principalId readOnly, yet it is the only field and the way clients name the identity
   * (Terraform samples); the simulator accepts it and rejects anything that is not a GUID.
   */
  private managedGroupSettings(settings: Record<string, unknown>): Record<string, unknown> {
    const entries = settings.assignedIdentities;
    if (entries === undefined || entries === null) return {};
    if (!Array.isArray(entries)) throw new ArmError(400, 'UserError', 'managedResourceGroupSettings.assignedIdentities must be an array.');
    const assignedIdentities = entries.map((e) => {
      const principalId = strOf(recOf(e).principalId);
      if (!principalId || !/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(principalId)) {
        throw new ArmError(400, 'UserError', `Invalid principalId '${String(principalId)}' in managedResourceGroupSettings.assignedIdentities.`);
      }
      return { principalId };
    });
    return { assignedIdentities };
  }

  private identity(identity: Record<string, unknown>, existing: ArmResource | undefined): Record<string, unknown> {
    const type = strOf(identity.type) ?? 'None';
    const out: Record<string, unknown> = { type };
    if (type.includes('SystemAssigned')) {
      const prev = recOf(existing?.identity);
      out.principalId = strOf(prev.principalId) ?? hashHex(`${existing?.id ?? ''}${Date.now()}`).replace(/^(.{8})(.{4})(.{4})(.{4})(.{12}).*$/, '$1-$2-$3-$4-$5');
      out.tenantId = this.state.options.tenantId;
    }
    if (isRecord(identity.userAssignedIdentities)) out.userAssignedIdentities = identity.userAssignedIdentities;
    return out;
  }

  private mergeRegionDetails(previous: unknown[], regions: string[]): unknown[] {
    return regions.map((r) => previous.find((d) => normLocation(strOf(recOf(d).location)) === r) ?? { location: r, acrDetails: [], storageAccountDetails: [] });
  }

  /** Creates (or extends) the managed resource group, storage accounts and the geo-replicated ACR. */
  private provision(req: ArmRequest, registry: ArmResource, props: Record<string, unknown>, regions: string[]): void {
    const sub = this.state.subscriptionOf(registry.id);
    const guid = registryGuid(this.state, registry);
    const props0 = (registry.properties ??= {});
    const existingMrgId = strOf(recOf(props0.managedResourceGroup).resourceId);
    const mrgName = existingMrgId ? existingMrgId.split('/').pop() ?? '' : `azureml-rg-${registry.name}_${guid}`;
    const mrgId = rgId(sub, mrgName);
    if (!this.state.store.get(mrgId)) {
      this.state.store.put(newResourceGroup(sub, mrgName, registry.location ?? regions[0] ?? '', {}, registry.id));
      this.state.emitSystemWrite(mrgId, req.correlationId);
    }
    const base = registry.name.toLowerCase().replace(/[^a-z0-9]/g, '');
    const home = regions[0] ?? normLocation(registry.location);

    // one ACR (Premium), replicated to every non-home region
    const requestedAcr = recOf(recOf(arrOf(recOf(arrOf(props.regionDetails)[0]).acrDetails)[0]).systemCreatedAcrAccount);
    let acr = this.state.store.list(ACR, mrgId)[0];
    if (!acr) {
      const acrName = (base.slice(0, 30) + hashHex(`${registry.id}/acr`)).slice(0, 40);
      acr = this.state.store.put(newAcr(sub, mrgName, acrName, home, strOf(requestedAcr.acrAccountSku) ?? 'Premium'));
      this.state.emitSystemWrite(acr.id, req.correlationId);
    }
    for (const r of regions) {
      if (r === normLocation(acr.location)) continue;
      const rep = newReplication(acr, r);
      if (!this.state.store.get(rep.id)) {
        this.state.store.put(rep);
        this.state.emitSystemWrite(rep.id, req.correlationId);
      }
    }
    const acrSku = strOf(recOf(acr.sku).name) ?? 'Premium';

    const regionDetails = regions.map((r) => {
      const requested = recOf(arrOf(props.regionDetails).find((d) => normLocation(strOf(recOf(d).location)) === r));
      const reqStorage = recOf(recOf(arrOf(requested.storageAccountDetails)[0]).systemCreatedStorageAccount);
      let account = this.state.store
        .list('Microsoft.Storage/storageAccounts', mrgId)
        .find((a) => normLocation(a.location) === r);
      if (!account) {
        const accountName = (base.slice(0, 12) + hashHex(`${registry.id}/${r}`)).slice(0, 24);
        account = this.state.store.put(
          newStorageAccount(sub, mrgName, accountName, r, {
            skuName: strOf(reqStorage.storageAccountType) ?? 'Standard_LRS',
            hns: reqStorage.storageAccountHnsEnabled === true,
            allowBlobPublicAccess: reqStorage.allowBlobPublicAccess === true,
          }),
        );
        this.state.emitSystemWrite(account.id, req.correlationId);
      }
      const ap = recOf(account.properties);
      return {
        location: r,
        acrDetails: [{ systemCreatedAcrAccount: { acrAccountName: acr?.name, acrAccountSku: acrSku, armResourceId: { resourceId: acr?.id } } }],
        storageAccountDetails: [
          {
            systemCreatedStorageAccount: {
              allowBlobPublicAccess: ap.allowBlobPublicAccess === true,
              armResourceId: { resourceId: account.id },
              storageAccountHnsEnabled: ap.isHnsEnabled === true,
              storageAccountName: account.name,
              storageAccountType: strOf(recOf(account.sku).name) ?? 'Standard_LRS',
            },
          },
        ],
      };
    });
    props0.managedResourceGroup = { resourceId: mrgId };
    props0.regionDetails = regionDetails;
    props0.discoveryUrl = `${this.discoveryUrlTemplate().replace('{region}', home)}/registrymanagement/v1.0/registries/${registry.name}/discovery`;
    props0.mlFlowRegistryUri = `azureml://${home}.api.azureml.ms/mlflow/v1.0${registry.id}`;
  }

  // ---- PATCH / DELETE ---------------------------------------------------------------------

  /** Registries_Update: only identity, sku and tags (PartialRegistryPartialTrackedResource); properties are ignored. */
  private patch(req: ArmRequest): ArmResult {
    const registry = this.registry(req);
    const body = requireBody(req);
    authorizeIdentities(this.state, req, body.identity);
    const tags = tagsOf(body.tags);
    if (tags) registry.tags = tags;
    if (isRecord(body.sku)) registry.sku = { ...recOf(registry.sku), ...body.sku };
    if (isRecord(body.identity)) registry.identity = this.identity(body.identity, registry);
    const sd = recOf(registry.systemData);
    registry.systemData = { ...sd, lastModifiedAt: new Date().toISOString(), lastModifiedBy: String(req.claims.appid ?? req.principalId), lastModifiedByType: 'Application' };
    this.state.store.put(registry);
    this.state.emitWrite(req, registry.id, 'write', { isUpdate: true });
    return { status: 200, body: this.render(registry) };
  }

  private delete(req: ArmRequest): ArmResult {
    const sub = req.params.subscriptionId ?? '';
    this.state.requireResourceGroup(sub, req.params.resourceGroupName ?? '');
    const registry = this.state.store.get(this.id(req));
    if (!registry) return { status: 204 };
    const op = this.state.startLro(req, 'registryDelete', registry.id, () => {
      const mrgId = strOf(recOf(recOf(registry.properties).managedResourceGroup).resourceId);
      for (const conn of connectionsOf(this.state, registry)) {
        setConnectionState(this.state, conn, { status: 'Disconnected', description: 'The registry was deleted' });
        this.state.store.delete(conn.id);
      }
      if (mrgId) {
        const prefix = mrgId.toLowerCase() + '/';
        for (const r of this.state.store.all()) if (r.id.toLowerCase().startsWith(prefix)) this.state.store.delete(r.id);
        this.state.store.delete(mrgId);
        this.state.emitSystemWrite(mrgId, req.correlationId, 'delete');
      }
      this.state.store.delete(registry.id);
      this.state.emitWrite(req, registry.id, 'delete');
    });
    return {
      status: 202,
      headers: {
        Location: this.state.url(opPaths.mlResult(sub, normLocation(registry.location), op.id), req.apiVersion),
        'x-ms-async-operation-timeout': 'PT1H',
        ...this.state.retryAfter(req),
      },
    };
  }
}
