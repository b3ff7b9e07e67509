/**
 * The backfill and drift sweep (pure parts): what the sweepRegistries orchestrator, its
 * activities and `aml-lockdown sweep` exchange, the compliance verdict of a plan, the pacing of
 * run starts against the per-subscription ARM write budget, and the report.
 */
import { isGuid, type RegistryId } from '../../shared/arm-id';
import { callerProblems, toCaller, type Caller } from '../../shared/caller';
import { codedFailure, ErrorCodes, LockdownError, type CodedFailure } from '../../shared/errors';
import { parseHardenInput } from '../../hardening/domain/harden-input';
import { MANAGEMENT_GROUP_ID_RULE } from '../../shared/ports';
import type { HardeningPlan, HardenOptions, Outcome } from '../../hardening/domain/hardening';
import type { ManagementGroupLine } from '../../shared/targets';
import { subscriptionOf as subscriptionOfPath } from '../../shared/target-scope';
import { ARM_WRITE_BUDGET, fullBucket, take, type BucketBudget, type BucketState } from '../../shared/token-bucket';

export type SweepMode = 'apply' | 'plan';

// the target subscriptions' rule is shared with the fleet reports
export { mergeSubscriptionIds, type ListManagementGroupOutput } from '../../shared/targets';

/** Orchestration input of sweepRegistries (also what the CLI sweep runs with). */
export interface SweepInput {
  subscriptionIds: string[];
  /** a management group whose subscriptions the sweep also covers (listed when it runs, merged with subscriptionIds) */
  managementGroupId?: string;
  /** plan: report only; apply: start (or, in the CLI, run) hardening for non-compliant registries */
  mode: SweepMode;
  /** the options of every hardening run the sweep starts */
  options: HardenOptions;
  /** the per-subscription ARM write budget the starts are paced by */
  budget: BucketBudget;
  /** how many registries are planned (or runs started) at once */
  concurrency: number;
  /** 'timer' | 'http' | 'cli' */
  trigger: string;
  triggeredAt?: string;
  /** the principal that started the sweep over HTTP; the runs it starts carry it on (the audit trail) */
  caller?: Caller;
}

export const DEFAULT_SWEEP_CONCURRENCY = 10;
export const MAX_SWEEP_SUBSCRIPTIONS = 100;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The sweep's input, validated; SWEEP.NO_SUBSCRIPTIONS when none are named, SWEEP.INPUT_INVALID otherwise. */
export function parseSweepInput(raw: unknown): SweepInput {
  if (!isRecord(raw)) throw new LockdownError(ErrorCodes.SWEEP_INPUT_INVALID, 'the sweep input must be an object { subscriptionIds, mode, options, budget, concurrency, trigger }.');
  const problems: string[] = [];
  const subs = raw.subscriptionIds;
  const group = raw.managementGroupId;
  if (group !== undefined && (typeof group !== 'string' || !MANAGEMENT_GROUP_ID_RULE.test(group))) problems.push('managementGroupId must be a management group id');
  if (!Array.isArray(subs)) problems.push('subscriptionIds must be an array of subscription ids');
  else if (subs.length === 0 && group === undefined) {
    throw new LockdownError(ErrorCodes.SWEEP_NO_SUBSCRIPTIONS, 'no subscriptions configured: set TARGET_SUBSCRIPTION_IDS (or TARGET_MANAGEMENT_GROUP) to the subscriptions whose registries the sweep covers.');
  } else if (subs.length > MAX_SWEEP_SUBSCRIPTIONS) problems.push(`at most ${MAX_SWEEP_SUBSCRIPTIONS} subscriptions`);
  else if (!subs.every((s) => typeof s === 'string' && isGuid(s))) problems.push('every subscription id must be a GUID');
  const mode = raw.mode ?? 'apply';
  if (mode !== 'apply' && mode !== 'plan') problems.push("mode must be 'apply' or 'plan'");
  const budget = raw.budget ?? ARM_WRITE_BUDGET;
  const okBudget = isRecord(budget) && typeof budget.capacity === 'number' && budget.capacity >= 1 && typeof budget.refillPerSecond === 'number' && budget.refillPerSecond > 0;
  if (!okBudget) problems.push('budget must be { capacity >= 1, refillPerSecond > 0 }');
  const concurrency = raw.concurrency ?? DEFAULT_SWEEP_CONCURRENCY;
  if (typeof concurrency !== 'number' || !Number.isInteger(concurrency) || concurrency < 1 || concurrency > 100) problems.push('concurrency must be an integer in [1, 100]');
  const trigger = raw.trigger ?? 'unknown';
  if (typeof trigger !== 'string' || trigger.length === 0 || trigger.length > 64) problems.push('trigger must be a short string');
  const triggeredAt = raw.triggeredAt;
  if (triggeredAt !== undefined && (typeof triggeredAt !== 'string' || Number.isNaN(Date.parse(triggeredAt)))) problems.push('triggeredAt must be an ISO date-time');
  if (raw.caller !== undefined) problems.push(...callerProblems(raw.caller));
  let options: HardenOptions | undefined;
  try {
    // the run options are validated as a hardening run would validate them
    options = parseHardenInput({ registryId: '/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg/providers/Microsoft.MachineLearningServices/registries/any', options: raw.options ?? {} }).options;
  } catch (e) {
    problems.push(codedFailure(e).message);
  }
  if (problems.length > 0 || options === undefined) throw new LockdownError(ErrorCodes.SWEEP_INPUT_INVALID, `invalid sweep input: ${problems.join('; ')}.`);
  const b = budget as BucketBudget;
  const input: SweepInput = {
    subscriptionIds: [...new Set((subs as string[]).map((s) => s.toLowerCase()))],
    mode: mode as SweepMode,
    options,
    budget: { capacity: b.capacity, refillPerSecond: b.refillPerSecond },
    concurrency: concurrency as number,
    trigger: trigger as string,
  };
  if (typeof triggeredAt === 'string') input.triggeredAt = triggeredAt;
  if (typeof group === 'string') input.managementGroupId = group;
  if (isRecord(raw.caller)) input.caller = toCaller(raw.caller);
  return input;
}

