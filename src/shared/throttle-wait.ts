import { fnv1a32Hex } from './hash';

/**
 * How long a run waits before calling a throttled activity again (pure and deterministic: the
 * orchestrator replays to the same waits). At least ARM's Retry-After and at least the floor —
 * the in-process retries have already waited out short Retry-Afters, so the bucket is contended
 * — plus up to half again of jitter derived from `seed` (instance id and wait number), so that
 * runs throttled together do not all come back at the same moment.
 */
export const THROTTLE_FLOOR_MS = 10_000;

export function throttleWaitMs(retryAfterMs: number, seed: string): number {
  const base = Math.max(retryAfterMs, THROTTLE_FLOOR_MS);
  const fraction = Number.parseInt(fnv1a32Hex(seed), 16) / 2 ** 32;
  return Math.round(base * (1 + fraction / 2));
}
