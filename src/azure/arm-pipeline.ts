import { RestError, retryPolicy, type PipelinePolicy, type PipelineResponse, type RetryStrategy } from '@azure/core-rest-pipeline';
import type { CommonClientOptions } from '@azure/core-client';
import { ErrorCodes, LockdownError } from '../shared/errors';
import { USER_AGENT_PREFIX } from '../shared/version';
import { invocationBudgetPolicy } from './invocation-budget';

export interface ArmPipelineSettings {
  endpoint: string;
  scope: string;
  maxRetries: number;
  maxRetryAfterSeconds: number;
  /** base of the exponential backoff for 5xx and connection errors */
  retryDelayInMs?: number;
  /** how long one attempt may go unanswered (ARM_REQUEST_TIMEOUT_SECONDS); none when unset */
  requestTimeoutSeconds?: number;
}

const TRANSIENT_STATUS = new Set([408, 500, 502, 503, 504]);
/** The code of the error an attempt that got no answer in time fails with (retried like a connection error). */
export const REQUEST_TIMEOUT_CODE = 'ARM_REQUEST_TIMEOUT';
const TRANSIENT_ERRORS = new Set([REQUEST_TIMEOUT_CODE, 'ECONNRESET', 'ECONNREFUSED', 'ETIMEDOUT', 'ESOCKETTIMEDOUT', 'EPIPE', 'EAI_AGAIN', 'ENOTFOUND', 'REQUEST_SEND_ERROR']);

/** Retry-After in ms from `retry-after-ms`, `x-ms-retry-after-ms` or `Retry-After` (seconds or HTTP date). */
export function retryAfterMs(response: Pick<PipelineResponse, 'headers'> | undefined, now = Date.now()): number | undefined {
  return response ? retryAfterFromHeaders((name) => response.headers.get(name), now) : undefined;
}

