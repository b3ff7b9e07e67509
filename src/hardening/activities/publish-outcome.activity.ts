import type { Outcome } from '../domain/hardening';
import { outcomeEventId, outcomeEventType } from '../domain/outcome';
import type { ActivityDeps } from '../../main';

/**
 * One CloudEvent per run to the outcome topic (when configured); the subject is the registry id,
 * the id is derived from the run and the outcome kind, so a retried publish repeats it.
 */
export async function publishOutcome(outcome: Outcome, { ports }: Pick<ActivityDeps, 'ports'>): Promise<{ published: boolean }> {
  const published = await ports.outcome.publish({ id: outcomeEventId(outcome), type: outcomeEventType(outcome.kind), subject: outcome.registryId, data: outcome });
  return { published };
}
