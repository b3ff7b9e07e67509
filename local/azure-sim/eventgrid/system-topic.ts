import { randomUUID } from 'node:crypto';
import type { ResourceStore, WriteRecord } from '../store';
import { deliveredShape, type Delivery } from './delivery';
import { matches } from './filters';
import { push } from './log';
import type { Runtime } from './runtime';
import { resourceEventOf, type EventGridEvent } from './schema';
import type { SubscriptionView } from './subscription';

/**
 * The system topic over the ARM store: every successful write becomes
 * Microsoft.Resources.ResourceWriteSuccess / ResourceDeleteSuccess / ResourceActionSuccess,
 * is logged, and is queued for every subscription whose scope and filters it matches
 * (one event id for all of them). Returns the unsubscribe function.
 */
export interface SystemTopicDeps {
  store: ResourceStore;
  tenantId: string;
  runtime: Runtime;
  subscriptions: ReadonlyMap<string, SubscriptionView>;
  systemEvents: EventGridEvent[];
  delivery: Delivery;
}

function topicFor(sub: SubscriptionView | undefined, record: WriteRecord): string {
  if (sub?.source) return sub.source;
  return `/subscriptions/${record.subscriptionId}`;
}

function inScope(sub: SubscriptionView, resourceId: string): boolean {
  if (!sub.source) return true;
  const scope = sub.source.toLowerCase().replace(/\/+$/, '');
  const id = resourceId.toLowerCase();
  return id === scope || id.startsWith(scope + '/');
}

export function watchStore({ store, tenantId, runtime, subscriptions, systemEvents, delivery }: SystemTopicDeps): () => void {
  return store.onWrite((record) => {
    if (runtime.stopped) return;
    const id = randomUUID();
    push(systemEvents, resourceEventOf(record, topicFor(undefined, record), id, tenantId));
    for (const sub of subscriptions.values()) {
      if (!inScope(sub, record.resourceId)) continue;
      const event = resourceEventOf(record, topicFor(sub, record), id, tenantId);
      const shape = deliveredShape(sub, event) as unknown as Record<string, unknown>;
      if (!matches(sub, event.eventType, event.subject, shape)) continue;
      delivery.enqueue(sub, event);
    }
  });
}
