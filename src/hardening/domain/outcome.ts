import type { RegistryId } from '../../shared/arm-id';
import type { Caller } from '../../shared/caller';
import type { DiscoveryCheck, DnsCheck, EndpointPlan, HardenInput, HardeningPlan, Outcome, OutcomeKind, RunMode, Target } from './hardening';
import { sha256Hex } from '../../shared/hash';
import { missingPermissionLines, type PermissionCheck } from './permission-check';
import { notDoneLines } from './managed-group';
import { describeTarget, zoneNameOf } from './plan';

/**
 * The run's summary: published as a CloudEvent and returned as the orchestration output.
 *
 * Event types are `AmlRegistryLockdown.Registry.<Kind>` (Hardened, Failed, Exempt, Planned,
 * NotFound): reverse-DNS-like and product-scoped, deliberately not under `Microsoft.` so that
 * nobody mistakes them for Azure system events. The CloudEvent subject is the registry id.
 */
export const OUTCOME_EVENT_TYPE_PREFIX = 'AmlRegistryLockdown.Registry.';

export function outcomeEventType(kind: OutcomeKind): string {
  return `${OUTCOME_EVENT_TYPE_PREFIX}${kind}`;
}

/**
 * The outcome CloudEvent's id: the same for every publish of one run's outcome (a durable retry
 * after a slow or timed-out send, a replay), different for another run (the run's start time —
 * deterministic in the orchestrator — and instance id) or another outcome kind, so consumers
 * can drop duplicates by source + id. A UUID-shaped SHA-256 (version 8, RFC 9562's custom form).
 */
