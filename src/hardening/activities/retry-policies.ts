import { Activities } from '../../shared/names';
import type { RetrySpec } from '../../shared/workflow';
import type { HardenActivityName } from './contracts';

/**
 * The durable retry layer (the SDK pipeline below it already retries 429/5xx honouring
 * Retry-After, up to a cap). Named policies, defined once, applied by both drivers: the durable
 * one with callActivityWithRetry, the in-process one (the CLI) with the same numbers. Every
 * policy is bounded: after the last attempt the error reaches the workflow, which records a
 * Failed outcome with the error's stable code.
 *
 * Durable JS retries every failure (RetryOptions have no "handle" predicate), so a failure no
 * retry can fix — a missing permission, [ARM.FORBIDDEN] — is not thrown: the activity answers an
 * ActivityRefusal (./handlers.ts) that the workflow throws at once, and the run fails fast naming
 * the permission. Likewise ARM throttling ([ARM.THROTTLED] after the in-process retries) is not
 * thrown: the activity answers ActivityThrottled and the workflow waits it out with timers
 * (THROTTLE_PATIENCE_MINUTES), so a burst does not use up these attempts.
 */
export const RetryPolicies = {
  /** GETs against ARM: cheap, safe to repeat */
  armRead: { firstRetryIntervalMs: 5_000, maxAttempts: 4, backoffCoefficient: 2, maxRetryIntervalMs: 60_000, retryTimeoutMs: 10 * 60_000 },
  /** idempotent PUT/PATCH (LROs): longer pauses, they are throttled harder */
  armWrite: { firstRetryIntervalMs: 10_000, maxAttempts: 4, backoffCoefficient: 2, maxRetryIntervalMs: 120_000, retryTimeoutMs: 15 * 60_000 },
  /** DNS and discovery probes: the DNS loop itself retries with timers, this only covers a crashed attempt */
  probe: { firstRetryIntervalMs: 5_000, maxAttempts: 2, backoffCoefficient: 2, maxRetryIntervalMs: 30_000, retryTimeoutMs: 5 * 60_000 },
  /** a follow-up's look at the apply lock (the durable client): it stands for an event, so it keeps trying for an hour */
  followUp: { firstRetryIntervalMs: 5_000, maxAttempts: 10, backoffCoefficient: 2, maxRetryIntervalMs: 300_000, retryTimeoutMs: 60 * 60_000 },
  /** the outcome event: worth a few more tries, it is what people see */
  publish: { firstRetryIntervalMs: 10_000, maxAttempts: 5, backoffCoefficient: 2, maxRetryIntervalMs: 120_000, retryTimeoutMs: 15 * 60_000 },
} as const satisfies Record<string, RetrySpec>;

/** Which policy each activity uses. */
export const ACTIVITY_RETRY: Readonly<Record<HardenActivityName, RetrySpec>> = {
  [Activities.readRegistry]: RetryPolicies.armRead,
  [Activities.inspectTargets]: RetryPolicies.armRead,
  [Activities.readEndpoint]: RetryPolicies.armRead,
  [Activities.collectDnsExpectations]: RetryPolicies.armRead,
  [Activities.checkPermissions]: RetryPolicies.armRead,
  [Activities.ensurePrivateEndpoint]: RetryPolicies.armWrite,
  [Activities.ensureZoneGroup]: RetryPolicies.armWrite,
  [Activities.disablePublicAccess]: RetryPolicies.armWrite,
  [Activities.grantManagedGroupAccess]: RetryPolicies.armWrite,
  [Activities.proveDns]: RetryPolicies.probe,
  [Activities.checkDiscovery]: RetryPolicies.probe,
  [Activities.publishOutcome]: RetryPolicies.publish,
  [Activities.startPublicAccessOff]: RetryPolicies.armWrite,
  [Activities.startManagedGroupAccess]: RetryPolicies.armWrite,
  [Activities.startPrivateEndpoint]: RetryPolicies.armWrite,
  [Activities.startZoneGroup]: RetryPolicies.armWrite,
  [Activities.pollOperations]: RetryPolicies.armRead,
};
