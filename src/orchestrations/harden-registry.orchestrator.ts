import type { OrchestrationContext, Task } from 'durable-functions';
import type {
  CheckDiscoveryInput,
  CheckDiscoveryOutput,
  CollectDnsExpectationsInput,
  CollectDnsExpectationsOutput,
  DisablePublicAccessInput,
  DisablePublicAccessOutput,
  EnsurePrivateEndpointInput,
  EnsurePrivateEndpointOutput,
  EnsureZoneGroupInput,
  EnsureZoneGroupOutput,
  InspectTargetsInput,
  InspectTargetsOutput,
  ProveDnsInput,
  ProveDnsOutput,
  PublishOutcomeInput,
  PublishOutcomeOutput,
  ReadEndpointInput,
  ReadEndpointOutput,
  ReadRegistryInput,
  ReadRegistryOutput,
} from '../domain/activity-contracts';
import { describeDnsFailure, isDnsProven } from '../domain/dns-expectations';
import { ErrorCodes, errorCodeOf, findErrorCode, LockdownError, withoutStack } from '../domain/errors';
import { parseHardenInput } from '../domain/harden-input';
import type {
  ConnectionStatus,
  DiscoveryCheck,
  DnsCheck,
  EndpointInfo,
  EndpointPlacement,
  EndpointPlan,
  HardenInput,
  HardeningPlan,
  Outcome,
  OutcomeKind,
  RegistryReading,
  StepName,
  StepState,
} from '../domain/hardening';
import { emptyApplied, outcomeEventType, summarizeOutcome, type AppliedChanges, type OutcomeArgs } from '../domain/outcome';
import { describeTarget, planHardening } from '../domain/plan';
import { initialSteps, runningStep, skipPending, withStep, type HardenStatus } from '../domain/progress';
import { Activities, Events } from '../functions/names';
import { ACTIVITY_RETRY, type ActivityName } from './retry-policies';

/**
 * hardenRegistry: one durable run per registry (ARCHITECTURE.md, "The job"). Deterministic: it
 * only yields context.df tasks; time comes from currentUtcDateTime, waits are durable timers,
 * decisions are pure domain functions. Progress is in customStatus ({ registryId, mode, steps }).
 * The output is the Outcome, which is also published (always, on failure too) before the run
 * ends; a failed run rethrows with the stable `[CODE]` at the start of its message.
 */

/** The activities' contracts, by registered name. */
export interface HardenActivities {
  [Activities.readRegistry]: { input: ReadRegistryInput; output: ReadRegistryOutput };
  [Activities.inspectTargets]: { input: InspectTargetsInput; output: InspectTargetsOutput };
  [Activities.ensurePrivateEndpoint]: { input: EnsurePrivateEndpointInput; output: EnsurePrivateEndpointOutput };
  [Activities.ensureZoneGroup]: { input: EnsureZoneGroupInput; output: EnsureZoneGroupOutput };
  [Activities.readEndpoint]: { input: ReadEndpointInput; output: ReadEndpointOutput };
  [Activities.disablePublicAccess]: { input: DisablePublicAccessInput; output: DisablePublicAccessOutput };
  [Activities.collectDnsExpectations]: { input: CollectDnsExpectationsInput; output: CollectDnsExpectationsOutput };
  [Activities.proveDns]: { input: ProveDnsInput; output: ProveDnsOutput };
  [Activities.checkDiscovery]: { input: CheckDiscoveryInput; output: CheckDiscoveryOutput };
  [Activities.publishOutcome]: { input: PublishOutcomeInput; output: PublishOutcomeOutput };
}

export type { HardenStatus } from '../domain/progress';

type Work<T> = Generator<Task, T, unknown>;
type ReadyReading = Extract<RegistryReading, { status: 'ready' }>;

const MAX_ERROR_MESSAGE = 4000;
const WAITING_STATUSES: ReadonlySet<ConnectionStatus> = new Set(['Pending', 'Unknown']);
const BROKEN_STATUSES: ReadonlySet<ConnectionStatus> = new Set(['Rejected', 'Disconnected']);

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : typeof error === 'string' ? error : JSON.stringify(error);
}

class HardenRun {
  private status: HardenStatus;
  private readonly startedAt: string;
  private reading: ReadyReading | undefined;
  private placement: EndpointPlacement | undefined;
  private plan: HardeningPlan | undefined;
  private readonly applied: AppliedChanges = emptyApplied();
  /** endpoint id (lower case) → id as reported by ARM, for endpoints this run created */
  private readonly createdIds = new Map<string, string>();
  private dns: DnsCheck[] = [];
  private discovery: DiscoveryCheck | undefined;

