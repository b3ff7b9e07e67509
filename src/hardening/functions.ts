import { app, type InvocationContext } from '@azure/functions';
import * as df from 'durable-functions';
import { activityDeps } from '../main';
import { collectDnsExpectations, checkDiscovery, proveDns } from './activities/dns-proof.activity';
import { ensurePrivateEndpoint, ensureZoneGroup, readEndpoint } from './activities/endpoints.activity';
import { inspectTargets } from './activities/inspect-targets.activity';
import { disablePublicAccess } from './activities/public-access.activity';
import { publishOutcome } from './activities/publish-outcome.activity';
import { readRegistry } from './activities/read-registry.activity';
import * as C from './activities/contracts';
import { Activities, Orchestrators, Triggers } from '../shared/names';
import { httpTriggerOptions, Routes } from '../http/routes';
import { hardenRegistryOrchestrator } from './harden-registry.orchestrator';
import { approveHardening, getHardeningStatus, startHardening, terminateHardening } from './http-harden';
import { listRuns } from './http-runs';
import { getDiscovery } from './http-discovery';
import { onRegistryWrite } from './on-registry-write';

/**
 * Every registration of the hardening feature: the Event Grid trigger, the orchestrator, its
 * activities and the HTTP routes. Handlers live in their own files; this file only wires them.
 *
 * Activities: each activity is a typed function over (input, deps) in src/<feature>/activities. A
 * failure no retry can fix (a missing permission) is answered as an ActivityRefusal, which the
 * orchestrator throws at once, instead of being retried by the durable retry policy; ARM
 * throttling is answered as ActivityThrottled, which the orchestrator waits out and calls again.
 */
function activity<I, O>(name: string, run: (input: I, deps: ReturnType<typeof activityDeps>) => Promise<O>): void {
  df.app.activity(name, {
    handler: async (input: unknown, context: InvocationContext): Promise<O | C.ActivityRefusal | C.ActivityThrottled> => {
      try {
        return await run(input as I, activityDeps());
      } catch (e) {
        const answer = C.failureAnswerOf(e);
        if (!answer) throw e;
        if ('throttled' in answer) context.warn(`${name}: ${answer.throttled} (the run waits at least ${Math.ceil(answer.retryAfterMs / 1000)} s, then calls again)`);
        else context.error(`${name}: ${answer.refused} (not retried: the run fails now)`);
        return answer;
      }
    },
  });
}

activity<C.ReadRegistryInput, C.ReadRegistryOutput>(Activities.readRegistry, readRegistry);
activity<C.InspectTargetsInput, C.InspectTargetsOutput>(Activities.inspectTargets, inspectTargets);
activity<C.EnsurePrivateEndpointInput, C.EnsurePrivateEndpointOutput>(Activities.ensurePrivateEndpoint, ensurePrivateEndpoint);
activity<C.EnsureZoneGroupInput, C.EnsureZoneGroupOutput>(Activities.ensureZoneGroup, ensureZoneGroup);
activity<C.ReadEndpointInput, C.ReadEndpointOutput>(Activities.readEndpoint, readEndpoint);
activity<C.DisablePublicAccessInput, C.DisablePublicAccessOutput>(Activities.disablePublicAccess, disablePublicAccess);
activity<C.CollectDnsExpectationsInput, C.CollectDnsExpectationsOutput>(Activities.collectDnsExpectations, collectDnsExpectations);
activity<C.ProveDnsInput, C.ProveDnsOutput>(Activities.proveDns, proveDns);
activity<C.CheckDiscoveryInput, C.CheckDiscoveryOutput>(Activities.checkDiscovery, checkDiscovery);
activity<C.PublishOutcomeInput, { published: boolean }>(Activities.publishOutcome, publishOutcome);

df.app.orchestration(Orchestrators.hardenRegistry, hardenRegistryOrchestrator);

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
