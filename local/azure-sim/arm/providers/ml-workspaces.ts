import { createHash } from 'node:crypto';
import type { ArmResource } from '../../store';
import type { ArmRequest, ArmResult, Provider, Route } from '../context';
import { ArmError, armErrors } from '../errors';
import { parseArmId, resourceId, typeOf } from '../ids';
import { clone, isRecord, recOf, requireBody, strOf, tagsOf, type SimState } from '../state';
import { normLocation } from './operations';
import { beginPut, listRoutes, requireLocation } from './tracked-resources';

export const ML_WORKSPACE = 'Microsoft.MachineLearningServices/workspaces';
export const ML_ONLINE_ENDPOINT = 'Microsoft.MachineLearningServices/workspaces/onlineEndpoints';
export const ML_ONLINE_DEPLOYMENT = 'Microsoft.MachineLearningServices/workspaces/onlineEndpoints/deployments';
export const ML_COMPUTE = 'Microsoft.MachineLearningServices/workspaces/computes';

const WORKSPACE_NAME = /^[a-zA-Z0-9][a-zA-Z0-9_-]{2,32}$/;
const ENDPOINT_NAME = /^[a-zA-Z][a-zA-Z0-9-]{0,31}$/;
const DEPLOYMENT_NAME = /^[a-zA-Z0-9][a-zA-Z0-9-]{0,31}$/;
const COMPUTE_TYPES = ['Managed', 'Kubernetes', 'AzureMLCompute'];
const ENABLED_DISABLED = ['Enabled', 'Disabled'];
const AUTH_MODES = ['AMLToken', 'Key', 'AADToken'];
const COMPUTE_NAME = /^[a-zA-Z][a-zA-Z0-9-]{1,23}$/;
/** Compute.computeType (api 2022-10-01); AmlCompute and ComputeInstance carry properties.subnet.id */
const COMPUTE_KINDS = ['AKS', 'Kubernetes', 'AmlCompute', 'ComputeInstance', 'VirtualMachine', 'HDInsight', 'DataFactory', 'Databricks', 'DataLakeAnalytics', 'SynapseSpark'];
const SUBNET_TYPE = 'Microsoft.Network/virtualNetworks/subnets';

function guidOf(s: string): string {
  return createHash('sha256').update(s.toLowerCase()).digest('hex').replace(/^(.{8})(.{4})(.{4})(.{4})(.{12}).*$/, '$1-$2-$3-$4-$5');
}

function userError(message: string): ArmError {
  return new ArmError(400, 'UserError', message);
}

/** 'Enabled' | 'Disabled' (case-insensitive on the way in, canonical on the way out), or a 400 naming the field. */
function enabledDisabled(value: unknown, field: string, fallback: string): string {
  if (value === undefined || value === null) return fallback;
  const match = typeof value === 'string' ? ENABLED_DISABLED.find((v) => v.toLowerCase() === value.toLowerCase()) : undefined;
  if (!match) throw userError(`Invalid value '${String(value)}' for ${field}. Possible values: Enabled or Disabled.`);
  return match;
}

/**
 * Azure ML workspaces (api 2022-10-01, what @azure/arm-machinelearning 2.1.1 sends, up to
 * 2025-12-01) with managed online endpoints and their deployments, and computes (Compute_List /
 * Get / CreateOrUpdate: `properties.computeType`, and for AmlCompute / ComputeInstance the
 * VNet subnet in `properties.properties.subnet.id`). Lists (by resource group, by subscription,
 * endpoints, deployments, computes) page with `nextLink`.
 *
 * Simplifications (documented in local/azure-sim/README.md): PUTs complete at once (the workspace answers 200,
 * endpoints, deployments and computes 201/200 with `provisioningState: Succeeded`, no operation to poll);
 * the workspace's associated resources are checked for their type, and the storage account for
 * existence when it is in this simulator's subscription.
 */
export class MlWorkspacesProvider implements Provider {
  constructor(private readonly state: SimState) {}

