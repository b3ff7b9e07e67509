import type { RegistryId } from '../shared/arm-id';
import { codedFailure, ErrorCodes, type CodedFailure } from '../shared/errors';
import { SweepActivities } from '../shared/names';
import { resolveTargets } from '../shared/targets';
import type { BucketState } from '../shared/token-bucket';
import { callAll, progress, sleepUntil, type Workflow, type WorkflowContext } from '../shared/workflow';
import type { SweepActivityName } from './activities/retry-policies';
import {
  admitStarts,
  assembleReport,
  estimatedWrites,
  lineFromPlan,
  lineFromStart,
  needsRun,
  subscriptionOf,
  type ListManagementGroupInput,
  type ListManagementGroupOutput,
  type ListRegistriesInput,
  type ListRegistriesOutput,
  type PendingStart,
  type PlanRegistryInput,
  type RegistryPlanSummary,
  type StartHardeningRunInput,
  type StartHardeningRunOutput,
  type SweepInput,
  type SweepManagementGroupLine,
  type SweepProgress,
  type SweepRegistryLine,
  type SweepReport,
  type SweepSubscriptionLine,
} from './domain/sweep';

/**
 * The backfill and drift sweep, written once: list the registries of every target subscription
 * (after the management group's, when one is set), plan each (reads only), and in apply mode
 * start the hardening run of each non-compliant one, paced per subscription by a token bucket
 * so the runs' writes stay inside ARM's write budget; fan-out is bounded by `concurrency`.
 * The durable driver (sweep.durable.ts) runs it as the sweepRegistries orchestration, whose
 * starts are durable runs; the in-process driver (sweep.in-process.ts, the CLI) runs each
 * start as a hardening run in this process.
 *
 * The activities report failures of a subscription or a registry as values, so one 403 does not
 * stop the rest; so does a call that failed after its retries. Progress is the SweepProgress;
 * each registry's line reaches in-process watchers as the progress detail when it is decided.
 */

interface SweepActivityContracts {
  [SweepActivities.listManagementGroupSubscriptions]: { input: ListManagementGroupInput; output: ListManagementGroupOutput };
  [SweepActivities.listRegistries]: { input: ListRegistriesInput; output: ListRegistriesOutput };
  [SweepActivities.planRegistry]: { input: PlanRegistryInput; output: RegistryPlanSummary };
  [SweepActivities.startHardeningRun]: { input: StartHardeningRunInput; output: StartHardeningRunOutput };
}

type Answer<K extends SweepActivityName> = { ok: true; value: SweepActivityContracts[K]['output'] } | { ok: false; error: CodedFailure };

const NO_RESULT: CodedFailure = { code: ErrorCodes.HARDEN_UNEXPECTED, message: 'no result' };

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

class Sweep {
  private status: SweepProgress;
  private readonly startedAt: string;

  constructor(
    private readonly ctx: WorkflowContext,
    private readonly input: SweepInput,
  ) {
    this.startedAt = this.nowIso();
    this.status = { phase: input.managementGroupId !== undefined ? 'enumerating' : 'listing', mode: input.mode, subscriptions: input.subscriptionIds.length, registries: 0, planned: 0, started: 0 };
  }

  private nowIso(): string {
    return new Date(this.ctx.nowMs()).toISOString();
  }

  private *update(change: Partial<SweepProgress>, lines?: SweepRegistryLine[]): Workflow<void> {
    const { waitingUntil: _drop, ...rest } = this.status;
    this.status = { ...rest, ...change };
    yield* progress(this.status, lines);
  }

  /** The calls at once; each answers its value, or its failure as a value (so one does not sink the batch). */
  private *each<K extends SweepActivityName>(name: K, inputs: Array<SweepActivityContracts[K]['input']>): Workflow<Array<Answer<K>>> {
    const settled = yield* callAll(inputs.map((input) => ({ name, input })));
    return settled.map((s) => (s.ok ? { ok: true as const, value: s.value as SweepActivityContracts[K]['output'] } : { ok: false as const, error: codedFailure(s.error) }));
  }

