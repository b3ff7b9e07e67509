/**
 * The limits a burst of hardening runs meets in Azure, and the least time they allow: ARM's token
 * buckets (per subscription and principal, reads and writes) and the resource providers' own
 * windows (the Network RP's writes and reads per 5 minutes, Private DNS's reads), computed from the
 * calls one registry's run makes. Pure: the bench measures the calls, this says what they cost.
 */
import { DEFAULT_PROVIDER_LIMITS, DEFAULT_THROTTLE, providerLimitOf, type BucketConfig, type LimitedProvider, type WindowLimit } from '../local/azure-sim/arm/throttle';

export type CallProvider = LimitedProvider | 'other';
export type CallKind = 'read' | 'write';

/** Calls by provider and kind. */
export type CallCounts = Record<CallProvider, Record<CallKind, number>>;

/**
 * One registry's calls, by where they go: `own` to the registry's subscription (the registry, its
 * storage and ACR, their operations), `network` to the endpoint subnet's subscription (endpoints,
 * zone groups, their operations).
 */
export interface RegistryCalls {
  own: CallCounts;
  network: CallCounts;
}

export function emptyCounts(): CallCounts {
  return { network: { read: 0, write: 0 }, dns: { read: 0, write: 0 }, other: { read: 0, write: 0 } };
}

/** Counts ARM calls (method and path) by the provider whose limits they meet. */
export function countCalls(calls: ReadonlyArray<{ method: string; path: string }>): CallCounts {
  const counts = emptyCounts();
  for (const c of calls) {
    const kind: CallKind = c.method === 'GET' || c.method === 'HEAD' ? 'read' : 'write';
    counts[providerLimitOf(c.path) ?? 'other'][kind]++;
  }
  return counts;
}

function total(c: CallCounts, kind: CallKind): number {
  return c.network[kind] + c.dns[kind] + c.other[kind];
}

/** The limits that apply, at Azure's values or scaled (the quick burst scales them with its size). */
export interface Limits {
  armReads: BucketConfig;
  armWrites: BucketConfig;
  networkReads: WindowLimit;
  networkWrites: WindowLimit;
  dnsReads: WindowLimit;
}

export const AZURE_LIMITS: Limits = {
  armReads: DEFAULT_THROTTLE.reads,
  armWrites: DEFAULT_THROTTLE.writes,
  networkReads: DEFAULT_PROVIDER_LIMITS.network.reads as WindowLimit,
  networkWrites: DEFAULT_PROVIDER_LIMITS.network.writes as WindowLimit,
  dnsReads: DEFAULT_PROVIDER_LIMITS.dns.reads as WindowLimit,
};

/** The limits scaled by a factor (capacities, refills and window limits; windows keep their length). */
export function scaleLimits(limits: Limits, factor: number): Limits {
  const bucket = (b: BucketConfig): BucketConfig => ({ capacity: Math.max(1, Math.round(b.capacity * factor)), refillPerSecond: b.refillPerSecond * factor });
  const window = (w: WindowLimit): WindowLimit => ({ limit: Math.max(1, Math.round(w.limit * factor)), windowSeconds: w.windowSeconds });
  return { armReads: bucket(limits.armReads), armWrites: bucket(limits.armWrites), networkReads: window(limits.networkReads), networkWrites: window(limits.networkWrites), dnsReads: window(limits.dnsReads) };
}

/** The least time a token bucket lets `calls` through: what exceeds its capacity, at its refill rate. */
export function bucketSeconds(calls: number, bucket: BucketConfig): number {
  return Math.max(0, calls - bucket.capacity) / bucket.refillPerSecond;
}

/** The least time a sliding window lets `calls` through: a full window's worth per window length, the first at once. */
export function windowSeconds(calls: number, window: WindowLimit): number {
  return calls <= window.limit ? 0 : (Math.ceil(calls / window.limit) - 1) * window.windowSeconds;
}

export interface LimitCost {
  /** e.g. "ARM writes", "Network RP writes" */
  limit: string;
  subscription: string;
  calls: number;
  /** its capacity + refill, or its window */
  rule: string;
  seconds: number;
}

export interface BurstMinimum {
  /** every limit in every subscription, largest first */
  costs: LimitCost[];
  /** the one that allows the least (costs[0]) */
  binding: LimitCost;
}

/**
 * The least time the limits allow a burst: each subscription's calls (its own registries' `own`
 * calls; the endpoint subscription also every registry's `network` calls) against each limit;
 * subscriptions and limits run in parallel, so the largest decides.
 */
export function burstMinimum(perRegistry: RegistryCalls, registriesBySubscription: Readonly<Record<string, number>>, networkSubscription: string, limits: Limits): BurstMinimum {
  const all = Object.values(registriesBySubscription).reduce((a, b) => a + b, 0);
  const costs: LimitCost[] = [];
  for (const [subscription, count] of Object.entries(registriesBySubscription)) {
    const calls = emptyCounts();
    for (const p of ['network', 'dns', 'other'] as const) {
      for (const k of ['read', 'write'] as const) {
        calls[p][k] = perRegistry.own[p][k] * count + (subscription === networkSubscription ? perRegistry.network[p][k] * all : 0);
      }
    }
    const bucketRule = (b: BucketConfig): string => `${b.capacity} + ${Number(b.refillPerSecond.toFixed(2))}/s`;
    const windowRule = (w: WindowLimit): string => `${w.limit} per ${w.windowSeconds / 60} min`;
    costs.push(
      { limit: 'ARM writes', subscription, calls: total(calls, 'write'), rule: bucketRule(limits.armWrites), seconds: bucketSeconds(total(calls, 'write'), limits.armWrites) },
      { limit: 'ARM reads', subscription, calls: total(calls, 'read'), rule: bucketRule(limits.armReads), seconds: bucketSeconds(total(calls, 'read'), limits.armReads) },
      { limit: 'Network RP writes', subscription, calls: calls.network.write, rule: windowRule(limits.networkWrites), seconds: windowSeconds(calls.network.write, limits.networkWrites) },
      { limit: 'Network RP reads', subscription, calls: calls.network.read, rule: windowRule(limits.networkReads), seconds: windowSeconds(calls.network.read, limits.networkReads) },
      { limit: 'Private DNS reads', subscription, calls: calls.dns.read, rule: windowRule(limits.dnsReads), seconds: windowSeconds(calls.dns.read, limits.dnsReads) },
    );
  }
  costs.sort((a, b) => b.seconds - a.seconds || b.calls - a.calls);
  const binding = costs[0];
  if (!binding) throw new Error('burstMinimum: no subscription');
  return { costs, binding };
}
