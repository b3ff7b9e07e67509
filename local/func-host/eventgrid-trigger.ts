/**
 * The Event Grid webhook of the host: `/runtime/webhooks/eventgrid?functionName=<name>`.
 * Event Grid schema (array) and CloudEvents 1.0 (single or batch); subscription validation and
 * the CloudEvents abuse-protection (OPTIONS) handshake.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { sendEmpty, sendJson } from './http-util';
import type { Registration } from './types';
import { isRecord } from './types';

export const EVENTGRID_PATH = '/runtime/webhooks/eventgrid';
const VALIDATION_EVENT = 'Microsoft.EventGrid.SubscriptionValidationEvent';

export type DeliverEvent = (reg: Registration, event: Record<string, unknown>) => Promise<void>;

function header(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

export function findEventGridFunction(registrations: Iterable<Registration>, name: string | null): Registration | undefined {
  if (!name) return undefined;
  for (const reg of registrations) {
    if (reg.name.toLowerCase() === name.toLowerCase() && reg.triggerType.toLowerCase() === 'eventgridtrigger') return reg;
  }
  return undefined;
}

function isEvent(value: unknown): value is Record<string, unknown> {
  return isRecord(value) && (typeof value.eventType === 'string' || typeof value.type === 'string');
}

/** Handles OPTIONS/POST for an already-authorized request to an existing Event Grid function. */
export async function handleEventGrid(
  req: IncomingMessage,
  res: ServerResponse,
  reg: Registration,
  body: Buffer,
  deliver: DeliverEvent,
): Promise<void> {
  const method = (req.method ?? 'GET').toUpperCase();
  if (method === 'OPTIONS') {
    const origin = header(req, 'webhook-request-origin');
    if (!origin) return sendEmpty(res, 400);
    return sendEmpty(res, 200, { 'WebHook-Allowed-Origin': origin, 'WebHook-Allowed-Rate': '*', Allow: 'POST' });
  }
  if (method !== 'POST') return sendEmpty(res, 405, { Allow: 'POST, OPTIONS' });

  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8')) as unknown;
  } catch {
    return sendJson(res, 400, { error: { code: 'BadRequest', message: 'The request body is not valid JSON.' } });
  }
  const events = Array.isArray(parsed) ? parsed : [parsed];
  if (events.length === 0 || !events.every(isEvent)) {
    return sendJson(res, 400, { error: { code: 'BadRequest', message: 'Expected an Event Grid event array or CloudEvents.' } });
  }
  const eventType = (header(req, 'aeg-event-type') ?? '').toLowerCase();

  if (eventType === 'subscriptionvalidation' || (eventType === '' && events[0]!.eventType === VALIDATION_EVENT)) {
    const first = events[0]!;
    const data = isRecord(first.data) ? first.data : undefined;
    const code = data && typeof data.validationCode === 'string' ? data.validationCode : undefined;
    if (!code) return sendJson(res, 400, { error: { code: 'BadRequest', message: 'SubscriptionValidation without data.validationCode.' } });
    return sendJson(res, 200, { validationResponse: code });
  }
  if (eventType === 'unsubscribe') return sendEmpty(res, 202);
  const contentType = (header(req, 'content-type') ?? '').toLowerCase();
  if (eventType !== 'notification' && !contentType.includes('cloudevents')) {
    return sendJson(res, 400, { error: { code: 'BadRequest', message: `Unsupported aeg-event-type "${eventType}".` } });
  }
  for (const event of events) {
    try {
      await deliver(reg, event);
    } catch {
      // Non-2xx makes Event Grid retry the delivery; no details leak (the host logs the error).
      return sendEmpty(res, 500);
    }
  }
  sendEmpty(res, 202);
}
