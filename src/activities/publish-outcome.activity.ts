import type { Outcome } from '../domain/hardening';
import { outcomeEventType } from '../domain/outcome';
import type { ActivityDeps } from './deps';

/** One CloudEvent per run to the outcome topic (when configured); the subject is the registry id. */
export async function publishOutcome(outcome: Outcome, { ports }: Pick<ActivityDeps, 'ports'>): Promise<{ published: boolean }> {
  const published = await ports.outcome.publish(outcomeEventType(outcome.kind), outcome.registryId, outcome);
  return { published };
}