/* ---------- activity contracts ---------- */

/** listManagementGroupSubscriptions: the subscription ids under a management group (every page). */
export interface ListManagementGroupInput {
  managementGroupId: string;
}

/** listRegistries: the registry ids of one subscription (every page). */
export interface ListRegistriesInput {
  subscriptionId: string;
}
export type ListRegistriesOutput = { ok: true; registryIds: RegistryId[] } | { ok: false; error: CodedFailure };

/** planRegistry: read + inspect + plan one registry, no writes; a small summary back. */
export interface PlanRegistryInput {
  registryId: RegistryId;
  lockdownAcr: boolean;
  subnetId?: string;
}
export type RegistryPlanSummary =
  | { status: 'compliant'; registryId: RegistryId; regions: number }
  | { status: 'nonCompliant'; registryId: RegistryId; regions: number; writes: number; reasons: string[] }
  | { status: 'exempt'; registryId: RegistryId }
  | { status: 'provisioning'; registryId: RegistryId; detail: string }
  | { status: 'notFound'; registryId: RegistryId }
  | { status: 'failed'; registryId: RegistryId; error: CodedFailure };

/** startHardeningRun: start the registry's durable run (a no-op while one goes on). */
export interface StartHardeningRunInput {
  registryId: RegistryId;
  options: HardenOptions;
  trigger: string;
  triggeredAt?: string;
  /** who started the sweep (absent for the timer) */
  caller?: Caller;
}
export type StartHardeningRunOutput =
  /** `outcome`: the run went to its end in this process (the CLI's in-process driver) */
  | { ok: true; started: true; instanceId: string; outcome?: Outcome }
  | { ok: true; started: false; instanceId: string; runtimeStatus: string }
  | { ok: false; error: CodedFailure };

/* ---------- compliance ---------- */

/**
 * Compliant: the plan makes no write and every private endpoint connection is Approved (a
 * Pending one would make a run wait for approval: not compliant yet). DNS is not resolved here;
 * a run proves it.
 */
export function summarizePlan(plan: HardeningPlan, regions: number): RegistryPlanSummary {
  const reasons: string[] = [];
  const creates = plan.endpoints.filter((e) => e.action === 'create');
  const zones = plan.endpoints.filter((e) => e.action === 'keep' && e.zoneGroup.action === 'create');
  const open = plan.publicAccess.filter((p) => p.action === 'disable');
  const unapproved = plan.endpoints.filter((e) => e.action === 'keep' && e.connectionStatus !== 'Approved');
  if (creates.length > 0) reasons.push(`${creates.length} private endpoint(s) missing (${creates.map((e) => e.groupId).join(', ')})`);
  if (zones.length > 0) reasons.push(`${zones.length} zone group(s) missing`);
  if (open.length > 0) reasons.push(`public network access on: ${open.map((p) => `${p.target.kind} '${p.target.name}'`).join(', ')}`);
  if (unapproved.length > 0) reasons.push(`connection(s) not approved: ${unapproved.map((e) => `'${e.name}' ${e.connectionStatus}`).join(', ')}`);
  if (plan.writes === 0 && reasons.length === 0) return { status: 'compliant', registryId: plan.registryId, regions };
  return { status: 'nonCompliant', registryId: plan.registryId, regions, writes: plan.writes, reasons };
}