  constructor(
    private readonly context: OrchestrationContext,
    private readonly input: HardenInput,
  ) {
    this.startedAt = this.nowIso();
    this.status = { registryId: input.registryId, mode: input.mode, steps: initialSteps() };
    this.context.df.setCustomStatus(this.status);
  }

  /* ---------- plumbing ---------- */

  private nowMs(): number {
    return this.context.df.currentUtcDateTime.getTime();
  }

  private nowIso(): string {
    return this.context.df.currentUtcDateTime.toISOString();
  }

  private log(message: string, extra: Record<string, unknown> = {}): void {
    if (this.context.df.isReplaying) return;
    this.context.info(`hardenRegistry: ${message}`, { registryId: this.input.registryId, instanceId: this.context.df.instanceId, ...extra });
  }

  private setStatus(steps: HardenStatus['steps']): void {
    this.status = { ...this.status, steps };
    this.context.df.setCustomStatus(this.status);
  }

  private step(step: StepName, state: StepState, detail: string): void {
    this.setStatus(withStep(this.status.steps, step, state, detail, this.nowIso()));
    this.log(`${step} ${state}`, { step, state, detail });
  }

  private schedule<K extends ActivityName>(name: K, input: HardenActivities[K]['input']): Task {
    return this.context.df.callActivityWithRetry(name, ACTIVITY_RETRY[name], input);
  }

  private *call<K extends ActivityName>(name: K, input: HardenActivities[K]['input']): Work<HardenActivities[K]['output']> {
    return (yield this.schedule(name, input)) as HardenActivities[K]['output'];
  }

  /** Task.all, tolerating an empty list (Task.all([]) throws). */
  private *all<T>(tasks: Task[]): Work<T[]> {
    if (tasks.length === 0) return [];
    return (yield this.context.df.Task.all(tasks)) as T[];
  }

  private *sleepUntil(ms: number): Work<void> {
    yield this.context.df.createTimer(new Date(ms));
  }

  /* ---------- the job ---------- */

  *execute(): Work<Outcome> {
    const reading = yield* this.readUntilReady();
    if (reading.status === 'notFound') {
      this.step('read', 'done', 'the registry does not exist');
      return yield* this.finish('NotFound', 'the registry was not found', ['the registry does not exist (deleted, or the event is stale): nothing to do']);
    }
    if (reading.status !== 'ready') throw new LockdownError(ErrorCodes.HARDEN_UNEXPECTED, `unexpected registry reading '${reading.status}'.`);
    this.reading = reading;
    this.step('read', 'done', `${reading.name}: ${reading.regions.length} region(s) (${reading.regions.join(', ')})${reading.exempt ? ', exempt' : ''}`);
    if (reading.exempt) {
      return yield* this.finish('Exempt', 'the registry is exempt', ['the registry carries the exemption tag: nothing was checked or changed']);
    }

    this.step('resolve', 'running', `inspecting ${reading.targets.length} resource(s)`);
    const inspectInput: InspectTargetsInput = { targets: reading.targets };
    if (this.input.options.subnetId !== undefined) inspectInput.subnetId = this.input.options.subnetId;
    const { placement, states } = yield* this.call(Activities.inspectTargets, inspectInput);
    this.placement = placement;
    const count = (kind: string): number => reading.targets.filter((t) => t.kind === kind).length;
    this.step('resolve', 'done', `registry, ${count('storage')} storage account(s), ${count('acr')} container registry (resolved by ${reading.resolvedBy})`);

    this.step('plan', 'running', 'comparing with the desired state');
    const plan = planHardening({ registryId: this.input.registryId, states, placement, lockdownAcr: this.input.options.lockdownAcr });
    this.plan = plan;
    const creates = plan.endpoints.filter((e) => e.action === 'create').length;
    const zones = plan.endpoints.filter((e) => e.zoneGroup.action === 'create').length;
    const disables = plan.publicAccess.filter((p) => p.action === 'disable').length;
    this.step('plan', 'done', `${plan.writes} write(s): ${creates} endpoint(s), ${zones} zone group(s), ${disables} public-access change(s)`);
    if (this.input.mode === 'plan') return yield* this.finish('Planned', 'plan mode: nothing is changed');

    if (this.input.options.order === 'lockdown-first') {
      yield* this.lockdown(plan);
      yield* this.endpoints(plan, placement);
    } else {
      yield* this.endpoints(plan, placement);
      yield* this.lockdown(plan);
    }
    yield* this.proveDns(plan, reading);
    return yield* this.finish('Hardened', '');
  }

