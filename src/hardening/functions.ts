import { app, type InvocationContext } from '@azure/functions';
import * as df from 'durable-functions';
import { activityDeps } from '../main';
import { hardenActivityHandlers } from './activities/handlers';
import { Orchestrators, RunActivities, Triggers } from '../shared/names';
import { httpTriggerOptions, Routes } from '../http/routes';
import { hardenRegistryOrchestrator } from './harden.durable';
import { hardenFollowUpOrchestrator, hardenRegistryLockOrchestrator } from './runs.durable';
import { FOLLOW_UP_TRIGGER, parseFollowUpInput } from './domain/runs';
import { startFollowUpRun } from './starter';
import { approveHardening, getHardeningStatus, startHardening, terminateHardening } from './http-harden';
import { listRuns } from './http-runs';
import { getDiscovery } from './http-discovery';
import { onRegistryWrite } from './on-registry-write';

/**
 * Every registration of the hardening feature: the Event Grid trigger, the run's orchestrator and
 * its activities, the apply lock and the follow-up (./runs.durable.ts), and the HTTP routes. Handlers live in their own files; this file only wires them.
 *
 * Activities: the one handler table both drivers use (./activities/handlers.ts); a refusal or
 * throttling is answered as a value and logged here.
 */
for (const [name, handler] of Object.entries(hardenActivityHandlers(activityDeps))) {
  df.app.activity(name, {
    handler: (input: unknown, context: InvocationContext) => handler(input, (level, message) => (level === 'warn' ? context.warn(message) : context.error(message))),
  });
}

df.app.orchestration(Orchestrators.hardenRegistry, hardenRegistryOrchestrator);
df.app.orchestration(Orchestrators.hardenRegistryLock, hardenRegistryLockOrchestrator);
df.app.orchestration(Orchestrators.hardenFollowUp, hardenFollowUpOrchestrator);
df.app.activity(RunActivities.startFollowUpRun, {
  extraInputs: [df.input.durableClient()],
  handler: (input: unknown, context: InvocationContext) => startFollowUpRun(df.getClient(context), parseFollowUpInput(input), FOLLOW_UP_TRIGGER),
});

df.app.client.eventGrid(Triggers.onRegistryWrite, {
  handler: async (event, client, context) => {
    await onRegistryWrite(event, client, context);
  },
});

df.app.client.http(Routes.startHardening.name, { ...httpTriggerOptions(Routes.startHardening), handler: startHardening });
df.app.client.http(Routes.getHardeningStatus.name, { ...httpTriggerOptions(Routes.getHardeningStatus), handler: getHardeningStatus });
df.app.client.http(Routes.approveHardening.name, { ...httpTriggerOptions(Routes.approveHardening), handler: approveHardening });
df.app.client.http(Routes.terminateHardening.name, { ...httpTriggerOptions(Routes.terminateHardening), handler: terminateHardening });
df.app.client.http(Routes.listRuns.name, { ...httpTriggerOptions(Routes.listRuns), handler: listRuns });
app.http(Routes.getDiscovery.name, { ...httpTriggerOptions(Routes.getDiscovery), handler: (request, context) => getDiscovery(request, context) });
