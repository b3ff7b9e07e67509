import { randomUUID } from 'node:crypto';
import * as http from 'node:http';
import * as https from 'node:https';
import type { ResourceStore, WriteRecord } from '../store';
import { EVENTGRID_AUDIENCE, type TokenAuthority } from '../tokens';
import { filterProblem, matches, type AdvancedFilter } from './filters';
import { cloudEventProblem, resourceEventOf, toCloudEvent, type CloudEvent, type DeliverySchema, type EventGridEvent } from './schema';

/**
 * Local Event Grid:
 * - a system topic over the ARM store: every successful write becomes
 *   Microsoft.Resources.ResourceWriteSuccess / ResourceDeleteSuccess / ResourceActionSuccess;
 * - webhook event subscriptions (admin API) with the validation handshake, filters and
 *   Event Grid's delivery semantics (retry schedule scaled by timeScale, dead-lettering);
 * - custom topics that accept EventGridPublisherClient posts (CloudEvents, Entra tokens only).
 *
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

/** Event Grid's documented retry schedule, in seconds: 10 s, 30 s, 1 m, 5 m, 10 m, 30 m, 1 h, 3 h, 6 h, then every 12 h. */
export const RETRY_SCHEDULE_SECONDS = [10, 30, 60, 300, 600, 1800, 3600, 10800, 21600, 43200];
/** Webhook responses Event Grid does not retry (the event is dead-lettered at once). */
export const NON_RETRIABLE_STATUS = [400, 401, 403, 413];
const DELIVERY_TIMEOUT_MS = 30_000;
const MIN_REAL_TIMEOUT_MS = 2_000;
const SHUFFLE_WINDOW_MS = 25;
const MAX_BODY_BYTES = 1024 * 1024;
const MAX_LOG = 1000;

export interface SubscriptionView {
  name: string;
  endpoint: string;
  schema: DeliverySchema;
  /** scope whose writes this subscription sees: /subscriptions/{s} or /subscriptions/{s}/resourceGroups/{rg}; all when absent */
  source?: string;
  includedEventTypes?: string[];
  subjectBeginsWith?: string;
  subjectEndsWith?: string;
  advancedFilters?: AdvancedFilter[];
  maxDeliveryAttempts: number;
  eventTimeToLiveInMinutes: number;
  retrySchedule: number[];
  duplicate: number;
  shuffle: boolean;
  /** CloudEvents only: send `application/cloudevents-batch+json` arrays instead of single events */
  batch: boolean;
  provisioningState: 'Succeeded';
  createdAt: string;
}

export interface DeliveryAttempt {
  subscription: string;
  eventId: string;
  eventType: string;
  subject: string;
  copy: number;
  attempt: number;
  deliveryCount: number;
  status: number | null;
  outcome: 'Delivered' | 'Failed';
  error?: string;
  next?: 'Retry' | 'DeadLettered';
  retryInMs?: number;
  time: string;
  durationMs: number;
}

interface Job {
  sub: SubscriptionView;
  event: EventGridEvent;
  copy: number;
  attempts: number;
  publishTime: number;
  timer?: NodeJS.Timeout;
}

interface PostResult {
  status: number | null;
  body: string;
  headers: http.IncomingHttpHeaders;
  error?: string;
}

const json = (res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void => {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
};
const noContent = (res: http.ServerResponse, status = 204): void => {
  res.writeHead(status, { 'content-length': 0 });
  res.end();
};
const egError = (res: http.ServerResponse, status: number, code: string, message: string, details: { code: string; message: string }[] = []): void =>
  json(res, status, { error: { code, message, details } });

async function readBody(req: http.IncomingMessage, limit: number): Promise<Buffer | 'too-large'> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buf = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk));
    size += buf.length;
    if (size > limit) return 'too-large';
    chunks.push(buf);
  }
  return Buffer.concat(chunks);
}

function outcomeName(status: number | null, error?: string): string {
  if (status === null) return error === 'timeout' ? 'TimedOut' : 'Unreachable';
  switch (status) {
    case 400:
      return 'BadRequest';
    case 401:
      return 'Unauthorized';
    case 403:
      return 'Forbidden';
    case 404:
      return 'NotFound';
    case 408:
      return 'TimedOut';
    case 413:
      return 'RequestEntityTooLarge';
    case 503:
      return 'Busy';
    default:
      return 'GenericError';
  }
}

