/**
 * What the durable client answers about an instance, read defensively: a class instance
 * (getStatus) or the raw JSON of a list (getStatusBy), where the input and the custom status may
 * still be JSON text and a time a Date or a string. The report and the HTTP API's run views both
 * read it with these.
 */
export interface DurableStatusRecord {
  instanceId?: unknown;
  name?: unknown;
  runtimeStatus?: unknown;
  input?: unknown;
  customStatus?: unknown;
  output?: unknown;
  createdTime?: unknown;
  lastUpdatedTime?: unknown;
}

/** A value of the record as an object: JSON text is parsed; arrays, null and anything else are undefined. */
export function recordOf(value: unknown): Record<string, unknown> | undefined {
  if (typeof value === 'string') {
    try {
      return recordOf(JSON.parse(value) as unknown);
    } catch {
      return undefined;
    }
  }
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

/**
 * A time of the record (Date or string) as ISO 8601; '' when absent or unreadable (an invalid
 * Date, a string that is no time), so a view of a record with a bad time still answers.
 */
export function isoTime(value: unknown): string {
  const t = value instanceof Date ? value.getTime() : typeof value === 'string' ? Date.parse(value) : Number.NaN;
  return Number.isNaN(t) ? '' : new Date(t).toISOString();
}
