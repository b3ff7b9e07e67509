import { Activities, Events } from '../shared/names';
import { codedText, ErrorCodes, errorMessageOf, LockdownError, MAX_ERROR_MESSAGE } from '../shared/errors';
import { progress, sleepUntil, versionAtLeast, waitForEvent, type Workflow, type WorkflowContext } from '../shared/workflow';
import type { InspectTargetsInput } from './activities/contracts';
import { approvalDeadlineError, connectionsOfPlan, connectionsToAwait, describeAllApproved, endpointNames, recordConnectionAnswers, type ConnectionBook } from './domain/approval';
import { describeDnsAttempt, describeDnsProven, dnsProofFailedError, expectationsFromNames, isDnsProven, mergeExpectations } from './domain/dns-expectations';
import type { DiscoveryCheck, DnsCheck, DnsExpectation, EndpointInfo, EndpointPlacement, EndpointPlan, HardenInput, HardeningPlan, Outcome, OutcomeKind, PublicAccessPlan, RegistryReading, TargetState } from './domain/hardening';
import { emptyApplied, outcomeArgsOf, outcomeEventType, summarizeOutcome, type AppliedChanges, type OutcomeArgs } from './domain/outcome';
import { describePermissionCheck, writeNeeds, type PermissionCheck } from './domain/permission-check';
import { decideManagedGroupAccess, lockdownPhases, managedEndpointsToCreate, unmanagedEndpointsToCreate } from './domain/managed-group';
import { planHardening } from './domain/plan';
import { readUntilReady } from './read-until-ready.workflow';
import { runningStep, skipPending, type HardenStatus } from './domain/progress';
import * as detail from './domain/step-details';
import { HardenRunBase, type HardenRunOptions } from './harden-run.workflow';
import type { WriteItem } from './operations.workflow';

/**
 * The hardening of one registry, written once (ARCHITECTURE.md, "The job"): read → resolve →
 * plan → lockdown / endpoints + zone groups (in the configured order) → approval → DNS proof →
 * outcome. A generator of effects (src/shared/workflow.ts): the durable driver
 * (harden.durable.ts) runs it as the hardenRegistry orchestration, the in-process driver
 * (harden.in-process.ts) runs it for the CLI. Both get the same rules:
 *  - throttling: a call answered ActivityThrottled is made again after a sleep, the others keep
 *    their answers, within THROTTLE_PATIENCE_MINUTES;
 *  - approval: wait for the 'approve' event or the next poll, until the approval deadline;
 *  - refusals (ActivityRefusal) and failed calls end the run Failed with their code.
 * The result always carries the Outcome (published unless `publish` is off); on failure also the
 * coded error, which the durable driver throws so that the orchestration ends Failed.
 */

export type { HardenRunOptions } from './harden-run.workflow';

export interface HardenResult {
  outcome: Outcome;
  status: HardenStatus;
  /** the coded error of a failed run (its message starts with `[CODE]`) */
  error?: Error;
}

/** How the operator starts over after a deadline or a rejection. */
const AGAIN = 'start the run again';

type ReadyReading = Extract<RegistryReading, { status: 'ready' }>;

class HardenRun extends HardenRunBase {
  private plan: HardeningPlan | undefined;
  private readonly applied: AppliedChanges = emptyApplied();
  /** endpoint id (lower case) → id as reported by ARM, for endpoints this run created */
  private readonly createdIds = new Map<string, string>();
  private dns: DnsCheck[] = [];
  private permissions: PermissionCheck | undefined;
  private discovery: DiscoveryCheck | undefined;
  /** the app's principal is (now) in the registry's assignedIdentities, or the plan needs no write in the managed group */
  private managedGroupReady = true;
  /** endpoint id (lower case) → what its PUT answered, for the endpoints made while storage/ACR waited (2.4) */
  private readonly early = new Map<string, EndpointInfo>();
  /** endpoint ids (lower case) whose zone group was made while storage/ACR waited (2.4) */
  private readonly earlyZoneGroups = new Set<string>();
  /** endpoint id (lower case) → its DNS names from the zone group the plan keeps (2.3: read with the plan, the proof's first names) */
  private readonly knownNames = new Map<string, DnsExpectation[]>();

  /* ---------- the job ---------- */