export function createEventGrid(deps: EventGridDeps): EventGridSim {
  const { store, tokens, tenantId } = deps;
  const timeScale = deps.timeScale > 0 ? deps.timeScale : 1;
  const scaled = (ms: number): number => ms / timeScale;
  const deliveryTimeoutMs = Math.max(scaled(DELIVERY_TIMEOUT_MS), MIN_REAL_TIMEOUT_MS);

  const subscriptions = new Map<string, SubscriptionView>();
  const deliveries: DeliveryAttempt[] = [];
  const deadletters: Record<string, unknown>[] = [];
  const systemEvents: EventGridEvent[] = [];
  const topics = new Map<string, Record<string, unknown>[]>();
  const jobs = new Set<Job>();
  const timers = new Set<NodeJS.Timeout>();
  const inflight = new Set<http.ClientRequest>();
  const shuffleBuffers = new Map<string, { jobs: Job[]; timer: NodeJS.Timeout }>();
  const httpAgent = new http.Agent({ keepAlive: false });
  const httpsAgent = new https.Agent({ keepAlive: false });
  let stopped = false;

  const later = (ms: number, fn: () => void): NodeJS.Timeout => {
    const t = setTimeout(() => {
      timers.delete(t);
      if (!stopped) fn();
    }, ms);
    timers.add(t);
    return t;
  };

  const push = <T>(list: T[], item: T): void => {
    list.push(item);
    if (list.length > MAX_LOG * 10) list.splice(0, list.length - MAX_LOG * 10);
  };

  // ---- outbound HTTP -----------------------------------------------------------------------
  function send(method: 'POST' | 'OPTIONS', endpoint: string, headers: Record<string, string>, body?: string): Promise<PostResult> {
    return new Promise((resolve) => {
      let url: URL;
      try {
        url = new URL(endpoint);
      } catch {
        resolve({ status: null, body: '', headers: {}, error: 'invalid endpoint URL' });
        return;
      }
      const isHttps = url.protocol === 'https:';
      const payload = body === undefined ? undefined : Buffer.from(body, 'utf8');
      const req = (isHttps ? https : http).request(
        url,
        {
          method,
          agent: isHttps ? httpsAgent : httpAgent,
          headers: { ...headers, ...(payload ? { 'content-length': String(payload.length) } : {}) },
        },
        (res) => {
          const chunks: Buffer[] = [];
          let size = 0;
          res.on('data', (c: Buffer) => {
            size += c.length;
            if (size <= 64 * 1024) chunks.push(c);
          });
          res.on('end', () => {
            inflight.delete(req);
            resolve({ status: res.statusCode ?? null, body: Buffer.concat(chunks).toString('utf8'), headers: res.headers });
          });
          res.on('error', (err) => {
            inflight.delete(req);
            resolve({ status: null, body: '', headers: {}, error: err.message });
          });
        },
      );
      inflight.add(req);
      req.setTimeout(deliveryTimeoutMs, () => req.destroy(new Error('timeout')));
      req.on('error', (err) => {
        inflight.delete(req);
        resolve({ status: null, body: '', headers: {}, error: err.message === 'timeout' ? 'timeout' : err.message });
      });
      req.end(payload);
    });
  }

  // ---- system topic ------------------------------------------------------------------------
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

  function deliveredShape(sub: SubscriptionView, event: EventGridEvent): EventGridEvent | CloudEvent {
    return sub.schema === 'CloudEventSchemaV1_0' ? toCloudEvent(event) : event;
  }

  const unsubscribe = store.onWrite((record) => {
    if (stopped) return;
    const id = randomUUID();
    push(systemEvents, resourceEventOf(record, topicFor(undefined, record), id, tenantId));
    for (const sub of subscriptions.values()) {
      if (!inScope(sub, record.resourceId)) continue;
      const event = resourceEventOf(record, topicFor(sub, record), id, tenantId);
      const shape = deliveredShape(sub, event) as unknown as Record<string, unknown>;
      if (!matches(sub, event.eventType, event.subject, shape)) continue;
      for (let copy = 1; copy <= sub.duplicate; copy++) {
        const job: Job = { sub, event, copy, attempts: 0, publishTime: Date.now() };
        jobs.add(job);
        if (sub.shuffle) bufferForShuffle(job);
        else later(0, () => void attempt(job));
      }
    }
  });

  function bufferForShuffle(job: Job): void {
    const existing = shuffleBuffers.get(job.sub.name);
    if (existing) {
      existing.jobs.push(job);
      return;
    }
    const entry = {
      jobs: [job],
      timer: later(SHUFFLE_WINDOW_MS, () => {
        shuffleBuffers.delete(job.sub.name);
        const list = entry.jobs;
        const original = [...list];
        for (let i = list.length - 1; i > 0; i--) {
          const j = Math.floor(Math.random() * (i + 1));
          [list[i], list[j]] = [list[j] as Job, list[i] as Job];
        }
        if (list.length > 1 && list.every((x, i) => x === original[i])) list.reverse();
        // Deliver strictly one after another so the receiver sees exactly this order.
        void (async () => {
          for (const j of list) await attempt(j);
        })();
      }),
    };
    shuffleBuffers.set(job.sub.name, entry);
  }

  function deadLetter(job: Job, reason: string, last: PostResult): void {
    jobs.delete(job);
    push(deadletters, {
      ...(deliveredShape(job.sub, job.event) as unknown as Record<string, unknown>),
      deadLetterReason: reason,
      deliveryAttempts: job.attempts,
      lastDeliveryOutcome: outcomeName(last.status, last.error),
      lastHttpStatusCode: last.status ?? 0,
      publishTime: new Date(job.publishTime).toISOString(),
      lastDeliveryAttemptTime: new Date().toISOString(),
      subscriptionName: job.sub.name,
    });
  }

  async function attempt(job: Job): Promise<void> {
    if (stopped || !jobs.has(job)) return;
    const { sub, event } = job;
    job.attempts += 1;
    const shape = deliveredShape(sub, event);
    const cloud = sub.schema === 'CloudEventSchemaV1_0';
    const body = JSON.stringify(cloud && !sub.batch ? shape : [shape]);
    const contentType = !cloud
      ? 'application/json; charset=utf-8'
      : sub.batch
        ? 'application/cloudevents-batch+json; charset=utf-8'
        : 'application/cloudevents+json; charset=utf-8';
    const started = Date.now();
    const result = await send(
      'POST',
      sub.endpoint,
      {
        'content-type': contentType,
        'aeg-event-type': 'Notification',
        'aeg-subscription-name': sub.name.toUpperCase(),
        'aeg-delivery-count': String(job.attempts - 1),
        'aeg-metadata-version': cloud ? '1.0' : event.metadataVersion,
        ...(cloud ? {} : { 'aeg-data-version': event.dataVersion }),
        'aeg-output-event-id': event.id,
      },
      body,
    );
    if (stopped) return;
    const ok = result.status !== null && result.status >= 200 && result.status <= 204;
    const entry: DeliveryAttempt = {
      subscription: sub.name,
      eventId: event.id,
      eventType: event.eventType,
      subject: event.subject,
      copy: job.copy,
      attempt: job.attempts,
      deliveryCount: job.attempts - 1,
      status: result.status,
      outcome: ok ? 'Delivered' : 'Failed',
      ...(result.error ? { error: result.error } : {}),
      time: new Date(started).toISOString(),
      durationMs: Date.now() - started,
    };
    push(deliveries, entry);
    if (ok) {
      jobs.delete(job);
      return;
    }
    if (result.status !== null && NON_RETRIABLE_STATUS.includes(result.status)) {
      entry.next = 'DeadLettered';
      deadLetter(job, 'NonRetriableStatusCode', result);
      return;
    }
    if (job.attempts >= sub.maxDeliveryAttempts) {
      entry.next = 'DeadLettered';
      deadLetter(job, 'MaxDeliveryAttemptsExceeded', result);
      return;
    }
    const schedule = sub.retrySchedule;
    const delaySeconds = schedule[Math.min(job.attempts - 1, schedule.length - 1)] ?? 10;
    const delayMs = scaled(delaySeconds * 1000);
    if (Date.now() + delayMs > job.publishTime + scaled(sub.eventTimeToLiveInMinutes * 60_000)) {
      entry.next = 'DeadLettered';
      deadLetter(job, 'TimeToLiveExceeded', result);
      return;
    }
    entry.next = 'Retry';
    entry.retryInMs = Math.round(delayMs);
    job.timer = later(delayMs, () => void attempt(job));
  }

  // ---- validation handshake ------------------------------------------------------------------
  function defaultTopic(): string {
    const rg = store.all().find((r) => /^\/subscriptions\/[^/]+/i.test(r.id));
    const m = rg ? /^\/subscriptions\/([^/]+)/i.exec(rg.id) : null;
    return `/subscriptions/${m?.[1] ?? '00000000-0000-0000-0000-000000000000'}`;
  }

  async function handshake(sub: SubscriptionView): Promise<string | undefined> {
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
      topic: sub.source ?? defaultTopic(),
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

  // ---- admin API -----------------------------------------------------------------------------
  function parseSubscription(raw: unknown): SubscriptionView | string {
    if (!raw || typeof raw !== 'object' || Array.isArray(raw)) return 'The request body must be a JSON object.';
    const b = raw as Record<string, unknown>;
    const name = b['name'];
    if (typeof name !== 'string' || !/^[A-Za-z0-9-]{3,64}$/.test(name)) return "'name' must be 3-64 letters, digits or hyphens.";
    const endpoint = b['endpoint'] ?? b['endpointUrl'];
    let url: URL | undefined;
    try {
      url = typeof endpoint === 'string' ? new URL(endpoint) : undefined;
    } catch {
      url = undefined;
    }
    if (!url || (url.protocol !== 'https:' && url.protocol !== 'http:')) return "'endpoint' must be an absolute http(s) URL.";
    const schema = b['schema'] ?? 'EventGridSchema';
    if (schema !== 'EventGridSchema' && schema !== 'CloudEventSchemaV1_0') return "'schema' must be 'EventGridSchema' or 'CloudEventSchemaV1_0'.";
    const intIn = (key: string, min: number, max: number, dflt: number): number | string => {
      const v = b[key];
      if (v === undefined) return dflt;
      return typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max ? v : `'${key}' must be an integer between ${min} and ${max}.`;
    };
    const maxDeliveryAttempts = intIn('maxDeliveryAttempts', 1, 30, 30);
    if (typeof maxDeliveryAttempts === 'string') return maxDeliveryAttempts;
    const ttl = intIn('eventTimeToLiveInMinutes', 1, 1440, 1440);
    if (typeof ttl === 'string') return ttl;
    const duplicate = intIn('duplicate', 1, 10, 1);
    if (typeof duplicate === 'string') return duplicate;
    const retrySchedule = b['retrySchedule'] ?? RETRY_SCHEDULE_SECONDS;
    if (!Array.isArray(retrySchedule) || retrySchedule.length === 0 || retrySchedule.some((s) => typeof s !== 'number' || !(s >= 0))) {
      return "'retrySchedule' must be a non-empty array of delays in seconds (before time scaling).";
    }
    const source = b['source'];
    if (source !== undefined && (typeof source !== 'string' || !/^\/subscriptions\/[^/]+(\/resourceGroups\/[^/]+)?\/?$/i.test(source))) {
      return "'source' must be /subscriptions/{id} or /subscriptions/{id}/resourceGroups/{name}.";
    }
    for (const key of ['subjectBeginsWith', 'subjectEndsWith']) {
      if (b[key] !== undefined && typeof b[key] !== 'string') return `'${key}' must be a string.`;
    }
    const view: SubscriptionView = {
      name,
      endpoint: url.toString(),
      schema,
      ...(typeof source === 'string' ? { source: source.replace(/\/+$/, '') } : {}),
      ...(b['includedEventTypes'] !== undefined ? { includedEventTypes: b['includedEventTypes'] as string[] } : {}),
      ...(typeof b['subjectBeginsWith'] === 'string' ? { subjectBeginsWith: b['subjectBeginsWith'] } : {}),
      ...(typeof b['subjectEndsWith'] === 'string' ? { subjectEndsWith: b['subjectEndsWith'] } : {}),
      ...(b['advancedFilters'] !== undefined ? { advancedFilters: b['advancedFilters'] as AdvancedFilter[] } : {}),
      maxDeliveryAttempts,
      eventTimeToLiveInMinutes: ttl,
      retrySchedule: retrySchedule as number[],
      duplicate,
      shuffle: b['shuffle'] === true,
      batch: b['batch'] === true,
      provisioningState: 'Succeeded',
      createdAt: new Date().toISOString(),
    };
    const problem = filterProblem(view);
    return problem ?? view;
  }

  function dropJobsOf(name: string): void {
    for (const job of jobs) {
      if (job.sub.name !== name) continue;
      if (job.timer) {
        clearTimeout(job.timer);
        timers.delete(job.timer);
      }
      jobs.delete(job);
    }
    const buffered = shuffleBuffers.get(name);
    if (buffered) {
      clearTimeout(buffered.timer);
      timers.delete(buffered.timer);
      shuffleBuffers.delete(name);
    }
  }

  async function handleAdmin(req: http.IncomingMessage, res: http.ServerResponse, subpath: string): Promise<void> {
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
          if (stopped) return egError(res, 503, 'ServiceUnavailable', 'Event Grid is stopping.');
          if (failure) return egError(res, 400, 'URL validation', failure);
          const existed = subscriptions.has(sub.name);
          if (existed) dropJobsOf(sub.name);
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
          dropJobsOf(second);
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
      if (!res.headersSent) egError(res, 500, 'InternalServerError', err instanceof Error ? err.message : String(err));
      else res.destroy();
    }
  }

  // ---- custom topics ---------------------------------------------------------------------------
  async function handleTopic(req: http.IncomingMessage, res: http.ServerResponse, topicName: string): Promise<void> {
    try {
      const host = `${topicName}.local-1.eventgrid.azure.net`;
      if (req.method !== 'POST') {
        return egError(res, 405, 'MethodNotAllowed', `The requested resource does not support http method '${req.method ?? ''}'.`);
      }
      // Key / SAS authentication is off (disableLocalAuth: true, as the infra deploys the topic).
      if (req.headers['aeg-sas-key'] !== undefined || req.headers['aeg-sas-token'] !== undefined) {
        await readBody(req, MAX_BODY_BYTES);
        return egError(
          res,
          401,
          'Unauthorized',
          `The request authorization key is not authorized for ${host.toUpperCase()}. This is due to the reason: Local authentication (key and SAS) is disabled for this topic; use a Microsoft Entra token for ${EVENTGRID_AUDIENCE}.`,
        );
      }
      const auth = tokens.verify(req.headers.authorization, EVENTGRID_AUDIENCE);
      if (!auth.ok) {
        await readBody(req, MAX_BODY_BYTES);
        return egError(res, 401, 'Unauthorized', `The request authorization is not valid for ${host.toUpperCase()}. This is due to the reason: ${auth.code}: ${auth.message}`);
      }
      const apiVersion = new URL(req.url ?? '/', 'http://local').searchParams.get('api-version');
      if (!apiVersion) {
        await readBody(req, MAX_BODY_BYTES);
        return egError(res, 400, 'BadRequest', "The 'api-version' query parameter is required.");
      }
      if (apiVersion !== '2018-01-01') {
        await readBody(req, MAX_BODY_BYTES);
        return egError(res, 400, 'BadRequest', `The api-version '${apiVersion}' is not supported. Supported: 2018-01-01.`);
      }
      const raw = await readBody(req, MAX_BODY_BYTES);
      if (raw === 'too-large') return egError(res, 413, 'RequestEntityTooLarge', 'The maximum size (1536000) has been exceeded.');
      const contentType = String(req.headers['content-type'] ?? '').toLowerCase();
      const batch = contentType.startsWith('application/cloudevents-batch+json');
      const single = contentType.startsWith('application/cloudevents+json');
      if (!batch && !single) {
        return egError(res, 400, 'BadRequest', `This resource is configured to receive events in the CloudEvents 1.0 schema; content type '${contentType || '(none)'}' is not accepted. Use application/cloudevents-batch+json.`);
      }
      let parsed: unknown;
      try {
        parsed = JSON.parse(raw.toString('utf8'));
      } catch {
        return egError(res, 400, 'BadRequest', 'The request body is not valid JSON.', [{ code: 'InputJsonInvalid', message: 'The request body is not valid JSON.' }]);
      }
      const events = batch ? parsed : [parsed];
      if (!Array.isArray(events)) {
        return egError(res, 400, 'BadRequest', 'A batch (application/cloudevents-batch+json) must be a JSON array of CloudEvents.', [{ code: 'InputJsonInvalid', message: 'Expected a JSON array.' }]);
      }
      if (events.length === 0) return egError(res, 400, 'BadRequest', 'The batch contains no events.');
      for (const [i, e] of events.entries()) {
        const problem = cloudEventProblem(e, i);
        if (problem) return egError(res, 400, 'BadRequest', `The event does not conform to the CloudEvents 1.0 schema: ${problem}`, [{ code: 'InputJsonInvalid', message: problem }]);
      }
      const key = topicName.toLowerCase();
      const list = topics.get(key) ?? [];
      topics.set(key, list);
      for (const e of events as Record<string, unknown>[]) push(list, e);
      res.writeHead(200, { 'content-length': 0 });
      res.end();
    } catch (err) {
      if (!res.headersSent) egError(res, 500, 'InternalServerError', err instanceof Error ? err.message : String(err));
      else res.destroy();
    }
  }

  async function stop(): Promise<void> {
    if (stopped) return;
    stopped = true;
    unsubscribe();
    for (const t of timers) clearTimeout(t);
    timers.clear();
    shuffleBuffers.clear();
    jobs.clear();
    for (const r of inflight) r.destroy();
    inflight.clear();
    httpAgent.destroy();
    httpsAgent.destroy();
  }

  return { handleAdmin, handleTopic, stop };
}
