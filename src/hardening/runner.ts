import type { ActivityDeps } from '../main';
import { checkDiscovery, collectDnsExpectations, proveDns } from './activities/dns-proof.activity';
import { ensurePrivateEndpoint, ensureZoneGroup, readEndpoint } from './activities/endpoints.activity';
import { inspectTargets } from './activities/inspect-targets.activity';
import { disablePublicAccess } from './activities/public-access.activity';
import { publishOutcome } from './activities/publish-outcome.activity';
import { readRegistry } from './activities/read-registry.activity';
import type { InspectTargetsInput, InspectTargetsOutput } from './activities/contracts';
import {
  approvalDeadlineError,
  connectionsOfPlan,
  connectionsToAwait,
  describeAllApproved,
  endpointNames,
  recordConnectionAnswers,
  type ConnectionBook,
} from './domain/approval';
import { describeDnsAttempt, describeDnsFailure, describeDnsProven, dnsProofFailedError, isDnsProven } from './domain/dns-expectations';
import { codedFailure, ErrorCodes, LockdownError, type CodedFailure } from '../shared/errors';
import type {
  DiscoveryCheck,
  DnsCheck,
  EndpointPlacement,
  EndpointPlan,
  HardenInput,
  HardeningPlan,
  Outcome,
  OutcomeKind,
  RegistryReading,
  StepName,
  StepState,
  StepStatus,
} from './domain/hardening';
import { instanceIdFor } from '../shared/instance-id';
import { emptyApplied, outcomeArgsOf, outcomeEventType, summarizeOutcome, type AppliedChanges } from './domain/outcome';
import { describeTarget, planHardening } from './domain/plan';
import { initialSteps, runningStep, skipPending, withStep } from './domain/progress';
import * as detail from './domain/step-details';

/**
 * The straight-line runner behind `aml-lockdown plan|apply|verify-dns`: the hardenRegistry
 * orchestrator's steps (read → resolve → plan → public access / endpoints + zone groups →
 * approval → DNS proof → outcome), run in process with the same activities and the same pure
 * domain decisions, without the Functions host. Waits are plain sleeps against the wall clock
 * (both injectable), progress goes to a callback as the same step list the orchestrator keeps in
 * its customStatus. Idempotent like the orchestration: every write is an activity that GETs,
 * compares and writes only the difference.
 */
export interface RunnerDeps {
  activity: ActivityDeps;
  sleep(ms: number): Promise<void>;
  onProgress(steps: readonly StepStatus[]): void;
  /** in-process retry of errors marked retryable (after the SDK pipeline's own retries) */
  retry?: { attempts: number; firstDelayMs: number };
}

export interface RunOptions {
  /** publish the outcome CloudEvent (no-op without OUTCOME_TOPIC_ENDPOINT) */
  publish: boolean;
}

export interface HardenRunResult {
  outcome: Outcome;
  steps: StepStatus[];
}

/** The instance id the CLI puts into its outcomes: the registry's durable instance id, marked as a CLI run. */
export function cliInstanceId(registryId: string): string {
  return `cli-${instanceIdFor(registryId)}`;
}

/** How the operator starts over after a deadline or a rejection. */
const AGAIN = 'run again';
const DEFAULT_RETRY = { attempts: 3, firstDelayMs: 2000 };

type ReadyReading = Extract<RegistryReading, { status: 'ready' }>;

/** Step bookkeeping shared by the runs: the domain's step list, stamped with the wall clock, reported on every change. */
class Progress {
  steps: StepStatus[];

  constructor(
    private readonly deps: RunnerDeps,
    only?: readonly StepName[],
  ) {
    this.steps = initialSteps().filter((s) => only === undefined || only.includes(s.step));
    deps.onProgress(this.steps);
  }

  nowIso(): string {
    return this.deps.activity.now().toISOString();
  }

  set(step: StepName, state: StepState, detail: string): void {
    this.steps = withStep(this.steps, step, state, detail, this.nowIso());
    this.deps.onProgress(this.steps);
  }

  skipRest(detail: string): void {
    this.steps = skipPending(this.steps, detail, this.nowIso());
    this.deps.onProgress(this.steps);
  }