  *execute(): Workflow<Outcome> {
    yield* progress(this.status);
    const reading = yield* this.readUntilReady();
    if (reading.status === 'notFound') {
      yield* this.step('read', 'done', 'the registry does not exist');
      return yield* this.finish('NotFound', 'the registry was not found', ['the registry does not exist (deleted, or the event is stale): nothing to do']);
    }
    if (reading.status !== 'ready') throw new LockdownError(ErrorCodes.HARDEN_UNEXPECTED, `unexpected registry reading '${reading.status}'.`);
    yield* this.step('read', 'done', detail.describeReading(reading));
    if (reading.exempt) {
      return yield* this.finish('Exempt', 'the registry is exempt', ['the registry carries the exemption tag: nothing was checked or changed']);
    }

    yield* this.step('resolve', 'running', detail.describeInspecting(reading));
    const inspectInput: InspectTargetsInput = { targets: reading.targets };
    if (this.input.options.subnetId !== undefined) inspectInput.subnetId = this.input.options.subnetId;
    if (this.v23 && reading.registryState !== undefined) inspectInput.registry = reading.registryState;
    const { placement, states } = yield* this.call(Activities.inspectTargets, inspectInput);
    yield* this.step('resolve', 'done', detail.describeResolved(reading));

    yield* this.step('plan', 'running', 'comparing with the desired state');
    const plan = planHardening({ registryId: this.input.registryId, states, placement, lockdownAcr: this.input.options.lockdownAcr });
    if (this.v22 && reading.managedGroupAccess !== undefined) {
      plan.managedGroup = decideManagedGroupAccess(reading.managedGroupAccess, plan);
      if (plan.managedGroup.state === 'cannot') plan.warnings.push(plan.managedGroup.detail);
      this.managedGroupReady = plan.managedGroup.state !== 'assign';
    }
    this.plan = plan;
    if (this.v23) this.noteKnownNames(plan, states);
    if (this.input.mode === 'plan') {
      // from 2.1 a plan also checks the app's effective permissions at every scope an apply would write
      if (versionAtLeast(this.ctx.version, '2.1')) yield* this.checkPermissions(plan, placement);
      yield* this.step('plan', 'done', [detail.describePlan(plan), ...(this.permissions ? [describePermissionCheck(this.permissions)] : [])].join('; '));
      return yield* this.finish('Planned', 'plan mode: nothing is changed');
    }
    yield* this.step('plan', 'done', detail.describePlan(plan));

    if (this.input.options.order === 'lockdown-first') {
      yield* this.lockdown(plan, placement);
      yield* this.endpoints(plan, placement);
    } else {
      yield* this.endpoints(plan, placement);
      yield* this.lockdown(plan, placement);
    }
    yield* this.proveDns(plan, reading);
    return yield* this.finish('Hardened', '');
  }

  /** Plan mode: which of the permissions an apply needs the app lacks, scope by scope (reads only). */
  private *checkPermissions(plan: HardeningPlan, placement: EndpointPlacement): Workflow<void> {
    const needs = writeNeeds(plan, placement);
    this.permissions = needs.length === 0 ? { scopes: [], missing: [] } : yield* this.call(Activities.checkPermissions, { needs });
  }

  private *readUntilReady(): Workflow<RegistryReading> {
    yield* this.step('read', 'running', 're-reading the registry');
    const { registryId, options, trigger } = this.input;
    const run = {
      read: () => this.call(Activities.readRegistry, { registryId }),
      progress: (text: string) => this.step('read', 'running', text),
      nowMs: () => this.nowMs(),
      waited: <T>(effect: Workflow<T>) => this.waited('provisioning', effect),
    };
    return yield* readUntilReady(run, options, this.v22 && trigger === 'eventgrid');
  }

  /** The DNS names of the endpoints the plan keeps with their zone group, from that group's record sets (read with the plan). */
  private noteKnownNames(plan: HardeningPlan, states: TargetState[]): void {
    for (const e of plan.endpoints) {
      if (e.action !== 'keep' || e.zoneGroup.action !== 'keep') continue;
      const info = states.flatMap((s) => s.endpoints).find((x) => x.id.toLowerCase() === e.endpointId.toLowerCase());
      const records = info?.zoneGroups.find((g) => g.name === e.zoneGroup.name)?.records ?? [];
      if (records.length > 0) this.knownNames.set(e.endpointId.toLowerCase(), expectationsFromNames(e.endpointId, e.target.kind, records));
    }
  }

