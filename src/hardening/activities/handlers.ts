import type { ActivityDeps } from '../../main';
import { Activities } from '../../shared/names';
import { failureAnswerOf, type ActivityRefusal, type ActivityThrottled, type ActivityWaiting } from '../../shared/activity-answers';
import type { HardenActivityName } from './contracts';
import { checkPermissions } from './check-permissions.activity';
import { checkDiscovery, collectDnsExpectations, proveDns } from './dns-proof.activity';
import { ensurePrivateEndpoint, ensureZoneGroup, readEndpoint, startPrivateEndpoint, startZoneGroup } from './endpoints.activity';
import { inspectTargets } from './inspect-targets.activity';
import { pollOperations } from './operations.activity';
import { disablePublicAccess, grantManagedGroupAccess, startManagedGroupAccess, startPublicAccessOff } from './public-access.activity';
import { publishOutcome } from './publish-outcome.activity';
import { readRegistry } from './read-registry.activity';

/**
 * The hardening activities as both drivers call them: the durable registrations
 * (../functions.ts) and the in-process driver (the CLI) use this one table.
 *
 * A failure no retry can fix (a missing permission) is answered as an ActivityRefusal, which the
 * workflow throws at once, instead of being retried by the retry policy; ARM throttling is
 * answered as ActivityThrottled, which the workflow waits out and calls again. Any other error
 * is thrown, and retried by the policy.
 */
export type FailureLog = (level: 'warn' | 'error', message: string) => void;
export type ActivityHandler = (input: unknown, log?: FailureLog) => Promise<unknown>;

function answering<I, O>(name: string, run: (input: I, deps: ActivityDeps) => Promise<O>, deps: () => ActivityDeps): ActivityHandler {
  return async (input: unknown, log?: FailureLog): Promise<O | ActivityRefusal | ActivityThrottled | ActivityWaiting> => {
    try {
      return await run(input as I, deps());
    } catch (e) {
      const answer = failureAnswerOf(e);
      if (!answer) throw e;
      if ('throttled' in answer) log?.('warn', `${name}: ${answer.throttled} (the run waits at least ${Math.ceil(answer.retryAfterMs / 1000)} s, then calls again)`);
      else if ('waiting' in answer) log?.('warn', `${name}: ${answer.waiting} (access may still be propagating: the run waits, then calls again)`);
      else log?.('error', `${name}: ${answer.refused} (not retried: the run fails now)`);
      return answer;
    }
  };
}

export function hardenActivityHandlers(deps: () => ActivityDeps): Readonly<Record<HardenActivityName, ActivityHandler>> {
  return {
    [Activities.readRegistry]: answering(Activities.readRegistry, readRegistry, deps),
    [Activities.inspectTargets]: answering(Activities.inspectTargets, inspectTargets, deps),
    [Activities.ensurePrivateEndpoint]: answering(Activities.ensurePrivateEndpoint, ensurePrivateEndpoint, deps),
    [Activities.ensureZoneGroup]: answering(Activities.ensureZoneGroup, ensureZoneGroup, deps),
    [Activities.readEndpoint]: answering(Activities.readEndpoint, readEndpoint, deps),
    [Activities.disablePublicAccess]: answering(Activities.disablePublicAccess, disablePublicAccess, deps),
    [Activities.grantManagedGroupAccess]: answering(Activities.grantManagedGroupAccess, grantManagedGroupAccess, deps),
    [Activities.collectDnsExpectations]: answering(Activities.collectDnsExpectations, collectDnsExpectations, deps),
    [Activities.proveDns]: answering(Activities.proveDns, proveDns, deps),
    [Activities.checkDiscovery]: answering(Activities.checkDiscovery, checkDiscovery, deps),
    [Activities.publishOutcome]: answering(Activities.publishOutcome, publishOutcome, deps),
    [Activities.checkPermissions]: answering(Activities.checkPermissions, checkPermissions, deps),
    [Activities.startPublicAccessOff]: answering(Activities.startPublicAccessOff, startPublicAccessOff, deps),
    [Activities.startManagedGroupAccess]: answering(Activities.startManagedGroupAccess, startManagedGroupAccess, deps),
    [Activities.startPrivateEndpoint]: answering(Activities.startPrivateEndpoint, startPrivateEndpoint, deps),
    [Activities.startZoneGroup]: answering(Activities.startZoneGroup, startZoneGroup, deps),
    [Activities.pollOperations]: answering(Activities.pollOperations, pollOperations, deps),
  };
}