  routes(): Route[] {
    const w = '/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/Microsoft.MachineLearningServices/workspaces/{workspaceName}';
    const e = `${w}/onlineEndpoints/{endpointName}`;
    const d = `${e}/deployments/{deploymentName}`;
    const c = `${w}/computes/{computeName}`;
    const g = 'mlWorkspaces' as const;
    return [
      { method: 'GET', template: w, apiGroup: g, handler: (q) => ({ status: 200, body: clone(this.workspace(q)) }) },
      { method: 'PUT', template: w, apiGroup: g, handler: (q) => this.putWorkspace(q) },
      ...listRoutes(this.state, ML_WORKSPACE, g),
      { method: 'GET', template: `${w}/onlineEndpoints`, apiGroup: g, handler: (q) => this.state.page(q, this.state.store.list(ML_ONLINE_ENDPOINT, this.workspace(q).id).filter((r) => r.id.split('/').length === 11).map(clone)) },
      { method: 'GET', template: e, apiGroup: g, handler: (q) => ({ status: 200, body: clone(this.endpoint(q)) }) },
      { method: 'PUT', template: e, apiGroup: g, handler: (q) => this.putEndpoint(q) },
      { method: 'GET', template: `${e}/deployments`, apiGroup: g, handler: (q) => this.state.page(q, this.state.store.list(ML_ONLINE_DEPLOYMENT, this.endpoint(q).id).map(clone)) },
      { method: 'GET', template: d, apiGroup: g, handler: (q) => ({ status: 200, body: clone(this.state.requireResource(this.deploymentId(q))) }) },
      { method: 'PUT', template: d, apiGroup: g, handler: (q) => this.putDeployment(q) },
      { method: 'GET', template: `${w}/computes`, apiGroup: g, handler: (q) => this.state.page(q, this.state.store.list(ML_COMPUTE, this.workspace(q).id).map(clone)) },
      { method: 'GET', template: c, apiGroup: g, handler: (q) => ({ status: 200, body: clone(this.state.requireResource(this.computeId(q))) }) },
      { method: 'PUT', template: c, apiGroup: g, handler: (q) => this.putCompute(q) },
    ];
  }

  private workspaceId(req: ArmRequest): string {
    return resourceId(req.params.subscriptionId ?? '', req.params.resourceGroupName ?? '', 'Microsoft.MachineLearningServices', 'workspaces', req.params.workspaceName ?? '');
  }

  private workspace(req: ArmRequest): ArmResource {
    return this.state.requireResource(this.workspaceId(req));
  }

  private endpointId(req: ArmRequest): string {
    return `${this.workspaceId(req)}/onlineEndpoints/${req.params.endpointName ?? ''}`;
  }

  private endpoint(req: ArmRequest): ArmResource {
    this.workspace(req);
    return this.state.requireResource(this.endpointId(req));
  }

  private deploymentId(req: ArmRequest): string {
    return `${this.endpointId(req)}/deployments/${req.params.deploymentName ?? ''}`;
  }

  private computeId(req: ArmRequest): string {
    this.workspace(req);
    return `${this.workspaceId(req)}/computes/${req.params.computeName ?? ''}`;
  }

  private systemData(req: ArmRequest, existing: ArmResource | undefined): Record<string, unknown> {
    const now = new Date().toISOString();
    const by = String(req.claims.appid ?? req.principalId);
    const prev = recOf(existing?.systemData);
    return {
      createdAt: strOf(prev.createdAt) ?? now,
      createdBy: strOf(prev.createdBy) ?? by,
      createdByType: strOf(prev.createdByType) ?? 'Application',
      lastModifiedAt: now,
      lastModifiedBy: by,
      lastModifiedByType: 'Application',
    };
  }

  /** An associated resource id of the expected type (or absent when optional). */
  private associated(props: Record<string, unknown>, field: string, type: string, required: boolean, existing: Record<string, unknown>): string | undefined {
    const value = props[field] ?? existing[field];
    if (value === undefined || value === null || value === '') {
      if (required) throw new ArmError(400, 'ValidationError', `Workspace property '${field}' is required.`);
      return undefined;
    }
    const p = typeof value === 'string' ? parseArmId(value) : undefined;
    if (!p || !p.resourceGroup || typeOf(p).toLowerCase() !== type.toLowerCase() || p.names.length !== 1) {
      throw new ArmError(400, 'ValidationError', `Workspace property '${field}' must be the ARM id of a ${type} resource.`);
    }
    const id = String(value);
    if (existing[field] !== undefined && String(existing[field]).toLowerCase() !== id.toLowerCase() && field === 'storageAccount') {
      throw new ArmError(400, 'ValidationError', "The workspace's storage account cannot be changed.");
    }
    return id;
  }

