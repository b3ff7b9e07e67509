import type { HttpRequest, HttpResponseInit, InvocationContext, Timer } from '@azure/functions';
import * as df from 'durable-functions';
import { activityDeps, requestContext } from '../main';
import { listManagementGroupSubscriptions, listRegistries, planRegistry } from './activities/sweep.activity';
import { getConfig } from '../config';
import { sweepSchedule } from '../config/sweep-schedule';
import { codedFailure, ErrorCodes, LockdownError } from '../shared/errors';
import type { ListManagementGroupInput, ListRegistriesInput, PlanRegistryInput, StartHardeningRunInput, StartHardeningRunOutput, SweepReport } from './domain/sweep';
import { sweepRegistriesOrchestrator } from './sweep.durable';
import { errorResponse, internalError, jsonResponse } from '../http/errors';
import { isoTime } from '../shared/durable-status';
import { parseRequest } from '../http/request';
import { callerLog } from '../shared/caller';
import { httpTriggerOptions, ROUTE_PREFIX, Routes } from '../http/routes';
import type { SweepStatusView } from './http-schemas';
import { Orchestrators, SWEEP_INSTANCE_ID, SweepActivities, Triggers } from '../shared/names';
import { findStatus, startHardening } from '../hardening';
import { startSweep, sweepInputFromConfig } from './starter';
import { logJson } from '../shared/log-text';

export type SweepClient = Pick<df.DurableClient, 'getStatus' | 'startNew'>;

/** startHardeningRun: the durable client starts the registry's apply run (while one goes on: a follow-up after it). */
export async function startHardeningRun(input: StartHardeningRunInput, client: Pick<df.DurableClient, 'getStatus' | 'startNew'>): Promise<StartHardeningRunOutput> {
  try {
    // a run going on may have read the registry before it drifted: a follow-up looks again after it
    const result = await startHardening(client, { registryId: input.registryId, mode: 'apply', options: input.options, trigger: input.trigger, whenBusy: 'follow-up', ...(input.triggeredAt !== undefined ? { triggeredAt: input.triggeredAt } : {}), ...(input.caller !== undefined ? { caller: input.caller } : {}) });
    return result.started ? { ok: true, started: true, instanceId: result.instanceId } : { ok: true, started: false, instanceId: result.instanceId, runtimeStatus: result.runtimeStatus };
  } catch (e) {
    return { ok: false, error: codedFailure(e) };
  }
}

/** The durable status of the sweep → the API's view (progress while running, the report once done). */
export function sweepStatusView(s: df.DurableOrchestrationStatus): SweepStatusView {
  const runtimeStatus = String(s.runtimeStatus);
  const view: SweepStatusView = {
    instanceId: s.instanceId,
    runtimeStatus,
    progress: (s.customStatus as unknown) ?? null,
    report: runtimeStatus === 'Completed' ? ((s.output as SweepReport | undefined) ?? null) : null,
    createdTime: isoTime(s.createdTime),
    lastUpdatedTime: isoTime(s.lastUpdatedTime),
  };
  if (runtimeStatus === 'Failed') view.error = typeof s.output === 'string' ? s.output : JSON.stringify(s.output ?? null);
  return view;
}

const sweepPath = `/${ROUTE_PREFIX}/${Routes.getSweepStatus.route}`;

