import { AsyncLocalStorage } from 'node:async_hooks';
import type { PipelinePolicy } from '@azure/core-rest-pipeline';
import { ErrorCodes, LockdownError } from '../shared/errors';

/**
 * The time budget of one function invocation (an activity): every Azure call it makes through the
 * app's pipeline, retries and their pauses included, is stopped when the budget runs out, so the
 * invocation ends with a coded, retryable error before the host's functionTimeout kills it. The
 * budget is FUNCTION_TIMEOUT_SECONDS less a margin (src/config/timeouts.ts); settings validation
 * already refuses settings whose single longest wait does not fit, this also covers an activity
 * that makes many calls one after the other.
 */
interface Budget {
  readonly what: string;
  readonly seconds: number;
  readonly endsAt: number;
}

const budgets = new AsyncLocalStorage<Budget>();

/** Runs `run` (and every call it makes, however deep) within `seconds`. */
export function withinInvocationBudget<T>(what: string, seconds: number, run: () => T): T {
  return budgets.run({ what, seconds, endsAt: Date.now() + seconds * 1000 }, run);
}

function budgetSpent(budget: Budget, method: string, url: string, cause?: unknown): LockdownError {
  return new LockdownError(
    ErrorCodes.INVOCATION_BUDGET_SPENT,
    `${method} ${url.replace(/\?.*$/, '')} was stopped: ${budget.what} used up its ${budget.seconds} s (FUNCTION_TIMEOUT_SECONDS less the margin) before the host's functionTimeout would end it; the durable retry runs it again.`,
    { cause, retryable: true },
  );
}

/** The pipeline policy (outside the retry policy, so its pauses count) that enforces the budget. */
export function invocationBudgetPolicy(): PipelinePolicy {
  return {
    name: 'invocationBudget',
    async sendRequest(request, next) {
      const budget = budgets.getStore();
      if (!budget) return next(request);
      const remaining = budget.endsAt - Date.now();
      if (remaining <= 0) throw budgetSpent(budget, request.method, request.url);
      const outer = request.abortSignal;
      const timer = AbortSignal.timeout(remaining);
      request.abortSignal = outer ? AbortSignal.any([outer as AbortSignal, timer]) : timer;
      try {
        return await next(request);
      } catch (e) {
        if (timer.aborted && !outer?.aborted) throw budgetSpent(budget, request.method, request.url, e);
        throw e;
      } finally {
        request.abortSignal = outer;
      }
    },
  };
}
