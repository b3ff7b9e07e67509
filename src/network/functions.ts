import { app, type HttpRequest, type HttpResponseInit, type InvocationContext } from '@azure/functions';
import { activityDeps } from '../main';
import { checkExfiltration, checkRegistryEgress, refuseForeignSubnet, type Refusal } from './activities/registry-egress';
import { ErrorCodes, errorCodeOf, LockdownError } from '../shared/errors';
import type { NetworkSecurityPort } from './domain/ports';
import { isKnownRegion, type AzureCloud } from '../shared/regions';
import { workspaceId } from '../workspaces/domain/workspace';
import type { WorkspacesPort } from '../workspaces/domain/ports';
import { regionsOf } from './http-schemas';
import { errorResponse, internalError, jsonResponse } from '../http/errors';
import { parseRequest, requestContextOf } from '../http/request';
import type { AuthSettings } from '../http/auth';
import { callerLog } from '../shared/caller';
import { httpTriggerOptions, Routes } from '../http/routes';

export interface EgressHandlerDeps {
  cloud: AzureCloud;
  auth: AuthSettings;
  networkSecurity: NetworkSecurityPort;
  /** the workspace in the path must exist (the egress routes), and the fix acts only on its computes' subnets */
  workspaces: Pick<WorkspacesPort, 'get' | 'listComputeSubnets'>;
}

function defaultDeps(): EgressHandlerDeps {
  const { config, ports } = activityDeps();
  return { ...requestContextOf(config), networkSecurity: ports.networkSecurity, workspaces: ports.workspace.workspaces };
}

function refusal(r: Refusal): HttpResponseInit {
  return errorResponse(r.code, r.message);
}

/** A coded failure of ARM (or a bad id that got through): 400 for ids, 502 with ARM's code otherwise. */
function upstream(context: InvocationContext, action: string, e: unknown): HttpResponseInit {
  if (!(e instanceof LockdownError)) return internalError(context, e);
  context.warn(JSON.stringify({ action, code: e.code, message: e.message }));
  if (errorCodeOf(e) === ErrorCodes.ARM_ID_INVALID) return errorResponse(ErrorCodes.REQUEST_INVALID_PARAMETER, e.detail);
  return errorResponse(e.code, e.detail);
}

async function egress(request: HttpRequest, context: InvocationContext, deps: EgressHandlerDeps, fix: boolean): Promise<HttpResponseInit> {
  const route = fix ? Routes.fixRegistryEgress : Routes.checkRegistryEgress;
  const parsed = await parseRequest(route, request, { cloud: deps.cloud, auth: deps.auth });
  if (!parsed.ok) return parsed.response;
  const regions = regionsOf(parsed.value.query.registryRegions);
  const unknown = (regions ?? []).filter((r) => !isKnownRegion(r, deps.cloud));
  if (unknown.length > 0) {
    return errorResponse(ErrorCodes.REQUEST_INVALID_PARAMETER, `query parameter 'registryRegions': ${unknown.slice(0, 5).map((r) => `'${r.slice(0, 40)}'`).join(', ')} ${unknown.length === 1 ? 'is not a region' : 'are not regions'} of ${deps.cloud}.`);
  }
  const { subscriptionId, resourceGroup, workspaceName } = parsed.value.params;
  try {
    // the workspace addresses the report: an unknown one is a 404 before the subnet is read (nothing written)
    const wsId = workspaceId(subscriptionId, resourceGroup, workspaceName);
    if ((await deps.workspaces.get(wsId)) === undefined) {
      return errorResponse(ErrorCodes.EGRESS_WORKSPACE_NOT_FOUND, `workspace ${wsId} does not exist (or the app cannot read it); nothing was checked or changed.`);
    }
    if (fix) {
      const foreign = await refuseForeignSubnet(deps.workspaces, wsId, parsed.value.query.subnetId);
      if (foreign) {
        context.warn(JSON.stringify({ action: 'egress-fix-refused', code: foreign.code, workspaceId: wsId, subnetId: parsed.value.query.subnetId, caller: callerLog(parsed.value.caller) }));
        return refusal(foreign);
      }
    }
    const result = await checkRegistryEgress(deps.networkSecurity, { subnetId: parsed.value.query.subnetId, fix, ...(regions ? { regions } : {}) });
    if (result.kind === 'refused') return refusal(result);
    context.log(JSON.stringify({ action: fix ? 'egress-fix' : 'egress-check', subnetId: result.subnetId, nsgId: result.nsgId, compliant: result.report.compliant, added: result.added?.map((r) => r.name) ?? [], caller: callerLog(parsed.value.caller) }));
    return jsonResponse(200, {
      workspace: { subscriptionId, resourceGroup, workspaceName },
      subnetId: result.subnetId, nsgId: result.nsgId, regions: result.regions,
      compliant: result.report.compliant, counts: result.report.counts, flows: result.report.flows,
      ...(result.added ? { added: result.added } : {}),
    });
  } catch (e) {
    return upstream(context, fix ? 'egress-fix' : 'egress-check', e);
  }
}