  private endpointIdOf(e: EndpointPlan): string {
    return this.createdIds.get(e.endpointId.toLowerCase()) ?? e.endpointId;
  }

  private *endpoints(plan: HardeningPlan, placement: EndpointPlacement): Workflow<void> {
    const { toCreate, zoneGroups } = detail.endpointWork(plan);
    const connection = connectionsOfPlan(plan);

    if (toCreate.length === 0 && zoneGroups.length === 0) {
      yield* this.step('endpoints', 'done', detail.describeEndpointsPresent(plan));
    } else {
      yield* this.step('endpoints', 'running', detail.describeEndpointsCreating(plan));
      if (managedEndpointsToCreate(plan).length > 0) yield* this.ensureManagedGroupAccess();
      const registryId = this.v22 ? { registryId: this.input.registryId } : {};
      const fresh = toCreate.filter((e) => !this.early.has(e.endpointId.toLowerCase()));
      const infos = this.v23 ? yield* this.createEndpoints(fresh, placement) : yield* this.all<EndpointInfo>(fresh.map((plan) => ({ name: Activities.ensurePrivateEndpoint, input: { plan, placement, ...registryId } })));
      fresh.forEach((e, i) => this.noteCreated(e, infos[i] as EndpointInfo));
      for (const e of toCreate) {
        const info = this.early.get(e.endpointId.toLowerCase()) ?? (infos[fresh.indexOf(e)] as EndpointInfo);
        connection.set(e.endpointId.toLowerCase(), info.connectionStatus);
      }
      yield* this.createZoneGroups(zoneGroups.filter((e) => !this.earlyZoneGroups.has(e.endpointId.toLowerCase())));
      yield* this.step('endpoints', 'done', detail.describeEndpointsDone(plan));
    }
    yield* this.awaitApproval(plan, connection);
  }

  /** The zone groups on these endpoints, put together (2.3: their operations polled together), recorded as applied. */
  private *createZoneGroups(zoneGroups: EndpointPlan[]): Workflow<void> {
    const zoneInputs = zoneGroups.map((e) => ({ endpointId: this.endpointIdOf(e), name: e.zoneGroup.name, zoneId: e.zoneGroup.zoneId }));
    const changed = this.v23
      ? (yield* this.writes<{ changed: boolean }>(zoneInputs.map((input) => ({
        start: { name: Activities.startZoneGroup, input },
        restart: { name: Activities.startZoneGroup, input: { ...input, check: true } },
        what: `PUT ${input.endpointId}/privateDnsZoneGroups/${input.name}`,
      })))).map((r) => r.value)
      : yield* this.all<{ changed: boolean }>(zoneInputs.map((input) => ({ name: Activities.ensureZoneGroup, input })));
    zoneGroups.forEach((e, i) => {
      this.applied.zoneGroups.push({ endpointId: e.endpointId, name: e.zoneGroup.name, zoneId: e.zoneGroup.zoneId, changed: changed[i]?.changed ?? false });
    });
  }

  /**
   * 2.4, lockdown first, while storage and ACR wait for the managed group's exemption: the
   * endpoints to the registry itself (outside the group: no deny assignment holds them back) and
   * their zone groups, created in the wait instead of after it; the endpoints step skips them.
   */
  private *unmanagedEndpointsMeanwhile(plan: HardeningPlan, placement: EndpointPlacement): Workflow<void> {
    const early = unmanagedEndpointsToCreate(plan);
    if (early.length === 0) return;
    yield* this.step('lockdown', 'running', `storage and ACR wait for the managed group's exemption; meanwhile creating ${early.length} private endpoint(s) to the registry and their zone groups`);
    const infos = yield* this.createEndpoints(early, placement);
    early.forEach((e, i) => {
      const info = infos[i] as EndpointInfo;
      this.early.set(e.endpointId.toLowerCase(), info);
      this.noteCreated(e, info);
    });
    const zoneGroups = early.filter((e) => e.zoneGroup.action === 'create');
    yield* this.createZoneGroups(zoneGroups);
    for (const e of zoneGroups) this.earlyZoneGroups.add(e.endpointId.toLowerCase());
  }