  private *readUntilReady(): Work<RegistryReading> {
    this.step('read', 'running', 're-reading the registry');
    const { registryId, options } = this.input;
    const deadline = this.nowMs() + options.provisioningDeadlineMinutes * 60_000;
    let reading = yield* this.call(Activities.readRegistry, { registryId });
    while (reading.status === 'provisioning') {
      if (this.nowMs() >= deadline) {
        throw new LockdownError(
          ErrorCodes.HARDEN_PROVISIONING_DEADLINE,
          `the registry is still '${reading.provisioningState}' after ${options.provisioningDeadlineMinutes} minute(s); start the run again once provisioning has finished.`,
        );
      }
      const next = Math.min(this.nowMs() + options.provisioningPollSeconds * 1000, deadline);
      this.step('read', 'running', `the registry is '${reading.provisioningState}'; next look at ${new Date(next).toISOString()}`);
      yield* this.sleepUntil(next);
      reading = yield* this.call(Activities.readRegistry, { registryId });
    }
    return reading;
  }

  private endpointIdOf(e: EndpointPlan): string {
    return this.createdIds.get(e.endpointId.toLowerCase()) ?? e.endpointId;
  }

  private *endpoints(plan: HardeningPlan, placement: EndpointPlacement): Work<void> {
    const toCreate = plan.endpoints.filter((e) => e.action === 'create');
    const zoneGroups = plan.endpoints.filter((e) => e.zoneGroup.action === 'create');
    const connection = new Map<string, ConnectionStatus>();
    for (const e of plan.endpoints) if (e.connectionStatus !== 'New') connection.set(e.endpointId.toLowerCase(), e.connectionStatus);

    if (toCreate.length === 0 && zoneGroups.length === 0) {
      this.step('endpoints', 'done', `all ${plan.endpoints.length} private endpoint(s) and their zone groups exist`);
    } else {
      this.step('endpoints', 'running', `creating ${toCreate.length} private endpoint(s), then ${zoneGroups.length} zone group(s)`);
      const infos = yield* this.all<EndpointInfo>(toCreate.map((plan) => this.schedule(Activities.ensurePrivateEndpoint, { plan, placement })));
      toCreate.forEach((e, i) => {
        const info = infos[i] as EndpointInfo;
        this.createdIds.set(e.endpointId.toLowerCase(), info.id);
        connection.set(e.endpointId.toLowerCase(), info.connectionStatus);
        this.applied.endpoints.push({ endpointId: info.id, connectionStatus: info.connectionStatus });
      });
      const changed = yield* this.all<EnsureZoneGroupOutput>(
        zoneGroups.map((e) => this.schedule(Activities.ensureZoneGroup, { endpointId: this.endpointIdOf(e), name: e.zoneGroup.name, zoneId: e.zoneGroup.zoneId })),
      );
      zoneGroups.forEach((e, i) => {
        this.applied.zoneGroups.push({ endpointId: e.endpointId, name: e.zoneGroup.name, zoneId: e.zoneGroup.zoneId, changed: (changed[i] as EnsureZoneGroupOutput).changed });
      });
      const foreign = plan.endpoints.filter((e) => e.zoneGroup.action === 'foreign').length;
      this.step(
        'endpoints',
        'done',
        `${toCreate.length} created, ${plan.endpoints.length - toCreate.length} kept; ${zoneGroups.length} zone group(s) ensured${foreign > 0 ? `, ${foreign} left to their owner` : ''}`,
      );
    }
    yield* this.awaitApproval(plan, connection);
  }

  private rejected(e: EndpointPlan, status: ConnectionStatus, description: string | undefined): LockdownError {
    return new LockdownError(
      ErrorCodes.HARDEN_APPROVAL_REJECTED,
      `the connection of private endpoint '${e.name}' to ${describeTarget(e.target)} is ${status}` +
        `${description ? `: ${description}` : ''}. Approve it on the target resource, or delete the endpoint so that the next run requests a new connection, then start the run again.`,
    );
  }

