import type { DeliveryAttempt } from './delivery';
import type { EventGridEvent } from './schema';
import type { SubscriptionView } from './subscription';

/** What the local Event Grid holds in memory; the admin API lists and clears it. */
export interface EventGridState {
  subscriptions: Map<string, SubscriptionView>;
  deliveries: DeliveryAttempt[];
  deadletters: Record<string, unknown>[];
  /** system events raised by ARM writes */
  systemEvents: EventGridEvent[];
  /** events each custom topic received, by lower-case topic name */
  topics: Map<string, Record<string, unknown>[]>;
}

export function createState(): EventGridState {
  return { subscriptions: new Map(), deliveries: [], deadletters: [], systemEvents: [], topics: new Map() };
}
