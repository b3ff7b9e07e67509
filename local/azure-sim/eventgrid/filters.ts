/**
 * Event subscription filters as Event Grid evaluates them: includedEventTypes, subject
 * begins/ends with, and advanced filters (all must match; string comparisons are
 * case-insensitive; array values match if any element matches).
 */
export interface AdvancedFilter {
  operatorType: string;
  key: string;
  values?: unknown[];
  value?: unknown;
}

export interface SubscriptionFilter {
  includedEventTypes?: string[];
  subjectBeginsWith?: string;
  subjectEndsWith?: string;
  isSubjectCaseSensitive?: boolean;
  advancedFilters?: AdvancedFilter[];
}

const STRING_OPS = ['StringIn', 'StringNotIn', 'StringBeginsWith', 'StringNotBeginsWith', 'StringEndsWith', 'StringNotEndsWith', 'StringContains', 'StringNotContains'];
const NUMBER_OPS = ['NumberIn', 'NumberNotIn', 'NumberLessThan', 'NumberGreaterThan', 'NumberLessThanOrEquals', 'NumberGreaterThanOrEquals'];
const OTHER_OPS = ['BoolEquals', 'IsNullOrUndefined', 'IsNotNull'];
export const SUPPORTED_OPERATORS = [...STRING_OPS, ...NUMBER_OPS, ...OTHER_OPS];

/** Validates a filter from an admin request; returns the problem or undefined. */
export function filterProblem(f: SubscriptionFilter): string | undefined {
  if (f.includedEventTypes !== undefined && (!Array.isArray(f.includedEventTypes) || f.includedEventTypes.some((t) => typeof t !== 'string'))) {
    return "'includedEventTypes' must be an array of strings.";
  }
  if (f.advancedFilters === undefined) return undefined;
  if (!Array.isArray(f.advancedFilters)) return "'advancedFilters' must be an array.";
  if (f.advancedFilters.length > 25) return 'At most 25 advanced filters are allowed.';
  for (const [i, af] of f.advancedFilters.entries()) {
    if (!af || typeof af !== 'object') return `advancedFilters[${i}] must be an object.`;
    if (!SUPPORTED_OPERATORS.includes(af.operatorType)) return `advancedFilters[${i}].operatorType '${String(af.operatorType)}' is not supported.`;
    if (typeof af.key !== 'string' || !af.key) return `advancedFilters[${i}].key is required.`;
    if ([...STRING_OPS, ...NUMBER_OPS.filter((o) => o.endsWith('In'))].includes(af.operatorType)) {
      if (!Array.isArray(af.values) || af.values.length === 0) return `advancedFilters[${i}].values must be a non-empty array.`;
    } else if (NUMBER_OPS.includes(af.operatorType) || af.operatorType === 'BoolEquals') {
      if (af.value === undefined) return `advancedFilters[${i}].value is required.`;
    }
  }
  return undefined;
}

function lookup(event: Record<string, unknown>, key: string): unknown {
  let cur: unknown = event;
  for (const part of key.split('.')) {
    if (!cur || typeof cur !== 'object' || Array.isArray(cur)) return undefined;
    cur = (cur as Record<string, unknown>)[part];
  }
  return cur;
}

function evaluate(af: AdvancedFilter, raw: unknown): boolean {
  const negative = af.operatorType.includes('Not') && af.operatorType !== 'IsNotNull';
  if (af.operatorType === 'IsNullOrUndefined') return raw === undefined || raw === null;
  if (af.operatorType === 'IsNotNull') return raw !== undefined && raw !== null;
  if (raw === undefined || raw === null) return negative;
  const items = Array.isArray(raw) ? raw : [raw];
  if (af.operatorType === 'BoolEquals') return items.some((v) => v === af.value);
  if (NUMBER_OPS.includes(af.operatorType)) {
    const nums = items.filter((v): v is number => typeof v === 'number');
    const values = (af.values ?? []).filter((v): v is number => typeof v === 'number');
    const bound = typeof af.value === 'number' ? af.value : NaN;
    switch (af.operatorType) {
      case 'NumberIn':
        return nums.some((n) => values.includes(n));
      case 'NumberNotIn':
        return !nums.some((n) => values.includes(n));
      case 'NumberLessThan':
        return nums.some((n) => n < bound);
      case 'NumberGreaterThan':
        return nums.some((n) => n > bound);
      case 'NumberLessThanOrEquals':
        return nums.some((n) => n <= bound);
      default:
        return nums.some((n) => n >= bound);
    }
  }
  const strings = items.map((v) => (typeof v === 'string' ? v : JSON.stringify(v)).toLowerCase());
  const values = (af.values ?? []).map((v) => String(v).toLowerCase());
  const test = (s: string): boolean => {
    switch (af.operatorType) {
      case 'StringIn':
      case 'StringNotIn':
        return values.includes(s);
      case 'StringBeginsWith':
      case 'StringNotBeginsWith':
        return values.some((v) => s.startsWith(v));
      case 'StringEndsWith':
      case 'StringNotEndsWith':
        return values.some((v) => s.endsWith(v));
      default:
        return values.some((v) => s.includes(v));
    }
  };
  const any = strings.some(test);
  return negative ? !any : any;
}

/**
 * Whether an event (in the subscription's delivery schema) passes the filter. `eventType` and
 * `subject` are passed separately so the check is schema-independent; advanced filter keys are
 * looked up in the delivered shape (e.g. `data.operationName`, `subject`, `type` / `eventType`).
 */
export function matches(f: SubscriptionFilter, eventType: string, subject: string, delivered: Record<string, unknown>): boolean {
  if (f.includedEventTypes && f.includedEventTypes.length > 0) {
    if (!f.includedEventTypes.some((t) => t.toLowerCase() === eventType.toLowerCase())) return false;
  }
  const cs = f.isSubjectCaseSensitive === true;
  const s = cs ? subject : subject.toLowerCase();
  if (f.subjectBeginsWith && !s.startsWith(cs ? f.subjectBeginsWith : f.subjectBeginsWith.toLowerCase())) return false;
  if (f.subjectEndsWith && !s.endsWith(cs ? f.subjectEndsWith : f.subjectEndsWith.toLowerCase())) return false;
  return (f.advancedFilters ?? []).every((af) => evaluate(af, lookup(delivered, af.key)));
}