  /** 2.3: the endpoints' PUTs started together, their operations polled together. */
  private *createEndpoints(toCreate: EndpointPlan[], placement: EndpointPlacement): Workflow<EndpointInfo[]> {
    const results = yield* this.writes<EndpointInfo>(toCreate.map((plan) => this.endpointWrite(plan, placement)));
    return results.map((r) => r.value);
  }

  private endpointWrite(plan: EndpointPlan, placement: EndpointPlacement): WriteItem {
    const input = { plan, placement, registryId: this.input.registryId };
    return { start: { name: Activities.startPrivateEndpoint, input }, restart: { name: Activities.startPrivateEndpoint, input: { ...input, check: true } }, what: `PUT ${plan.endpointId}` };
  }

  private noteCreated(e: EndpointPlan, info: EndpointInfo): void {
    this.createdIds.set(e.endpointId.toLowerCase(), info.id);
    this.applied.endpoints.push({ endpointId: info.id, connectionStatus: info.connectionStatus });
  }

  private *awaitApproval(plan: HardeningPlan, connection: ConnectionBook): Workflow<void> {
    let waiting = connectionsToAwait(plan, connection, AGAIN);
    if (waiting.length === 0) {
      yield* this.step('approval', 'done', describeAllApproved(plan));
      return;
    }
    const { approvalDeadlineMinutes, approvalPollSeconds } = this.input.options;
    const deadline = this.nowMs() + approvalDeadlineMinutes * 60_000;
    while (waiting.length > 0) {
      if (this.nowMs() >= deadline) throw approvalDeadlineError(waiting, approvalDeadlineMinutes, AGAIN);
      yield* this.step('approval', 'running', `waiting for approval of ${endpointNames(waiting)}: approve the connection(s) on the target, then raise '${Events.approve}' (or wait for the next check)`);
      yield* this.waited('approval', waitForEvent(Events.approve, Math.min(this.nowMs() + approvalPollSeconds * 1000, deadline)));
      const infos = yield* this.all<EndpointInfo>(waiting.map((e) => ({ name: Activities.readEndpoint, input: { endpointId: this.endpointIdOf(e) } })));
      waiting = recordConnectionAnswers(waiting, infos, connection, this.applied.approved, AGAIN);
    }
    yield* this.step('approval', 'done', describeAllApproved(plan));
  }

  private *lockdown(plan: HardeningPlan, placement: EndpointPlacement): Workflow<void> {
    const toDisable = plan.publicAccess.filter((p) => p.action === 'disable');
    if (toDisable.length === 0) {
      yield* this.step('lockdown', 'done', detail.describeLockdownPresent(plan));
      return;
    }
    yield* this.step('lockdown', 'running', detail.describeLockdownRunning(toDisable.length));
    // before 2.1: every target at once; from 2.1 the registry first (its PUT carries the app's exemption), then storage and ACR
    const phases = this.v22 ? lockdownPhases(toDisable) : [toDisable];
    let changed = 0;
    for (const phase of phases) {
      if (this.v22 && phase.some((p) => p.target.kind !== 'registry')) yield* this.ensureManagedGroupAccess();
      const input = (p: (typeof phase)[number]) => (this.v22 && p.target.kind !== 'registry' ? { target: p.target, registryId: this.input.registryId } : { target: p.target });
      // 2.4, lockdown first: if storage and ACR must wait for the exemption, the endpoints no deny assignment holds back are made meanwhile
      if (this.v24 && this.input.options.order === 'lockdown-first' && phase.some((p) => p.target.kind !== 'registry')) this.meanwhile = () => this.unmanagedEndpointsMeanwhile(plan, placement);
      const results = this.v23 ? yield* this.publicAccessOff(phase, input) : yield* this.all<{ changed: boolean; at: string }>(phase.map((p) => ({ name: Activities.disablePublicAccess, input: input(p) })));
      this.meanwhile = undefined;
      phase.forEach((p, i) => {
        const r = results[i] as { changed: boolean; at: string };
        this.applied.publicAccess.push({ target: p.target, changed: r.changed, at: r.at });
        if (r.changed) changed++;
        // the registry PUT carried the app's principal into assignedIdentities (MANAGED_RG_ASSIGN_APP_IDENTITY)
        if (p.target.kind === 'registry' && r.changed && !this.managedGroupReady) this.noteAssigned();
      });
    }
    yield* this.step('lockdown', 'done', detail.describeLockdownDone(plan, changed));
  }