  private putWorkspace(req: ArmRequest): ArmResult {
    const name = req.params.workspaceName ?? '';
    const id = this.workspaceId(req);
    const existing = beginPut(this.state, req, id, `${ML_WORKSPACE}/write`);
    if (!WORKSPACE_NAME.test(name)) throw new ArmError(400, 'InvalidResourceName', `Resource name ${name} is invalid. The name must match '^[a-zA-Z0-9][a-zA-Z0-9_-]{2,32}$'.`);
    const body = requireBody(req);
    const location = requireLocation(body, existing?.location);
    if (existing && normLocation(existing.location) !== normLocation(location)) {
      throw new ArmError(400, 'LocationNotAvailableForResourceType', `The workspace location cannot be changed from '${existing.location ?? ''}' to '${location}'.`);
    }
    const props = recOf(body.properties);
    const prev = recOf(existing?.properties);
    const storageAccount = this.associated(props, 'storageAccount', 'Microsoft.Storage/storageAccounts', true, prev) ?? '';
    const keyVault = this.associated(props, 'keyVault', 'Microsoft.KeyVault/vaults', true, prev);
    const applicationInsights = this.associated(props, 'applicationInsights', 'Microsoft.Insights/components', false, prev);
    const containerRegistry = this.associated(props, 'containerRegistry', 'Microsoft.ContainerRegistry/registries', false, prev);
    const storageSub = parseArmId(storageAccount)?.subscriptionId ?? '';
    if (!existing && this.state.knowsSubscription(storageSub) && !this.state.store.get(storageAccount)) {
      throw new ArmError(400, 'ValidationError', `The storage account '${storageAccount}' was not found.`);
    }
    const workspaceId = strOf(prev.workspaceId) ?? guidOf(id);
    const loc = normLocation(location);
    const workspace: ArmResource = {
      id,
      name: existing?.name ?? name,
      type: ML_WORKSPACE,
      location: existing?.location ?? loc,
      tags: tagsOf(body.tags) ?? existing?.tags ?? {},
      ...(isRecord(body.sku) ? { sku: body.sku } : existing?.sku ? { sku: existing.sku } : { sku: { name: 'Basic', tier: 'Basic' } }),
      ...(isRecord(body.identity) ? { identity: this.identity(body.identity, existing, id) } : existing?.identity ? { identity: existing.identity } : {}),
      ...(strOf(body.kind) ? { kind: strOf(body.kind) } : existing?.kind ? { kind: existing.kind } : {}),
      systemData: this.systemData(req, existing),
      properties: {
        workspaceId,
        friendlyName: strOf(props.friendlyName) ?? strOf(prev.friendlyName) ?? name,
        description: strOf(props.description) ?? strOf(prev.description) ?? '',
        storageAccount,
        keyVault,
        ...(applicationInsights ? { applicationInsights } : {}),
        ...(containerRegistry ? { containerRegistry } : {}),
        discoveryUrl: `https://${loc}.api.azureml.ms/discovery`,
        provisioningState: 'Succeeded',
        hbiWorkspace: typeof props.hbiWorkspace === 'boolean' ? props.hbiWorkspace : prev.hbiWorkspace === true,
        allowPublicAccessWhenBehindVnet: typeof props.allowPublicAccessWhenBehindVnet === 'boolean' ? props.allowPublicAccessWhenBehindVnet : prev.allowPublicAccessWhenBehindVnet === true,
        publicNetworkAccess: enabledDisabled(props.publicNetworkAccess, 'publicNetworkAccess', strOf(prev.publicNetworkAccess) ?? 'Enabled'),
        privateEndpointConnections: [],
        privateLinkCount: 0,
        storageHnsEnabled: false,
        tenantId: this.state.options.tenantId,
        mlFlowTrackingUri: `azureml://${loc}.api.azureml.ms/mlflow/v1.0${id}`,
        v1LegacyMode: typeof props.v1LegacyMode === 'boolean' ? props.v1LegacyMode : prev.v1LegacyMode === true,
        ...(isRecord(props.managedNetwork) ? { managedNetwork: props.managedNetwork } : isRecord(prev.managedNetwork) ? { managedNetwork: prev.managedNetwork } : {}),
      },
    };
    this.state.store.put(workspace);
    this.state.emitWrite(req, id, 'write', { isUpdate: !!existing });
    return { status: 200, body: clone(workspace) };
  }