  /** Marks the running step failed; returns the coded error. */
  fail(error: unknown): CodedFailure {
    const coded = codedFailure(error);
    this.set(runningStep(this.steps) ?? 'read', 'failed', `[${coded.code}] ${coded.message}`);
    return coded;
  }
}

/** Calls an activity, retrying in process while it fails with a retryable LockdownError. */
async function withRetry<T>(deps: RunnerDeps, call: () => Promise<T>): Promise<T> {
  const { attempts, firstDelayMs } = deps.retry ?? DEFAULT_RETRY;
  for (let attempt = 1; ; attempt++) {
    try {
      return await call();
    } catch (e) {
      if (attempt >= attempts || !(e instanceof LockdownError && e.retryable)) throw e;
      await deps.sleep(firstDelayMs * 2 ** (attempt - 1));
    }
  }
}

function nowMs(deps: RunnerDeps): number {
  return deps.activity.now().getTime();
}

async function readUntilReady(deps: RunnerDeps, progress: Progress, input: HardenInput): Promise<RegistryReading> {
  const { provisioningDeadlineMinutes, provisioningPollSeconds } = input.options;
  progress.set('read', 'running', 're-reading the registry');
  const deadline = nowMs(deps) + provisioningDeadlineMinutes * 60_000;
  let reading = await withRetry(deps, () => readRegistry({ registryId: input.registryId }, deps.activity));
  while (reading.status === 'provisioning') {
    if (nowMs(deps) >= deadline) {
      throw new LockdownError(
        ErrorCodes.HARDEN_PROVISIONING_DEADLINE,
        `the registry is still '${reading.provisioningState}' after ${provisioningDeadlineMinutes} minute(s); run again once provisioning has finished.`,
      );
    }
    const wait = Math.min(provisioningPollSeconds * 1000, deadline - nowMs(deps));
    progress.set('read', 'running', `the registry is '${reading.provisioningState}'; looking again in ${Math.ceil(wait / 1000)} s`);
    await deps.sleep(wait);
    reading = await withRetry(deps, () => readRegistry({ registryId: input.registryId }, deps.activity));
  }
  return reading;
}

async function inspect(deps: RunnerDeps, progress: Progress, reading: ReadyReading, subnetId: string | undefined): Promise<InspectTargetsOutput> {
  progress.set('resolve', 'running', detail.describeInspecting(reading));
  const input: InspectTargetsInput = { targets: reading.targets };
  if (subnetId !== undefined) input.subnetId = subnetId;
  const result = await withRetry(deps, () => inspectTargets(input, deps.activity));
  progress.set('resolve', 'done', detail.describeResolved(reading));
  return result;
}

/** One plan/apply run. */
class HardenCliRun {
  private readonly progress: Progress;
  private readonly startedAt: string;
  private plan: HardeningPlan | undefined;
  private readonly applied: AppliedChanges = emptyApplied();
  /** planned endpoint id (lower case) → id as ARM reported it after creation */
  private readonly createdIds = new Map<string, string>();
  private dns: DnsCheck[] = [];
  private discovery: DiscoveryCheck | undefined;

  constructor(
    private readonly deps: RunnerDeps,
    private readonly input: HardenInput,
    private readonly options: RunOptions,
  ) {
    this.progress = new Progress(deps);
    this.startedAt = this.progress.nowIso();
  }

  async run(): Promise<HardenRunResult> {
    let outcome: Outcome;
    try {
      outcome = await this.execute();
    } catch (error) {
      const coded = this.progress.fail(error);
      outcome = await this.finish('Failed', 'not reached: the run failed', [], coded);
    }
    return { outcome, steps: this.progress.steps };
  }

