jest.mock('@azure/functions-core', () => jest.requireActual('../../helpers/functions-core-mock').createFunctionsCoreMock(), { virtual: true });

import * as df from 'durable-functions';
import { DEFAULT_HARDEN_OPTIONS } from '../../../src/hardening/domain/harden-input';
import type { SweepInput, SweepProgress, SweepReport } from '../../../src/sweep/domain/sweep';
import { Orchestrators, SweepActivities } from '../../../src/shared/names';
import { sweepRegistriesOrchestrator } from '../../../src/sweep/sweep.durable';
import { DurableHistory, registeredOrchestration, type Episode, type OrchestrationTriggerHandler } from '../../helpers/durable-history';
import type { FunctionsCoreMock } from '../../helpers/functions-core-mock';

let handler: OrchestrationTriggerHandler;

beforeAll(() => {
  df.app.orchestration(Orchestrators.sweepRegistries, sweepRegistriesOrchestrator);
  handler = registeredOrchestration(jest.requireMock<FunctionsCoreMock>('@azure/functions-core'), Orchestrators.sweepRegistries);
});

const SUB_A = '00000000-0000-0000-0000-00000000000a';
const SUB_B = '00000000-0000-0000-0000-00000000000b';
const reg = (sub: string, name: string) => `/subscriptions/${sub}/resourceGroups/rg/providers/Microsoft.MachineLearningServices/registries/${name}`;
const R1 = reg(SUB_A, 'reg1');
const R2 = reg(SUB_A, 'reg2');
const R3 = reg(SUB_A, 'reg3');

function sweepInput(overrides: Partial<SweepInput> = {}): SweepInput {
  return { subscriptionIds: [SUB_A, SUB_B], mode: 'apply', options: { ...DEFAULT_HARDEN_OPTIONS }, budget: { capacity: 200, refillPerSecond: 10 }, concurrency: 2, trigger: 'http', ...overrides };
}

const names = (e: Episode): string[] => e.scheduled.map((t) => t.name);
const inputs = (e: Episode): unknown[] => e.scheduled.map((t) => t.input);
const progress = (e: Episode): SweepProgress => e.state.customStatus as SweepProgress;

