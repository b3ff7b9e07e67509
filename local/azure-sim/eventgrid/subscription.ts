import { filterProblem, type AdvancedFilter } from './filters';
import type { DeliverySchema } from './schema';

/** Event Grid's documented retry schedule, in seconds: 10 s, 30 s, 1 m, 5 m, 10 m, 30 m, 1 h, 3 h, 6 h, then every 12 h. */
export const RETRY_SCHEDULE_SECONDS = [10, 30, 60, 300, 600, 1800, 3600, 10800, 21600, 43200];

/** A webhook event subscription on the system topic, as the admin API creates and lists it. */
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

/** Validates an admin request body into a subscription; returns the problem as a string otherwise. */
export function parseSubscription(raw: unknown): SubscriptionView | string {
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
