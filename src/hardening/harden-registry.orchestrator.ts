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
} from './activities/contracts';
import { isActivityRefusal, isActivityThrottled, type ActivityThrottled } from './activities/contracts';
import {
  approvalDeadlineError,
  connectionsOfPlan,
  connectionsToAwait,
  describeAllApproved,
  endpointNames,
  recordConnectionAnswers,
  type ConnectionBook,
} from './domain/approval';
import { describeDnsAttempt, describeDnsProven, dnsProofFailedError, isDnsProven } from './domain/dns-expectations';
import { codedText, ErrorCodes, errorCodeOf, errorMessageOf, LockdownError, MAX_ERROR_MESSAGE, withoutStack } from '../shared/errors';
import { parseHardenInput } from './domain/harden-input';
import type {
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
} from './domain/hardening';
import { emptyApplied, outcomeArgsOf, outcomeEventType, summarizeOutcome, type AppliedChanges, type OutcomeArgs } from './domain/outcome';
import { planHardening } from './domain/plan';
import { initialSteps, runningStep, skipPending, withStep, type HardenStatus } from './domain/progress';
import * as detail from './domain/step-details';
import { throttleWaitMs } from '../shared/throttle-wait';
import { Activities, Events } from '../shared/names';
import { ACTIVITY_RETRY, type ActivityName } from './activities/retry-policies';

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

export type { HardenStatus } from './domain/progress';

type Work<T> = Generator<Task, T, unknown>;
/** One activity call: its name and input, so a throttled call can be made again. */
type Call = { [K in ActivityName]: { name: K; input: HardenActivities[K]['input'] } }[ActivityName];
type ReadyReading = Extract<RegistryReading, { status: 'ready' }>;

/** An activity's answer; a refusal (a failure no retry can fix, see ActivityRefusal) is thrown as the error it stands for. */
function answerOf(value: unknown): unknown {
  if (isActivityRefusal(value)) throw new Error(value.refused);
  return value;
}

