import { ErrorCodes, errorCodeOf, errorMessageOf, LockdownError } from './errors';

/**
 * What an activity answers instead of throwing when it failed in a way no retry can
 * fix: a missing permission (`[ARM.FORBIDDEN]`), a deny assignment (`[ARM.DENY_ASSIGNMENT]`), a
 * registry outside the target scope (`[REQUEST.OUT_OF_SCOPE]`). Durable Functions for JavaScript retries every
 * failure of callActivityWithRetry (RetryOptions have no "handle" predicate), so the activity
 * completes with this and the orchestrator throws it at once: the run fails fast, with the same
 * `[CODE] message` a thrown error would carry.
 */
export interface ActivityRefusal {
  refused: string;
}

export function isActivityRefusal(value: unknown): value is ActivityRefusal {
  return typeof value === 'object' && value !== null && typeof (value as { refused?: unknown }).refused === 'string' && Object.keys(value).length === 1;
}

/**
 * What an activity answers instead of throwing when ARM kept throttling it
 * (`[ARM.THROTTLED]`: still 429 after the in-process retries, or a Retry-After longer than
 * ARM_MAX_RETRY_AFTER_SECONDS). The durable retry policy would give up after a few attempts;
 * instead the orchestrator waits with a durable timer (at least `retryAfterMs`) and calls the
 * same activity again, within the run's throttle patience.
 */
export interface ActivityThrottled {
  /** the `[ARM.THROTTLED] …` message */
  throttled: string;
  /** ARM's Retry-After in ms; 0 when it did not say */
  retryAfterMs: number;
}

export function isActivityThrottled(value: unknown): value is ActivityThrottled {
  if (typeof value !== 'object' || value === null || Object.keys(value).length !== 2) return false;
  const v = value as { throttled?: unknown; retryAfterMs?: unknown };
  return typeof v.throttled === 'string' && typeof v.retryAfterMs === 'number' && Number.isFinite(v.retryAfterMs) && v.retryAfterMs >= 0;
}

/**
 * What an activity answers when ARM refused access that the app has been granted (or is being
 * granted) but that may not have taken effect yet: a 403 naming a permission of the app's role
 * (role assignments propagate), or the managed group's deny assignment while the app's exemption
 * propagates. The orchestrator waits with a durable timer and calls again, up to
 * ACCESS_PROPAGATION_MINUTES, then fails with the message's code.
 */
export interface ActivityWaiting {
  /** the `[ARM.FORBIDDEN] …` / `[ARM.DENY_ASSIGNMENT] …` message */
  waiting: string;
}

export function isActivityWaiting(value: unknown): value is ActivityWaiting {
  return typeof value === 'object' && value !== null && typeof (value as { waiting?: unknown }).waiting === 'string' && Object.keys(value).length === 1;
}

/**
 * The answer an activity gives instead of throwing `error`, or undefined when the error is thrown
 * (and retried by the durable retry policy): a missing permission is refused, throttling is waited out.
 */
export function failureAnswerOf(error: unknown): ActivityRefusal | ActivityThrottled | ActivityWaiting | undefined {
  const code = errorCodeOf(error);
  if (code === ErrorCodes.ARM_THROTTLED) return { throttled: errorMessageOf(error), retryAfterMs: error instanceof LockdownError ? (error.retryAfterMs ?? 0) : 0 };
  if (code === ErrorCodes.ARM_FORBIDDEN || code === ErrorCodes.ARM_DENY_ASSIGNMENT) {
    return error instanceof LockdownError && error.propagating ? { waiting: errorMessageOf(error) } : { refused: errorMessageOf(error) };
  }
  if (code === ErrorCodes.REQUEST_OUT_OF_SCOPE) return { refused: errorMessageOf(error) };
  return undefined;
}
