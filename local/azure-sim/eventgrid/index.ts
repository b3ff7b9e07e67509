import type * as http from 'node:http';
import type { ResourceStore } from '../store';
import type { TokenAuthority } from '../tokens';
import { createAdmin } from './admin';
import { createDelivery } from './delivery';
import { handshake } from './handshake';
import { createSender } from './outbound';
import { createRuntime } from './runtime';
import { createState } from './state';
import { watchStore } from './system-topic';
import { createTopics } from './topics';

export { NON_RETRIABLE_STATUS, type DeliveryAttempt } from './delivery';
export { RETRY_SCHEDULE_SECONDS, type SubscriptionView } from './subscription';

/**
 * Local Event Grid, one concept per file:
 * - system-topic.ts: a system topic over the ARM store: every successful write becomes
 *   Microsoft.Resources.ResourceWriteSuccess / ResourceDeleteSuccess / ResourceActionSuccess;
 * - subscription.ts, handshake.ts: webhook event subscriptions with the validation handshake
 *   and filters (filters.ts);
 * - delivery.ts (over outbound.ts): Event Grid's delivery semantics (retry schedule scaled by
 *   timeScale, dead-lettering);
 * - topics.ts: custom topics that accept EventGridPublisherClient posts (CloudEvents, Entra tokens only);
 * - admin.ts: the admin API the ARM server mounts (its routes are listed there).
 */
export interface EventGridSim {
  handleAdmin(req: http.IncomingMessage, res: http.ServerResponse, subpath: string): Promise<void>;
  handleTopic(req: http.IncomingMessage, res: http.ServerResponse, topicName: string): Promise<void>;
  stop(): Promise<void>;
}

export interface EventGridDeps {
  store: ResourceStore;
  tokens: TokenAuthority;
  /** 1 = real time; 1000 = everything (retry delays, TTL, delivery timeout) 1000× faster */
  timeScale: number;
  tenantId: string;
}

export function createEventGrid(deps: EventGridDeps): EventGridSim {
  const { store, tokens, tenantId } = deps;
  const runtime = createRuntime(deps.timeScale);
  const sender = createSender(runtime.scaled);
  const state = createState();
  const delivery = createDelivery({ runtime, send: sender.send, deliveries: state.deliveries, deadletters: state.deadletters });
  const unsubscribe = watchStore({ store, tenantId, runtime, subscriptions: state.subscriptions, systemEvents: state.systemEvents, delivery });
  const handleAdmin = createAdmin({ state, runtime, delivery, handshake: (sub) => handshake(sub, sender.send, store) });
  const handleTopic = createTopics(tokens, state.topics);

  async function stop(): Promise<void> {
    if (runtime.stopped) return;
    runtime.stop();
    unsubscribe();
    delivery.stop();
    sender.stop();
  }

  return { handleAdmin, handleTopic, stop };
}