  private identity(identity: Record<string, unknown>, existing: ArmResource | undefined, id: string): Record<string, unknown> {
    const type = strOf(identity.type) ?? 'None';
    const out: Record<string, unknown> = { type };
    if (type.includes('SystemAssigned')) {
      out.principalId = strOf(recOf(existing?.identity).principalId) ?? guidOf(`${id}/identity`);
      out.tenantId = this.state.options.tenantId;
    }
    if (isRecord(identity.userAssignedIdentities)) out.userAssignedIdentities = identity.userAssignedIdentities;
    return out;
  }

  /** OnlineEndpoints_CreateOrUpdate: completes at once (201 new, 200 update). */
  private putEndpoint(req: ArmRequest): ArmResult {
    const workspace = this.workspace(req);
    const name = req.params.endpointName ?? '';
    if (!ENDPOINT_NAME.test(name)) throw userError(`Invalid endpoint name '${name}': it must start with a letter and contain only letters, digits and '-', at most 32 characters.`);
    const id = this.endpointId(req);
    const existing = this.state.store.get(id);
    const body = requireBody(req);
    const location = requireLocation(body, existing?.location ?? workspace.location);
    if (!isRecord(body.properties)) throw armErrors.invalidRequestContent("Required property 'properties' not found in JSON. Path ''");
    const props = body.properties;
    const prev = recOf(existing?.properties);
    const authMode = strOf(props.authMode) ?? strOf(prev.authMode);
    if (!authMode || !AUTH_MODES.includes(authMode)) throw userError(`Invalid value '${String(props.authMode)}' for authMode. Possible values: ${AUTH_MODES.join(', ')}.`);
    const loc = normLocation(location);
    const endpoint: ArmResource = {
      id,
      name: existing?.name ?? name,
      type: ML_ONLINE_ENDPOINT,
      location: loc,
      tags: tagsOf(body.tags) ?? existing?.tags ?? {},
      kind: strOf(body.kind) ?? existing?.kind ?? 'Managed',
      identity: isRecord(body.identity) ? this.identity(body.identity, existing, id) : (existing?.identity ?? { type: 'SystemAssigned', principalId: guidOf(`${id}/identity`), tenantId: this.state.options.tenantId }),
      systemData: this.systemData(req, existing),
      properties: {
        authMode,
        description: strOf(props.description) ?? strOf(prev.description) ?? '',
        properties: isRecord(props.properties) ? props.properties : recOf(prev.properties),
        publicNetworkAccess: enabledDisabled(props.publicNetworkAccess, 'publicNetworkAccess', strOf(prev.publicNetworkAccess) ?? 'Enabled'),
        traffic: isRecord(props.traffic) ? props.traffic : recOf(prev.traffic),
        scoringUri: `https://${name.toLowerCase()}.${loc}.inference.ml.azure.com/score`,
        swaggerUri: `https://${name.toLowerCase()}.${loc}.inference.ml.azure.com/swagger.json`,
        provisioningState: 'Succeeded',
      },
    };
    this.state.store.put(endpoint);
    this.state.emitWrite(req, id, 'write', { isUpdate: !!existing });
    return { status: existing ? 200 : 201, body: clone(endpoint) };
  }