export function outcomeEventId(outcome: Pick<Outcome, 'instanceId' | 'startedAt' | 'kind'>): string {
  const h = sha256Hex(JSON.stringify([outcome.instanceId, outcome.startedAt, outcome.kind]));
  const variant = ((parseInt(h.charAt(16), 16) & 0x3) | 0x8).toString(16);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-8${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** What the apply phase actually did (the activities' answers), for the summary lines. */
export interface AppliedChanges {
  /** endpoints the run created (ensurePrivateEndpoint ran), with the connection state it reported */
  endpoints: Array<{ endpointId: string; connectionStatus: string }>;
  zoneGroups: Array<{ endpointId: string; name: string; zoneId: string; changed: boolean }>;
  publicAccess: Array<{ target: Target; changed: boolean; at: string }>;
  /** endpoints whose Pending connection got approved while the run waited */
  approved: string[];
  /** the run added the app's principal to the registry's assignedIdentities (from 2.1) */
  assignedIdentity?: boolean;
}

export function emptyApplied(): AppliedChanges {
  return { endpoints: [], zoneGroups: [], publicAccess: [], approved: [] };
}

export interface OutcomeArgs {
  kind: OutcomeKind;
  registryId: RegistryId;
  instanceId: string;
  mode: RunMode;
  startedAt: string;
  endedAt: string;
  plan?: HardeningPlan;
  applied?: AppliedChanges;
  dns?: DnsCheck[];
  discovery?: DiscoveryCheck;
  /** warnings beyond the plan's */
  warnings?: string[];
  /** extra lines for alreadyCompliant (e.g. why nothing was done) */
  notes?: string[];
  error?: { code: string; message: string };
  triggeredAt?: string;
  permissions?: PermissionCheck;
  caller?: Caller;
}

/** What a run knows when it ends (durable or CLI): the facts an outcome is summarized from. */
export interface RunRecord {
  kind: OutcomeKind;
  input: Pick<HardenInput, 'registryId' | 'mode' | 'triggeredAt' | 'caller'>;
  instanceId: string;
  startedAt: string;
  endedAt: string;
  plan: HardeningPlan | undefined;
  applied: AppliedChanges;
  dns: DnsCheck[];
  discovery: DiscoveryCheck | undefined;
  notes?: string[];
  error?: { code: string; message: string };
  permissions?: PermissionCheck;
}

/** The outcome's arguments from a run: what was applied counts only in apply mode, after a plan. */
export function outcomeArgsOf(run: RunRecord): OutcomeArgs {
  const args: OutcomeArgs = {
    kind: run.kind,
    registryId: run.input.registryId,
    instanceId: run.instanceId,
    mode: run.input.mode,
    startedAt: run.startedAt,
    endedAt: run.endedAt,
    dns: run.dns,
  };
  if (run.notes !== undefined) args.notes = run.notes;
  if (run.plan !== undefined) args.plan = run.plan;
  if (run.input.mode === 'apply' && run.plan !== undefined) args.applied = run.applied;
  if (run.discovery !== undefined) args.discovery = run.discovery;
  if (run.error !== undefined) args.error = run.error;
  if (run.input.triggeredAt !== undefined) args.triggeredAt = run.input.triggeredAt;
  if (run.permissions !== undefined) args.permissions = run.permissions;
  if (run.input.caller !== undefined) args.caller = run.input.caller;
  return args;
}

function endpointLine(e: EndpointPlan): string {
  return `private endpoint '${e.name}' to ${describeTarget(e.target)} (group ${e.groupId})`;
}

function zoneLine(e: EndpointPlan, name = e.zoneGroup.name): string {
  return `private DNS zone group '${name}' on '${e.name}' linking ${zoneNameOf(e.zoneGroup.zoneId)}`;
}

/** Lines of a plan-mode run: what an apply would change, and what is already right. */
function planLines(plan: HardeningPlan): { changes: string[]; alreadyCompliant: string[] } {
  const changes: string[] = [];
  const alreadyCompliant: string[] = [];
  for (const e of plan.endpoints) {
    if (e.action === 'create') changes.push(`would create ${endpointLine(e)}`);
    else alreadyCompliant.push(`${endpointLine(e)} exists (${e.connectionStatus})`);
    if (e.zoneGroup.action === 'create') changes.push(`would create ${zoneLine(e)}`);
    else if (e.zoneGroup.action === 'keep') alreadyCompliant.push(`${zoneLine(e)} exists`);
  }
  if (plan.managedGroup?.state === 'assign') changes.push(`would add the app's principal to the registry's assignedIdentities: ${plan.managedGroup.detail}`);
  else if (plan.managedGroup?.state === 'listed') alreadyCompliant.push(plan.managedGroup.detail);
  for (const p of plan.publicAccess) {
    if (p.action === 'disable') changes.push(`would disable public network access of ${describeTarget(p.target)} (now ${p.current || 'Enabled'})`);
    else if (p.action === 'keep') alreadyCompliant.push(`public network access of ${describeTarget(p.target)} is Disabled`);
  }
  return { changes, alreadyCompliant };
}

/** Lines of an apply run, from the plan and what the activities reported. */
function appliedLines(plan: HardeningPlan, applied: AppliedChanges): { changes: string[]; alreadyCompliant: string[] } {
  const changes: string[] = [];
  const alreadyCompliant: string[] = [];
  const byId = <T extends { endpointId: string }>(list: T[], id: string): T | undefined => list.find((x) => x.endpointId.toLowerCase() === id.toLowerCase());
  for (const e of plan.endpoints) {
    const created = byId(applied.endpoints, e.endpointId);
    if (e.action === 'keep') alreadyCompliant.push(`${endpointLine(e)} exists (${e.connectionStatus})`);
    else if (created) changes.push(`created ${endpointLine(e)}, connection ${created.connectionStatus}`);
    if (applied.approved.some((id) => id.toLowerCase() === e.endpointId.toLowerCase())) changes.push(`connection of '${e.name}' approved`);
    const zone = byId(applied.zoneGroups, e.endpointId);
    if (e.zoneGroup.action === 'keep') alreadyCompliant.push(`${zoneLine(e)} exists`);
    else if (zone?.changed) changes.push(`created ${zoneLine(e, zone.name)}`);
    else if (zone) alreadyCompliant.push(`${zoneLine(e, zone.name)} exists`);
  }
  if (applied.assignedIdentity) changes.push("added the app's principal to the registry's managedResourceGroupSettings.assignedIdentities (exempt from the managed resource group's deny assignment)");
  for (const p of plan.publicAccess) {
    const done = applied.publicAccess.find((x) => x.target.id.toLowerCase() === p.target.id.toLowerCase());
    if (p.action === 'keep' || (done && !done.changed)) alreadyCompliant.push(`public network access of ${describeTarget(p.target)} is Disabled`);
    else if (done) changes.push(`disabled public network access of ${describeTarget(p.target)} (was ${p.current || 'Enabled'})`);
  }
  return { changes, alreadyCompliant };
}

/** The time of the last public-access write that changed something, if any. */
export function lastPublicAccessWrite(applied: AppliedChanges | undefined): string | undefined {
  const times = (applied?.publicAccess ?? []).filter((p) => p.changed && !Number.isNaN(Date.parse(p.at))).map((p) => p.at);
  return times.sort((a, b) => Date.parse(a) - Date.parse(b)).pop();
}

export function summarizeOutcome(args: OutcomeArgs): Outcome {
  const lines =
    args.plan === undefined
      ? { changes: [], alreadyCompliant: [] }
      : args.mode === 'plan' || args.applied === undefined
        ? args.kind === 'Planned'
          ? planLines(args.plan)
          : { changes: [], alreadyCompliant: planLines(args.plan).alreadyCompliant }
        : appliedLines(args.plan, args.applied);
  // a note of NotFound says what is wrong (never listed as compliant); the others' notes say why nothing needed doing
  const notFound = args.kind === 'NotFound';
  const notes = args.notes ?? [];
  const warnings = [...(notFound ? notes : []), ...(args.plan?.warnings ?? []), ...(args.permissions ? missingPermissionLines(args.permissions) : []), ...(args.warnings ?? [])];
  const outcome: Outcome = {
    kind: args.kind,
    registryId: args.registryId,
    instanceId: args.instanceId,
    mode: args.mode,
    changes: lines.changes,
    alreadyCompliant: [...(notFound ? [] : notes), ...lines.alreadyCompliant],
    warnings: [...new Set(warnings)],
    dns: args.dns ?? [],
    startedAt: args.startedAt,
    endedAt: args.endedAt,
  };
  if (args.discovery !== undefined) outcome.discovery = args.discovery;
  if (args.plan !== undefined) outcome.plan = args.plan;
  if (args.error !== undefined) outcome.error = args.error;
  if (args.permissions !== undefined) outcome.permissions = args.permissions;
  if (args.kind === 'Failed' && args.mode === 'apply' && args.plan !== undefined && args.applied !== undefined) outcome.notDone = notDoneLines(args.plan, args.applied);
  if (args.caller !== undefined) outcome.caller = args.caller;
  const lastWrite = lastPublicAccessWrite(args.applied);
  if (args.triggeredAt !== undefined && lastWrite !== undefined) {
    const triggered = Date.parse(args.triggeredAt);
    if (!Number.isNaN(triggered)) outcome.exposureWindowMs = Math.max(0, Date.parse(lastWrite) - triggered);
  }
  return outcome;
}
