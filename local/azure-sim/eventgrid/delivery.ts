import { push } from './log';
import type { PostResult, Send } from './outbound';
import type { Runtime } from './runtime';
import { toCloudEvent, type CloudEvent, type EventGridEvent } from './schema';
import type { SubscriptionView } from './subscription';

/**
 * Webhook delivery with Event Grid's semantics: one job per event copy (`duplicate`), optional
 * shuffling within a short window, retries on the subscription's schedule (scaled by the time
 * scale), and dead-lettering on a non-retriable status, after maxDeliveryAttempts, or once the
 * event's time to live would run out before the next attempt.
 */

/** Webhook responses Event Grid does not retry (the event is dead-lettered at once). */
export const NON_RETRIABLE_STATUS = [400, 401, 403, 413];
const SHUFFLE_WINDOW_MS = 25;

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

export interface Delivery {
  /** queues every copy of an event for a subscription it matched */
  enqueue(sub: SubscriptionView, event: EventGridEvent): void;
  /** drops a subscription's pending retries and shuffle buffer (on delete or replace) */
  dropJobsOf(name: string): void;
  stop(): void;
}

export interface DeliveryDeps {
  runtime: Runtime;
  send: Send;
  /** logs the admin API reads */
  deliveries: DeliveryAttempt[];
  deadletters: Record<string, unknown>[];
}

/** The event as the subscription's schema delivers it. */
export function deliveredShape(sub: SubscriptionView, event: EventGridEvent): EventGridEvent | CloudEvent {
  return sub.schema === 'CloudEventSchemaV1_0' ? toCloudEvent(event) : event;
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

export function createDelivery({ runtime, send, deliveries, deadletters }: DeliveryDeps): Delivery {
  const jobs = new Set<Job>();
  const shuffleBuffers = new Map<string, { jobs: Job[]; timer: NodeJS.Timeout }>();

  function enqueue(sub: SubscriptionView, event: EventGridEvent): void {
    for (let copy = 1; copy <= sub.duplicate; copy++) {
      const job: Job = { sub, event, copy, attempts: 0, publishTime: Date.now() };
      jobs.add(job);
      if (sub.shuffle) bufferForShuffle(job);
      else runtime.later(0, () => void attempt(job));
    }
  }

  function bufferForShuffle(job: Job): void {
    const existing = shuffleBuffers.get(job.sub.name);
    if (existing) {
      existing.jobs.push(job);
      return;
    }
    const entry = {
      jobs: [job],
      timer: runtime.later(SHUFFLE_WINDOW_MS, () => {
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
    if (runtime.stopped || !jobs.has(job)) return;
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
    if (runtime.stopped) return;
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
    const delayMs = runtime.scaled(delaySeconds * 1000);
    if (Date.now() + delayMs > job.publishTime + runtime.scaled(sub.eventTimeToLiveInMinutes * 60_000)) {
      entry.next = 'DeadLettered';
      deadLetter(job, 'TimeToLiveExceeded', result);
      return;
    }
    entry.next = 'Retry';
    entry.retryInMs = Math.round(delayMs);
    job.timer = runtime.later(delayMs, () => void attempt(job));
  }

  function dropJobsOf(name: string): void {
    for (const job of jobs) {
      if (job.sub.name !== name) continue;
      if (job.timer) runtime.cancel(job.timer);
      jobs.delete(job);
    }
    const buffered = shuffleBuffers.get(name);
    if (buffered) {
      runtime.cancel(buffered.timer);
      shuffleBuffers.delete(name);
    }
  }

  function stop(): void {
    shuffleBuffers.clear();
    jobs.clear();
  }

  return { enqueue, dropJobsOf, stop };
}
