import { retryPolicy, type PipelinePolicy, type PipelineResponse, type RetryStrategy } from '@azure/core-rest-pipeline';
import type { CommonClientOptions } from '@azure/core-client';
import { ErrorCodes, LockdownError } from '../domain/errors';
import { USER_AGENT_PREFIX } from '../version';

export interface ArmPipelineSettings {
  endpoint: string;
  scope: string;
  maxRetries: number;
  maxRetryAfterSeconds: number;
  /** base of the exponential backoff for 5xx and connection errors */
  retryDelayInMs?: number;
}

const TRANSIENT_STATUS = new Set([408, 500, 502, 503, 504]);
const TRANSIENT_ERRORS = new Set(['ECONNRESET', 'ECONNREFUSED', 'ETIMEDOUT', 'ESOCKETTIMEDOUT', 'EPIPE', 'EAI_AGAIN', 'ENOTFOUND', 'REQUEST_SEND_ERROR']);

/** Retry-After in ms from `retry-after-ms`, `x-ms-retry-after-ms` or `Retry-After` (seconds or HTTP date). */
export function retryAfterMs(response: PipelineResponse | undefined, now = Date.now()): number | undefined {
  if (!response) return undefined;
  for (const h of ['retry-after-ms', 'x-ms-retry-after-ms']) {
    const v = response.headers.get(h);
    if (v !== undefined && /^\d+$/.test(v.trim())) return Number(v);
  }
  const v = response.headers.get('retry-after');
  if (v === undefined) return undefined;
  if (/^\d+$/.test(v.trim())) return Number(v) * 1000;
  const date = Date.parse(v);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/**
 * One retry strategy for every ARM call: honour Retry-After (429, 503) up to a cap — a longer
 * wait fails fast as ARM.THROTTLED so the durable retry policy takes over instead of an activity
 * sleeping for an hour — and back off exponentially on 5xx and connection errors.
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
          throw new LockdownError(ErrorCodes.ARM_THROTTLED, `ARM asked to wait ${Math.ceil(after / 1000)} s (Retry-After), longer than ARM_MAX_RETRY_AFTER_SECONDS=${settings.maxRetryAfterSeconds}; retry later.`, { retryable: true });
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
    additionalPolicies: [{ policy: armRetryPolicy(settings), position: 'perCall' }],
  };
}
