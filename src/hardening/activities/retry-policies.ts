import * as df from 'durable-functions';
import { Activities } from '../../shared/names';

/**
 * The durable retry layer (the SDK pipeline below it already retries 429/5xx honouring
 * Retry-After, up to a cap). Named policies, defined once, applied with callActivityWithRetry.
 * Every policy is bounded: after the last attempt the error reaches the orchestrator, which
 * records a Failed outcome with the error's stable code.
 *
 * Durable JS retries every failure (RetryOptions have no "handle" predicate), so a failure no
 * retry can fix — a missing permission, [ARM.FORBIDDEN] — is not thrown: the activity answers an
 * ActivityRefusal (src/hardening/functions.ts) that the orchestrator throws at once, and the run
 * fails fast naming the permission. Likewise ARM throttling ([ARM.THROTTLED] after the in-process
 * retries) is not thrown: the activity answers ActivityThrottled and the orchestrator waits it
 * out with durable timers (THROTTLE_PATIENCE_MINUTES), so a burst does not use up these attempts.
 */
interface PolicySpec {
  firstRetryIntervalMs: number;
  maxAttempts: number;
  backoffCoefficient: number;
  maxRetryIntervalMs: number;
  retryTimeoutMs: number;
}

function policy(spec: PolicySpec): df.RetryOptions {
  const options = new df.RetryOptions(spec.firstRetryIntervalMs, spec.maxAttempts);
  options.backoffCoefficient = spec.backoffCoefficient;
  options.maxRetryIntervalInMilliseconds = spec.maxRetryIntervalMs;
  options.retryTimeoutInMilliseconds = spec.retryTimeoutMs;
  return options;
}

export const RetryPolicies = {
  /** GETs against ARM: cheap, safe to repeat */
  armRead: policy({ firstRetryIntervalMs: 5_000, maxAttempts: 4, backoffCoefficient: 2, maxRetryIntervalMs: 60_000, retryTimeoutMs: 10 * 60_000 }),
  /** idempotent PUT/PATCH (LROs): longer pauses, they are throttled harder */
  armWrite: policy({ firstRetryIntervalMs: 10_000, maxAttempts: 4, backoffCoefficient: 2, maxRetryIntervalMs: 120_000, retryTimeoutMs: 15 * 60_000 }),
  /** DNS and discovery probes: the DNS loop itself retries with durable timers, this only covers a crashed attempt */
  probe: policy({ firstRetryIntervalMs: 5_000, maxAttempts: 2, backoffCoefficient: 2, maxRetryIntervalMs: 30_000, retryTimeoutMs: 5 * 60_000 }),
  /** the outcome event: worth a few more tries, it is what people see */
  publish: policy({ firstRetryIntervalMs: 10_000, maxAttempts: 5, backoffCoefficient: 2, maxRetryIntervalMs: 120_000, retryTimeoutMs: 15 * 60_000 }),
} as const;

export type ActivityName = (typeof Activities)[keyof typeof Activities];

/** Which policy each activity uses. */
export const ACTIVITY_RETRY: Readonly<Record<ActivityName, df.RetryOptions>> = {
  [Activities.readRegistry]: RetryPolicies.armRead,
  [Activities.inspectTargets]: RetryPolicies.armRead,
  [Activities.readEndpoint]: RetryPolicies.armRead,
  [Activities.collectDnsExpectations]: RetryPolicies.armRead,
  [Activities.ensurePrivateEndpoint]: RetryPolicies.armWrite,
  [Activities.ensureZoneGroup]: RetryPolicies.armWrite,
  [Activities.disablePublicAccess]: RetryPolicies.armWrite,
  [Activities.proveDns]: RetryPolicies.probe,
  [Activities.checkDiscovery]: RetryPolicies.probe,
  [Activities.publishOutcome]: RetryPolicies.publish,
};
