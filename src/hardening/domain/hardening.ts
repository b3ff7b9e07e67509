import type { RegistryId, SubnetId } from '../../shared/arm-id';
import type { Caller } from '../../shared/caller';
/**
 * The contract of the hardening job: what the orchestrator and the activities exchange. Pure
 * data (JSON-serialisable: it goes through durable history), no behaviour.
 */

export type TargetKind = 'registry' | 'storage' | 'acr';
export type GroupId = 'amlregistry' | 'blob' | 'registry';

export const GROUP_ID_OF: Readonly<Record<TargetKind, GroupId>> = { registry: 'amlregistry', storage: 'blob', acr: 'registry' };

/** A resource that needs a private endpoint and its public access off. */
export interface Target {
  kind: TargetKind;
  id: string;
  name: string;
  /** the region the endpoint name carries: the registry's home region, the storage account's region, the ACR's home region */
  region: string;
}

export type LockdownOrder = 'lockdown-first' | 'endpoints-first';
export type RunMode = 'apply' | 'plan';

/** Orchestration input; the starter fills it from settings plus the caller's overrides. */
export interface HardenInput {
  registryId: RegistryId;
  mode: RunMode;
  options: HardenOptions;
  /** when the triggering event happened (ISO), for the exposure-window figure */
  triggeredAt?: string;
  /** who or what started the run: 'eventgrid' | 'http' | 'cli' | 'sweep' | 'follow-up' */
  trigger: string;
  /** the id of the event that started the run (its redeliveries need no follow-up) */
  eventId?: string;
  /** who asked for the run: the HTTP caller (directly, or through a sweep), or the principal whose write raised the event — the audit trail */
  caller?: Caller;
}

export interface HardenOptions {
  order: LockdownOrder;
  lockdownAcr: boolean;
  approvalDeadlineMinutes: number;
  dnsDeadlineMinutes: number;
  provisioningDeadlineMinutes: number;
  /** how long in total the run waits out ARM throttling before it fails with ARM.THROTTLED */
  throttlePatienceMinutes: number;
  /** poll intervals for durable timers (seconds) */
  approvalPollSeconds: number;
  dnsRetrySeconds: number;
  provisioningPollSeconds: number;
  /** how long the run waits for access that ARM refused but that may still be propagating (a role assignment, the managed group's exemption) */
  accessPropagationMinutes: number;
  accessPollSeconds: number;
  /** override of the configured private-endpoint subnet (passed to inspectTargets) */
  subnetId?: SubnetId;
}

export type ConnectionStatus = 'Approved' | 'Pending' | 'Rejected' | 'Disconnected' | 'Unknown';

export interface ZoneGroupInfo {
  name: string;
  zoneIds: string[];
  /** ARM's provisioningState; a 'Failed' group (its PUT's operation failed) has no DNS records and must be put again */
  provisioningState?: string;
  /** the names its record sets hold, with their IPs (read with the group: the DNS proof's names when the NIC is not read) */
  records?: Array<{ fqdn: string; ip: string }>;
}

/** Whether the zone group links `zoneId` and is usable (not left Failed by its last PUT). */
export function zoneGroupServes(group: ZoneGroupInfo, zoneId: string, same: (a: string, b: string) => boolean): boolean {
  return group.provisioningState?.toLowerCase() !== 'failed' && group.zoneIds.some((z) => same(z, zoneId));
}

/** A private endpoint as ARM reports it. */
export interface EndpointInfo {
  id: string;
  name: string;
  subnetId: string;
  location: string;
  targetId: string;
  groupIds: string[];
  connectionStatus: ConnectionStatus;
  connectionDescription?: string;
  provisioningState: string;
  zoneGroups: ZoneGroupInfo[];
}

/** What readRegistry learned about the managed group's deny assignment (domain/managed-group.ts decides with it). */
export interface ManagedGroupAccess {
  /** APP_PRINCIPAL_ID */
  appPrincipalId?: string;
  /** the registry's assignedIdentities lists it */
  listed: boolean;
  /** MANAGED_RG_ASSIGN_APP_IDENTITY */
  assignEnabled: boolean;
}

/**
 * Whether the app can write in the managed group: notNeeded (the plan writes nothing there),
 * listed (already exempt), assign (the app adds itself), cannot (those writes will be refused).
 */
export interface ManagedGroupDecision {
  state: 'notNeeded' | 'listed' | 'assign' | 'cannot';
  detail: string;
}

/** Step 1–2 output: the registry re-read and its resources resolved. */
export type RegistryReading =
  | { status: 'notFound'; registryId: RegistryId }
  | { status: 'provisioning'; registryId: RegistryId; provisioningState: string }
  | {
      status: 'ready';
      registryId: RegistryId;
      name: string;
      location: string;
      regions: string[];
      exempt: boolean;
      managedResourceGroupId: string | undefined;
      /** registry first, then one storage account per region, then the one ACR */
      targets: Target[];
      /** how the storage/ACR ids were found */
      resolvedBy: 'properties' | 'managedResourceGroup';
      /** whether the app may write in the managed resource group (absent in runs from before 2.1) */
      managedGroupAccess?: ManagedGroupAccess;
      /** the registry's own public access and endpoint connections as this read saw them (from 2.3 inspectTargets does not read the registry again) */
      registryState?: RegistryState;
    };