/** POST /api/sweep[?mode=plan]: start the sweep over TARGET_SUBSCRIPTION_IDS; 409 with none configured or while one goes on. */
export async function startSweepHandler(request: HttpRequest, client: SweepClient, context: InvocationContext): Promise<HttpResponseInit> {
  try {
    const config = getConfig();
    const parsed = await parseRequest(Routes.startSweep, request, requestContext());
    if (!parsed.ok) return parsed.response;
    if (config.TARGET_SUBSCRIPTION_IDS.length === 0 && config.TARGET_MANAGEMENT_GROUP === undefined) {
      return errorResponse(ErrorCodes.SWEEP_NO_SUBSCRIPTIONS, 'no subscriptions configured: set TARGET_SUBSCRIPTION_IDS (or TARGET_MANAGEMENT_GROUP) to the subscriptions whose registries the sweep covers.');
    }
    const mode = parsed.value.query.mode ?? 'apply';
    const { caller } = parsed.value;
    const input = sweepInputFromConfig(config, { mode, trigger: 'http', triggeredAt: new Date().toISOString(), caller });
    const result = await startSweep(client, input);
    context.log(logJson({ instanceId: result.instanceId, action: result.started ? 'sweep-started' : 'sweep-already-running', mode, caller: callerLog(caller) }));
    if (!result.started) return errorResponse(ErrorCodes.RUN_ALREADY_RUNNING, `a sweep is ${result.runtimeStatus}; wait for it to finish (GET ${sweepPath}).`);
    const statusUrl = `${new URL(request.url).origin}${sweepPath}`;
    return jsonResponse(202, {
      instanceId: result.instanceId, mode, subscriptionIds: input.subscriptionIds, ...(input.managementGroupId !== undefined ? { managementGroupId: input.managementGroupId } : {}), statusUrl,
      ...(result.previousRuntimeStatus ? { previousRuntimeStatus: result.previousRuntimeStatus } : {}),
    }, { location: statusUrl, 'retry-after': '5' });
  } catch (e) {
    return internalError(context, e);
  }
}

/** GET /api/sweep: the current or last sweep. */
export async function getSweepStatus(request: HttpRequest, client: SweepClient, context: InvocationContext): Promise<HttpResponseInit> {
  try {
    const parsed = await parseRequest(Routes.getSweepStatus, request, requestContext());
    if (!parsed.ok) return parsed.response;
    const status = await findStatus(client, SWEEP_INSTANCE_ID);
    if (!status) return errorResponse(ErrorCodes.RUN_NOT_FOUND, 'no sweep has run yet.');
    return jsonResponse(200, sweepStatusView(status));
  } catch (e) {
    return internalError(context, e);
  }
}

/** The sweep timer: starts the sweep unless one goes on. With no subscriptions configured it fails (visibly) with SWEEP.NO_SUBSCRIPTIONS. */
export async function sweepOnSchedule(timer: Timer, client: SweepClient, context: InvocationContext): Promise<void> {
  const config = getConfig();
  if (config.TARGET_SUBSCRIPTION_IDS.length === 0 && config.TARGET_MANAGEMENT_GROUP === undefined) {
    throw new LockdownError(ErrorCodes.SWEEP_NO_SUBSCRIPTIONS, 'SWEEP_SCHEDULE is set but TARGET_SUBSCRIPTION_IDS and TARGET_MANAGEMENT_GROUP are empty: the sweep has nothing to cover.');
  }
  const result = await startSweep(client, sweepInputFromConfig(config, { mode: 'apply', trigger: 'timer', triggeredAt: new Date().toISOString() }));
  context.log(logJson({ instanceId: result.instanceId, action: result.started ? 'sweep-started' : 'sweep-already-running', isPastDue: timer.isPastDue }));
}

df.app.orchestration(Orchestrators.sweepRegistries, sweepRegistriesOrchestrator);
df.app.activity(SweepActivities.listManagementGroupSubscriptions, { handler: (input: unknown) => listManagementGroupSubscriptions(input as ListManagementGroupInput, activityDeps()) });
df.app.activity(SweepActivities.listRegistries, { handler: (input: unknown) => listRegistries(input as ListRegistriesInput, activityDeps()) });
df.app.activity(SweepActivities.planRegistry, { handler: (input: unknown) => planRegistry(input as PlanRegistryInput, activityDeps()) });
df.app.activity(SweepActivities.startHardeningRun, {
  extraInputs: [df.input.durableClient()],
  handler: (input: unknown, context: InvocationContext) => startHardeningRun(input as StartHardeningRunInput, df.getClient(context)),
});
df.app.client.http(Routes.startSweep.name, { ...httpTriggerOptions(Routes.startSweep), handler: startSweepHandler });
df.app.client.http(Routes.getSweepStatus.name, { ...httpTriggerOptions(Routes.getSweepStatus), handler: getSweepStatus });
const schedule = sweepSchedule();
if (schedule !== undefined) df.app.client.timer(Triggers.sweepTimer, { schedule, handler: sweepOnSchedule });