  private *awaitApproval(plan: HardeningPlan, connection: Map<string, ConnectionStatus>): Work<void> {
    const statusOf = (e: EndpointPlan): ConnectionStatus => connection.get(e.endpointId.toLowerCase()) ?? 'Unknown';
    for (const e of plan.endpoints) if (BROKEN_STATUSES.has(statusOf(e))) throw this.rejected(e, statusOf(e), undefined);
    let waiting = plan.endpoints.filter((e) => WAITING_STATUSES.has(statusOf(e)));
    if (waiting.length === 0) {
      this.step('approval', 'done', `all ${plan.endpoints.length} connection(s) Approved`);
      return;
    }
    const { approvalDeadlineMinutes, approvalPollSeconds } = this.input.options;
    const deadline = this.nowMs() + approvalDeadlineMinutes * 60_000;
    while (waiting.length > 0) {
      const names = waiting.map((e) => `'${e.name}'`).join(', ');
      if (this.nowMs() >= deadline) {
        throw new LockdownError(
          ErrorCodes.HARDEN_APPROVAL_DEADLINE,
          `the connection(s) of ${names} are still not approved after ${approvalDeadlineMinutes} minute(s); approve them on the target resources and start the run again.`,
        );
      }
      this.step('approval', 'running', `waiting for approval of ${names}: approve the connection(s) on the target, then raise '${Events.approve}' (or wait for the next check)`);
      const timer = this.context.df.createTimer(new Date(Math.min(this.nowMs() + approvalPollSeconds * 1000, deadline)));
      const approval = this.context.df.waitForExternalEvent(Events.approve);
      const winner = yield this.context.df.Task.any([approval, timer]);
      if (winner === approval && !timer.isCompleted) timer.cancel();
      const infos = yield* this.all<EndpointInfo>(waiting.map((e) => this.schedule(Activities.readEndpoint, { endpointId: this.endpointIdOf(e) })));
      const still: EndpointPlan[] = [];
      waiting.forEach((e, i) => {
        const info = infos[i] as EndpointInfo;
        connection.set(e.endpointId.toLowerCase(), info.connectionStatus);
        if (BROKEN_STATUSES.has(info.connectionStatus)) throw this.rejected(e, info.connectionStatus, info.connectionDescription);
        if (info.connectionStatus === 'Approved') this.applied.approved.push(e.endpointId);
        else still.push(e);
      });
      waiting = still;
    }
    this.step('approval', 'done', `all ${plan.endpoints.length} connection(s) Approved`);
  }

  private *lockdown(plan: HardeningPlan): Work<void> {
    const toDisable = plan.publicAccess.filter((p) => p.action === 'disable');
    const skipped = plan.publicAccess.filter((p) => p.action === 'skip');
    const skipNote = skipped.length > 0 ? `; left public: ${skipped.map((p) => `${describeTarget(p.target)} (${p.reason ?? 'skipped'})`).join(', ')}` : '';
    if (toDisable.length === 0) {
      this.step('lockdown', 'done', `public network access already Disabled${skipNote}`);
      return;
    }
    this.step('lockdown', 'running', `disabling public network access of ${toDisable.length} resource(s)`);
    const results = yield* this.all<DisablePublicAccessOutput>(toDisable.map((p) => this.schedule(Activities.disablePublicAccess, { target: p.target })));
    toDisable.forEach((p, i) => {
      const r = results[i] as DisablePublicAccessOutput;
      this.applied.publicAccess.push({ target: p.target, changed: r.changed, at: r.at });
    });
    const changed = results.filter((r) => r.changed).length;
    this.step('lockdown', 'done', `${changed} disabled, ${toDisable.length - changed} already Disabled${skipNote}`);
  }

