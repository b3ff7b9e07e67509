import type { HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import * as df from 'durable-functions';
import { getConfig } from '../config';
import type { HardenOptions } from './domain/hardening';
import { isRunIdOf } from '../shared/instance-id';
import { registryId } from './domain/registry';
import { errorResponse, internalError, jsonResponse } from '../http/errors';
import { parseRequest } from '../http/request';
import { Routes } from '../http/routes';
import type { HardenOverrides } from '../http/schemas';
import { requestContext } from '../main';
import { runStatusView, runStatusPath } from '../http/views';
import { callerLabel, callerLog } from '../shared/caller';
import { Events, Orchestrators } from '../shared/names';
import { applySlot, findStatus, isActiveStatus, optionsFromConfig, startHardening as start, type ApplySlot } from './starter';
import { ErrorCodes } from '../shared/error-codes';
import { logJson } from '../shared/log-text';

export type HardenClient = Pick<df.DurableClient, 'getStatus' | 'startNew' | 'raiseEvent' | 'terminate'>;

const DEFAULT_TERMINATE_REASON = 'terminated through the HTTP API';

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

/**
 * POST …/harden[?mode=plan]: start a run. A plan run always starts (it takes no lock); an apply
 * run takes the registry's lock, 409 while another apply run goes on. 202 + the run's status URL.
 */
export async function startHardening(request: HttpRequest, client: HardenClient, context: InvocationContext): Promise<HttpResponseInit> {
  try {
    const parsed = await parseRequest(Routes.startHardening, request, requestContext());
    if (!parsed.ok) return parsed.response;
    const { subscriptionId, resourceGroup, registryName } = parsed.value.params;
    const id = registryId(subscriptionId, resourceGroup, registryName);
    const mode = parsed.value.query.mode ?? 'apply';
    const options = mergeOverrides(optionsFromConfig(getConfig()), parsed.value.body);
    const { caller } = parsed.value;
    const result = await start(client, { registryId: id, mode, options, trigger: 'http', triggeredAt: new Date().toISOString(), whenBusy: 'refuse', caller });
    context.log(logJson({ registryId: id, instanceId: result.instanceId, action: result.started ? 'started' : 'already-running', mode, ...(parsed.value.body ? { overrides: parsed.value.body } : {}), caller: callerLog(caller) }));
    if (!result.started) {
      const current = await findStatus(client, result.instanceId);
      return errorResponse(ErrorCodes.RUN_ALREADY_RUNNING, `an apply run of this registry is ${result.runtimeStatus}; wait for it to finish or terminate it (a plan run can start at any time).`, {
        run: current ? runStatusView(current) : { instanceId: result.instanceId, runtimeStatus: result.runtimeStatus, steps: [], output: null, createdTime: '', lastUpdatedTime: '' },
      });
    }
    const statusUrl = `${originOf(request)}${runStatusPath(id, result.instanceId)}`;
    return jsonResponse(202, {
      instanceId: result.instanceId, registryId: id, mode, statusUrl,
      ...(result.previousRuntimeStatus ? { previousRuntimeStatus: result.previousRuntimeStatus } : {}),
    }, { location: statusUrl, 'retry-after': '5' });
  } catch (e) {
    return internalError(context, e);
  }
}

/**
 * GET …/harden[?instanceId=]: the registry's current or last apply run, or — with `instanceId` —
 * that run of the registry (apply or plan; every run keeps its own status); 404 otherwise.
 */
export async function getHardeningStatus(request: HttpRequest, client: HardenClient, context: InvocationContext): Promise<HttpResponseInit> {
  try {
    const parsed = await parseRequest(Routes.getHardeningStatus, request, requestContext());
    if (!parsed.ok) return parsed.response;
    const { subscriptionId, resourceGroup, registryName } = parsed.value.params;
    const id = registryId(subscriptionId, resourceGroup, registryName);
    const wanted = parsed.value.query.instanceId;
    if (wanted !== undefined) {
      const status = isRunIdOf(id, wanted) ? await findStatus(client, wanted) : undefined;
      if (!status || status.name !== Orchestrators.hardenRegistry) return errorResponse(ErrorCodes.RUN_NOT_FOUND, `registry '${registryName}' has no run '${wanted}'.`);
      return jsonResponse(200, runStatusView(status));
    }
    const slot = await applySlot(client, id);
    if (slot.run) return jsonResponse(200, runStatusView(slot.run));
    if (slot.active && slot.runId !== undefined) return jsonResponse(200, { instanceId: slot.runId, registryId: id, mode: 'apply', runtimeStatus: 'Pending', steps: [], output: null, createdTime: '', lastUpdatedTime: '' });
    return errorResponse(ErrorCodes.RUN_NOT_FOUND, `registry '${registryName}' has no apply run.`);
  } catch (e) {
    return internalError(context, e);
  }
}

type Lookup = { ok: true; slot: ApplySlot & { runId: string } } | { ok: false; response: HttpResponseInit };

async function activeRun(client: HardenClient, params: { subscriptionId: string; resourceGroup: string; registryName: string }): Promise<Lookup> {
  const slot = await applySlot(client, registryId(params.subscriptionId, params.resourceGroup, params.registryName));
  if (!slot.lock || slot.runId === undefined) return { ok: false, response: errorResponse(ErrorCodes.RUN_NOT_FOUND, `registry '${params.registryName}' has no apply run.`) };
  if (!slot.active) {
    const state = String(slot.run?.runtimeStatus ?? slot.lock.runtimeStatus);
    return { ok: false, response: errorResponse(ErrorCodes.RUN_NOT_RUNNING, `the apply run of registry '${params.registryName}' is ${state}, not running.`) };
  }
  return { ok: true, slot: { ...slot, runId: slot.runId } };
}

/** The run ended between the check and the call: answer 409 rather than pretend it worked. */
async function endedMeanwhile(client: HardenClient, instanceId: string, registryName: string): Promise<HttpResponseInit | undefined> {
  const now = await findStatus(client, instanceId);
  if (now && isActiveStatus(String(now.runtimeStatus))) return undefined;
  return errorResponse(ErrorCodes.RUN_NOT_RUNNING, `the run of registry '${registryName}' is ${now ? String(now.runtimeStatus) : 'gone'}, not running.`);
}

/** POST …/harden/approve: raise the approval event on the running apply run. */
export async function approveHardening(request: HttpRequest, client: HardenClient, context: InvocationContext): Promise<HttpResponseInit> {
  try {
    const parsed = await parseRequest(Routes.approveHardening, request, requestContext());
    if (!parsed.ok) return parsed.response;
    const run = await activeRun(client, parsed.value.params);
    if (!run.ok) return run.response;
    const instanceId = run.slot.runId;
    const { caller } = parsed.value;
    try {
      await client.raiseEvent(instanceId, Events.approve, { source: 'http', caller });
    } catch (e) {
      const ended = await endedMeanwhile(client, instanceId, parsed.value.params.registryName);
      if (ended) return ended;
      throw e;
    }
    context.log(logJson({ instanceId, action: 'approve-raised', caller: callerLog(caller) }));
    return jsonResponse(202, { instanceId, event: Events.approve });
  } catch (e) {
    return internalError(context, e);
  }
}

/**
 * DELETE …/harden[?reason=]: terminate the running apply run, then its lock (the lock ends with
 * the run anyway; terminating it too frees the registry even where the platform does not tell a
 * parent that its sub-orchestration was terminated). A follow-up queued behind the run still
 * starts the next run: the event it stands for is still to be checked (the exemption tag keeps a
 * registry as it is).
 */
export async function terminateHardening(request: HttpRequest, client: HardenClient, context: InvocationContext): Promise<HttpResponseInit> {
  try {
    const parsed = await parseRequest(Routes.terminateHardening, request, requestContext());
    if (!parsed.ok) return parsed.response;
    const run = await activeRun(client, parsed.value.params);
    if (!run.ok) return run.response;
    const { runId: instanceId, lockId, legacy } = run.slot;
    const reason = parsed.value.query.reason ?? DEFAULT_TERMINATE_REASON;
    const { caller } = parsed.value;
    try {
      // the reason is kept with the instance: it names who stopped the run
      await client.terminate(instanceId, `${reason} (by ${callerLabel(caller)})`);
    } catch (e) {
      const ended = await endedMeanwhile(client, instanceId, parsed.value.params.registryName);
      if (ended) return ended;
      throw e;
    }
    if (!legacy) {
      try {
        await client.terminate(lockId, `${reason} (by ${callerLabel(caller)})`);
      } catch (e) {
        // the lock ended with its run meanwhile: that is what was asked
        if (await endedMeanwhile(client, lockId, parsed.value.params.registryName) === undefined) throw e;
      }
    }
    context.log(logJson({ instanceId, action: 'terminated', reason, caller: callerLog(caller) }));
    return jsonResponse(202, { instanceId, reason });
  } catch (e) {
    return internalError(context, e);
  }
}