/**
 * ARM writes a run of this registry is expected to make: the plan's count when known, otherwise
 * the guide's figure (3 per region: endpoint, zone group, storage public access; plus registry
 * endpoint, its zone group, registry and ACR public access ≈ 3). At least 1.
 */
export function estimatedWrites(summary: RegistryPlanSummary): number {
  if (summary.status === 'nonCompliant') return Math.max(1, summary.writes > 0 ? summary.writes : 3 * Math.max(1, summary.regions) + 3);
  if (summary.status === 'provisioning') return 6;
  return 0;
}

/** Whether a sweep in apply mode starts a run for this registry. */
export function needsRun(summary: RegistryPlanSummary): boolean {
  return summary.status === 'nonCompliant' || summary.status === 'provisioning';
}

/** The subscription of a resource id as listed (lower case; '' for none, never throws: a listing is not validated input). */
export function subscriptionOf(registryId: string): string {
  return subscriptionOfPath(registryId) ?? '';
}

/* ---------- pacing ---------- */

export interface PendingStart {
  registryId: RegistryId;
  subscriptionId: string;
  cost: number;
}

export interface Admission {
  /** may start now, in order */
  admitted: PendingStart[];
  /** still waiting, in order */
  rest: PendingStart[];
  buckets: Record<string, BucketState>;
  /** when the first waiting start can be paid (epoch ms); undefined when nothing waits */
  nextAtMs?: number;
}

/**
 * Which starts may go now: in order, each paid from its subscription's bucket; a subscription
 * whose next start cannot be paid keeps its later starts waiting too (first come, first served),
 * without holding up the other subscriptions. At most `max` are admitted at once.
 */
export function admitStarts(pending: readonly PendingStart[], buckets: Readonly<Record<string, BucketState>>, budget: BucketBudget, nowMs: number, max: number): Admission {
  const next: Record<string, BucketState> = { ...buckets };
  const admitted: PendingStart[] = [];
  const rest: PendingStart[] = [];
  const blocked = new Set<string>();
  let nextAtMs: number | undefined;
  for (const item of pending) {
    const key = item.subscriptionId.toLowerCase();
    if (admitted.length >= max || blocked.has(key)) {
      rest.push(item);
      if (admitted.length >= max) nextAtMs = Math.min(nextAtMs ?? nowMs, nowMs);
      continue;
    }
    const result = take(next[key] ?? fullBucket(budget, nowMs), budget, item.cost, nowMs);
    next[key] = result.state;
    if (result.ok) admitted.push(item);
    else {
      blocked.add(key);
      rest.push(item);
      nextAtMs = Math.min(nextAtMs ?? Number.POSITIVE_INFINITY, nowMs + result.waitMs);
    }
  }
  const out: Admission = { admitted, rest, buckets: next };
  if (rest.length > 0 && nextAtMs !== undefined) out.nextAtMs = nextAtMs;
  return out;
}

/* ---------- report ---------- */

export type SweepResult = 'compliant' | 'nonCompliant' | 'started' | 'running' | 'hardened' | 'exempt' | 'skipped' | 'failed';
export const SWEEP_RESULTS: readonly SweepResult[] = ['compliant', 'nonCompliant', 'started', 'running', 'hardened', 'exempt', 'skipped', 'failed'];

export interface SweepRegistryLine {
  registryId: string;
  subscriptionId: string;
  result: SweepResult;
  detail: string;
  /** ARM writes the plan counted (non-compliant registries) */
  writes?: number;
  /** the hardening run's instance id (started / running) */
  instanceId?: string;
  error?: CodedFailure;
}

export interface SweepSubscriptionLine {
  subscriptionId: string;
  ok: boolean;
  registries: number;
  error?: CodedFailure;
}

/** The management group line (src/shared/targets.ts). */
export type SweepManagementGroupLine = ManagementGroupLine;

export interface SweepReport {
  mode: SweepMode;
  trigger: string;
  startedAt: string;
  endedAt: string;
  /** present when a management group was configured */
  managementGroups?: SweepManagementGroupLine[];
  subscriptions: SweepSubscriptionLine[];
  registries: SweepRegistryLine[];
  totals: Record<SweepResult, number>;
  /** failed management groups + failed subscriptions + failed registries */
  failures: number;
}

