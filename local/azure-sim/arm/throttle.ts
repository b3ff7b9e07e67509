/** ARM's throttling model: a token bucket per subscription + principal, separate for reads and writes. */
export interface BucketConfig {
  capacity: number;
  refillPerSecond: number;
}

export interface ThrottleConfig {
  enabled: boolean;
  reads: BucketConfig;
  writes: BucketConfig;
}

export const DEFAULT_THROTTLE: ThrottleConfig = {
  enabled: true,
  reads: { capacity: 250, refillPerSecond: 25 },
  writes: { capacity: 200, refillPerSecond: 10 },
};

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

  /** timeScale < 1 makes buckets refill faster (simulated time runs faster than real time). */
  constructor(
    private config: ThrottleConfig,
    private readonly timeScale: number,
    private readonly now: () => number = () => Date.now(),
  ) {}

  configure(patch: Partial<ThrottleConfig>): ThrottleConfig {
    this.config = {
      enabled: patch.enabled ?? this.config.enabled,
      reads: { ...this.config.reads, ...(patch.reads ?? {}) },
      writes: { ...this.config.writes, ...(patch.writes ?? {}) },
    };
    this.buckets.clear();
    return this.config;
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
