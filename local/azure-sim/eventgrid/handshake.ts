import { randomUUID } from 'node:crypto';
import type { ResourceStore } from '../store';
import type { Send } from './outbound';
import type { EventGridEvent } from './schema';
import type { SubscriptionView } from './subscription';

/**
 * The endpoint validation Event Grid runs before a webhook subscription exists:
 * - CloudEvents: an OPTIONS abuse-protection request that must answer 200 with
 *   WebHook-Allowed-Origin allowing eventgrid.azure.net;
 * - Event Grid schema: a SubscriptionValidationEvent whose validationCode must come back
 *   as `validationResponse`.
 * Returns why it failed, or undefined when the endpoint passed.
 */
export async function handshake(sub: SubscriptionView, send: Send, store: ResourceStore): Promise<string | undefined> {
  if (sub.schema === 'CloudEventSchemaV1_0') {
    const r = await send('OPTIONS', sub.endpoint, { 'webhook-request-origin': 'eventgrid.azure.net' });
    const allowed = String(r.headers['webhook-allowed-origin'] ?? '');
    if (r.status === 200 && (allowed === '*' || allowed.toLowerCase() === 'eventgrid.azure.net')) return undefined;
    const why =
      r.status === null
        ? `Http OPTIONS request failed: ${r.error ?? 'no response'}`
        : r.status !== 200
          ? `Http OPTIONS request failed with response code ${r.status}`
          : "The response did not include a 'WebHook-Allowed-Origin' header allowing eventgrid.azure.net";
    return `Webhook validation handshake failed for ${sub.endpoint}. ${why}. For troubleshooting, visit https://aka.ms/esvalidationcloudevent.`;
  }
  const code = randomUUID().toUpperCase();
  const validationEvent: EventGridEvent = {
    id: randomUUID(),
    topic: sub.source ?? defaultTopic(store),
    subject: '',
    data: { validationCode: code },
    eventType: 'Microsoft.EventGrid.SubscriptionValidationEvent',
    eventTime: new Date().toISOString(),
    metadataVersion: '1',
    dataVersion: '2',
  };
  const r = await send(
    'POST',
    sub.endpoint,
    {
      'content-type': 'application/json; charset=utf-8',
      'aeg-event-type': 'SubscriptionValidation',
      'aeg-subscription-name': sub.name.toUpperCase(),
      'aeg-delivery-count': '0',
      'aeg-metadata-version': '1',
      'aeg-data-version': '2',
    },
    JSON.stringify([validationEvent]),
  );
  let why: string | undefined;
  if (r.status === null) why = `Http POST request failed: ${r.error ?? 'no response'}`;
  else if (r.status !== 200) why = `Http POST request failed with response code ${r.status}`;
  else {
    let answer: unknown;
    try {
      answer = JSON.parse(r.body);
    } catch {
      answer = undefined;
    }
    const got = answer && typeof answer === 'object' ? (answer as { validationResponse?: unknown }).validationResponse : undefined;
    if (typeof got !== 'string' || got.toUpperCase() !== code) why = 'The response did not contain the expected validationResponse';
  }
  return why ? `Webhook validation handshake failed for ${sub.endpoint}. ${why}. For troubleshooting, visit https://aka.ms/esvalidation.` : undefined;
}

/** The topic of a validation event for a subscription without a source: the store's first Azure subscription. */
function defaultTopic(store: ResourceStore): string {
  const rg = store.all().find((r) => /^\/subscriptions\/[^/]+/i.test(r.id));
  const m = rg ? /^\/subscriptions\/([^/]+)/i.exec(rg.id) : null;
  return `/subscriptions/${m?.[1] ?? '00000000-0000-0000-0000-000000000000'}`;
}