  private async execute(): Promise<Outcome> {
    const { progress, deps, input } = this;
    const reading = await readUntilReady(deps, progress, input);
    if (reading.status === 'notFound') {
      progress.set('read', 'done', 'the registry does not exist');
      return this.finish('NotFound', 'the registry was not found', ['the registry does not exist: nothing to do']);
    }
    if (reading.status !== 'ready') throw new LockdownError(ErrorCodes.HARDEN_UNEXPECTED, `unexpected registry reading '${reading.status}'.`);
    progress.set('read', 'done', detail.describeReading(reading));
    if (reading.exempt) return this.finish('Exempt', 'the registry is exempt', ['the registry carries the exemption tag: nothing was checked or changed']);

    const { placement, states } = await inspect(deps, progress, reading, input.options.subnetId);
    progress.set('plan', 'running', 'comparing with the desired state');
    const plan = planHardening({ registryId: input.registryId, states, placement, lockdownAcr: input.options.lockdownAcr });
    this.plan = plan;
    progress.set('plan', 'done', detail.describePlan(plan));
    if (input.mode === 'plan') return this.finish('Planned', 'plan mode: nothing is changed');

    if (input.options.order === 'lockdown-first') {
      await this.lockdown(plan);
      await this.endpoints(plan, placement);
    } else {
      await this.endpoints(plan, placement);
      await this.lockdown(plan);
    }
    await this.proveDns(plan, reading);
    return this.finish('Hardened', '');
  }

  private endpointIdOf(e: EndpointPlan): string {
    return this.createdIds.get(e.endpointId.toLowerCase()) ?? e.endpointId;
  }

  private async endpoints(plan: HardeningPlan, placement: EndpointPlacement): Promise<void> {
    const { progress, deps } = this;
    const { toCreate, zoneGroups } = detail.endpointWork(plan);
    const connection = connectionsOfPlan(plan);

    if (toCreate.length === 0 && zoneGroups.length === 0) {
      progress.set('endpoints', 'done', detail.describeEndpointsPresent(plan));
    } else {
      progress.set('endpoints', 'running', detail.describeEndpointsCreating(plan));
      const infos = await Promise.all(toCreate.map((e) => withRetry(deps, () => ensurePrivateEndpoint({ plan: e, placement }, deps.activity))));
      toCreate.forEach((e, i) => {
        const info = infos[i];
        if (info === undefined) return;
        this.createdIds.set(e.endpointId.toLowerCase(), info.id);
        connection.set(e.endpointId.toLowerCase(), info.connectionStatus);
        this.applied.endpoints.push({ endpointId: info.id, connectionStatus: info.connectionStatus });
      });
      const changed = await Promise.all(
        zoneGroups.map((e) => withRetry(deps, () => ensureZoneGroup({ endpointId: this.endpointIdOf(e), name: e.zoneGroup.name, zoneId: e.zoneGroup.zoneId }, deps.activity))),
      );
      zoneGroups.forEach((e, i) => {
        this.applied.zoneGroups.push({ endpointId: e.endpointId, name: e.zoneGroup.name, zoneId: e.zoneGroup.zoneId, changed: changed[i]?.changed ?? false });
      });
      progress.set('endpoints', 'done', detail.describeEndpointsDone(plan));
    }
    await this.awaitApproval(plan, connection);
  }

  /** Polls readEndpoint until every connection is Approved, or the approval deadline passes. */
  private async awaitApproval(plan: HardeningPlan, connection: ConnectionBook): Promise<void> {
    const { progress, deps } = this;
    let waiting = connectionsToAwait(plan, connection, AGAIN);
    if (waiting.length === 0) {
      progress.set('approval', 'done', describeAllApproved(plan));
      return;
    }
    const { approvalDeadlineMinutes, approvalPollSeconds } = this.input.options;
    const deadline = nowMs(deps) + approvalDeadlineMinutes * 60_000;
    while (waiting.length > 0) {
      if (nowMs(deps) >= deadline) throw approvalDeadlineError(waiting, approvalDeadlineMinutes, AGAIN);
      progress.set('approval', 'running', `waiting for approval of ${endpointNames(waiting)}: approve the connection(s) on the target; next check in ${approvalPollSeconds} s`);
      await deps.sleep(Math.min(approvalPollSeconds * 1000, Math.max(0, deadline - nowMs(deps))));
      const infos = await Promise.all(waiting.map((e) => withRetry(deps, () => readEndpoint({ endpointId: this.endpointIdOf(e) }, deps.activity))));
      waiting = recordConnectionAnswers(waiting, infos, connection, this.applied.approved, AGAIN);
    }
    progress.set('approval', 'done', describeAllApproved(plan));
  }