/** How the operator starts over after a deadline or a rejection. */
const AGAIN = 'start the run again';

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
  /** time spent waiting out ARM throttling so far, and how many waits (seeds the jitter) */
  private throttledMs = 0;
  private throttleWaits = 0;

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

  private schedule({ name, input }: Call): Task {
    return this.context.df.callActivityWithRetry(name, ACTIVITY_RETRY[name], input);
  }

  private *call<K extends ActivityName>(name: K, input: HardenActivities[K]['input']): Work<HardenActivities[K]['output']> {
    const [answer] = yield* this.settle([{ name, input } as Call]);
    return answer as HardenActivities[K]['output'];
  }

  /** The calls in parallel; an empty list answers [] (Task.all([]) throws). */
  private *all<T>(calls: Call[]): Work<T[]> {
    return (yield* this.settle(calls)) as T[];
  }

  /**
   * Makes the calls (one alone, several in parallel) and answers in their order, waiting out ARM
   * throttling: the calls that answered ActivityThrottled are made again after a durable timer,
   * the others keep their answers, until the run's throttle patience is spent.
   */
  private *settle(calls: Call[]): Work<unknown[]> {
    const answers: unknown[] = new Array<unknown>(calls.length);
    let open = calls.map((_, i) => i);
    while (open.length > 0) {
      const tasks = open.map((i) => this.schedule(calls[i] as Call));
      const got = tasks.length === 1 ? [yield tasks[0] as Task] : ((yield this.context.df.Task.all(tasks)) as unknown[]);
      const throttled: ActivityThrottled[] = [];
      const again: number[] = [];
      got.forEach((value, k) => {
        const i = open[k] as number;
        if (isActivityThrottled(value)) {
          throttled.push(value);
          again.push(i);
        } else answers[i] = answerOf(value);
      });
      if (again.length > 0) yield* this.waitOutThrottling(throttled, again.map((i) => (calls[i] as Call).name));
      open = again;
    }
    return answers;
  }

  private *waitOutThrottling(throttled: ActivityThrottled[], names: string[]): Work<void> {
    const patienceMs = this.input.options.throttlePatienceMinutes * 60_000;
    const retryAfterMs = Math.max(...throttled.map((t) => t.retryAfterMs));
    const waitMs = throttleWaitMs(retryAfterMs, `${this.context.df.instanceId}#${this.throttleWaits}`);
    const what = [...new Set(names)].join(', ');
    if (this.throttledMs + waitMs > patienceMs) {
      throw new LockdownError(
        ErrorCodes.ARM_THROTTLED,
        `ARM kept throttling ${what} after this run had waited ${Math.round(this.throttledMs / 1000)} s in total (THROTTLE_PATIENCE_MINUTES=${this.input.options.throttlePatienceMinutes}); ` +
          `start the run again later, raise THROTTLE_PATIENCE_MINUTES, or spread the load over time (other clients of the subscription share its ARM request budget). Last answer: ${withoutStack(throttled[0]?.throttled ?? '')}`,
      );
    }
    this.throttledMs += waitMs;
    this.throttleWaits++;
    const until = this.nowMs() + waitMs;
    const step = runningStep(this.status.steps) ?? 'read';
    this.step(step, 'running', `ARM is throttling ${what} (${throttled.length} call(s)); calling again at ${new Date(until).toISOString()} (Retry-After ${Math.ceil(retryAfterMs / 1000)} s)`);
    yield* this.sleepUntil(until);
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
    this.step('read', 'done', detail.describeReading(reading));
    if (reading.exempt) {
      return yield* this.finish('Exempt', 'the registry is exempt', ['the registry carries the exemption tag: nothing was checked or changed']);
    }

    this.step('resolve', 'running', detail.describeInspecting(reading));
    const inspectInput: InspectTargetsInput = { targets: reading.targets };
    if (this.input.options.subnetId !== undefined) inspectInput.subnetId = this.input.options.subnetId;
    const { placement, states } = yield* this.call(Activities.inspectTargets, inspectInput);
    this.placement = placement;
    this.step('resolve', 'done', detail.describeResolved(reading));

    this.step('plan', 'running', 'comparing with the desired state');
    const plan = planHardening({ registryId: this.input.registryId, states, placement, lockdownAcr: this.input.options.lockdownAcr });
    this.plan = plan;
    this.step('plan', 'done', detail.describePlan(plan));
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
    const { toCreate, zoneGroups } = detail.endpointWork(plan);
    const connection = connectionsOfPlan(plan);

    if (toCreate.length === 0 && zoneGroups.length === 0) {
      this.step('endpoints', 'done', detail.describeEndpointsPresent(plan));
    } else {
      this.step('endpoints', 'running', detail.describeEndpointsCreating(plan));
      const infos = yield* this.all<EndpointInfo>(toCreate.map((plan) => ({ name: Activities.ensurePrivateEndpoint, input: { plan, placement } })));
      toCreate.forEach((e, i) => {
        const info = infos[i] as EndpointInfo;
        this.createdIds.set(e.endpointId.toLowerCase(), info.id);
        connection.set(e.endpointId.toLowerCase(), info.connectionStatus);
        this.applied.endpoints.push({ endpointId: info.id, connectionStatus: info.connectionStatus });
      });
      const changed = yield* this.all<EnsureZoneGroupOutput>(
        zoneGroups.map((e) => ({ name: Activities.ensureZoneGroup, input: { endpointId: this.endpointIdOf(e), name: e.zoneGroup.name, zoneId: e.zoneGroup.zoneId } })),
      );
      zoneGroups.forEach((e, i) => {
        this.applied.zoneGroups.push({ endpointId: e.endpointId, name: e.zoneGroup.name, zoneId: e.zoneGroup.zoneId, changed: (changed[i] as EnsureZoneGroupOutput).changed });
      });
      this.step('endpoints', 'done', detail.describeEndpointsDone(plan));
    }
    yield* this.awaitApproval(plan, connection);
  }

  private *awaitApproval(plan: HardeningPlan, connection: ConnectionBook): Work<void> {
    let waiting = connectionsToAwait(plan, connection, AGAIN);
    if (waiting.length === 0) {
      this.step('approval', 'done', describeAllApproved(plan));
      return;
    }
    const { approvalDeadlineMinutes, approvalPollSeconds } = this.input.options;
    const deadline = this.nowMs() + approvalDeadlineMinutes * 60_000;
    while (waiting.length > 0) {
      if (this.nowMs() >= deadline) throw approvalDeadlineError(waiting, approvalDeadlineMinutes, AGAIN);
      this.step('approval', 'running', `waiting for approval of ${endpointNames(waiting)}: approve the connection(s) on the target, then raise '${Events.approve}' (or wait for the next check)`);
      const timer = this.context.df.createTimer(new Date(Math.min(this.nowMs() + approvalPollSeconds * 1000, deadline)));
      const approval = this.context.df.waitForExternalEvent(Events.approve);
      const winner = yield this.context.df.Task.any([approval, timer]);
      if (winner === approval && !timer.isCompleted) timer.cancel();
      const infos = yield* this.all<EndpointInfo>(waiting.map((e) => ({ name: Activities.readEndpoint, input: { endpointId: this.endpointIdOf(e) } })));
      waiting = recordConnectionAnswers(waiting, infos, connection, this.applied.approved, AGAIN);
    }
    this.step('approval', 'done', describeAllApproved(plan));
  }

  private *lockdown(plan: HardeningPlan): Work<void> {
    const toDisable = plan.publicAccess.filter((p) => p.action === 'disable');
    if (toDisable.length === 0) {
      this.step('lockdown', 'done', detail.describeLockdownPresent(plan));
      return;
    }
    this.step('lockdown', 'running', detail.describeLockdownRunning(toDisable.length));
    const results = yield* this.all<DisablePublicAccessOutput>(toDisable.map((p) => ({ name: Activities.disablePublicAccess, input: { target: p.target } })));
    toDisable.forEach((p, i) => {
      const r = results[i] as DisablePublicAccessOutput;
      this.applied.publicAccess.push({ target: p.target, changed: r.changed, at: r.at });
    });
    const changed = results.filter((r) => r.changed).length;
    this.step('lockdown', 'done', detail.describeLockdownDone(plan, changed));
  }

  private *proveDns(plan: HardeningPlan, reading: ReadyReading): Work<void> {
    const { dnsDeadlineMinutes, dnsRetrySeconds } = this.input.options;
    const endpointIds = plan.endpoints.map((e) => this.endpointIdOf(e));
    const deadline = this.nowMs() + dnsDeadlineMinutes * 60_000;
    this.step('dns', 'running', detail.describeDnsStart(endpointIds.length));
    for (let attempt = 1; ; attempt++) {
      const expectations = yield* this.call(Activities.collectDnsExpectations, { endpointIds });
      const [checks, discovery] = yield* this.all<ProveDnsOutput | CheckDiscoveryOutput>([
        ({ name: Activities.proveDns, input: { expectations } }),
        ({ name: Activities.checkDiscovery, input: { registryId: this.input.registryId, regions: reading.regions } }),
      ]);
      this.dns = checks as DnsCheck[];
      this.discovery = discovery as DiscoveryCheck;
      if (isDnsProven(this.dns, this.discovery)) break;
      if (this.nowMs() >= deadline) throw dnsProofFailedError(attempt, dnsDeadlineMinutes, this.dns, this.discovery);
      const next = Math.min(this.nowMs() + dnsRetrySeconds * 1000, deadline);
      this.step('dns', 'running', `${describeDnsAttempt(attempt, this.dns, this.discovery)}; retrying at ${new Date(next).toISOString()}`);
      yield* this.sleepUntil(next);
    }
    this.step('dns', 'done', describeDnsProven(this.dns, this.discovery));
  }

  /* ---------- the end ---------- */

  private outcomeArgs(kind: OutcomeKind): OutcomeArgs {
    const { input, startedAt, plan, applied, dns, discovery } = this;
    return outcomeArgsOf({ kind, input, instanceId: this.context.df.instanceId, startedAt, endedAt: this.nowIso(), plan, applied, dns, discovery });
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
    const { code, text: coded } = codedText(error);
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
        this.step('publish', 'failed', errorMessageOf(publishError).slice(0, MAX_ERROR_MESSAGE));
      }
    }
    // An error whose own message starts with the code travels on as it is.
    if (error instanceof Error && errorCodeOf(error) === code) throw error;
    throw new Error(coded, { cause: error });
  }
}

/** The orchestrator; registered in src/hardening/functions.ts with df.app.orchestration(Orchestrators.hardenRegistry, …). */
export function* hardenRegistryOrchestrator(context: OrchestrationContext): Generator<Task, Outcome, unknown> {
  const input = parseHardenInput(context.df.getInput());
  const run = new HardenRun(context, input);
  try {
    return yield* run.execute();
  } catch (error) {
    return yield* run.fail(error);
  }
}
