/**
 * ARM's throttling model: a token bucket per subscription + principal, separate for reads and
 * writes; behind it, the resource providers' own limits (ProviderWindows) for what ARM lets through.
 */
import { providerOfPath } from './ids';

export interface BucketConfig {
  capacity: number;
  refillPerSecond: number;
}

export interface ThrottleConfig {
  /** false: neither ARM's buckets nor the providers' limits refuse anything */
  enabled: boolean;
  reads: BucketConfig;
  writes: BucketConfig;
  /** the resource providers' own limits (DEFAULT_PROVIDER_LIMITS) */
  providers: Record<LimitedProvider, ProviderLimitConfig>;
}

/** What the admin API and SimOptions.throttling may change (each part merged over the current one). */
export interface ThrottlePatch {
  enabled?: boolean;
  reads?: Partial<BucketConfig>;
  writes?: Partial<BucketConfig>;
  providers?: Partial<Record<LimitedProvider, ProviderLimitConfig>>;
}

interface Bucket {
  tokens: number;
  at: number;
}

/**
 * A refusal says how long to wait as ARM would: whole seconds of simulated time, at least 1
 * (`retryAfterSeconds`). Scaled to this run (timeScale < 1) that is usually under a second, which
 * `Retry-After` cannot say: `retryAfterMs` is the same wait in real ms, sent as `retry-after-ms`.
 */
export type ThrottleResult = { ok: true; remaining: number } | { ok: false; remaining: 0; retryAfterSeconds: number; retryAfterMs: number };

export class Throttle {
  private readonly buckets = new Map<string, Bucket>();
  private readonly windows: ProviderWindows;

  /** timeScale < 1 makes buckets refill faster (simulated time runs faster than real time). */
  constructor(
    private config: ThrottleConfig,
    private readonly timeScale: number,
    private readonly now: () => number = () => Date.now(),
  ) {
    this.windows = new ProviderWindows(() => this.config.providers, timeScale, now);
  }

  /** Merges the patch over the configuration and starts afresh: full buckets, empty windows. */
  configure(patch: ThrottlePatch): ThrottleConfig {
    this.config = mergeThrottle(this.config, patch);
    this.buckets.clear();
    this.windows.clear();
    return this.config;
  }

  /** The resource provider's own limit for a request ARM let through (none for most providers). */
  takeProvider(path: string, subscriptionId: string, kind: 'read' | 'write'): (WindowResult & { provider: LimitedProvider }) | undefined {
    const provider = providerLimitOf(path);
    if (!provider || !this.config.enabled) return undefined;
    const result = this.windows.take(provider, subscriptionId, kind);
    return result ? { ...result, provider } : undefined;
  }

  current(): ThrottleConfig {
    return this.config;
  }

  take(subscriptionId: string, principal: string, kind: 'read' | 'write'): ThrottleResult {
    const cfg = kind === 'read' ? this.config.reads : this.config.writes;
    const key = `${subscriptionId.toLowerCase()}|${principal}|${kind}`;
    const now = this.now();
    const ratePerMs = cfg.refillPerSecond / 1000 / (this.timeScale > 0 ? this.timeScale : 1);
    const b = this.buckets.get(key) ?? { tokens: cfg.capacity, at: now };
    b.tokens = Math.min(cfg.capacity, b.tokens + (now - b.at) * ratePerMs);
    b.at = now;
    this.buckets.set(key, b);
    if (!this.config.enabled) return { ok: true, remaining: Math.floor(b.tokens) };
    if (b.tokens >= 1) {
      b.tokens -= 1;
      return { ok: true, remaining: Math.floor(b.tokens) };
    }
    const scale = this.timeScale > 0 ? this.timeScale : 1;
    const simulatedMsToToken = ratePerMs > 0 ? (1 - b.tokens) / ratePerMs / scale : 60_000;
    const retryAfterSeconds = Math.max(1, Math.ceil(simulatedMsToToken / 1000));
    return { ok: false, remaining: 0, retryAfterSeconds, retryAfterMs: Math.round(retryAfterSeconds * 1000 * scale) };
  }
}

/**
 * A resource provider's own limit, counted beside ARM's buckets: at most `limit` requests of a
 * kind in any `windowSeconds` of simulated time, per subscription.
 */
export interface WindowLimit {
  limit: number;
  windowSeconds: number;
}

/** The providers whose own limits the simulator applies (providerLimitOf says which requests count). */
export type LimitedProvider = 'network' | 'dns';

export interface ProviderLimitConfig {
  reads?: WindowLimit;
  writes?: WindowLimit;
}