/** The same, over a header lookup by lower-case name (a response's headers as a plain record, too). */
export function retryAfterFromHeaders(header: (name: string) => string | undefined, now = Date.now()): number | undefined {
  for (const h of ['retry-after-ms', 'x-ms-retry-after-ms']) {
    const v = header(h);
    if (v !== undefined && /^\d+$/.test(v.trim())) return Number(v);
  }
  const v = header('retry-after');
  if (v === undefined) return undefined;
  if (/^\d+$/.test(v.trim())) return Number(v) * 1000;
  const date = Date.parse(v);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/**
 * One retry strategy for every ARM call: honour Retry-After (429, 503) up to a cap — a longer
 * wait fails fast as ARM.THROTTLED (carrying the Retry-After) so the run waits it out with a
 * durable timer instead of an activity sleeping for an hour — and back off exponentially on 5xx
 * and connection errors.
 */
export function armRetryStrategy(settings: Pick<ArmPipelineSettings, 'maxRetryAfterSeconds' | 'retryDelayInMs'>): RetryStrategy {
  const baseDelay = settings.retryDelayInMs ?? 800;
  const cap = settings.maxRetryAfterSeconds * 1000;
  return {
    name: 'armRetryStrategy',
    retry({ response, responseError, retryCount }) {
      const status = response?.status ?? responseError?.statusCode;
      const after = retryAfterMs(response);
      if (after !== undefined && (status === 429 || status === 503)) {
        if (after > cap) {
          throw new LockdownError(ErrorCodes.ARM_THROTTLED, `ARM asked to wait ${Math.ceil(after / 1000)} s (Retry-After), longer than ARM_MAX_RETRY_AFTER_SECONDS=${settings.maxRetryAfterSeconds}; retry later.`, { retryable: true, retryAfterMs: after });
        }
        return { retryAfterInMs: after };
      }
      const transient =
        (status !== undefined && (status === 429 || TRANSIENT_STATUS.has(status))) ||
        (response === undefined && responseError !== undefined && TRANSIENT_ERRORS.has(responseError.code ?? ''));
      if (!transient) return { skipStrategy: true };
      const exp = Math.min(baseDelay * 2 ** retryCount, 30_000);
      return { retryAfterInMs: exp / 2 + Math.random() * (exp / 2) };
    },
  };
}

/**
 * Gives every attempt its own deadline: an attempt without an answer after `seconds` is
 * abandoned and fails as a RestError with REQUEST_TIMEOUT_CODE, which the retry strategy treats
 * as a connection error. The SDK has no timeout of its own (a hung connection would hang the
 * activity, and the run with it). The caller's own abort signal (e.g. an LRO deadline) still wins.
 */
export function requestTimeoutPolicy(seconds: number): PipelinePolicy {
  return {
    name: 'armRequestTimeout',
    async sendRequest(request, next) {
      const outer = request.abortSignal;
      const timer = AbortSignal.timeout(seconds * 1000);
      request.abortSignal = outer ? AbortSignal.any([outer as AbortSignal, timer]) : timer;
      try {
        return await next(request);
      } catch (e) {
        if (timer.aborted && !outer?.aborted) {
          throw new RestError(`${request.method} ${request.url.replace(/\?.*$/, '')} got no answer within ${seconds} s (ARM_REQUEST_TIMEOUT_SECONDS)`, { code: REQUEST_TIMEOUT_CODE, request });
        }
        throw e;
      } finally {
        request.abortSignal = outer;
      }
    },
  };
}

/** True for the error of a request that got no answer within the request timeout. */
export function isRequestTimeout(e: unknown): e is RestError {
  return e instanceof RestError && e.code === REQUEST_TIMEOUT_CODE;
}

/**
 * Waits for one long-running operation at most `seconds`: `run` gets an abort signal to hand to
 * the SDK (it stops the polling); past the deadline the call fails as ARM.LRO_DEADLINE
 * (retryable: the durable retry re-reads and tries again; Azure may still finish the operation).
 */
export async function withLroDeadline<T>(seconds: number, what: string, run: (abortSignal: AbortSignal) => Promise<T>): Promise<T> {
  const signal = AbortSignal.timeout(seconds * 1000);
  try {
    return await run(signal);
  } catch (e) {
    if (!signal.aborted) throw e;
    throw new LockdownError(
      ErrorCodes.ARM_LRO_DEADLINE,
      `${what} was still running after ${seconds} s (ARM_LRO_DEADLINE_SECONDS); Azure may still finish it: look at the resource's provisioning state, then start the run again.`,
      { cause: e, retryable: true },
    );
  }
}

/** How the app waits for long-running operations: the poll interval (when ARM sends no Retry-After) and the deadline. */
export interface LroSettings {
  readonly updateIntervalInMs?: number;
  readonly deadlineSeconds?: number;
}

/** Starts one SDK long-running operation with the poll interval and waits for it, within the deadline when one is set. */
export function runLro<T>(lro: LroSettings, what: string, start: (options: { updateIntervalInMs?: number; abortSignal?: AbortSignal }) => PromiseLike<T>): Promise<T> {
  const poll = lro.updateIntervalInMs !== undefined ? { updateIntervalInMs: lro.updateIntervalInMs } : {};
  if (!lro.deadlineSeconds) return Promise.resolve(start(poll));
  return withLroDeadline(lro.deadlineSeconds, what, (abortSignal) => Promise.resolve(start({ ...poll, abortSignal })));
}

export function armRetryPolicy(settings: ArmPipelineSettings): PipelinePolicy {
  return retryPolicy([armRetryStrategy(settings)], { maxRetries: settings.maxRetries });
}

/**
 * Options every Azure SDK client gets from the factory: endpoint, one retry policy (the SDK's
 * default retry is turned off so there is exactly one layer in-process), and our user agent.
 */
export function commonClientOptions(settings: ArmPipelineSettings): CommonClientOptions & { endpoint: string } {
  return {
    endpoint: settings.endpoint,
    retryOptions: { maxRetries: 0 },
    userAgentOptions: { userAgentPrefix: USER_AGENT_PREFIX },
    additionalPolicies: [
      // outermost: an activity's time budget also ends the retry policy's pauses
      { policy: invocationBudgetPolicy(), position: 'perCall' },
      { policy: armRetryPolicy(settings), position: 'perCall' },
      ...(settings.requestTimeoutSeconds ? [{ policy: requestTimeoutPolicy(settings.requestTimeoutSeconds), position: 'perRetry' as const }] : []),
    ],
  };
}
