/**
 * GET …/report and GET /api/fleet/report: thin handlers. Validate, read (./activities), assemble
 * (./domain/report.ts), answer JSON or the page (./domain/*-page.ts) as the caller asks. Errors
 * answer as the other routes do ({ error: { code, message } }), or as a page to a browser.
 */
import type { HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import type { ActivityDeps } from '../main';
import { targetsFromConfig } from '../config/targets';
import { errorResponse, internalError, jsonResponse } from '../http/errors';
import { parseRequest, requestContextOf } from '../http/request';
import { Routes } from '../http/routes';
import { FLEET_REPORT_PATH, reportPath } from './paths';
import { ErrorCodes, errorCodeOf, withoutCode } from '../shared/errors';
import { hasTargets } from '../shared/targets';
import { logJson } from '../shared/log-text';
import { registryId } from '../hardening/domain/registry';
import { readFleetOverview } from './activities/fleet-overview';
import { readIsolation } from './activities/read-isolation';
import { renderFleetPage } from './domain/fleet-page';
import { errorPage, pageCsp } from './domain/html';
import { errorFormat, reportFormat, type ReportFormat } from './domain/negotiate';
import { assembleRegistryReport, type FleetOverview, type RegistryReport } from './domain/report';
import { renderRegistryPage } from './domain/registry-page';
import { hardeningRuns, runsOfRegistry, type RunHistoryClient } from './runs';

export type ReportDeps = Pick<ActivityDeps, 'config' | 'ports' | 'now'>;


const NO_SUBSCRIPTIONS = 'no target subscriptions: set TARGET_SUBSCRIPTION_IDS (or TARGET_MANAGEMENT_GROUP) to the subscriptions whose registries the overview covers.';

function htmlResponse(status: number, html: string): HttpResponseInit {
  return {
    status,
    body: html,
    headers: {
      'content-type': 'text/html; charset=utf-8',
      'content-security-policy': pageCsp(),
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'no-referrer',
      'cache-control': 'no-store',
      vary: 'Accept',
    },
  };
}

/** A JSON error answer as a page, for a browser. */
function asPage(response: HttpResponseInit, format: ReportFormat, now: Date): HttpResponseInit {
  if (format !== 'html') return { ...response, headers: { ...(response.headers as Record<string, string>), vary: 'Accept' } };
  const body = response.jsonBody as { error?: { code?: string; message?: string } } | undefined;
  const status = response.status ?? 500;
  return htmlResponse(status, errorPage({ code: body?.error?.code ?? ErrorCodes.INTERNAL_ERROR, message: body?.error?.message ?? '', status, generatedAt: now.toISOString() }));
}

/** The report's format, and the format of an error answer (./domain/negotiate.ts). */
function formatsOf(request: HttpRequest): { format: ReportFormat; errors: ReportFormat } {
  const asked = request.query.get('format');
  const accept = request.headers.get('accept');
  const format = reportFormat(accept, asked === 'html' || asked === 'json' ? asked : undefined);
  return { format, errors: errorFormat(accept, format) };
}

/** A coded failure reading ARM: its code and status (502 for Azure's); anything else is the app's own. */
function upstream(context: InvocationContext, action: string, e: unknown): HttpResponseInit {
  const code = errorCodeOf(e);
  if (code === undefined) return internalError(context, e);
  context.warn(logJson({ action, code }));
  return errorResponse(code, withoutCode(e));
}

/** GET …/report[?format=html|json]: the registry's isolation report. */
export async function getRegistryReport(request: HttpRequest, client: RunHistoryClient, context: InvocationContext, deps: ReportDeps): Promise<HttpResponseInit> {
  const { format, errors } = formatsOf(request);
  const now = deps.now();
  try {
    const parsed = await parseRequest(Routes.getRegistryReport, request, requestContextOf(deps.config, deps.ports.targetScope));
    if (!parsed.ok) return asPage(parsed.response, errors, now);
    const { subscriptionId, resourceGroup, registryName } = parsed.value.params;
    const id = registryId(subscriptionId, resourceGroup, registryName);
    let reading;
    try {
      reading = await readIsolation(id, deps);
    } catch (e) {
      return asPage(upstream(context, 'report', e), errors, now);
    }
    if (reading === undefined) return asPage(errorResponse(ErrorCodes.REGISTRY_NOT_FOUND, `registry '${registryName}' does not exist in resource group '${resourceGroup}' (or the app cannot see it).`), errors, now);
    const origin = new URL(request.url).origin;
    const self = `${origin}${reportPath({ subscriptionId, resourceGroup, name: registryName })}`;
    const report: RegistryReport = assembleRegistryReport({
      reading,
      runs: await runsOfRegistry(client, id),
      generatedAt: now.toISOString(),
      links: { self, json: `${self}?format=json`, fleet: `${origin}${FLEET_REPORT_PATH}` },
    });
    context.log(logJson({ action: 'report', registryId: id, state: report.state.state, endpoints: report.endpoints.length, runs: report.runs.length, format }));
    return format === 'html' ? htmlResponse(200, renderRegistryPage(report)) : jsonResponse(200, report, { vary: 'Accept' });
  } catch (e) {
    return asPage(internalError(context, e), errors, now);
  }
}

/** GET /api/fleet/report[?format=html|json]: every registry of the target scope with its state. */
export async function getFleetReport(request: HttpRequest, client: RunHistoryClient, context: InvocationContext, deps: ReportDeps): Promise<HttpResponseInit> {
  const { format, errors } = formatsOf(request);
  const now = deps.now();
  try {
    const parsed = await parseRequest(Routes.getFleetReport, request, requestContextOf(deps.config, deps.ports.targetScope));
    if (!parsed.ok) return asPage(parsed.response, errors, now);
    const targets = targetsFromConfig(deps.config);
    if (!hasTargets(targets)) return asPage(errorResponse(ErrorCodes.FLEET_NO_SUBSCRIPTIONS, NO_SUBSCRIPTIONS), errors, now);
    const origin = new URL(request.url).origin;
    const self = `${origin}${FLEET_REPORT_PATH}`;
    const fleet: FleetOverview = await readFleetOverview({ targets, runs: await hardeningRuns(client), reportUrl: (registry) => `${origin}${reportPath(registry)}`, links: { self, json: `${self}?format=json` } }, deps);
    context.log(logJson({ action: 'fleet-report', registries: fleet.registries.length, counts: fleet.counts, failures: fleet.failures, format }));
    return format === 'html' ? htmlResponse(200, renderFleetPage(fleet)) : jsonResponse(200, fleet, { vary: 'Accept' });
  } catch (e) {
    return asPage(internalError(context, e), errors, now);
  }
}
