/**
 * A token bucket over explicit time (pure: the caller passes the clock, so the orchestrator can
 * use currentUtcDateTime and replay to the same decisions). It models ARM's per-subscription
 * write budget (landscape: bucket 200, refill 10/s) so that a sweep starts runs no faster than
 * their writes fit in it.
 */
export interface BucketBudget {
  /** tokens when full (the burst) */
  capacity: number;
  /** tokens added per second */
  refillPerSecond: number;
}

export const ARM_WRITE_BUDGET: Readonly<BucketBudget> = Object.freeze({ capacity: 200, refillPerSecond: 10 });

export interface BucketState {
  tokens: number;
  /** epoch ms the token count refers to */
  atMs: number;
}

export function fullBucket(budget: BucketBudget, nowMs: number): BucketState {
  return { tokens: budget.capacity, atMs: nowMs };
}

/** The bucket refilled up to now (never above capacity; time never runs backwards). */
export function refill(state: BucketState, budget: BucketBudget, nowMs: number): BucketState {
  if (nowMs <= state.atMs) return state;
  const tokens = Math.min(budget.capacity, state.tokens + ((nowMs - state.atMs) / 1000) * budget.refillPerSecond);
  return { tokens, atMs: nowMs };
}

/** A cost above capacity could never be paid: it is charged as a full bucket. */
export function effectiveCost(cost: number, budget: BucketBudget): number {
  return Math.min(Math.max(0, cost), budget.capacity);
}

export type TakeResult = { ok: true; state: BucketState } | { ok: false; state: BucketState; waitMs: number };

/** Takes `cost` tokens now, or says how long to wait until they are there (the state is refilled either way). */
export function take(state: BucketState, budget: BucketBudget, cost: number, nowMs: number): TakeResult {
  const now = refill(state, budget, nowMs);
  const need = effectiveCost(cost, budget);
  if (now.tokens + 1e-9 >= need) return { ok: true, state: { tokens: now.tokens - need, atMs: now.atMs } };
  if (budget.refillPerSecond <= 0) return { ok: false, state: now, waitMs: Number.POSITIVE_INFINITY };
  return { ok: false, state: now, waitMs: Math.ceil(((need - now.tokens) / budget.refillPerSecond) * 1000) };
}