/** The report line of a registry the sweep does not start a run for (or that only was planned). */
export function lineFromPlan(summary: RegistryPlanSummary): SweepRegistryLine {
  const base = { registryId: summary.registryId, subscriptionId: subscriptionOf(summary.registryId) };
  switch (summary.status) {
    case 'compliant':
      return { ...base, result: 'compliant', detail: 'private endpoints approved, public access off: nothing to do' };
    case 'exempt':
      return { ...base, result: 'exempt', detail: 'the registry carries the exemption tag' };
    case 'notFound':
      return { ...base, result: 'skipped', detail: 'the registry was deleted after it was listed' };
    case 'failed':
      return { ...base, result: 'failed', detail: `[${summary.error.code}] ${summary.error.message}`, error: summary.error };
    case 'provisioning':
      return { ...base, result: 'nonCompliant', detail: `still provisioning (${summary.detail})` };
    case 'nonCompliant':
      return { ...base, result: 'nonCompliant', detail: summary.reasons.join('; '), writes: summary.writes };
  }
}

/** The report line of a registry the sweep tried to start a run for. */
/** A run that went to its end in process: its outcome is the line. */
function lineFromOutcome(plan: SweepRegistryLine, outcome: Outcome): SweepRegistryLine {
  switch (outcome.kind) {
    case 'Hardened':
      return { ...plan, result: 'hardened', detail: `hardened: ${outcome.changes.length} change(s)` };
    case 'Exempt':
      return { ...plan, result: 'exempt', detail: 'the registry carries the exemption tag' };
    case 'NotFound':
      return { ...plan, result: 'skipped', detail: 'the registry was deleted meanwhile' };
    case 'Planned':
      return { ...plan, result: 'nonCompliant' };
    case 'Failed': {
      const error = outcome.error ?? { code: ErrorCodes.HARDEN_UNEXPECTED, message: 'the run failed' };
      return { ...plan, result: 'failed', detail: `[${error.code}] ${error.message}`, error };
    }
  }
}

export function lineFromStart(summary: RegistryPlanSummary, start: StartHardeningRunOutput): SweepRegistryLine {
  const plan = lineFromPlan(summary);
  if (!start.ok) return { ...plan, result: 'failed', detail: `could not start the run: [${start.error.code}] ${start.error.message}`, error: start.error };
  if (start.started && start.outcome !== undefined) return lineFromOutcome(plan, start.outcome);
  if (start.started) return { ...plan, result: 'started', detail: `run started: ${plan.detail}`, instanceId: start.instanceId };
  return { ...plan, result: 'running', detail: `a run is already ${start.runtimeStatus}: ${plan.detail}`, instanceId: start.instanceId };
}

function compareLines(a: { subscriptionId: string; registryId?: string }, b: { subscriptionId: string; registryId?: string }): number {
  return a.subscriptionId.localeCompare(b.subscriptionId) || (a.registryId ?? '').toLowerCase().localeCompare((b.registryId ?? '').toLowerCase());
}

export function assembleReport(args: { mode: SweepMode; trigger: string; startedAt: string; endedAt: string; managementGroups?: SweepManagementGroupLine[]; subscriptions: SweepSubscriptionLine[]; registries: SweepRegistryLine[] }): SweepReport {
  const totals = Object.fromEntries(SWEEP_RESULTS.map((r) => [r, 0])) as Record<SweepResult, number>;
  for (const line of args.registries) totals[line.result]++;
  const subscriptions = [...args.subscriptions].sort(compareLines);
  const registries = [...args.registries].sort(compareLines);
  const groups = args.managementGroups ?? [];
  const failures = groups.filter((g) => !g.ok).length + subscriptions.filter((s) => !s.ok).length + totals.failed;
  return { mode: args.mode, trigger: args.trigger, startedAt: args.startedAt, endedAt: args.endedAt, ...(args.managementGroups ? { managementGroups: args.managementGroups } : {}), subscriptions, registries, totals, failures };
}

/** Progress of a sweep (the orchestrator's customStatus). */
export interface SweepProgress {
  phase: 'enumerating' | 'listing' | 'planning' | 'starting' | 'done';
  mode: SweepMode;
  subscriptions: number;
  registries: number;
  planned: number;
  started: number;
  /** set while starts wait for the write budget */
  waitingUntil?: string;
}