/**
 * The Network resource provider's limits (request-limits-and-throttling, "Network throttling"):
 * writes and deletes 1,000 and reads 10,000 per 5 minutes; Azure DNS and Private DNS: 500 reads
 * per 5 minutes (no write limit stated). Azure counts them per subscription and region of the
 * resource; the simulator counts every region of a subscription together (stricter).
 */
export const DEFAULT_PROVIDER_LIMITS: Readonly<Record<LimitedProvider, ProviderLimitConfig>> = {
  network: { writes: { limit: 1000, windowSeconds: 300 }, reads: { limit: 10_000, windowSeconds: 300 } },
  dns: { reads: { limit: 500, windowSeconds: 300 } },
};

/** Which provider's own limits a request counts against (providerOfPath): Network, DNS apart; none for the others. */
export function providerLimitOf(path: string): LimitedProvider | undefined {
  const provider = providerOfPath(path);
  if (provider?.namespace !== 'microsoft.network') return undefined;
  return provider.dns ? 'dns' : 'network';
}

/** A provider's answer: within its limit (what is left), or 429 with the wait in simulated seconds and scaled to real ms. */
export type WindowResult =
  | { ok: true; remaining: number }
  | { ok: false; remaining: 0; limit: WindowLimit; retryAfterSeconds: number; retryAfterMs: number };

/** The requests of one subscription, provider and kind in the sliding window: their times (real ms), oldest first. */
class SlidingLog {
  private times: number[] = [];
  private head = 0;

  count(now: number, windowMs: number): number {
    while (this.head < this.times.length && (this.times[this.head] ?? 0) <= now - windowMs) this.head++;
    if (this.head > 1024 && this.head * 2 > this.times.length) {
      this.times = this.times.slice(this.head);
      this.head = 0;
    }
    return this.times.length - this.head;
  }

  oldest(): number {
    return this.times[this.head] ?? 0;
  }

  add(now: number): void {
    this.times.push(now);
  }
}

/**
 * The resource providers' own limits: a sliding window per subscription, provider and kind (the
 * documented "per 5 minutes" does not say fixed or sliding; a sliding window never lets more than
 * the limit through in any 5 minutes). A refused request is not counted. `timeScale` < 1 makes
 * the windows shorter in real time, as it makes ARM's buckets refill faster.
 */
export class ProviderWindows {
  private readonly logs = new Map<string, SlidingLog>();

  constructor(
    private readonly limits: () => Readonly<Record<LimitedProvider, ProviderLimitConfig>>,
    private readonly timeScale: number,
    private readonly now: () => number = () => Date.now(),
  ) {}

  clear(): void {
    this.logs.clear();
  }

  take(provider: LimitedProvider, subscriptionId: string, kind: 'read' | 'write'): WindowResult | undefined {
    const limit = kind === 'read' ? this.limits()[provider].reads : this.limits()[provider].writes;
    if (!limit) return undefined;
    const scale = this.timeScale > 0 ? this.timeScale : 1;
    const windowMs = limit.windowSeconds * 1000 * scale;
    const key = `${subscriptionId.toLowerCase()}|${provider}|${kind}`;
    const log = this.logs.get(key) ?? new SlidingLog();
    this.logs.set(key, log);
    const now = this.now();
    const used = log.count(now, windowMs);
    if (used < limit.limit) {
      log.add(now);
      return { ok: true, remaining: limit.limit - used - 1 };
    }
    // the next request fits once the oldest counted one leaves the window
    const realMs = Math.max(0, log.oldest() + windowMs - now);
    const retryAfterSeconds = Math.max(1, Math.ceil(realMs / scale / 1000));
    return { ok: false, remaining: 0, limit, retryAfterSeconds, retryAfterMs: Math.round(retryAfterSeconds * 1000 * scale) };
  }
}

export const DEFAULT_THROTTLE: ThrottleConfig = {
  enabled: true,
  reads: { capacity: 250, refillPerSecond: 25 },
  writes: { capacity: 200, refillPerSecond: 10 },
  providers: { network: { ...DEFAULT_PROVIDER_LIMITS.network }, dns: { ...DEFAULT_PROVIDER_LIMITS.dns } },
};

export function mergeThrottle(base: ThrottleConfig, patch: ThrottlePatch): ThrottleConfig {
  const providers = { ...base.providers };
  for (const name of Object.keys(providers) as LimitedProvider[]) providers[name] = { ...providers[name], ...(patch.providers?.[name] ?? {}) };
  return {
    enabled: patch.enabled ?? base.enabled,
    reads: { ...base.reads, ...(patch.reads ?? {}) },
    writes: { ...base.writes, ...(patch.writes ?? {}) },
    providers,
  };
}
