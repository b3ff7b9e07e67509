import type { InvocationContext } from '@azure/functions';
import type * as df from 'durable-functions';
import { activityDeps } from '../main';
import { callerLog } from '../shared/caller';
import { logJson, logText } from '../shared/log-text';
import { decideOnEvent } from './domain/registry-event';
import { optionsFromConfig, startHardening, type StartResult } from './starter';

/**
 * Event Grid: a registry was written. Parse, filter, check the target scope, then start the
 * registry's apply run (recording the principal whose write raised the event as its caller) — or, while one goes on, queue the follow-up that starts the next one
 * once it has ended: an event is never dropped because a run was going on (a plan run takes no
 * lock at all). Ignored events (other operations, the app's own registry writes, subscriptions
 * outside the scope) and malformed ones are logged once and acknowledged — Event Grid must not
 * retry them.
 */
export async function onRegistryWrite(event: unknown, client: Pick<df.DurableClient, 'getStatus' | 'startNew'>, context: InvocationContext): Promise<StartResult | undefined> {
  const { config, ports } = activityDeps();
  const decision = decideOnEvent(event, { appPrincipalId: config.APP_PRINCIPAL_ID });
  if (decision.kind === 'ignore') {
    context.info(`ignored event (acknowledged, no run started): ${logText(decision.reason, 1024)}`);
    return undefined;
  }
  if (decision.kind === 'malformed') {
    context.error(`rejected malformed event (no run started): ${logText(decision.reason, 1024)}`);
    return undefined;
  }
  // before anything reaches ARM: the registry's subscription must be a target (a management group that cannot be listed throws: Event Grid retries)
  if (!(await ports.targetScope.contains(decision.subscriptionId))) {
    context.warn(`ignored event (acknowledged, no run started): registry ${decision.registryId} is outside the app's target scope (${ports.targetScope.describe()})`);
    return undefined;
  }
  const result = await startHardening(client, {
    registryId: decision.registryId,
    mode: 'apply',
    options: optionsFromConfig(config),
    trigger: 'eventgrid',
    eventId: decision.eventId,
    whenBusy: 'follow-up',
    ...(decision.eventTime ? { triggeredAt: decision.eventTime } : {}),
    // the audit trail: the principal whose write raised the event
    ...(decision.caller ? { caller: decision.caller } : {}),
  });
  context.log(logJson({
    registryId: decision.registryId, instanceId: result.instanceId, action: actionOf(result), eventId: decision.eventId,
    ...(!result.started && result.followUp ? { followUp: result.followUp.instanceId } : {}),
    ...(decision.caller ? { caller: callerLog(decision.caller) } : {}),
  }));
  return result;
}

/** What the event did, for the log line. */
function actionOf(result: StartResult): string {
  if (result.started) return 'started';
  if (result.sameEvent) return 'redelivered (the run it started covers it)';
  if (result.followUp === undefined) return 'already-running';
  return result.followUp.queued ? 'follow-up queued' : 'follow-up already queued';
}