  /** 2.3: public access off for one phase's targets, started together, their operations polled together. */
  private *publicAccessOff(phase: PublicAccessPlan[], input: (p: PublicAccessPlan) => { target: PublicAccessPlan['target']; registryId?: string }): Workflow<Array<{ changed: boolean; at: string }>> {
    const results = yield* this.writes<{ changed: boolean }>(phase.map((p) => {
      const call = { name: Activities.startPublicAccessOff, input: input(p) };
      return { start: call, restart: call, what: `${p.target.kind === 'registry' ? 'PUT' : 'PATCH'} ${p.target.id}` };
    }));
    return results.map((r) => ({ changed: r.value.changed, at: new Date(r.atMs).toISOString() }));
  }

  private noteAssigned(): void {
    this.managedGroupReady = true;
    this.applied.assignedIdentity = true;
  }

  /** The app into assignedIdentities with a PUT of its own, when the plan needs it and no registry PUT of this run has carried it yet. */
  private *ensureManagedGroupAccess(): Workflow<void> {
    if (!this.v22 || this.managedGroupReady) return;
    const { changed } = this.v23 ? yield* this.grantByOperation() : yield* this.call(Activities.grantManagedGroupAccess, { registryId: this.input.registryId });
    if (changed) this.noteAssigned();
    else this.managedGroupReady = true;
  }

  private *grantByOperation(): Workflow<{ changed: boolean }> {
    const call = { name: Activities.startManagedGroupAccess, input: { registryId: this.input.registryId } };
    const [result] = yield* this.writes<{ changed: boolean }>([{ start: call, restart: call, what: `PUT ${this.input.registryId}` }]);
    return result?.value ?? { changed: false };
  }

  private *proveDns(plan: HardeningPlan, reading: ReadyReading): Workflow<void> {
    const { dnsDeadlineMinutes, dnsRetrySeconds } = this.input.options;
    const endpointIds = plan.endpoints.map((e) => this.endpointIdOf(e));
    const deadline = this.nowMs() + dnsDeadlineMinutes * 60_000;
    yield* this.step('dns', 'running', detail.describeDnsStart(endpointIds.length));
    for (let attempt = 1; ; attempt++) {
      const expectations = yield* this.collectDnsExpectations(endpointIds, attempt);
      const [checks, discovery] = yield* this.all<DnsCheck[] | DiscoveryCheck>([
        { name: Activities.proveDns, input: { expectations } },
        { name: Activities.checkDiscovery, input: { registryId: this.input.registryId, regions: reading.regions, expectations } },
      ]);
      this.dns = checks as DnsCheck[];
      this.discovery = discovery as DiscoveryCheck;
      if (isDnsProven(this.dns, this.discovery)) break;
      if (this.nowMs() >= deadline) throw dnsProofFailedError(attempt, dnsDeadlineMinutes, this.dns, this.discovery);
      const next = Math.min(this.nowMs() + dnsRetrySeconds * 1000, deadline);
      yield* this.step('dns', 'running', `${describeDnsAttempt(attempt, this.dns, this.discovery)}; retrying at ${new Date(next).toISOString()}`);
      yield* this.waited('dns', sleepUntil(next));
    }
    yield* this.step('dns', 'done', describeDnsProven(this.dns, this.discovery));
  }

  /**
   * The names to prove. From 2.0 one call per endpoint, in parallel, so a throttled call repeats
   * only its own three reads; runs that started under 1.0 keep their single call.
   */
  private *collectDnsExpectations(endpointIds: string[], attempt: number): Workflow<DnsExpectation[]> {
    if (!versionAtLeast(this.ctx.version, '2.0')) return yield* this.call(Activities.collectDnsExpectations, { endpointIds });
    if (this.v23) {
      // the first proof takes the names of kept endpoints from the zone groups the plan read; a retry reads them all again
      const known = attempt === 1 ? endpointIds.flatMap((id) => this.knownNames.get(id.toLowerCase()) ?? []) : [];
      const toRead = endpointIds.filter((id) => attempt > 1 || !this.knownNames.has(id.toLowerCase()));
      const read = yield* this.all<DnsExpectation[]>(toRead.map((id) => ({ name: Activities.collectDnsExpectations, input: { endpointIds: [id], nicFirst: true } })));
      return mergeExpectations([known, ...read]);
    }
    const perEndpoint = yield* this.all<DnsExpectation[]>(endpointIds.map((id) => ({ name: Activities.collectDnsExpectations, input: { endpointIds: [id] } })));
    return mergeExpectations(perEndpoint);
  }