async function exfiltration(request: HttpRequest, context: InvocationContext, deps: EgressHandlerDeps, apply: boolean): Promise<HttpResponseInit> {
  const route = apply ? Routes.applyExfiltrationProtection : Routes.getExfiltrationProtection;
  const parsed = await parseRequest(route, request, { cloud: deps.cloud, auth: deps.auth });
  if (!parsed.ok) return parsed.response;
  try {
    const result = await checkExfiltration(deps.networkSecurity, { subnetId: parsed.value.query.subnetId, apply });
    if (result.kind === 'refused') return refusal(result);
    context.log(JSON.stringify({ action: apply ? 'exfiltration-apply' : 'exfiltration-check', subnetId: result.report.subnetId, protected: result.report.protected, changes: result.changes ?? [], caller: callerLog(parsed.value.caller) }));
    return jsonResponse(200, { ...result.report, unreadablePolicies: result.unreadablePolicies, ...(result.changes ? { changes: result.changes } : {}) });
  } catch (e) {
    return upstream(context, apply ? 'exfiltration-apply' : 'exfiltration-check', e);
  }
}

/** GET …/workspaces/{sub}/{rg}/{workspace}/registry-egress?subnetId=: the egress report. */
export async function checkRegistryEgressHandler(request: HttpRequest, context: InvocationContext, deps: EgressHandlerDeps = defaultDeps()): Promise<HttpResponseInit> {
  try {
    return await egress(request, context, deps, false);
  } catch (e) {
    return internalError(context, e);
  }
}

/** POST …/registry-egress?subnetId=&fix=true: add what is missing, report after. */
export async function fixRegistryEgressHandler(request: HttpRequest, context: InvocationContext, deps: EgressHandlerDeps = defaultDeps()): Promise<HttpResponseInit> {
  try {
    return await egress(request, context, deps, true);
  } catch (e) {
    return internalError(context, e);
  }
}

/** GET /api/subnets/exfiltration?subnetId=: the exfiltration protection report. */
export async function getExfiltrationHandler(request: HttpRequest, context: InvocationContext, deps: EgressHandlerDeps = defaultDeps()): Promise<HttpResponseInit> {
  try {
    return await exfiltration(request, context, deps, false);
  } catch (e) {
    return internalError(context, e);
  }
}

/** POST /api/subnets/exfiltration?subnetId=: attach the ML-alias policy and the Storage endpoint. */
export async function applyExfiltrationHandler(request: HttpRequest, context: InvocationContext, deps: EgressHandlerDeps = defaultDeps()): Promise<HttpResponseInit> {
  try {
    return await exfiltration(request, context, deps, true);
  } catch (e) {
    return internalError(context, e);
  }
}

app.http(Routes.checkRegistryEgress.name, { ...httpTriggerOptions(Routes.checkRegistryEgress), handler: (request, context) => checkRegistryEgressHandler(request, context) });
app.http(Routes.fixRegistryEgress.name, { ...httpTriggerOptions(Routes.fixRegistryEgress), handler: (request, context) => fixRegistryEgressHandler(request, context) });
app.http(Routes.getExfiltrationProtection.name, { ...httpTriggerOptions(Routes.getExfiltrationProtection), handler: (request, context) => getExfiltrationHandler(request, context) });
app.http(Routes.applyExfiltrationProtection.name, { ...httpTriggerOptions(Routes.applyExfiltrationProtection), handler: (request, context) => applyExfiltrationHandler(request, context) });
