import * as df from 'durable-functions';
import type { OrchestrationContext, Task } from 'durable-functions';
import { codedFailure, type CodedFailure } from '../shared/errors';
import {
  admitStarts,
  assembleReport,
  estimatedWrites,
  lineFromPlan,
  lineFromStart,
  needsRun,
  parseSweepInput,
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
import { resolveTargets } from '../shared/targets';
import type { BucketState } from '../shared/token-bucket';
import { SweepActivities } from '../shared/names';

/**
 * sweepRegistries: the backfill and drift sweep. Lists the registries of every target
 * subscription, plans each (reads only), and in apply mode starts the hardening run of each
 * non-compliant one, paced by a token bucket per subscription so that the runs' writes stay
 * inside ARM's write budget. Deterministic: the bucket runs on currentUtcDateTime, waits are
 * durable timers, fan-out is bounded by `concurrency`.
 *
 * Runs are started by an activity through the durable client (startHardening: the registry's
 * own instance id, a no-op while a run goes on), not as sub-orchestrations: the sweep ends once
 * the runs are started, instead of waiting hours for approvals, and a run it starts is the same
 * one-per-registry instance the event trigger and the HTTP API use.
 *
 * The activities report failures of a subscription or a registry as values, so one 403 does not
 * stop the rest; the output is the SweepReport.
 */

type Work<T> = Generator<Task, T, unknown>;

/** The sweep's activities' contracts, by registered name. */
export interface SweepActivityContracts {
  [SweepActivities.listManagementGroupSubscriptions]: { input: ListManagementGroupInput; output: ListManagementGroupOutput };
  [SweepActivities.listRegistries]: { input: ListRegistriesInput; output: ListRegistriesOutput };
  [SweepActivities.planRegistry]: { input: PlanRegistryInput; output: RegistryPlanSummary };
  [SweepActivities.startHardeningRun]: { input: StartHardeningRunInput; output: StartHardeningRunOutput };
}
type SweepActivityName = keyof SweepActivityContracts;

function policy(firstMs: number, attempts: number): df.RetryOptions {
  const options = new df.RetryOptions(firstMs, attempts);
  options.backoffCoefficient = 2;
  options.maxRetryIntervalInMilliseconds = 60_000;
  options.retryTimeoutInMilliseconds = 10 * 60_000;
  return options;
}

/** The activities return failures as values; these cover a crashed worker or host restart. */
export const SWEEP_RETRY: Readonly<Record<SweepActivityName, df.RetryOptions>> = {
  [SweepActivities.listManagementGroupSubscriptions]: policy(5_000, 3),
  [SweepActivities.listRegistries]: policy(5_000, 3),
  [SweepActivities.planRegistry]: policy(5_000, 3),
  [SweepActivities.startHardeningRun]: policy(5_000, 3),
};

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

class Sweep {
  private progress: SweepProgress;
  private readonly startedAt: string;

  constructor(
    private readonly context: OrchestrationContext,
    private readonly input: SweepInput,
  ) {
    this.startedAt = this.nowIso();
    this.progress = { phase: input.managementGroupId !== undefined ? 'enumerating' : 'listing', mode: input.mode, subscriptions: input.subscriptionIds.length, registries: 0, planned: 0, started: 0 };
    this.context.df.setCustomStatus(this.progress);
  }

  private nowMs(): number {
    return this.context.df.currentUtcDateTime.getTime();
  }

  private nowIso(): string {
    return this.context.df.currentUtcDateTime.toISOString();
  }

  private update(change: Partial<SweepProgress>): void {
    const { waitingUntil: _drop, ...rest } = this.progress;
    this.progress = { ...rest, ...change };
    this.context.df.setCustomStatus(this.progress);
  }

  private log(message: string, extra: Record<string, unknown> = {}): void {
    if (this.context.df.isReplaying) return;
    this.context.info(`sweepRegistries: ${message}`, { instanceId: this.context.df.instanceId, ...extra });
  }

  private schedule<K extends SweepActivityName>(name: K, input: SweepActivityContracts[K]['input']): Task {
    return this.context.df.callActivityWithRetry(name, SWEEP_RETRY[name], input);
  }

  /**
   * Runs the activities at once and returns each one's result, or its failure when the
   * activity itself failed (after its retries) — as values, so one does not sink the batch.
   */
  private *each<K extends SweepActivityName>(name: K, inputs: Array<SweepActivityContracts[K]['input']>): Work<Array<{ ok: true; value: SweepActivityContracts[K]['output'] } | { ok: false; error: CodedFailure }>> {
    if (inputs.length === 0) return [];
    const tasks = inputs.map((i) => this.schedule(name, i));
    try {
      const values = (yield this.context.df.Task.all(tasks)) as Array<SweepActivityContracts[K]['output']>;
      return values.map((value) => ({ ok: true as const, value }));
    } catch (error) {
      // Task.all fails on the first failure: the completed ones keep their results, the rest are reported failed
      const failure = codedFailure(error);
      return tasks.map((t) => (t.isCompleted && !t.isFaulted ? { ok: true as const, value: t.result as SweepActivityContracts[K]['output'] } : { ok: false as const, error: failure }));
    }
  }

  *execute(): Work<SweepReport> {
    const { input } = this;
    // 0. the subscriptions under the management group, merged with the named ones; a group that
    //    cannot be listed is a failed line, the named subscriptions still go on
    let subscriptionIds = input.subscriptionIds;
    let managementGroups: SweepManagementGroupLine[] | undefined;
    if (input.managementGroupId !== undefined) {
      const managementGroupId = input.managementGroupId;
      const [r] = yield* this.each(SweepActivities.listManagementGroupSubscriptions, [{ managementGroupId }]);
      const result: ListManagementGroupOutput = r === undefined ? { ok: false, error: { code: 'HARDEN.UNEXPECTED', message: 'no result' } } : r.ok ? r.value : { ok: false, error: r.error };
      ({ subscriptionIds, managementGroups } = resolveTargets(input, result));
      if (!result.ok) this.log('management group failed', { managementGroupId, code: result.error.code });
      this.update({ phase: 'listing', subscriptions: subscriptionIds.length });
    }

    // 1. list every subscription, all at once (one read each, then paging)
    const listed = yield* this.each(SweepActivities.listRegistries, subscriptionIds.map((subscriptionId) => ({ subscriptionId })));
    const subscriptions: SweepSubscriptionLine[] = [];
    const registryIds: string[] = [];
    subscriptionIds.forEach((subscriptionId, i) => {
      const r = listed[i];
      const result: ListRegistriesOutput = r === undefined ? { ok: false, error: { code: 'SWEEP.INPUT_INVALID', message: 'no result' } } : r.ok ? r.value : { ok: false, error: r.error };
      if (result.ok) {
        subscriptions.push({ subscriptionId, ok: true, registries: result.registryIds.length });
        registryIds.push(...result.registryIds);
      } else {
        subscriptions.push({ subscriptionId, ok: false, registries: 0, error: result.error });
        this.log('subscription failed', { subscriptionId, code: result.error.code });
      }
    });
    this.update({ phase: 'planning', registries: registryIds.length });

    // 2. plan every registry, `concurrency` at a time (reads only)
    const summaries: RegistryPlanSummary[] = [];
    for (const batch of chunks(registryIds, input.concurrency)) {
      const planned = yield* this.each(SweepActivities.planRegistry, batch.map((registryId) => ({ registryId, lockdownAcr: input.options.lockdownAcr, ...(input.options.subnetId !== undefined ? { subnetId: input.options.subnetId } : {}) })));
      batch.forEach((registryId, i) => {
        const r = planned[i];
        summaries.push(r?.ok ? r.value : { status: 'failed', registryId, error: r?.ok === false ? r.error : { code: 'HARDEN.UNEXPECTED', message: 'no result' } });
      });
      this.update({ planned: summaries.length });
    }

    // 3. start runs for the non-compliant ones, paced per subscription by the write budget
    const lines: SweepRegistryLine[] = [];
    const toStart: PendingStart[] = [];
    const summaryOf = new Map<string, RegistryPlanSummary>();
    for (const s of summaries) {
      if (input.mode === 'apply' && needsRun(s)) {
        toStart.push({ registryId: s.registryId, subscriptionId: subscriptionOf(s.registryId), cost: estimatedWrites(s) });
        summaryOf.set(s.registryId, s);
      } else lines.push(lineFromPlan(s));
    }
    if (toStart.length > 0) this.update({ phase: 'starting' });
    let pending = toStart;
    let buckets: Record<string, BucketState> = {};
    let started = 0;
    while (pending.length > 0) {
      const admission = admitStarts(pending, buckets, input.budget, this.nowMs(), input.concurrency);
      buckets = admission.buckets;
      pending = admission.rest;
      if (admission.admitted.length === 0) {
        const until = new Date(admission.nextAtMs ?? this.nowMs());
        this.update({ waitingUntil: until.toISOString() });
        this.log('waiting for the write budget', { until: until.toISOString(), waiting: pending.length });
        yield this.context.df.createTimer(until);
        continue;
      }
      const results = yield* this.each(
        SweepActivities.startHardeningRun,
        admission.admitted.map((p) => ({ registryId: p.registryId, options: input.options, trigger: 'sweep', ...(input.triggeredAt !== undefined ? { triggeredAt: input.triggeredAt } : {}) })),
      );
      admission.admitted.forEach((p, i) => {
        const r = results[i];
        const start: StartHardeningRunOutput = r === undefined ? { ok: false, error: { code: 'HARDEN.UNEXPECTED', message: 'no result' } } : r.ok ? r.value : { ok: false, error: r.error };
        const summary = summaryOf.get(p.registryId);
        if (summary !== undefined) lines.push(lineFromStart(summary, start));
        if (start.ok && start.started) started++;
      });
      this.update({ started });
    }

    const report = assembleReport({ mode: input.mode, trigger: input.trigger, startedAt: this.startedAt, endedAt: this.nowIso(), ...(managementGroups ? { managementGroups } : {}), subscriptions, registries: lines });
    this.update({ phase: 'done' });
    this.log('done', { totals: report.totals, failures: report.failures });
    return report;
  }
}

/** The orchestrator; registered in src/sweep/functions.ts. Bad input fails the sweep with its code. */
export function* sweepRegistriesOrchestrator(context: OrchestrationContext): Generator<Task, SweepReport, unknown> {
  const input = parseSweepInput(context.df.getInput());
  return yield* new Sweep(context, input).execute();
}
