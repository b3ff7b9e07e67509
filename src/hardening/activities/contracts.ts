import type { RegistryId } from '../../shared/arm-id';
import type {
  DiscoveryCheck,
  DnsCheck,
  DnsExpectation,
  EndpointInfo,
  EndpointPlacement,
  EndpointPlan,
  Outcome,
  RegistryReading,
  RegistryState,
  Target,
  TargetState,
} from '../domain/hardening';
import type { OperationHandle, OperationPoll, WriteStart } from '../domain/operations';
import type { PermissionCheck, PermissionNeed } from '../domain/permission-check';
import { Activities } from '../../shared/names';

/**
 * What the hardenRegistry orchestrator sends to each activity and expects back (all JSON: it
 * goes through durable history). Activities implement these; names are in functions/names.ts.
 * Every activity is idempotent (GET, compare, write only the difference) and fails with a
 * LockdownError whose message starts with `[CODE]`.
 */

/** readRegistry: re-GET the registry and resolve its storage accounts and ACR. */
export interface ReadRegistryInput {
  registryId: RegistryId;
}
export type ReadRegistryOutput = RegistryReading;

/** inspectTargets: every target's public access and its endpoints from our subnet; the placement from settings (subnetId overrides the configured subnet). */
export interface InspectTargetsInput {
  targets: Target[];
  subnetId?: string;
  /** the registry as readRegistry read it (from 2.3): not read again, and the endpoints are found with one list of their resource group */
  registry?: RegistryState;
}
export interface InspectTargetsOutput {
  placement: EndpointPlacement;
  states: TargetState[];
}

