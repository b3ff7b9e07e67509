/**
 * The isolation report (issue 17), pure parts: what a registry's report and the fleet overview
 * hold, how a run is read back from what the durable store keeps of it, and which state a
 * registry is in. The pages (./registry-page.ts, ./fleet-page.ts) render these; the JSON answers
 * are these. Facts read from ARM now and facts of the runs are kept apart: public access and
 * endpoints are never taken from a run, a run's outcome never from ARM.
 */
import { canonicalRegistryKey } from '../../shared/instance-id';
import { isoTime, recordOf, type DurableStatusRecord } from '../../shared/durable-status';
import { codeOf, type CodedFailure } from '../../shared/errors';
import type { ManagementGroupLine } from '../../shared/targets';
import type { DnsCheck, Outcome, OutcomeKind, RunMode, StepName, StepStatus, TargetKind } from '../../hardening/domain/hardening';
import { STEP_ORDER, type StepWait, type WaitKind } from '../../hardening/domain/progress';

/* ---------- registry states ---------- */

/**
 * Hardened: the last run (not a dry run) hardened it and public access is still off everywhere it
 * turned it off. Drifted: the same, but public access is on again somewhere. Failed: the last run
 * failed or was terminated. Exempt: it carries the exemption tag. NeverRun: no run of the app
 * (or only dry runs, or the last run found no registry). Running: a run goes on.
 */
export const REGISTRY_STATES = ['Hardened', 'Drifted', 'Failed', 'Exempt', 'NeverRun', 'Running'] as const;
export type RegistryState = (typeof REGISTRY_STATES)[number];

export const STATE_LABEL: Readonly<Record<RegistryState, string>> = {
  Hardened: 'Hardened', Drifted: 'Drifted', Failed: 'Failed', Exempt: 'Exempt', NeverRun: 'Never run', Running: 'Running',
};

export interface StateVerdict {
  state: RegistryState;
  /** why, in a sentence */
  detail: string;
  /** when the app last looked at the registry in a run (its last run's last update) */
  lastCheckedAt?: string;
}

/* ---------- runs, as the durable store keeps them ---------- */

/** One hardening run, read back: its steps and waits (the timeline), its outcome when it has one. */
export interface RunView {
  instanceId: string;
  registryId: string;
  mode: RunMode;
  /** eventgrid | http | cli | sweep */
  trigger?: string;
  /** when the triggering event happened, if the run knew */
  triggeredAt?: string;
  runtimeStatus: string;
  createdTime: string;
  lastUpdatedTime: string;
  steps: StepStatus[];
  waits: StepWait[];
  /** the run's outcome (completed runs) */
  outcome?: Outcome;
  /** why a run failed: its coded error (from its outcome, its output or its failed step); a terminated run has no code */
  error?: RunError;
}

export interface RunError {
  code?: string;
  message: string;
}

const ACTIVE = new Set(['Running', 'Pending', 'Suspended', 'ContinuedAsNew']);
const UNSUCCESSFUL = new Set(['Failed', 'Terminated', 'Canceled']);
const OUTCOME_KINDS: readonly OutcomeKind[] = ['Hardened', 'Failed', 'Exempt', 'Planned', 'NotFound'];
const STEP_STATES: readonly StepStatus['state'][] = ['pending', 'running', 'done', 'skipped', 'failed'];
const WAIT_KINDS: readonly WaitKind[] = ['approval', 'throttling', 'dns', 'provisioning', 'access'];

