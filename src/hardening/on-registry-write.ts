import type { InvocationContext } from '@azure/functions';
import type * as df from 'durable-functions';
import { activityDeps } from '../main';
import { logJson, logText } from '../shared/log-text';
import { decideOnEvent } from './domain/registry-event';
import { optionsFromConfig, startHardening, type StartResult } from './starter';

/**
 * Event Grid: a registry was written. Parse, filter, start (or leave running) one run for it.
 * Ignored events (other operations, the app's own registry writes) and malformed ones are
 * logged once and acknowledged — Event Grid must not retry them.
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
    ...(decision.eventTime ? { triggeredAt: decision.eventTime } : {}),
  });
  context.log(logJson({ registryId: decision.registryId, instanceId: result.instanceId, action: result.started ? 'started' : 'already-running', eventId: decision.eventId }));
  return result;
}
