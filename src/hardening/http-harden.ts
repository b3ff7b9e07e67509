import type { HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import * as df from 'durable-functions';
import { getConfig } from '../config';
import type { HardenOptions } from './domain/hardening';
import { instanceIdFor } from '../shared/instance-id';
import { registryId } from './domain/registry';
import { errorResponse, internalError, jsonResponse } from '../http/errors';
import { parseRequest, requestContextOf, type RequestContext } from '../http/request';
import { Routes } from '../http/routes';
import type { HardenOverrides } from '../http/schemas';
import { callerLabel, callerLog } from '../shared/caller';
import { runStatusView, statusPath } from '../http/views';
import { Events } from '../shared/names';
import { findStatus, isActiveStatus, optionsFromConfig, startHardening as start } from './starter';
import { ErrorCodes } from '../shared/error-codes';

export type HardenClient = Pick<df.DurableClient, 'getStatus' | 'startNew' | 'raiseEvent' | 'terminate'>;

const DEFAULT_TERMINATE_REASON = 'terminated through the HTTP API';

function requestContext(): RequestContext {
  return requestContextOf(getConfig());
}

function originOf(request: HttpRequest): string {
  return new URL(request.url).origin;
}

/** Settings, then the caller's overrides. */
export function mergeOverrides(base: HardenOptions, overrides: HardenOverrides | undefined): HardenOptions {
  const out: HardenOptions = { ...base };
  if (overrides?.order !== undefined) out.order = overrides.order;
  if (overrides?.lockdownAcr !== undefined) out.lockdownAcr = overrides.lockdownAcr;
  if (overrides?.approvalDeadlineMinutes !== undefined) out.approvalDeadlineMinutes = overrides.approvalDeadlineMinutes;
  if (overrides?.dnsDeadlineMinutes !== undefined) out.dnsDeadlineMinutes = overrides.dnsDeadlineMinutes;
  return out;
}

/** POST …/harden[?mode=plan]: start a run, or restart a finished one; 409 while one goes on. */
export async function startHardening(request: HttpRequest, client: HardenClient, context: InvocationContext): Promise<HttpResponseInit> {
  try {
    const parsed = await parseRequest(Routes.startHardening, request, requestContext());
    if (!parsed.ok) return parsed.response;
    const { subscriptionId, resourceGroup, registryName } = parsed.value.params;
    const id = registryId(subscriptionId, resourceGroup, registryName);
    const mode = parsed.value.query.mode ?? 'apply';
    const options = mergeOverrides(optionsFromConfig(getConfig()), parsed.value.body);
    const { caller } = parsed.value;
    const result = await start(client, { registryId: id, mode, options, trigger: 'http', triggeredAt: new Date().toISOString(), caller });
    context.log(JSON.stringify({ registryId: id, instanceId: result.instanceId, action: result.started ? 'started' : 'already-running', mode, ...(parsed.value.body ? { overrides: parsed.value.body } : {}), caller: callerLog(caller) }));
    if (!result.started) {
      const current = await findStatus(client, result.instanceId);
      return errorResponse(ErrorCodes.RUN_ALREADY_RUNNING, `a run of this registry is ${result.runtimeStatus}; wait for it to finish or terminate it.`, {
        run: current ? runStatusView(current) : { instanceId: result.instanceId, runtimeStatus: result.runtimeStatus, steps: [], output: null, createdTime: '', lastUpdatedTime: '' },
      });
    }
    const statusUrl = `${originOf(request)}${statusPath(id)}`;
    return jsonResponse(202, {
      instanceId: result.instanceId, registryId: id, mode, statusUrl,
      ...(result.previousRuntimeStatus ? { previousRuntimeStatus: result.previousRuntimeStatus } : {}),
    }, { location: statusUrl, 'retry-after': '5' });
  } catch (e) {
    return internalError(context, e);
  }
}

/** GET …/harden: the current or last run; 404 when the registry never had one. */
export async function getHardeningStatus(request: HttpRequest, client: HardenClient, context: InvocationContext): Promise<HttpResponseInit> {
  try {
    const parsed = await parseRequest(Routes.getHardeningStatus, request, requestContext());
    if (!parsed.ok) return parsed.response;
    const { subscriptionId, resourceGroup, registryName } = parsed.value.params;
    const status = await findStatus(client, instanceIdFor(registryId(subscriptionId, resourceGroup, registryName)));
    if (!status) return errorResponse(ErrorCodes.RUN_NOT_FOUND, `registry '${registryName}' has no hardening run.`);
    return jsonResponse(200, runStatusView(status));
  } catch (e) {
    return internalError(context, e);
  }
}

type Lookup = { ok: true; instanceId: string } | { ok: false; response: HttpResponseInit };

async function activeRun(client: HardenClient, params: { subscriptionId: string; resourceGroup: string; registryName: string }): Promise<Lookup> {
  const instanceId = instanceIdFor(registryId(params.subscriptionId, params.resourceGroup, params.registryName));
  const status = await findStatus(client, instanceId);
  if (!status) return { ok: false, response: errorResponse(ErrorCodes.RUN_NOT_FOUND, `registry '${params.registryName}' has no hardening run.`) };
  if (!isActiveStatus(String(status.runtimeStatus))) {
    return { ok: false, response: errorResponse(ErrorCodes.RUN_NOT_RUNNING, `the run of registry '${params.registryName}' is ${String(status.runtimeStatus)}, not running.`) };
  }
  return { ok: true, instanceId };
}

/** The run ended between the check and the call: answer 409 rather than pretend it worked. */
async function endedMeanwhile(client: HardenClient, instanceId: string, registryName: string): Promise<HttpResponseInit | undefined> {
  const now = await findStatus(client, instanceId);
  if (now && isActiveStatus(String(now.runtimeStatus))) return undefined;
  return errorResponse(ErrorCodes.RUN_NOT_RUNNING, `the run of registry '${registryName}' is ${now ? String(now.runtimeStatus) : 'gone'}, not running.`);
}

/** POST …/harden/approve: raise the approval event on the running run. */
export async function approveHardening(request: HttpRequest, client: HardenClient, context: InvocationContext): Promise<HttpResponseInit> {
  try {
    const parsed = await parseRequest(Routes.approveHardening, request, requestContext());
    if (!parsed.ok) return parsed.response;
    const run = await activeRun(client, parsed.value.params);
    if (!run.ok) return run.response;
    const { caller } = parsed.value;
    try {
      await client.raiseEvent(run.instanceId, Events.approve, { source: 'http', caller });
    } catch (e) {
      const ended = await endedMeanwhile(client, run.instanceId, parsed.value.params.registryName);
      if (ended) return ended;
      throw e;
    }
    context.log(JSON.stringify({ instanceId: run.instanceId, action: 'approve-raised', caller: callerLog(caller) }));
    return jsonResponse(202, { instanceId: run.instanceId, event: Events.approve });
  } catch (e) {
    return internalError(context, e);
  }
}

/** DELETE …/harden[?reason=]: terminate the running run. */
export async function terminateHardening(request: HttpRequest, client: HardenClient, context: InvocationContext): Promise<HttpResponseInit> {
  try {
    const parsed = await parseRequest(Routes.terminateHardening, request, requestContext());
    if (!parsed.ok) return parsed.response;
    const run = await activeRun(client, parsed.value.params);
    if (!run.ok) return run.response;
    const reason = parsed.value.query.reason ?? DEFAULT_TERMINATE_REASON;
    const { caller } = parsed.value;
    try {
      // the reason is kept with the instance: it names who stopped the run
      await client.terminate(run.instanceId, `${reason} (by ${callerLabel(caller)})`);
    } catch (e) {
      const ended = await endedMeanwhile(client, run.instanceId, parsed.value.params.registryName);
      if (ended) return ended;
      throw e;
    }
    context.log(JSON.stringify({ instanceId: run.instanceId, action: 'terminated', reason, caller: callerLog(caller) }));
    return jsonResponse(202, { instanceId: run.instanceId, reason });
  } catch (e) {
    return internalError(context, e);
  }
}