  /* ---------- the end ---------- */

  private outcomeArgs(kind: OutcomeKind): OutcomeArgs {
    const { input, startedAt, plan, applied, dns, discovery, permissions } = this;
    return outcomeArgsOf({ kind, input, instanceId: this.ctx.instanceId, startedAt, endedAt: this.nowIso(), plan, applied, dns, discovery, ...(permissions ? { permissions } : {}) });
  }

  /** The publish step begins: running, or skipped when this run does not publish (--no-publish). */
  private *beginPublish(kind: OutcomeKind): Workflow<void> {
    if (this.options.publish) yield* this.step('publish', 'running', `publishing ${outcomeEventType(kind)}`);
    else yield* this.step('publish', 'skipped', 'not published (--no-publish)');
  }

  /** Publishes the outcome when this run publishes; a missing topic is a skipped step, not a failure. */
  private *endPublish(outcome: Outcome): Workflow<void> {
    if (!this.options.publish) return;
    const answer = (yield* this.call(Activities.publishOutcome, outcome)) as { published?: boolean } | null | undefined;
    if (answer?.published === false) yield* this.step('publish', 'skipped', 'no outcome topic configured (OUTCOME_TOPIC_ENDPOINT)');
    else yield* this.step('publish', 'done', `published ${outcomeEventType(outcome.kind)}`);
  }

  private *finish(kind: OutcomeKind, skipReason: string, notes: string[] = []): Workflow<Outcome> {
    yield* this.beginPublish(kind);
    if (skipReason !== '') yield* this.setSteps(skipPending(this.status.steps, skipReason, this.nowIso()));
    const outcome = summarizeOutcome({ ...this.outcomeArgs(kind), notes });
    yield* this.endPublish(outcome);
    return outcome;
  }

  /** Records the failure (step status + Failed outcome, published unless publishing is what failed), and answers the coded error. */
  *fail(error: unknown): Workflow<{ outcome: Outcome; error: Error }> {
    const { code, text: coded } = codedText(error);
    const message = coded.slice(code.length + 3).slice(0, MAX_ERROR_MESSAGE);
    const failedStep = runningStep(this.status.steps) ?? 'read';
    yield* this.step(failedStep, 'failed', `[${code}] ${message}`);
    this.ctx.log('failed', { registryId: this.input.registryId, code, ...this.requestedBy() });

    let outcome = summarizeOutcome({ ...this.outcomeArgs('Failed'), error: { code, message } });
    if (failedStep !== 'publish') {
      yield* this.beginPublish('Failed');
      yield* this.setSteps(skipPending(this.status.steps, 'not reached: the run failed', this.nowIso()));
      outcome = summarizeOutcome({ ...this.outcomeArgs('Failed'), error: { code, message } });
      try {
        yield* this.endPublish(outcome);
      } catch (publishError) {
        yield* this.step('publish', 'failed', errorMessageOf(publishError).slice(0, MAX_ERROR_MESSAGE));
      }
    }
    // The coded message travels on; an activity failure's message also carries the activity's
    // stack (Durable Functions appends it), which the run's failure (and the host's log of it) leaves out.
    const thrown = error instanceof Error && error.message === coded ? error : new Error(coded, { cause: error });
    return { outcome, error: thrown };
  }
}

/** The workflow: one hardening run of `input.registryId`. */
export function* hardenWorkflow(ctx: WorkflowContext, input: HardenInput, options: HardenRunOptions): Workflow<HardenResult> {
  const run = new HardenRun(ctx, input, options);
  try {
    const outcome = yield* run.execute();
    return { outcome, status: run.status };
  } catch (error) {
    const failed = yield* run.fail(error);
    return { ...failed, status: run.status };
  }
}
