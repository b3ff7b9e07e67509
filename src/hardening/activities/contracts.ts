import type {
  DiscoveryCheck,
  DnsCheck,
  DnsExpectation,
  EndpointInfo,
  EndpointPlacement,
  EndpointPlan,
  Outcome,
  RegistryReading,
  Target,
  TargetState,
} from '../domain/hardening';
import { ErrorCodes, errorCodeOf, errorMessageOf, LockdownError } from '../../shared/errors';

/**
 * What the hardenRegistry orchestrator sends to each activity and expects back (all JSON: it
 * goes through durable history). Activities implement these; names are in functions/names.ts.
 * Every activity is idempotent (GET, compare, write only the difference) and fails with a
 * LockdownError whose message starts with `[CODE]`.
 */

/** readRegistry: re-GET the registry and resolve its storage accounts and ACR. */
export interface ReadRegistryInput {
  registryId: string;
}
export type ReadRegistryOutput = RegistryReading;

/** inspectTargets: every target's public access and its endpoints from our subnet; the placement from settings (subnetId overrides the configured subnet). */
export interface InspectTargetsInput {
  targets: Target[];
  subnetId?: string;
}
export interface InspectTargetsOutput {
  placement: EndpointPlacement;
  states: TargetState[];
}

/** ensurePrivateEndpoint: PUT the endpoint of a plan entry (action 'create') unless it already exists as planned. */
export interface EnsurePrivateEndpointInput {
  plan: EndpointPlan;
  placement: EndpointPlacement;
}
export type EnsurePrivateEndpointOutput = EndpointInfo;

/** ensureZoneGroup: PUT the private DNS zone group unless it already links the zone. */
export interface EnsureZoneGroupInput {
  endpointId: string;
  name: string;
  zoneId: string;
}
export interface EnsureZoneGroupOutput {
  changed: boolean;
}

/** readEndpoint: GET one endpoint (connection state while waiting for approval). */
export interface ReadEndpointInput {
  endpointId: string;
}
export type ReadEndpointOutput = EndpointInfo;

/** disablePublicAccess: registry GET + full PUT, storage PATCH, ACR PATCH; no write when already Disabled. */
export interface DisablePublicAccessInput {
  target: Target;
}
export interface DisablePublicAccessOutput {
  changed: boolean;
  /** ISO time of the write, or of the read when unchanged */
  at: string;
}

/** collectDnsExpectations: every name of every endpoint as ARM reports it (NIC fqdns, zone group record sets). */
export interface CollectDnsExpectationsInput {
  endpointIds: string[];
}
export type CollectDnsExpectationsOutput = DnsExpectation[];

/** proveDns: resolve each name through the configured resolver. */
export interface ProveDnsInput {
  expectations: DnsExpectation[];
}
export type ProveDnsOutput = DnsCheck[];

/** checkDiscovery: registry discovery's registryFqdns must cover every region. */
export interface CheckDiscoveryInput {
  registryId: string;
  regions: string[];
}
export type CheckDiscoveryOutput = DiscoveryCheck;

/** publishOutcome: send the outcome CloudEvent (no-op when no topic is configured). */
export type PublishOutcomeInput = Outcome;
export type PublishOutcomeOutput = void;

/** Optional payload of the `approve` external event; any payload (or none) makes the run re-check the connections now. */
export interface ApproveEventInput {
  endpointId?: string;
  approvedBy?: string;
}

/**
 * What a hardenRegistry activity answers instead of throwing when it failed in a way no retry can
 * fix: a missing permission (`[ARM.FORBIDDEN]`). Durable Functions for JavaScript retries every
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
 * What a hardenRegistry activity answers instead of throwing when ARM kept throttling it
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
 * The answer an activity gives instead of throwing `error`, or undefined when the error is thrown
 * (and retried by the durable retry policy): a missing permission is refused, throttling is waited out.
 */
export function failureAnswerOf(error: unknown): ActivityRefusal | ActivityThrottled | undefined {
  const code = errorCodeOf(error);
  if (code === ErrorCodes.ARM_THROTTLED) return { throttled: errorMessageOf(error), retryAfterMs: error instanceof LockdownError ? (error.retryAfterMs ?? 0) : 0 };
  if (code === ErrorCodes.ARM_FORBIDDEN) return { refused: errorMessageOf(error) };
  return undefined;
}