export function isActiveRun(run: Pick<RunView, 'runtimeStatus'>): boolean {
  return ACTIVE.has(run.runtimeStatus);
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

function stepsOf(value: unknown): StepStatus[] {
  if (!Array.isArray(value)) return [];
  const steps: StepStatus[] = [];
  for (const raw of value) {
    const s = recordOf(raw);
    const step = text(s?.step);
    const state = text(s?.state);
    if (s === undefined || step === undefined || !(STEP_ORDER as readonly string[]).includes(step) || !(STEP_STATES as readonly string[]).includes(state ?? '')) continue;
    const out: StepStatus = { step: step as StepName, state: state as StepStatus['state'], detail: text(s.detail) ?? '' };
    const startedAt = isoTime(s.startedAt);
    const endedAt = isoTime(s.endedAt);
    if (startedAt !== '') out.startedAt = startedAt;
    if (endedAt !== '') out.endedAt = endedAt;
    steps.push(out);
  }
  return steps;
}

function waitsOf(value: unknown): StepWait[] {
  if (!Array.isArray(value)) return [];
  const waits: StepWait[] = [];
  for (const raw of value) {
    const w = recordOf(raw);
    const step = text(w?.step);
    const kind = text(w?.kind);
    const startedAt = isoTime(w?.startedAt);
    if (w === undefined || !(STEP_ORDER as readonly string[]).includes(step ?? '') || !(WAIT_KINDS as readonly string[]).includes(kind ?? '') || startedAt === '') continue;
    const endedAt = isoTime(w.endedAt);
    const count = typeof w.count === 'number' && Number.isInteger(w.count) && w.count > 0 ? w.count : 1;
    waits.push({ step: step as StepName, kind: kind as WaitKind, startedAt, ...(endedAt !== '' ? { endedAt } : {}), count });
  }
  return waits;
}

function outcomeOf(value: unknown): Outcome | undefined {
  const o = recordOf(value);
  if (o === undefined || !(OUTCOME_KINDS as readonly string[]).includes(text(o.kind) ?? '')) return undefined;
  return { changes: [], alreadyCompliant: [], warnings: [], dns: [], ...o } as unknown as Outcome;
}

function codedOf(message: string): RunError | undefined {
  const coded = codeOf(message);
  return coded && { code: coded.code, message: firstLine(coded.detail) };
}

function firstLine(value: string): string {
  return value.split('\n')[0]?.trim() ?? '';
}

function errorOfRun(runtimeStatus: string, output: unknown, steps: readonly StepStatus[], outcome: Outcome | undefined): RunError | undefined {
  if (outcome?.error !== undefined) return outcome.error;
  if (!UNSUCCESSFUL.has(runtimeStatus)) return undefined;
  const failedStep = steps.find((s) => s.state === 'failed');
  const fromOutput = typeof output === 'string' ? codedOf(output) : undefined;
  const fromStep = failedStep ? codedOf(failedStep.detail) : undefined;
  if (fromOutput ?? fromStep) return fromOutput ?? fromStep;
  const said = typeof output === 'string' ? firstLine(output) : '';
  if (runtimeStatus === 'Terminated') return { message: said !== '' ? `terminated: ${said}` : 'terminated' };
  return { message: said !== '' ? said : `the run ended ${runtimeStatus}` };
}

/** A hardening run from its durable status; undefined for anything that is not one (another orchestrator, no registry). */
export function runFromStatus(s: DurableStatusRecord, hardenOrchestrator: string): RunView | undefined {
  const name = text(s.name);
  if (name !== undefined && name !== hardenOrchestrator) return undefined;
  const input = recordOf(s.input) ?? {};
  const custom = recordOf(s.customStatus) ?? {};
  const registryId = text(input.registryId) ?? text(custom.registryId);
  const instanceId = text(s.instanceId);
  if (registryId === undefined || instanceId === undefined) return undefined;
  const runtimeStatus = text(s.runtimeStatus) ?? 'Unknown';
  const steps = stepsOf(custom.steps);
  const outcome = runtimeStatus === 'Completed' ? outcomeOf(s.output) : undefined;
  const mode: RunMode = input.mode === 'plan' || custom.mode === 'plan' ? 'plan' : 'apply';
  const run: RunView = {
    instanceId,
    registryId,
    mode,
    runtimeStatus,
    createdTime: isoTime(s.createdTime),
    lastUpdatedTime: isoTime(s.lastUpdatedTime),
    steps,
    waits: waitsOf(custom.waits),
  };
  const trigger = text(input.trigger);
  if (trigger !== undefined) run.trigger = trigger;
  const triggeredAt = isoTime(input.triggeredAt);
  if (triggeredAt !== '') run.triggeredAt = triggeredAt;
  if (outcome !== undefined) run.outcome = outcome;
  const error = errorOfRun(runtimeStatus, s.output, steps, outcome);
  if (error !== undefined) run.error = error;
  return run;
}

/** Newest first (by creation, then last update); ties by instance id. */
function newestFirst(a: RunView, b: RunView): number {
  return b.createdTime.localeCompare(a.createdTime) || b.lastUpdatedTime.localeCompare(a.lastUpdatedTime) || a.instanceId.localeCompare(b.instanceId);
}

/** The runs of every registry, by canonicalRegistryKey, newest first. */
export function runsByRegistry(statuses: readonly DurableStatusRecord[], hardenOrchestrator: string): Map<string, RunView[]> {
  const map = new Map<string, RunView[]>();
  for (const s of statuses) {
    const run = runFromStatus(s, hardenOrchestrator);
    if (run === undefined) continue;
    const key = canonicalRegistryKey(run.registryId);
    const list = map.get(key) ?? [];
    if (!list.some((r) => r.instanceId === run.instanceId && r.createdTime === run.createdTime)) list.push(run);
    map.set(key, list);
  }
  for (const list of map.values()) list.sort(newestFirst);
  return map;
}

/** The outcome kind a run ended with, or what it is doing: for the run lists. */
export function runResult(run: RunView): string {
  if (isActiveRun(run)) return run.runtimeStatus;
  if (run.outcome !== undefined) return run.outcome.kind;
  return UNSUCCESSFUL.has(run.runtimeStatus) ? 'Failed' : run.runtimeStatus;
}

/* ---------- what ARM says now ---------- */

/** A resource whose public network access the report shows: the registry, each storage account, the ACR. */
export interface ResourceAccess {
  kind: TargetKind;
  id: string;
  name: string;
  region: string;
  /** as ARM reports it now; absent when it could not be read */
  publicNetworkAccess?: string;
  error?: CodedFailure;
}

/** A private endpoint connected to one of the registry's resources, as ARM reports it now. */
export interface ReportEndpoint {
  id: string;
  name: string;
  targetKind: TargetKind;
  targetName: string;
  targetId: string;
  groupIds: string[];
  subnetId: string;
  /** the NIC's private IPs (each once) */
  privateIps: string[];
  connectionStatus: string;
  connectionDescription?: string;
  provisioningState: string;
  /** in the app's endpoint subnet (PRIVATE_ENDPOINT_SUBNET_ID): the DNS proof covers its names */
  inAppSubnet: boolean;
  error?: CodedFailure;
}

/** The DNS proof: each name, the private IP its endpoint has, what the resolver answered, when. */
export interface DnsProof {
  checkedAt: string;
  /** 'now': resolved for this report; 'lastRun': what the last run's proof resolved */
  source: 'now' | 'lastRun';
  checks: DnsCheck[];
  error?: CodedFailure;
}

/** Everything read from ARM (and the resolver) for one report. */
export interface IsolationReading {
  readAt: string;
  registry: {
    id: string;
    name: string;
    subscriptionId: string;
    resourceGroup: string;
    location: string;
    regions: string[];
    managedResourceGroupId?: string;
    exempt: boolean;
    /** set while the registry's storage or ACR are not there yet */
    provisioning?: string;
  };
  resources: ResourceAccess[];
  endpoints: ReportEndpoint[];
  dns: DnsProof;
}

/* ---------- the registry's report ---------- */

export interface PublicAccessLine extends ResourceAccess {
  /** what the app wants: Disabled, or left public (the last run's plan skipped it, e.g. LOCKDOWN_ACR=false) */
  expected: 'Disabled' | 'LeftPublic';
  /** the reason it is left public */
  reason?: string;
  /** Disabled now, or left public as planned; false when it could not be read */
  ok: boolean;
}

export interface ExposureWindow {
  /** from the creation event to the last public-access write, ms */
  windowMs: number;
  from?: string;
  to?: string;
  instanceId: string;
}

export interface RegistryReport {
  generatedAt: string;
  registry: IsolationReading['registry'];
  state: StateVerdict;
  endpoints: ReportEndpoint[];
  publicAccess: PublicAccessLine[];
  dns: DnsProof;
  /** the last run's own DNS proof, when it has one */
  lastRunDns?: DnsProof;
  exposure?: ExposureWindow;
  /** the newest run (its timeline) */
  lastRun?: RunView;
  /** every run the app can list, newest first (the last one included) */
  runs: RunView[];
  links: { self: string; json: string; fleet: string };
}

function sameId(a: string, b: string): boolean {
  return canonicalRegistryKey(a) === canonicalRegistryKey(b);
}

/** The newest run that is not a dry run. */
export function lastApplyRun(runs: readonly RunView[]): RunView | undefined {
  return runs.find((r) => r.mode !== 'plan');
}

/** Public access per resource against what the app wants (the last apply run's plan says which it leaves public). */
export function publicAccessLines(resources: readonly ResourceAccess[], lastApply: RunView | undefined): PublicAccessLine[] {
  const planned = lastApply?.outcome?.plan?.publicAccess ?? [];
  return resources.map((r) => {
    const skip = planned.find((p) => p.action === 'skip' && sameId(p.target.id, r.id));
    if (skip !== undefined) return { ...r, expected: 'LeftPublic', ...(skip.reason !== undefined ? { reason: skip.reason } : {}), ok: r.publicNetworkAccess !== undefined };
    return { ...r, expected: 'Disabled', ok: r.publicNetworkAccess?.toLowerCase() === 'disabled' };
  });
}

function describeResource(r: Pick<ResourceAccess, 'kind' | 'name'>): string {
  return `${r.kind === 'registry' ? 'registry' : r.kind === 'storage' ? 'storage account' : 'container registry'} '${r.name}'`;
}

/**
 * The state of a registry from its runs (newest first), whether it carries the exemption tag now,
 * and the resources whose public access is on now although the app turned it off (or could not
 * be read: `unknown`).
 */
export function registryState(args: { runs: readonly RunView[]; exemptNow: boolean; openNow: readonly Pick<ResourceAccess, 'kind' | 'name'>[]; unknown?: readonly Pick<ResourceAccess, 'kind' | 'name'>[] }): StateVerdict {
  const newest = args.runs[0];
  if (newest !== undefined && isActiveRun(newest)) {
    const step = [...newest.steps].reverse().find((s) => s.state === 'running');
    return { state: 'Running', detail: `a run is ${newest.runtimeStatus.toLowerCase()}${step ? `: ${step.step}` : ''}`, lastCheckedAt: newest.lastUpdatedTime };
  }
  const last = lastApplyRun(args.runs);
  const checked = last !== undefined && last.lastUpdatedTime !== '' ? { lastCheckedAt: last.lastUpdatedTime } : {};
  if (args.exemptNow) return { state: 'Exempt', detail: 'the registry carries the exemption tag: the app leaves it alone', ...checked };
  if (last === undefined) {
    return newest !== undefined
      ? { state: 'NeverRun', detail: `only a dry run (plan mode): ${newest.outcome?.changes.length ?? 0} change(s) an apply would make`, lastCheckedAt: newest.lastUpdatedTime }
      : { state: 'NeverRun', detail: 'the app has no run of this registry' };
  }
  const kind = last.outcome?.kind;
  if (UNSUCCESSFUL.has(last.runtimeStatus) || kind === 'Failed') {
    const error = last.error ?? last.outcome?.error;
    return { state: 'Failed', detail: error ? `${error.code !== undefined ? `[${error.code}] ` : ''}${error.message}` : `the last run ended ${last.runtimeStatus}`, ...checked };
  }
  if (kind === 'Exempt') return { state: 'Exempt', detail: 'the last run found the exemption tag (it is gone now: start a run to harden the registry)', ...checked };
  if (kind === 'NotFound') return { state: 'NeverRun', detail: 'the last run found no registry (its creation may not have completed then): start a run', ...checked };
  if (kind === 'Hardened') {
    if (args.openNow.length > 0) return { state: 'Drifted', detail: `hardened by the last run, but public network access is on now: ${args.openNow.map(describeResource).join(', ')}`, ...checked };
    const unknown = args.unknown ?? [];
    return { state: 'Hardened', detail: unknown.length > 0 ? `hardened by the last run; could not read now: ${unknown.map(describeResource).join(', ')}` : 'hardened by the last run; public network access is off', ...checked };
  }
  return { state: 'Failed', detail: `the last run ended ${last.runtimeStatus} without an outcome`, ...checked };
}

/** The newest run that knows its exposure window. */
export function exposureOf(runs: readonly RunView[]): ExposureWindow | undefined {
  const run = runs.find((r) => typeof r.outcome?.exposureWindowMs === 'number');
  const windowMs = run?.outcome?.exposureWindowMs;
  if (run === undefined || windowMs === undefined) return undefined;
  const from = run.triggeredAt;
  const to = from !== undefined ? new Date(Date.parse(from) + windowMs).toISOString() : undefined;
  return { windowMs, instanceId: run.instanceId, ...(from !== undefined ? { from } : {}), ...(to !== undefined ? { to } : {}) };
}

/** The last run's own DNS proof: its outcome's checks, at the end of its dns step. */
function lastRunDnsOf(runs: readonly RunView[]): DnsProof | undefined {
  const run = runs.find((r) => (r.outcome?.dns.length ?? 0) > 0);
  if (run?.outcome === undefined) return undefined;
  const dnsStep = run.steps.find((s) => s.step === 'dns');
  return { source: 'lastRun', checkedAt: dnsStep?.endedAt ?? run.outcome.endedAt ?? run.lastUpdatedTime, checks: run.outcome.dns };
}

/** The report of one registry: ARM's facts now, the runs, the state they add up to. */
export function assembleRegistryReport(args: { reading: IsolationReading; runs: readonly RunView[]; generatedAt: string; links: RegistryReport['links'] }): RegistryReport {
  const { reading } = args;
  const runs = [...args.runs].sort(newestFirst);
  const publicAccess = publicAccessLines(reading.resources, lastApplyRun(runs));
  const openNow = publicAccess.filter((p) => p.expected === 'Disabled' && p.publicNetworkAccess !== undefined && !p.ok);
  const unknown = publicAccess.filter((p) => p.publicNetworkAccess === undefined);
  const report: RegistryReport = {
    generatedAt: args.generatedAt,
    registry: reading.registry,
    state: registryState({ runs, exemptNow: reading.registry.exempt, openNow, unknown }),
    endpoints: reading.endpoints,
    publicAccess,
    dns: reading.dns,
    runs,
    links: args.links,
  };
  const lastRunDns = lastRunDnsOf(runs);
  if (lastRunDns !== undefined) report.lastRunDns = lastRunDns;
  const exposure = exposureOf(runs);
  if (exposure !== undefined) report.exposure = exposure;
  if (runs[0] !== undefined) report.lastRun = runs[0];
  return report;
}

/* ---------- the fleet ---------- */

export interface FleetRegistryLine {
  registryId: string;
  name: string;
  subscriptionId: string;
  resourceGroup: string;
  location: string;
  state: RegistryState;
  detail: string;
  lastCheckedAt?: string;
  /** the registry's report page */
  reportUrl: string;
}

export interface FleetSubscriptionLine {
  subscriptionId: string;
  ok: boolean;
  registries: number;
  error?: CodedFailure;
}

export interface FleetOverview {
  generatedAt: string;
  managementGroups?: ManagementGroupLine[];
  subscriptions: FleetSubscriptionLine[];
  registries: FleetRegistryLine[];
  counts: Record<RegistryState, number>;
  /** subscriptions and management groups that could not be listed */
  failures: number;
  links: { self: string; json: string };
}

export function assembleFleetOverview(args: { generatedAt: string; managementGroups?: ManagementGroupLine[]; subscriptions: FleetSubscriptionLine[]; registries: FleetRegistryLine[]; links: FleetOverview['links'] }): FleetOverview {
  const counts = Object.fromEntries(REGISTRY_STATES.map((s) => [s, 0])) as Record<RegistryState, number>;
  for (const r of args.registries) counts[r.state]++;
  const registries = [...args.registries].sort((a, b) => a.name.toLowerCase().localeCompare(b.name.toLowerCase()) || canonicalRegistryKey(a.registryId).localeCompare(canonicalRegistryKey(b.registryId)));
  const subscriptions = [...args.subscriptions].sort((a, b) => a.subscriptionId.localeCompare(b.subscriptionId));
  const failures = (args.managementGroups ?? []).filter((g) => !g.ok).length + subscriptions.filter((s) => !s.ok).length;
  return {
    generatedAt: args.generatedAt,
    ...(args.managementGroups ? { managementGroups: args.managementGroups } : {}),
    subscriptions,
    registries,
    counts,
    failures,
    links: args.links,
  };
}

/** Whether tags carry the exemption tag (names and values compared case-insensitively, as the run does). */
export function carriesTag(tags: Readonly<Record<string, string>> | undefined, tag: { name: string; value: string }): boolean {
  return Object.entries(tags ?? {}).some(([k, v]) => k.toLowerCase() === tag.name.toLowerCase() && String(v).toLowerCase() === tag.value.toLowerCase());
}
