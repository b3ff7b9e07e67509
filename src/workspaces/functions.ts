import { app, type HttpRequest, type HttpResponseInit, type InvocationContext } from '@azure/functions';
import { activityDeps } from '../main';
import { auditWorkspaceDeployments, shareWorkspaceWithRegistry, type CapabilityFailure } from './activities/workspace-capabilities';
import type { AzureCloud } from '../shared/regions';
import { workspaceId } from './domain/workspace';
import type { WorkspacePorts } from './domain/ports';
import { errorResponse, internalError, jsonResponse } from '../http/errors';
import { parseRequest, requestContextOf } from '../http/request';
import type { AuthSettings } from '../http/auth';
import { callerLog } from '../shared/caller';
import { httpTriggerOptions, Routes } from '../http/routes';

export interface WorkspaceHandlerDeps {
  cloud: AzureCloud;
  auth: AuthSettings;
  ports: WorkspacePorts;
}

let defaults: WorkspaceHandlerDeps | undefined;

function defaultDeps(): WorkspaceHandlerDeps {
  if (!defaults) {
    const { config, ports } = activityDeps();
    defaults = { ...requestContextOf(config), ports: ports.workspace };
  }
  return defaults;
}

function failure(f: CapabilityFailure): HttpResponseInit {
  return errorResponse(f.code, f.message, {
    ...(f.storageAccountId ? { storageAccountId: f.storageAccountId } : {}),
    ...(f.current ? { current: f.current } : {}),
  });
}

/**
 * POST /api/workspaces/{sub}/{rg}/{workspace}/share-with?registryId=…[&force=true]: let the
 * registry in on the workspace's storage account (one PATCH, or none when already shared).
 */
export async function shareWorkspaceWithRegistryHandler(request: HttpRequest, context: InvocationContext, deps: WorkspaceHandlerDeps = defaultDeps()): Promise<HttpResponseInit> {
  try {
    const parsed = await parseRequest(Routes.shareWorkspaceWithRegistry, request, { cloud: deps.cloud, auth: deps.auth });
    if (!parsed.ok) return parsed.response;
    const { subscriptionId, resourceGroup, workspaceName } = parsed.value.params;
    const id = workspaceId(subscriptionId, resourceGroup, workspaceName);
    const { registryId, force, reason } = parsed.value.query;
    const result = await shareWorkspaceWithRegistry(deps.ports, { workspaceId: id, registryId, force: force === 'true', ...(reason !== undefined ? { reason } : {}) });
    context.log(JSON.stringify({
      action: 'share-with', workspaceId: id, registryId, force: force === 'true', ...(reason !== undefined ? { reason } : {}),
      ...(result.ok ? { outcome: result.value.action, writes: result.value.writes, changes: result.value.changes } : { outcome: 'failed', code: result.failure.code }),
      caller: callerLog(parsed.value.caller),
    }));
    return result.ok ? jsonResponse(200, result.value) : failure(result.failure);
  } catch (e) {
    return internalError(context, e);
  }
}

/** GET /api/workspaces/{sub}/{rg}/{workspace}/deployments-audit: report only. */
export async function auditWorkspaceDeploymentsHandler(request: HttpRequest, context: InvocationContext, deps: WorkspaceHandlerDeps = defaultDeps()): Promise<HttpResponseInit> {
  try {
    const parsed = await parseRequest(Routes.auditWorkspaceDeployments, request, { cloud: deps.cloud, auth: deps.auth });
    if (!parsed.ok) return parsed.response;
    const { subscriptionId, resourceGroup, workspaceName } = parsed.value.params;
    const result = await auditWorkspaceDeployments(deps.ports, workspaceId(subscriptionId, resourceGroup, workspaceName));
    return result.ok ? jsonResponse(200, result.value) : failure(result.failure);
  } catch (e) {
    return internalError(context, e);
  }
}

app.http(Routes.shareWorkspaceWithRegistry.name, { ...httpTriggerOptions(Routes.shareWorkspaceWithRegistry), handler: (request, context) => shareWorkspaceWithRegistryHandler(request, context) });
app.http(Routes.auditWorkspaceDeployments.name, { ...httpTriggerOptions(Routes.auditWorkspaceDeployments), handler: (request, context) => auditWorkspaceDeploymentsHandler(request, context) });