  /** OnlineDeployments_CreateOrUpdate: completes at once (201 new, 200 update). */
  private putDeployment(req: ArmRequest): ArmResult {
    const endpoint = this.endpoint(req);
    const name = req.params.deploymentName ?? '';
    if (!DEPLOYMENT_NAME.test(name)) throw userError(`Invalid deployment name '${name}': letters, digits and '-', at most 32 characters.`);
    const id = this.deploymentId(req);
    const existing = this.state.store.get(id);
    const body = requireBody(req);
    const location = requireLocation(body, existing?.location ?? endpoint.location);
    if (!isRecord(body.properties)) throw armErrors.invalidRequestContent("Required property 'properties' not found in JSON. Path ''");
    const props = body.properties;
    const prev = recOf(existing?.properties);
    const computeType = strOf(props.endpointComputeType) ?? strOf(prev.endpointComputeType);
    if (!computeType || !COMPUTE_TYPES.includes(computeType)) {
      throw userError(`Invalid value '${String(props.endpointComputeType)}' for endpointComputeType. Possible values: ${COMPUTE_TYPES.join(', ')}.`);
    }
    const model = props.model ?? prev.model;
    if (model !== undefined && typeof model !== 'string') throw userError("Property 'model' must be a string (an asset id or an ARM id).");
    const egress = enabledDisabled(props.egressPublicNetworkAccess, 'egressPublicNetworkAccess', strOf(prev.egressPublicNetworkAccess) ?? 'Enabled');
    const deployment: ArmResource = {
      id,
      name: existing?.name ?? name,
      type: ML_ONLINE_DEPLOYMENT,
      location: normLocation(location),
      tags: tagsOf(body.tags) ?? existing?.tags ?? {},
      kind: strOf(body.kind) ?? existing?.kind ?? computeType,
      ...(isRecord(body.sku) ? { sku: body.sku } : existing?.sku ? { sku: existing.sku } : { sku: { name: 'Default', capacity: 1 } }),
      systemData: this.systemData(req, existing),
      properties: {
        ...prev,
        ...props,
        endpointComputeType: computeType,
        ...(model !== undefined ? { model } : {}),
        egressPublicNetworkAccess: egress,
        provisioningState: 'Succeeded',
      },
    };
    this.state.store.put(deployment);
    this.state.emitWrite(req, id, 'write', { isUpdate: !!existing });
    return { status: existing ? 200 : 201, body: clone(deployment) };
  }

  /**
   * Compute_CreateOrUpdate: completes at once (201 new, 200 update; the service runs an LRO).
   * The subnet of an AmlCompute / ComputeInstance must be a subnet id, and exist when it is in
   * this simulator's subscription (inferred error: 400 UserError).
   */
  private putCompute(req: ArmRequest): ArmResult {
    const workspace = this.workspace(req);
    const name = req.params.computeName ?? '';
    if (!COMPUTE_NAME.test(name)) throw userError(`Invalid compute name '${name}': 2-24 letters, digits and '-', starting with a letter.`);
    const id = this.computeId(req);
    const existing = this.state.store.get(id);
    const body = requireBody(req);
    if (!isRecord(body.properties)) throw armErrors.invalidRequestContent("Required property 'properties' not found in JSON. Path ''");
    const props = body.properties;
    const prev = recOf(existing?.properties);
    const computeType = strOf(props.computeType) ?? strOf(prev.computeType);
    if (!computeType || !COMPUTE_KINDS.includes(computeType)) throw userError(`Invalid value '${String(props.computeType)}' for computeType. Possible values: ${COMPUTE_KINDS.join(', ')}.`);
    if (existing && strOf(prev.computeType) !== computeType) throw userError(`The compute type of '${name}' cannot be changed from ${String(prev.computeType)} to ${computeType}.`);
    const inner = isRecord(props.properties) ? props.properties : recOf(prev.properties);
    const subnet = recOf(inner.subnet).id;
    if (subnet !== undefined) {
      const p = typeof subnet === 'string' ? parseArmId(subnet) : undefined;
      if (!p || typeOf(p).toLowerCase() !== SUBNET_TYPE.toLowerCase()) throw userError(`Property 'properties.subnet.id' must be the ARM id of a ${SUBNET_TYPE} resource.`);
      if (p.subscriptionId.toLowerCase() === this.state.options.subscriptionId.toLowerCase() && !this.state.store.get(String(subnet))) throw userError(`Subnet '${String(subnet)}' was not found.`);
    }
    const now = new Date().toISOString();
    const compute: ArmResource = {
      id,
      name: existing?.name ?? name,
      type: ML_COMPUTE,
      location: normLocation(strOf(body.location) ?? existing?.location ?? workspace.location ?? ''),
      tags: tagsOf(body.tags) ?? existing?.tags ?? {},
      systemData: this.systemData(req, existing),
      properties: {
        computeType,
        computeLocation: normLocation(strOf(props.computeLocation) ?? strOf(prev.computeLocation) ?? workspace.location ?? ''),
        description: strOf(props.description) ?? strOf(prev.description) ?? '',
        provisioningState: 'Succeeded',
        createdOn: strOf(prev.createdOn) ?? now,
        modifiedOn: now,
        isAttachedCompute: false,
        disableLocalAuth: props.disableLocalAuth === true,
        properties: inner,
      },
    };
    this.state.store.put(compute);
    this.state.emitWrite(req, id, 'write', { isUpdate: !!existing });
    return { status: existing ? 200 : 201, body: clone(compute) };
  }
}
