/**
 * Values from callers and events on their way into log lines (issue 15 item 7): a newline in an
 * event's `eventType` must not forge a second line, and a 100 KB `operationName` must not make a
 * 100 KB line. `logText` escapes every control and line-breaking character and cuts the value;
 * `logJson` does the same for each string of a structured line. One rule, used wherever an event
 * or request field is logged.
 */

/** The longest value a log line carries in full; longer ones are cut and say by how much. */
export const MAX_LOG_VALUE = 256;

/** C0 and C1 controls, DEL, and the Unicode line and paragraph separators. */
// eslint-disable-next-line no-control-regex -- finding control characters is the point
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g;

const NAMED: Readonly<Record<string, string>> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

function escapeChar(c: string): string {
  return NAMED[c] ?? `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;
}

function cut(text: string, max: number): string {
  if (text.length <= max) return text;
  // never split a surrogate pair: the cut line stays valid UTF-16
  let end = max;
  const code = text.charCodeAt(end - 1);
  if (code >= 0xd800 && code <= 0xdbff) end--;
  return `${text.slice(0, end)}…(+${text.length - end} chars)`;
}

/** A value as one safe piece of a log line: control characters escaped (`\n`, `\u001b`…), at most `max` characters kept. */
export function logText(value: unknown, max: number = MAX_LOG_VALUE): string {
  const text = typeof value === 'string' ? value : value === undefined ? 'undefined' : typeof value === 'object' && value !== null ? safeStringify(value) : String(value);
  return cut(text, max).replace(UNSAFE, escapeChar);
}

function safeStringify(value: object): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return Object.prototype.toString.call(value);
  }
}

/**
 * A structured log line: JSON whose every string is cut to `max` characters, and with the
 * characters JSON leaves raw (C1 controls, DEL, U+2028/U+2029) escaped too, so the line is one
 * line whatever the fields held.
 */
export function logJson(record: Readonly<Record<string, unknown>>, max: number = MAX_LOG_VALUE): string {
  const json = JSON.stringify(record, (_key, value: unknown) => (typeof value === 'string' ? cut(value, max) : value)) ?? '{}';
  return json.replace(UNSAFE, escapeChar);
}