describe('sweepRegistries orchestrator (history replay)', () => {
  it('lists every subscription, plans in bounded batches, starts only non-compliant registries paced by the write budget, isolates a failed subscription', async () => {
    const h = new DurableHistory(handler, sweepInput(), { functionName: Orchestrators.sweepRegistries, instanceId: 'sweep-registries' });
    const first = await h.start();
    expect(names(first)).toEqual([SweepActivities.listRegistries, SweepActivities.listRegistries]);
    expect(inputs(first)).toEqual([{ subscriptionId: SUB_A }, { subscriptionId: SUB_B }]);
    expect(progress(first).phase).toBe('listing');

    const [listA, listB] = h.open(SweepActivities.listRegistries);
    h.complete(listA!, { ok: true, registryIds: [R1, R2, R3] });
    h.complete(listB!, { ok: false, error: { code: 'ARM.NOT_FOUND', message: "The subscription '…b' could not be found." } });
    const plan1 = await h.next();
    expect(names(plan1)).toEqual([SweepActivities.planRegistry, SweepActivities.planRegistry]);
    expect(inputs(plan1)).toEqual([{ registryId: R1, lockdownAcr: true }, { registryId: R2, lockdownAcr: true }]);
    expect(progress(plan1)).toMatchObject({ phase: 'planning', registries: 3 });

    const [p1, p2] = h.open(SweepActivities.planRegistry);
    h.complete(p1!, { status: 'compliant', registryId: R1, regions: 1 });
    h.complete(p2!, { status: 'nonCompliant', registryId: R2, regions: 2, writes: 150, reasons: ['public network access on'] });
    const plan2 = await h.next();
    expect(inputs(plan2)).toEqual([{ registryId: R3, lockdownAcr: true }]);

    h.complete(SweepActivities.planRegistry, { status: 'nonCompliant', registryId: R3, regions: 2, writes: 150, reasons: ['2 private endpoint(s) missing'] });
    const start1 = await h.next();
    // 150 of 200 tokens for reg2; reg3 must wait for 100 more (10 s)
    expect(names(start1)).toEqual([SweepActivities.startHardeningRun]);
    expect(start1.scheduled[0]?.input).toMatchObject({ registryId: R2, trigger: 'sweep', options: { lockdownAcr: true } });

    h.complete(SweepActivities.startHardeningRun, { ok: true, started: true, instanceId: 'harden-reg2-x' });
    const wait = await h.next();
    expect(names(wait)).toEqual(['timer']);
    expect(wait.scheduled[0]?.fireAt).toBe(new Date(h.now.getTime() + 10_000).toISOString());
    expect(progress(wait).waitingUntil).toBe(wait.scheduled[0]?.fireAt);

    h.fireTimer();
    const start2 = await h.next();
    expect(inputs(start2)).toMatchObject([{ registryId: R3 }]);
    h.complete(SweepActivities.startHardeningRun, { ok: true, started: false, instanceId: 'harden-reg3-x', runtimeStatus: 'Running' });
    const done = await h.next();
    expect(done.finished).toBe(true);
    expect(done.failed).toBe(false);
    const report = done.state.output as SweepReport;
    expect(report.subscriptions).toEqual([
      { subscriptionId: SUB_A, ok: true, registries: 3 },
      { subscriptionId: SUB_B, ok: false, registries: 0, error: { code: 'ARM.NOT_FOUND', message: "The subscription '…b' could not be found." } },
    ]);
    expect(report.registries.map((r) => [r.registryId, r.result])).toEqual([[R1, 'compliant'], [R2, 'started'], [R3, 'running']]);
    expect(report.totals).toMatchObject({ compliant: 1, started: 1, running: 1, failed: 0 });
    expect(report.failures).toBe(1);
    expect(report.startedAt).toBe('2026-03-01T10:00:00.000Z');
    expect(progress(done)).toMatchObject({ phase: 'done', started: 1 });
  });

  it('plan mode starts nothing: non-compliant registries are reported as such', async () => {
    const h = new DurableHistory(handler, sweepInput({ mode: 'plan', subscriptionIds: [SUB_A] }), { functionName: Orchestrators.sweepRegistries });
    await h.start();
    h.complete(SweepActivities.listRegistries, { ok: true, registryIds: [R2] });
    await h.next();
    h.complete(SweepActivities.planRegistry, { status: 'nonCompliant', registryId: R2, regions: 1, writes: 9, reasons: ['x'] });
    const done = await h.next();
    expect(done.scheduled).toEqual([]);
    expect((done.state.output as SweepReport).registries).toMatchObject([{ registryId: R2, result: 'nonCompliant', writes: 9 }]);
  });

  it('an activity that fails after its retries becomes a failed line, not a failed sweep', async () => {
    const h = new DurableHistory(handler, sweepInput({ subscriptionIds: [SUB_A] }), { functionName: Orchestrators.sweepRegistries });
    await h.start();
    h.complete(SweepActivities.listRegistries, { ok: true, registryIds: [R1] });
    const plan = await h.next();
    expect(plan.scheduled[0]?.retry?.maxNumberOfAttempts).toBe(3);
    h.fail(SweepActivities.planRegistry, '[ARM.SERVER_ERROR] the worker died');
    const done = await h.next();
    expect(done.finished).toBe(true);
    expect((done.state.output as SweepReport).registries).toMatchObject([{ registryId: R1, result: 'failed', error: { code: 'ARM.SERVER_ERROR' } }]);
  });

  it('no subscriptions: the sweep fails with SWEEP.NO_SUBSCRIPTIONS and schedules nothing', async () => {
    const h = new DurableHistory(handler, sweepInput({ subscriptionIds: [] }), { functionName: Orchestrators.sweepRegistries });
    const first = await h.start();
    expect(first.failed).toBe(true);
    expect(first.scheduled).toEqual([]);
    expect(first.state.error).toMatch(/\[SWEEP\.NO_SUBSCRIPTIONS\]/);
  });
});