  *execute(): Workflow<SweepReport> {
    const { input } = this;
    yield* progress(this.status);
    // 0. the subscriptions under the management group, merged with the named ones; a group that
    //    cannot be listed is a failed line, the named subscriptions still go on
    let subscriptionIds = input.subscriptionIds;
    let managementGroups: SweepManagementGroupLine[] | undefined;
    if (input.managementGroupId !== undefined) {
      const managementGroupId = input.managementGroupId;
      const [r] = yield* this.each(SweepActivities.listManagementGroupSubscriptions, [{ managementGroupId }]);
      const result: ListManagementGroupOutput = r === undefined ? { ok: false, error: NO_RESULT } : r.ok ? r.value : { ok: false, error: r.error };
      ({ subscriptionIds, managementGroups } = resolveTargets(input, result));
      if (!result.ok) this.ctx.log('management group failed', { managementGroupId, code: result.error.code });
      yield* this.update({ phase: 'listing', subscriptions: subscriptionIds.length });
    }

    // 1. list every subscription, all at once (one read each, then paging)
    const listed = yield* this.each(SweepActivities.listRegistries, subscriptionIds.map((subscriptionId) => ({ subscriptionId })));
    const subscriptions: SweepSubscriptionLine[] = [];
    const registryIds: RegistryId[] = [];
    subscriptionIds.forEach((subscriptionId, i) => {
      const r = listed[i];
      const result: ListRegistriesOutput = r === undefined ? { ok: false, error: { code: ErrorCodes.SWEEP_INPUT_INVALID, message: 'no result' } } : r.ok ? r.value : { ok: false, error: r.error };
      if (result.ok) {
        subscriptions.push({ subscriptionId, ok: true, registries: result.registryIds.length });
        registryIds.push(...result.registryIds);
      } else {
        subscriptions.push({ subscriptionId, ok: false, registries: 0, error: result.error });
        this.ctx.log('subscription failed', { subscriptionId, code: result.error.code });
      }
    });
    yield* this.update({ phase: 'planning', registries: registryIds.length });

    // 2. plan every registry, `concurrency` at a time (reads only); what needs no run is decided now
    const lines: SweepRegistryLine[] = [];
    const toStart: PendingStart[] = [];
    const summaryOf = new Map<string, RegistryPlanSummary>();
    let planned = 0;
    for (const batch of chunks(registryIds, input.concurrency)) {
      const answers = yield* this.each(SweepActivities.planRegistry, batch.map((registryId) => ({ registryId, lockdownAcr: input.options.lockdownAcr, ...(input.options.subnetId !== undefined ? { subnetId: input.options.subnetId } : {}) })));
      const decided: SweepRegistryLine[] = [];
      batch.forEach((registryId, i) => {
        const r = answers[i];
        const s: RegistryPlanSummary = r?.ok ? r.value : { status: 'failed', registryId, error: r?.ok === false ? r.error : NO_RESULT };
        if (input.mode === 'apply' && needsRun(s)) {
          toStart.push({ registryId: s.registryId, subscriptionId: subscriptionOf(s.registryId), cost: estimatedWrites(s) });
          summaryOf.set(s.registryId, s);
        } else decided.push(lineFromPlan(s));
      });
      planned += batch.length;
      lines.push(...decided);
      yield* this.update({ planned }, decided);
    }

    // 3. start runs for the non-compliant ones, paced per subscription by the write budget
    if (toStart.length > 0) yield* this.update({ phase: 'starting' });
    let pending = toStart;
    let buckets: Record<string, BucketState> = {};
    let started = 0;
    while (pending.length > 0) {
      const admission = admitStarts(pending, buckets, input.budget, this.ctx.nowMs(), input.concurrency);
      buckets = admission.buckets;
      pending = admission.rest;
      if (admission.admitted.length === 0) {
        const until = admission.nextAtMs ?? this.ctx.nowMs();
        yield* this.update({ waitingUntil: new Date(until).toISOString() });
        this.ctx.log('waiting for the write budget', { until: new Date(until).toISOString(), waiting: pending.length });
        yield* sleepUntil(until);
        continue;
      }
      const results = yield* this.each(
        SweepActivities.startHardeningRun,
        admission.admitted.map((p) => ({ registryId: p.registryId, options: input.options, trigger: 'sweep', ...(input.triggeredAt !== undefined ? { triggeredAt: input.triggeredAt } : {}), ...(input.caller !== undefined ? { caller: input.caller } : {}) })),
      );
      const decided: SweepRegistryLine[] = [];
      admission.admitted.forEach((p, i) => {
        const r = results[i];
        const start: StartHardeningRunOutput = r === undefined ? { ok: false, error: NO_RESULT } : r.ok ? r.value : { ok: false, error: r.error };
        const summary = summaryOf.get(p.registryId);
        if (summary !== undefined) decided.push(lineFromStart(summary, start));
        if (start.ok && start.started) started++;
      });
      lines.push(...decided);
      yield* this.update({ started }, decided);
    }

    const report = assembleReport({ mode: input.mode, trigger: input.trigger, startedAt: this.startedAt, endedAt: this.nowIso(), ...(managementGroups ? { managementGroups } : {}), subscriptions, registries: lines });
    yield* this.update({ phase: 'done' });
    this.ctx.log('done', { totals: report.totals, failures: report.failures });
    return report;
  }
}

/** The workflow: one sweep over the input's subscriptions. */
export function sweepWorkflow(ctx: WorkflowContext, input: SweepInput): Workflow<SweepReport> {
  return new Sweep(ctx, input).execute();
}