/** ensurePrivateEndpoint: PUT the endpoint of a plan entry (action 'create') unless it already exists as planned. */
export interface EnsurePrivateEndpointInput {
  plan: EndpointPlan;
  placement: EndpointPlacement;
  /** the registry whose managed group may hold the target (from 2.1): a refused automatic approval becomes a manual connection */
  registryId?: string;
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

/** disablePublicAccess: registry GET + full PUT (with the app in assignedIdentities), storage PATCH, ACR PATCH; no write when already Disabled. */
export interface DisablePublicAccessInput {
  target: Target;
  /** the registry whose managed group holds a storage/ACR target (from 2.1): explains a deny assignment's refusal */
  registryId?: string;
}
export interface DisablePublicAccessOutput {
  changed: boolean;
  /** ISO time of the write, or of the read when unchanged */
  at: string;
}

/** grantManagedGroupAccess: the app's principal into the registry's assignedIdentities with a PUT of its own (public access unchanged), unless listed or not allowed. */
export interface GrantManagedGroupAccessInput {
  registryId: string;
}
export interface GrantManagedGroupAccessOutput {
  changed: boolean;
}

/** collectDnsExpectations: every name of every endpoint as ARM reports it (NIC fqdns, zone group record sets). */
export interface CollectDnsExpectationsInput {
  endpointIds: string[];
  /** from 2.3: one GET per endpoint with its NICs expanded; the zone groups only when the NICs report no name */
  nicFirst?: boolean;
}
export type CollectDnsExpectationsOutput = DnsExpectation[];

/** proveDns: resolve each name through the configured resolver. */
export interface ProveDnsInput {
  expectations: DnsExpectation[];
}
export type ProveDnsOutput = DnsCheck[];

/** checkDiscovery: registry discovery's registryFqdns must cover every region, and each URI's host must resolve privately. */
export interface CheckDiscoveryInput {
  registryId: RegistryId;
  regions: string[];
  /** the names the proof collected (the hosts' expected IPs come from them); absent in calls of older runs */
  expectations?: DnsExpectation[];
}
export type CheckDiscoveryOutput = DiscoveryCheck;

/** publishOutcome: send the outcome CloudEvent (no-op when no topic is configured). */
export type PublishOutcomeInput = Outcome;
export interface PublishOutcomeOutput {
  /** false when no outcome topic is configured (OUTCOME_TOPIC_ENDPOINT) */
  published: boolean;
}

/** checkPermissions (plan mode, from 2.1): the app's effective permissions at every scope an apply would write. */
export interface CheckPermissionsInput {
  needs: PermissionNeed[];
}
export type CheckPermissionsOutput = PermissionCheck;

/* ---------- from 2.3: writes answered at once, their operations polled by the run (../domain/operations.ts) ---------- */

/** startPublicAccessOff: as disablePublicAccess, without waiting: done, started (the run polls), or busy. */
export type StartPublicAccessOffInput = DisablePublicAccessInput;
export type StartPublicAccessOffOutput = WriteStart<{ changed: boolean }>;

/** startManagedGroupAccess: as grantManagedGroupAccess, without waiting. */
export type StartManagedGroupAccessInput = GrantManagedGroupAccessInput;
export type StartManagedGroupAccessOutput = WriteStart<{ changed: boolean }>;

/** startPrivateEndpoint: the endpoint's PUT; `check`: a later start reads the endpoint first. */
export interface StartPrivateEndpointInput extends EnsurePrivateEndpointInput {
  check?: boolean;
}
export type StartPrivateEndpointOutput = WriteStart<EndpointInfo>;

/** startZoneGroup: the zone group's PUT; `check`: a later start lists the endpoint's groups first. */
export interface StartZoneGroupInput extends EnsureZoneGroupInput {
  check?: boolean;
}
export type StartZoneGroupOutput = WriteStart<{ changed: boolean }>;

/** pollOperations: one look at each open operation of the run, in one call. */
export interface PollOperationsInput {
  operations: OperationHandle[];
}
export type PollOperationsOutput = OperationPoll[];

/** Optional payload of the `approve` external event; any payload (or none) makes the run re-check the connections now. */
export interface ApproveEventInput {
  endpointId?: string;
  approvedBy?: string;
}

/** The activities' contracts, by registered name (what the workflow sends and expects back). */
export interface HardenActivities {
  [Activities.readRegistry]: { input: ReadRegistryInput; output: ReadRegistryOutput };
  [Activities.inspectTargets]: { input: InspectTargetsInput; output: InspectTargetsOutput };
  [Activities.ensurePrivateEndpoint]: { input: EnsurePrivateEndpointInput; output: EnsurePrivateEndpointOutput };
  [Activities.ensureZoneGroup]: { input: EnsureZoneGroupInput; output: EnsureZoneGroupOutput };
  [Activities.readEndpoint]: { input: ReadEndpointInput; output: ReadEndpointOutput };
  [Activities.disablePublicAccess]: { input: DisablePublicAccessInput; output: DisablePublicAccessOutput };
  [Activities.grantManagedGroupAccess]: { input: GrantManagedGroupAccessInput; output: GrantManagedGroupAccessOutput };
  [Activities.collectDnsExpectations]: { input: CollectDnsExpectationsInput; output: CollectDnsExpectationsOutput };
  [Activities.proveDns]: { input: ProveDnsInput; output: ProveDnsOutput };
  [Activities.checkDiscovery]: { input: CheckDiscoveryInput; output: CheckDiscoveryOutput };
  [Activities.publishOutcome]: { input: PublishOutcomeInput; output: PublishOutcomeOutput };
  [Activities.checkPermissions]: { input: CheckPermissionsInput; output: CheckPermissionsOutput };
  [Activities.startPublicAccessOff]: { input: StartPublicAccessOffInput; output: StartPublicAccessOffOutput };
  [Activities.startManagedGroupAccess]: { input: StartManagedGroupAccessInput; output: StartManagedGroupAccessOutput };
  [Activities.startPrivateEndpoint]: { input: StartPrivateEndpointInput; output: StartPrivateEndpointOutput };
  [Activities.startZoneGroup]: { input: StartZoneGroupInput; output: StartZoneGroupOutput };
  [Activities.pollOperations]: { input: PollOperationsInput; output: PollOperationsOutput };
}

export type HardenActivityName = keyof HardenActivities;

export { failureAnswerOf, isActivityRefusal, isActivityThrottled, isActivityWaiting, type ActivityRefusal, type ActivityThrottled, type ActivityWaiting } from '../../shared/activity-answers';
