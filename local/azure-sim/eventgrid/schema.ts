import type { WriteRecord } from '../store';

/** Event Grid schema event, as delivered to webhooks (JSON array of these). */
export interface EventGridEvent {
  id: string;
  topic: string;
  subject: string;
  eventType: string;
  eventTime: string;
  data: unknown;
  dataVersion: string;
  metadataVersion: string;
}

/** CloudEvents 1.0 (JSON format). Extension attributes are top-level string/number/boolean members. */
export interface CloudEvent {
  specversion: '1.0';
  id: string;
  source: string;
  type: string;
  subject?: string;
  time?: string;
  datacontenttype?: string;
  dataschema?: string;
  data?: unknown;
  data_base64?: string;
  [extension: string]: unknown;
}

export type DeliverySchema = 'EventGridSchema' | 'CloudEventSchemaV1_0';

export function eventTypeOf(method: WriteRecord['method']): string {
  switch (method) {
    case 'DELETE':
      return 'Microsoft.Resources.ResourceDeleteSuccess';
    case 'POST':
      // ARM raises ResourceActionSuccess for POST actions (e.g. listKeys, removeRegions).
      return 'Microsoft.Resources.ResourceActionSuccess';
    default:
      return 'Microsoft.Resources.ResourceWriteSuccess';
  }
}

/**
 * ARM reports some token claims under their long claim types, not the JWT's short names (the
 * documented ResourceWriteSuccess sample: `http://schemas.microsoft.com/identity/claims/objectidentifier`
 * for the caller's object id, while `appid`, `aud`, `iss`, `name`… stay short).
 */
const EVENT_CLAIM_TYPES: Readonly<Record<string, string>> = {
  oid: 'http://schemas.microsoft.com/identity/claims/objectidentifier',
  tid: 'http://schemas.microsoft.com/identity/claims/tenantid',
  scp: 'http://schemas.microsoft.com/identity/claims/scope',
  sub: 'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/nameidentifier',
  acr: 'http://schemas.microsoft.com/claims/authnclassreference',
  amr: 'http://schemas.microsoft.com/claims/authnmethodsreferences',
  given_name: 'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/givenname',
  family_name: 'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/surname',
  unique_name: 'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/name',
  upn: 'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/upn',
};

/** Entra claims appear in the event as strings, under ARM's claim types, like the real service sends them. */
function stringClaims(claims: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(claims)) {
    if (v === undefined || v === null) continue;
    out[EVENT_CLAIM_TYPES[k] ?? k] = typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'boolean' ? String(v) : JSON.stringify(v);
  }
  return out;
}

/** The system-topic event ARM raises for a successful write, in Event Grid schema. */
export function resourceEventOf(record: WriteRecord, topic: string, id: string, fallbackTenantId: string): EventGridEvent {
  const data: Record<string, unknown> = {
    authorization: record.authorization,
    claims: stringClaims(record.claims),
    correlationId: record.correlationId,
    ...(record.httpRequest ? { httpRequest: record.httpRequest } : {}),
    operationName: record.operationName,
    resourceProvider: record.resourceProvider,
    resourceUri: record.resourceId,
    status: 'Succeeded',
    subscriptionId: record.subscriptionId,
    tenantId: record.tenantId || fallbackTenantId,
  };
  return {
    id,
    topic,
    subject: record.resourceId,
    eventType: eventTypeOf(record.method),
    eventTime: record.time,
    data,
    dataVersion: '2',
    metadataVersion: '1',
  };
}

export function toCloudEvent(e: EventGridEvent): CloudEvent {
  return { specversion: '1.0', type: e.eventType, source: e.topic, subject: e.subject, id: e.id, time: e.eventTime, data: e.data };
}

const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/i;
const RESERVED = new Set(['specversion', 'id', 'source', 'type', 'subject', 'time', 'datacontenttype', 'dataschema', 'data', 'data_base64']);

/** Checks one CloudEvents 1.0 JSON event; returns the problem, or undefined when valid. */
export function cloudEventProblem(value: unknown, index: number): string | undefined {
  const at = `event[${index}]`;
  if (!value || typeof value !== 'object' || Array.isArray(value)) return `${at} is not a JSON object.`;
  const e = value as Record<string, unknown>;
  if (e['specversion'] !== '1.0') return `${at}: 'specversion' must be '1.0'.`;
  for (const required of ['id', 'source', 'type']) {
    const v = e[required];
    if (typeof v !== 'string' || v.length === 0) return `${at}: required attribute '${required}' is missing or not a non-empty string.`;
  }
  for (const optional of ['subject', 'datacontenttype', 'dataschema', 'data_base64']) {
    if (e[optional] !== undefined && typeof e[optional] !== 'string') return `${at}: '${optional}' must be a string.`;
  }
  const time = e['time'];
  if (time !== undefined && (typeof time !== 'string' || !RFC3339.test(time) || Number.isNaN(Date.parse(time)))) {
    return `${at}: 'time' must be an RFC 3339 timestamp.`;
  }
  if (e['data'] !== undefined && e['data_base64'] !== undefined) return `${at}: 'data' and 'data_base64' are mutually exclusive.`;
  for (const [k, v] of Object.entries(e)) {
    if (RESERVED.has(k)) continue;
    if (!/^[a-z0-9]{1,20}$/.test(k)) return `${at}: extension attribute name '${k}' is invalid (lower-case letters and digits, at most 20).`;
    if (v !== null && typeof v !== 'string' && typeof v !== 'number' && typeof v !== 'boolean') {
      return `${at}: extension attribute '${k}' must be a string, number or boolean.`;
    }
  }
  return undefined;
}