  private async lockdown(plan: HardeningPlan): Promise<void> {
    const { progress, deps } = this;
    const toDisable = plan.publicAccess.filter((p) => p.action === 'disable');
    if (toDisable.length === 0) {
      progress.set('lockdown', 'done', detail.describeLockdownPresent(plan));
      return;
    }
    progress.set('lockdown', 'running', detail.describeLockdownRunning(toDisable.length));
    const results = await Promise.all(toDisable.map((p) => withRetry(deps, () => disablePublicAccess({ target: p.target }, deps.activity))));
    toDisable.forEach((p, i) => {
      const r = results[i];
      if (r !== undefined) this.applied.publicAccess.push({ target: p.target, changed: r.changed, at: r.at });
    });
    const changed = results.filter((r) => r.changed).length;
    progress.set('lockdown', 'done', detail.describeLockdownDone(plan, changed));
  }

  /** Resolves every name until all answer their private IPs and discovery covers every region, or the DNS deadline passes. */
  private async proveDns(plan: HardeningPlan, reading: ReadyReading): Promise<void> {
    const { progress, deps } = this;
    const { dnsDeadlineMinutes, dnsRetrySeconds } = this.input.options;
    const endpointIds = plan.endpoints.map((e) => this.endpointIdOf(e));
    const deadline = nowMs(deps) + dnsDeadlineMinutes * 60_000;
    progress.set('dns', 'running', detail.describeDnsStart(endpointIds.length));
    for (let attempt = 1; ; attempt++) {
      const { checks, discovery } = await proveOnce(deps, endpointIds, this.input.registryId, reading.regions);
      this.dns = checks;
      this.discovery = discovery;
      if (isDnsProven(checks, discovery)) break;
      if (nowMs(deps) >= deadline) throw dnsProofFailedError(attempt, dnsDeadlineMinutes, checks, discovery);
      const wait = Math.min(dnsRetrySeconds * 1000, Math.max(0, deadline - nowMs(deps)));
      progress.set('dns', 'running', `${describeDnsAttempt(attempt, checks, discovery)}; retrying in ${Math.ceil(wait / 1000)} s`);
      await deps.sleep(wait);
    }
    progress.set('dns', 'done', describeDnsProven(this.dns, this.discovery));
  }

  private async finish(kind: OutcomeKind, skipReason: string, notes: string[] = [], error?: CodedFailure): Promise<Outcome> {
    const { progress, deps, input, startedAt, plan, applied, dns, discovery } = this;
    if (skipReason !== '') progress.skipRest(skipReason);
    const run = { kind, input, instanceId: cliInstanceId(input.registryId), startedAt, endedAt: progress.nowIso(), plan, applied, dns, discovery, notes };
    const outcome = summarizeOutcome(outcomeArgsOf(error === undefined ? run : { ...run, error }));
    const publishStep = progress.steps.find((s) => s.step === 'publish');
    if (!this.options.publish) {
      if (publishStep?.state !== 'skipped') progress.set('publish', 'skipped', 'not published (--no-publish)');
      return outcome;
    }
    progress.set('publish', 'running', `publishing ${outcomeEventType(kind)}`);
    try {
      const { published } = await withRetry(deps, () => publishOutcome(outcome, deps.activity));
      progress.set('publish', published ? 'done' : 'skipped', published ? `published ${outcomeEventType(kind)}` : 'no outcome topic configured (OUTCOME_TOPIC_ENDPOINT)');
    } catch (publishError) {
      // The run's result stands; the display and the exit code still say what happened.
      const coded = codedFailure(publishError);
      progress.set('publish', 'failed', coded.message);
      if (kind !== 'Failed') {
        return { ...outcome, kind: 'Failed', error: { code: coded.code, message: `the run succeeded but its outcome event could not be published: ${coded.message}` } };
      }
    }
    return outcome;
  }
}