  private *proveDns(plan: HardeningPlan, reading: ReadyReading): Work<void> {
    const { dnsDeadlineMinutes, dnsRetrySeconds } = this.input.options;
    const endpointIds = plan.endpoints.map((e) => this.endpointIdOf(e));
    const deadline = this.nowMs() + dnsDeadlineMinutes * 60_000;
    this.step('dns', 'running', `resolving the names of ${endpointIds.length} private endpoint(s)`);
    for (let attempt = 1; ; attempt++) {
      const expectations = yield* this.call(Activities.collectDnsExpectations, { endpointIds });
      const [checks, discovery] = yield* this.all<ProveDnsOutput | CheckDiscoveryOutput>([
        this.schedule(Activities.proveDns, { expectations }),
        this.schedule(Activities.checkDiscovery, { registryId: this.input.registryId, regions: reading.regions }),
      ]);
      this.dns = checks as DnsCheck[];
      this.discovery = discovery as DiscoveryCheck;
      if (isDnsProven(this.dns, this.discovery)) break;
      const failing = this.dns.filter((c) => !c.ok).length;
      if (this.nowMs() >= deadline) {
        throw new LockdownError(
          ErrorCodes.HARDEN_DNS_PROOF_FAILED,
          `DNS proof failed after ${attempt} attempt(s) in ${dnsDeadlineMinutes} minute(s): ` +
            `check the private DNS zone links of the resolver's VNet and the zone groups.\n${describeDnsFailure(this.dns, this.discovery)}`,
        );
      }
      const next = Math.min(this.nowMs() + dnsRetrySeconds * 1000, deadline);
      this.step('dns', 'running', `attempt ${attempt}: ${failing} of ${this.dns.length} name(s) not private yet${this.discovery.missingRegions.length > 0 ? `, discovery misses ${this.discovery.missingRegions.join(', ')}` : ''}; retrying at ${new Date(next).toISOString()}`);
      yield* this.sleepUntil(next);
    }
    this.step('dns', 'done', `${this.dns.length} name(s) resolve to their private IPs; discovery covers ${this.discovery?.regions.join(', ') ?? 'every region'}`);
  }

  /* ---------- the end ---------- */

  private outcomeArgs(kind: OutcomeKind): OutcomeArgs {
    const args: OutcomeArgs = {
      kind,
      registryId: this.input.registryId,
      instanceId: this.context.df.instanceId,
      mode: this.input.mode,
      startedAt: this.startedAt,
      endedAt: this.nowIso(),
      dns: this.dns,
    };
    if (this.plan !== undefined) args.plan = this.plan;
    if (this.input.mode === 'apply' && this.plan !== undefined) args.applied = this.applied;
    if (this.discovery !== undefined) args.discovery = this.discovery;
    if (this.input.triggeredAt !== undefined) args.triggeredAt = this.input.triggeredAt;
    return args;
  }

  private *finish(kind: OutcomeKind, skipReason: string, notes: string[] = []): Work<Outcome> {
    this.step('publish', 'running', `publishing ${outcomeEventType(kind)}`);
    if (skipReason !== '') this.setStatus(skipPending(this.status.steps, skipReason, this.nowIso()));
    const outcome = summarizeOutcome({ ...this.outcomeArgs(kind), notes });
    yield* this.call(Activities.publishOutcome, outcome);
    this.step('publish', 'done', `published ${outcomeEventType(kind)}`);
    return outcome;
  }

  /** Records the failure (step status + Failed outcome), then rethrows with the stable code first. */
  *fail(error: unknown): Work<never> {
    const code = findErrorCode(error) ?? ErrorCodes.HARDEN_UNEXPECTED;
    const raw = withoutStack(messageOf(error));
    const at = raw.indexOf(`[${code}]`);
    const coded = at >= 0 ? raw.slice(at) : `[${code}] ${raw}`;
    const detail = coded.slice(code.length + 3).slice(0, MAX_ERROR_MESSAGE);
    const failedStep = runningStep(this.status.steps) ?? 'read';
    this.step(failedStep, 'failed', `[${code}] ${detail}`);
    this.log('failed', { code });

    if (failedStep !== 'publish') {
      this.step('publish', 'running', `publishing ${outcomeEventType('Failed')}`);
      this.setStatus(skipPending(this.status.steps, 'not reached: the run failed', this.nowIso()));
      const outcome = summarizeOutcome({ ...this.outcomeArgs('Failed'), error: { code, message: detail } });
      try {
        yield* this.call(Activities.publishOutcome, outcome);
        this.step('publish', 'done', `published ${outcomeEventType('Failed')}`);
      } catch (publishError) {
        this.step('publish', 'failed', messageOf(publishError).slice(0, MAX_ERROR_MESSAGE));
      }
    }
    if (at === 0 && error instanceof Error && errorCodeOf(error) === code) throw error;
    throw new Error(coded, { cause: error });
  }
}

/** The orchestrator; registered in src/functions with df.app.orchestration(Orchestrators.hardenRegistry, …). */
export function* hardenRegistryOrchestrator(context: OrchestrationContext): Generator<Task, Outcome, unknown> {
  const input = parseHardenInput(context.df.getInput());
  const run = new HardenRun(context, input);
  try {
    return yield* run.execute();
  } catch (error) {
    return yield* run.fail(error);
  }
}
