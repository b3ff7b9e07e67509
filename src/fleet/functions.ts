import { app, type HttpRequest, type HttpResponseInit, type InvocationContext } from '@azure/functions';
import { activityDeps, type ActivityDeps } from '../main';
import { NO_SUBSCRIPTIONS_MESSAGE, runFleetReport } from './activities/fleet';
import { targetsFromConfig } from '../config/targets';
import type { FleetCapability } from './domain/fleet';
import { isKnownRegion } from '../shared/regions';
import { hasTargets } from '../shared/targets';
import { regionsOf } from '../network';
import { errorResponse, internalError, jsonResponse } from '../http/errors';
import { parseRequest, requestContextOf } from '../http/request';
import { httpTriggerOptions, Routes, type AnyRoute } from '../http/routes';
import { ErrorCodes } from '../shared/error-codes';

/**
 * GET /api/fleet/{registry-egress|exfiltration|deployments-audit}: the read-only workspace
 * capabilities over every workspace of the target subscriptions (src/fleet/activities/fleet.ts).
 * Sharing is not here: it is one workspace with one registry, always named.
 */
async function fleet(request: HttpRequest, context: InvocationContext, deps: Pick<ActivityDeps, 'config' | 'ports'>, route: AnyRoute, capability: FleetCapability): Promise<HttpResponseInit> {
  const { config, ports } = deps;
  const parsed = await parseRequest(route, request, requestContextOf(config));
  if (!parsed.ok) return parsed.response;
  const query = parsed.value.query as { registryRegions?: string };
  const regions = regionsOf(query.registryRegions);
  const unknown = (regions ?? []).filter((r) => !isKnownRegion(r, config.AZURE_CLOUD));
  if (unknown.length > 0) {
    return errorResponse(ErrorCodes.REQUEST_INVALID_PARAMETER, `query parameter 'registryRegions': ${unknown.slice(0, 5).map((r) => `'${r.slice(0, 40)}'`).join(', ')} ${unknown.length === 1 ? 'is not a region' : 'are not regions'} of ${config.AZURE_CLOUD}.`);
  }
  const targets = targetsFromConfig(config);
  if (!hasTargets(targets)) return errorResponse(ErrorCodes.FLEET_NO_SUBSCRIPTIONS, NO_SUBSCRIPTIONS_MESSAGE);
  const report = await runFleetReport({ capability, targets, concurrency: config.SWEEP_CONCURRENCY, ...(regions ? { regions } : {}) }, ports);
  context.log(JSON.stringify({ action: `fleet-${capability}`, subscriptions: report.subscriptions.length, workspaces: report.workspaces.length, totals: report.totals, failures: report.failures }));
  return jsonResponse(200, report);
}

function handler(route: AnyRoute, capability: FleetCapability) {
  return async (request: HttpRequest, context: InvocationContext, deps: Pick<ActivityDeps, 'config' | 'ports'> = activityDeps()): Promise<HttpResponseInit> => {
    try {
      return await fleet(request, context, deps, route, capability);
    } catch (e) {
      return internalError(context, e);
    }
  };
}

export const fleetRegistryEgressHandler = handler(Routes.fleetRegistryEgress, 'registry-egress');
export const fleetExfiltrationHandler = handler(Routes.fleetExfiltration, 'exfiltration');
export const fleetDeploymentsAuditHandler = handler(Routes.fleetDeploymentsAudit, 'deployments-audit');

app.http(Routes.fleetRegistryEgress.name, { ...httpTriggerOptions(Routes.fleetRegistryEgress), handler: (request, context) => fleetRegistryEgressHandler(request, context) });
app.http(Routes.fleetExfiltration.name, { ...httpTriggerOptions(Routes.fleetExfiltration), handler: (request, context) => fleetExfiltrationHandler(request, context) });
app.http(Routes.fleetDeploymentsAudit.name, { ...httpTriggerOptions(Routes.fleetDeploymentsAudit), handler: (request, context) => fleetDeploymentsAuditHandler(request, context) });