/** The registry target's state, as readRegistry read it. */
export interface RegistryState {
  publicNetworkAccess: string;
  endpointIds: string[];
}

/** Current state of one target: its public access and every endpoint to it from our subnet. */
export interface TargetState {
  target: Target;
  publicNetworkAccess: string;
  endpoints: EndpointInfo[];
}

/** Where endpoints go. */
export interface EndpointPlacement {
  subnetId: string;
  subscriptionId: string;
  resourceGroup: string;
  location: string;
  zoneIds: Readonly<Record<GroupId, string>>;
}

export interface EndpointPlan {
  target: Target;
  groupId: GroupId;
  /** the endpoint's name: the existing one when kept, the deterministic one when created */
  name: string;
  /** the endpoint's id (existing, or the one it will have) */
  endpointId: string;
  action: 'create' | 'keep';
  zoneGroup: { action: 'create' | 'keep' | 'foreign'; name: string; zoneId: string };
  /** connection state now (kept endpoints) */
  connectionStatus: ConnectionStatus | 'New';
}

export interface PublicAccessPlan {
  target: Target;
  current: string;
  action: 'disable' | 'keep' | 'skip';
  reason?: string;
}

export interface HardeningPlan {
  registryId: RegistryId;
  endpoints: EndpointPlan[];
  publicAccess: PublicAccessPlan[];
  warnings: string[];
  /** ARM writes the plan makes */
  writes: number;
  /** whether the app can write in the registry's managed resource group (from 2.1) */
  managedGroup?: ManagedGroupDecision;
}

/** A name the DNS proof must resolve, with the private IP ARM assigned it. */
export interface DnsExpectation {
  /** the name the proof resolves (a reported name's privatelink form, or the concrete probe of a wildcard) */
  fqdn: string;
  expectedIp: string;
  endpointId: string;
  kind: TargetKind;
  /** the name as ARM reported it, when the proof resolves another form of it */
  reportedAs?: string;
}

export interface DnsCheck extends DnsExpectation {
  ok: boolean;
  answered: string[];
  /** CNAME chain followed, if any */
  chain: string[];
  error?: string;
}

export interface DiscoveryCheck {
  ok: boolean;
  regions: string[];
  missingRegions: string[];
  /** the hosts of registryFqdns' URIs, each resolved in privatelink form (absent in outcomes of older runs) */
  hosts?: DiscoveryHostCheck[];
  error?: string;
}

/** One registryFqdns URI host: its privatelink form must answer the registry endpoint's private IP. */
export interface DiscoveryHostCheck {
  region: string;
  uri: string;
  /** the name resolved: the host's privatelink form */
  fqdn: string;
  ok: boolean;
  answered: string[];
  /** the private IP of the registry endpoint that reports this name; absent when no endpoint reports it */
  expectedIp?: string;
  error?: string;
}

export type OutcomeKind = 'Hardened' | 'Failed' | 'Exempt' | 'Planned' | 'NotFound';

/** One entry of ARM's permissions answer (`GET {scope}/providers/Microsoft.Authorization/permissions`). */
export interface PermissionEntry {
  actions: string[];
  notActions: string[];
}

/** An action an apply would perform at a scope, and why. */
export interface PermissionNeed {
  scope: string;
  action: string;
  why: string;
}

export interface PermissionCheck {
  /** the scopes asked, each once */
  scopes: string[];
  /** the needs the effective permissions do not cover (empty: an apply has every permission it needs) */
  missing: PermissionNeed[];
}

export interface Outcome {
  kind: OutcomeKind;
  registryId: RegistryId;
  instanceId: string;
  mode: RunMode;
  changes: string[];
  alreadyCompliant: string[];
  warnings: string[];
  dns: DnsCheck[];
  discovery?: DiscoveryCheck;
  plan?: HardeningPlan;
  /** plan mode (from 2.1): the scopes an apply would write, and the permissions missing there */
  permissions?: PermissionCheck;
  error?: { code: string; message: string };
  /** a Failed apply run: what the plan wanted that is not done (a re-run completes it) */
  notDone?: string[];
  startedAt: string;
  endedAt: string;
  /** from the triggering event to the last public-access write (ms), when both are known */
  exposureWindowMs?: number;
  /** who asked for the run (HTTP callers, and the sweeps they started) */
  caller?: Caller;
}

export type StepName = 'read' | 'resolve' | 'plan' | 'endpoints' | 'approval' | 'lockdown' | 'dns' | 'publish';
export type StepState = 'pending' | 'running' | 'done' | 'skipped' | 'failed';

export interface StepStatus {
  step: StepName;
  state: StepState;
  detail: string;
  startedAt?: string;
  endedAt?: string;
}
