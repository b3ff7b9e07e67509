import type { ArmRequest, ArmResult, Provider, Route } from '../context';
import { ArmError } from '../errors';
import type { ApiGroup } from '../api-versions';
import type { LroOperation } from '../lro';
import type { SimState } from '../state';

/**
 * Operation status resources of the long-running operations, per provider, at the URLs those
 * providers use: `Azure-AsyncOperation` answers `{ status, error? }`; `Location` answers 202 while
 * running and the final result (200 with a body, or 204) once done.
 */
export function statusBody(state: SimState, op: LroOperation): Record<string, unknown> {
  return {
    id: op.id,
    name: op.id,
    status: op.status,
    startTime: op.startTime,
    ...(op.endTime ? { endTime: op.endTime } : {}),
    percentComplete: state.lro.percentComplete(op),
    ...(op.error ? { error: op.error } : {}),
  };
}

function find(state: SimState, id: string | undefined): LroOperation {
  const op = id ? state.lro.get(id) : undefined;
  if (!op) throw new ArmError(404, 'OperationNotFound', `The operation '${id ?? ''}' could not be found.`);
  return op;
}

export type StatusStyle = 'azureAsync' | 'azureAsyncFinalBody';

export function asyncStatusAnswer(state: SimState, req: ArmRequest, style: StatusStyle = 'azureAsync'): ArmResult {
  const op = find(state, req.params.operationId);
  if (op.status === 'InProgress') return { status: 200, body: statusBody(state, op), headers: state.retryAfter(req) };
  // the ML registries' possible quirk (option registryAsyncOperationBody 'bare'): the status URL ends with the full resource instead of a status object
  if (style === 'azureAsyncFinalBody' && state.options.registryAsyncOperationBody === 'bare' && op.status === 'Succeeded' && op.finalBody) return { status: 200, body: op.finalBody() };
  return { status: 200, body: statusBody(state, op) };
}

export function locationResultAnswer(state: SimState, req: ArmRequest): ArmResult {
  const op = find(state, req.params.operationId);
  if (op.status === 'InProgress') {
    return { status: 202, headers: { Location: state.url(req.path, req.apiVersion), ...state.retryAfter(req) } };
  }
  if (op.status === 'Failed') {
    const code = op.error?.code ?? 'InternalServerError';
    return { status: code === 'InternalServerError' ? 500 : 400, body: { error: op.error } };
  }
  if (op.finalBody) return { status: 200, body: op.finalBody() };
  return { status: 204 };
}

/** Paths of the operation resources (also used by the providers to build their headers). */
export const opPaths = {
  networkStatus: (sub: string, loc: string, id: string) => `/subscriptions/${sub}/providers/Microsoft.Network/locations/${loc}/operations/${id}`,
  networkResult: (sub: string, loc: string, id: string) => `/subscriptions/${sub}/providers/Microsoft.Network/locations/${loc}/operationResults/${id}`,
  dnsStatus: (sub: string, rg: string, id: string) => `/subscriptions/${sub}/resourceGroups/${rg}/providers/Microsoft.Network/privateDnsOperationStatuses/${id}`,
  dnsResult: (sub: string, rg: string, id: string) => `/subscriptions/${sub}/resourceGroups/${rg}/providers/Microsoft.Network/privateDnsOperationResults/${id}`,
  mlStatus: (sub: string, loc: string, id: string) => `/subscriptions/${sub}/providers/Microsoft.MachineLearningServices/locations/${loc}/mfeOperationsStatus/${id}`,
  mlResult: (sub: string, loc: string, id: string) => `/subscriptions/${sub}/providers/Microsoft.MachineLearningServices/locations/${loc}/mfeOperationResults/${id}`,
  acrStatus: (registryId: string, id: string) => `${registryId}/operationStatuses/${id}`,
  storageResult: (sub: string, loc: string, id: string) => `/subscriptions/${sub}/providers/Microsoft.Storage/locations/${loc}/asyncoperations/${id}`,
};

/** 202 Accepted for an operation polled at `Azure-AsyncOperation` (status) and `Location` (result). */
export function acceptedAnswer(state: SimState, req: ArmRequest, statusPath: string, resultPath: string): ArmResult {
  return {
    status: 202,
    headers: {
      'Azure-AsyncOperation': state.url(statusPath, req.apiVersion),
      Location: state.url(resultPath, req.apiVersion),
      ...state.retryAfter(req),
    },
  };
}

export function normLocation(loc: string | undefined): string {
  return (loc ?? '').replace(/\s+/g, '').toLowerCase();
}

export class OperationsProvider implements Provider {
  constructor(private readonly state: SimState) {}

  routes(): Route[] {
    const s = this.state;
    const status = (template: string, apiGroup: ApiGroup, style: StatusStyle = 'azureAsync'): Route => ({
      method: 'GET',
      template,
      apiGroup,
      handler: (req) => asyncStatusAnswer(s, req, style),
    });
    const result = (template: string, apiGroup: ApiGroup): Route => ({ method: 'GET', template, apiGroup, handler: (req) => locationResultAnswer(s, req) });
    return [
      status('/subscriptions/{subscriptionId}/providers/Microsoft.Network/locations/{location}/operations/{operationId}', 'network'),
      result('/subscriptions/{subscriptionId}/providers/Microsoft.Network/locations/{location}/operationResults/{operationId}', 'network'),
      status('/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/Microsoft.Network/privateDnsOperationStatuses/{operationId}', 'privateDns'),
      result('/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/Microsoft.Network/privateDnsOperationResults/{operationId}', 'privateDns'),
      status('/subscriptions/{subscriptionId}/providers/Microsoft.MachineLearningServices/locations/{location}/mfeOperationsStatus/{operationId}', 'mlRegistries', 'azureAsyncFinalBody'),
      result('/subscriptions/{subscriptionId}/providers/Microsoft.MachineLearningServices/locations/{location}/mfeOperationResults/{operationId}', 'mlRegistries'),
      status('/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/Microsoft.ContainerRegistry/registries/{registryName}/operationStatuses/{operationId}', 'containerRegistry'),
      result('/subscriptions/{subscriptionId}/providers/Microsoft.Storage/locations/{location}/asyncoperations/{operationId}', 'storage'),
    ];
  }
}
