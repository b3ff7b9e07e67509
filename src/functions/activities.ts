import * as df from 'durable-functions';
import { activityDeps } from '../activities/deps';
import { collectDnsExpectations, checkDiscovery, proveDns } from '../activities/dns-proof.activity';
import { ensurePrivateEndpoint, ensureZoneGroup, readEndpoint } from '../activities/endpoints.activity';
import { inspectTargets } from '../activities/inspect-targets.activity';
import { disablePublicAccess } from '../activities/public-access.activity';
import { publishOutcome } from '../activities/publish-outcome.activity';
import { readRegistry } from '../activities/read-registry.activity';
import type * as C from '../domain/activity-contracts';
import { Activities } from './names';

/** Registration only: each activity is a typed function over (input, deps) in src/activities. */
function activity<I, O>(name: string, run: (input: I, deps: ReturnType<typeof activityDeps>) => Promise<O>): void {
  df.app.activity(name, { handler: (input: unknown) => run(input as I, activityDeps()) });
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