/** plan / apply in process: the orchestration's steps over the same activities. */
export async function runHardening(input: HardenInput, options: RunOptions, deps: RunnerDeps): Promise<HardenRunResult> {
  return new HardenCliRun(deps, input, options).run();
}

async function proveOnce(deps: RunnerDeps, endpointIds: string[], registryId: string, regions: string[]): Promise<{ checks: DnsCheck[]; discovery: DiscoveryCheck }> {
  const expectations = await withRetry(deps, () => collectDnsExpectations({ endpointIds }, deps.activity));
  const [checks, discovery] = await Promise.all([
    withRetry(deps, () => proveDns({ expectations }, deps.activity)),
    withRetry(deps, () => checkDiscovery({ registryId, regions }, deps.activity)),
  ]);
  return { checks, discovery };
}

/* ---------- verify-dns ---------- */

export interface VerifyDnsResult {
  registryId: string;
  /** every name resolves to its endpoint's private IP, every target has an endpoint, discovery covers every region */
  proven: boolean;
  checks: DnsCheck[];
  discovery?: DiscoveryCheck;
  /** targets without a usable private endpoint in the subnet */
  missingEndpoints: string[];
  /** what is wrong, one line per problem ('' when proven) */
  diagnosis: string;
  error?: { code: string; message: string };
  steps: StepStatus[];
}

/** One DNS proof of the registry's existing endpoints (no writes, no retries): read → resolve → dns. */
export async function verifyDns(args: { registryId: string; subnetId?: string }, deps: RunnerDeps): Promise<VerifyDnsResult> {
  const progress = new Progress(deps, ['read', 'resolve', 'dns']);
  const result: VerifyDnsResult = { registryId: args.registryId, proven: false, checks: [], missingEndpoints: [], diagnosis: '', steps: [] };
  try {
    progress.set('read', 'running', 're-reading the registry');
    const reading = await withRetry(deps, () => readRegistry({ registryId: args.registryId }, deps.activity));
    if (reading.status === 'notFound') throw new LockdownError(ErrorCodes.REGISTRY_NOT_FOUND, `the registry ${args.registryId} does not exist.`);
    if (reading.status === 'provisioning') throw new LockdownError(ErrorCodes.HARDEN_PROVISIONING_DEADLINE, `the registry is still '${reading.provisioningState}'; verify again once provisioning has finished.`);
    progress.set('read', 'done', detail.describeReading(reading));
    const { placement, states } = await inspect(deps, progress, reading, args.subnetId);
    // The plan's 'keep' entries are the usable endpoints from our subnet; 'create' ones are missing.
    const plan = planHardening({ registryId: args.registryId, states, placement, lockdownAcr: true });
    result.missingEndpoints = plan.endpoints.filter((e) => e.action === 'create').map((e) => `no private endpoint (group ${e.groupId}) to ${describeTarget(e.target)} in ${placement.subnetId}`);
    const endpointIds = plan.endpoints.filter((e) => e.action === 'keep').map((e) => e.endpointId);
    progress.set('dns', 'running', detail.describeDnsStart(endpointIds.length));
    const { checks, discovery } = await proveOnce(deps, endpointIds, args.registryId, reading.regions);
    result.checks = checks;
    result.discovery = discovery;
    result.proven = result.missingEndpoints.length === 0 && isDnsProven(checks, discovery);
    if (result.proven) {
      progress.set('dns', 'done', describeDnsProven(checks, discovery));
    } else {
      result.diagnosis = [...result.missingEndpoints, describeDnsFailure(checks, discovery)].filter((l) => l !== '').join('\n');
      const failing = checks.filter((c) => !c.ok).length;
      progress.set('dns', 'failed', `${failing} of ${checks.length} name(s) not private${result.missingEndpoints.length > 0 ? `, ${result.missingEndpoints.length} endpoint(s) missing` : ''}${discovery.missingRegions.length > 0 ? `, discovery misses ${discovery.missingRegions.join(', ')}` : ''}`);
    }
  } catch (error) {
    result.error = progress.fail(error);
    progress.skipRest('not reached: the check failed');
    result.diagnosis = `[${result.error.code}] ${result.error.message}`;
  }
  result.steps = progress.steps;
  return result;
}
