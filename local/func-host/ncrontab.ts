/**
 * NCRONTAB schedules as the Functions timer trigger reads them: six fields, seconds first
 * (`{second} {minute} {hour} {day} {month} {day-of-week}`), or a `hh:mm:ss` TimeSpan interval.
 * Times are UTC. Day-of-month and day-of-week must both match (NCrontab semantics).
 */

const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
const DAYS = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];

interface FieldSpec {
  min: number;
  max: number;
  names?: string[];
  namesOffset?: number;
}

const SPECS: FieldSpec[] = [
  { min: 0, max: 59 },
  { min: 0, max: 59 },
  { min: 0, max: 23 },
  { min: 1, max: 31 },
  { min: 1, max: 12, names: MONTHS, namesOffset: 1 },
  { min: 0, max: 6, names: DAYS, namesOffset: 0 },
];

export type Schedule =
  | { kind: 'cron'; expression: string; fields: Set<number>[]; dayOfMonthAny: boolean; dayOfWeekAny: boolean }
  | { kind: 'interval'; expression: string; ms: number };

function parseValue(token: string, spec: FieldSpec, field: string): number {
  const upper = token.toUpperCase();
  if (spec.names) {
    const idx = spec.names.indexOf(upper.slice(0, 3));
    if (idx >= 0 && /^[A-Z]+$/.test(upper)) return idx + (spec.namesOffset ?? 0);
  }
  if (!/^\d+$/.test(token)) throw new Error(`Invalid value "${token}" in NCRONTAB field "${field}"`);
  let n = Number(token);
  if (spec === SPECS[5] && n === 7) n = 0;
  if (n < spec.min || n > spec.max) throw new Error(`Value ${n} out of range in NCRONTAB field "${field}"`);
  return n;
}

function parseField(field: string, spec: FieldSpec): Set<number> {
  const out = new Set<number>();
  for (const part of field.split(',')) {
    const [rangePart = '', stepPart] = part.split('/');
    const step = stepPart === undefined ? 1 : Number(stepPart);
    if (!Number.isInteger(step) || step <= 0) throw new Error(`Invalid step in NCRONTAB field "${field}"`);
    let lo: number;
    let hi: number;
    if (rangePart === '*') {
      lo = spec.min;
      hi = spec.max;
    } else if (rangePart.includes('-')) {
      const [a = '', b = ''] = rangePart.split('-');
      lo = parseValue(a, spec, field);
      hi = parseValue(b, spec, field);
    } else {
      lo = parseValue(rangePart, spec, field);
      hi = stepPart === undefined ? lo : spec.max;
    }
    if (lo > hi) throw new Error(`Invalid range in NCRONTAB field "${field}"`);
    for (let v = lo; v <= hi; v += step) out.add(v);
  }
  return out;
}

export function parseSchedule(expression: string): Schedule {
  const expr = expression.trim();
  const ts = /^(?:(\d+)\.)?(\d{1,2}):(\d{2}):(\d{2})$/.exec(expr);
  if (ts) {
    const ms = ((Number(ts[1] ?? 0) * 24 + Number(ts[2])) * 3600 + Number(ts[3]) * 60 + Number(ts[4])) * 1000;
    if (ms <= 0) throw new Error(`Invalid TimeSpan schedule "${expression}"`);
    return { kind: 'interval', expression: expr, ms };
  }
  const parts = expr.split(/\s+/);
  if (parts.length !== 6) {
    throw new Error(`NCRONTAB "${expression}" must have six fields: {second} {minute} {hour} {day} {month} {day-of-week}`);
  }
  const fields = parts.map((p, i) => parseField(p, SPECS[i]!));
  return { kind: 'cron', expression: expr, fields, dayOfMonthAny: parts[3] === '*' || parts[3] === '?', dayOfWeekAny: parts[5] === '*' || parts[5] === '?' };
}

/** Next occurrence strictly after `after` (UTC). */
export function nextOccurrence(schedule: Schedule, after: Date): Date {
  if (schedule.kind === 'interval') return new Date(after.getTime() + schedule.ms);
  const [sec, min, hour, dom, month, dow] = schedule.fields as [Set<number>, Set<number>, Set<number>, Set<number>, Set<number>, Set<number>];
  const t = new Date(Math.floor(after.getTime() / 1000) * 1000 + 1000);
  const limit = after.getTime() + 8 * 366 * 24 * 3600 * 1000;
  while (t.getTime() <= limit) {
    if (!month.has(t.getUTCMonth() + 1)) {
      t.setUTCMonth(t.getUTCMonth() + 1, 1);
      t.setUTCHours(0, 0, 0, 0);
      continue;
    }
    if (!dom.has(t.getUTCDate()) || !dow.has(t.getUTCDay())) {
      t.setUTCDate(t.getUTCDate() + 1);
      t.setUTCHours(0, 0, 0, 0);
      continue;
    }
    if (!hour.has(t.getUTCHours())) {
      t.setUTCHours(t.getUTCHours() + 1, 0, 0, 0);
      continue;
    }
    if (!min.has(t.getUTCMinutes())) {
      t.setUTCMinutes(t.getUTCMinutes() + 1, 0, 0);
      continue;
    }
    if (!sec.has(t.getUTCSeconds())) {
      t.setUTCSeconds(t.getUTCSeconds() + 1, 0);
      continue;
    }
    return new Date(t.getTime());
  }
  throw new Error(`NCRONTAB "${schedule.expression}" never occurs`);
}
