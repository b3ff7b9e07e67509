import type * as http from 'node:http';
import type { Delivery } from './delivery';
import { egError, internalError, json, MAX_BODY_BYTES, noContent, readBody } from './http';
import { MAX_LOG } from './log';
import type { Runtime } from './runtime';
import type { EventGridState } from './state';
import { parseSubscription, type SubscriptionView } from './subscription';

/**
 * Admin API (mounted by the ARM server; `subpath` is relative to the Event Grid admin root):
 *   POST   subscriptions                  create or replace (handshake first; 400 on failure)
 *   GET    subscriptions                  list
 *   GET    subscriptions/{name}           one
 *   DELETE subscriptions/{name}           delete (pending retries are dropped)
 *   GET    deliveries[?subscription=n]    delivery attempts;  DELETE clears
 *   GET    deadletters[?subscription=n]   dead-lettered events; DELETE clears
 *   GET    events[?operationName=o]       system events raised (most recent 1000 [of that operation]); DELETE clears
 *   GET    topics                         custom topics and their event counts
 *   GET    topics/{name}/events           events a custom topic received; DELETE clears
 */
export type AdminHandler = (req: http.IncomingMessage, res: http.ServerResponse, subpath: string) => Promise<void>;

export interface AdminDeps {
  state: EventGridState;
  runtime: Runtime;
  delivery: Delivery;
  /** the validation handshake: why the endpoint failed it, or undefined */
  handshake: (sub: SubscriptionView) => Promise<string | undefined>;
}

export function createAdmin({ state, runtime, delivery, handshake }: AdminDeps): AdminHandler {
  const { subscriptions, deliveries, deadletters, systemEvents, topics } = state;

  return async function handleAdmin(req, res, subpath) {
    try {
      const path = subpath.split('?')[0]?.replace(/^\/+|\/+$/g, '') ?? '';
      const parts = path.split('/').filter(Boolean).map((p) => decodeURIComponent(p));
      const query = new URL(req.url ?? '/', 'http://local').searchParams;
      const method = req.method ?? 'GET';
      const bySub = <T extends { subscription?: string; subscriptionName?: unknown }>(list: T[]): T[] => {
        const only = query.get('subscription');
        return only ? list.filter((x) => (x.subscription ?? x.subscriptionName) === only) : list;
      };
      const [head, second, third] = parts;

      if (head === 'subscriptions' && parts.length === 1) {
        if (method === 'GET') return json(res, 200, { value: [...subscriptions.values()] });
        if (method === 'POST' || method === 'PUT') {
          const raw = await readBody(req, MAX_BODY_BYTES);
          if (raw === 'too-large') return egError(res, 413, 'RequestEntityTooLarge', 'The request body is too large.');
          let parsed: unknown;
          try {
            parsed = JSON.parse(raw.toString('utf8'));
          } catch {
            return egError(res, 400, 'InvalidRequestContent', 'The request body is not valid JSON.');
          }
          const sub = parseSubscription(parsed);
          if (typeof sub === 'string') return egError(res, 400, 'InvalidRequest', sub);
          const failure = await handshake(sub);
          if (runtime.stopped) return egError(res, 503, 'ServiceUnavailable', 'Event Grid is stopping.');
          if (failure) return egError(res, 400, 'URL validation', failure);
          const existed = subscriptions.has(sub.name);
          if (existed) delivery.dropJobsOf(sub.name);
          subscriptions.set(sub.name, sub);
          return json(res, existed ? 200 : 201, sub);
        }
        return egError(res, 405, 'MethodNotAllowed', `${method} is not supported on subscriptions.`);
      }
      if (head === 'subscriptions' && second && parts.length === 2) {
        const sub = subscriptions.get(second);
        if (method === 'GET') return sub ? json(res, 200, sub) : egError(res, 404, 'ResourceNotFound', `Event subscription '${second}' was not found.`);
        if (method === 'DELETE') {
          if (!sub) return noContent(res, 204);
          delivery.dropJobsOf(second);
          subscriptions.delete(second);
          return noContent(res, 200);
        }
        return egError(res, 405, 'MethodNotAllowed', `${method} is not supported on a subscription.`);
      }
      const listEndpoint = (list: unknown[], filtered: unknown[]): void => {
        if (method === 'GET') return json(res, 200, filtered);
        if (method === 'DELETE') {
          list.length = 0;
          return noContent(res);
        }
        return egError(res, 405, 'MethodNotAllowed', `${method} is not supported here.`);
      };
      if (head === 'deliveries' && parts.length === 1) return listEndpoint(deliveries, bySub(deliveries));
      if (head === 'deadletters' && parts.length === 1) {
        return listEndpoint(deadletters, bySub(deadletters as { subscriptionName?: unknown }[]));
      }
      if (head === 'events' && parts.length === 1) {
        // ?operationName= filters the kept events before the last MAX_LOG are taken (a burst raises thousands)
        const operation = query.get('operationName')?.toLowerCase();
        const matching = operation ? systemEvents.filter((e) => String((e.data as { operationName?: unknown } | undefined)?.operationName ?? '').toLowerCase() === operation) : systemEvents;
        return listEndpoint(systemEvents, matching.slice(-MAX_LOG));
      }
      if (head === 'topics' && parts.length === 1 && method === 'GET') {
        return json(res, 200, Object.fromEntries([...topics.entries()].map(([name, events]) => [name, { eventCount: events.length }])));
      }
      if (head === 'topics' && second && third === 'events' && parts.length === 3) {
        const events = topics.get(second.toLowerCase()) ?? [];
        if (method === 'DELETE') topics.delete(second.toLowerCase());
        return listEndpoint(events, events);
      }
      return egError(res, 404, 'NotFound', `No Event Grid admin resource at '${path}'.`);
    } catch (err) {
      internalError(res, err);
    }
  };
}
