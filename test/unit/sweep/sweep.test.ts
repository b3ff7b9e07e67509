import { toRegistryId } from '../../../src/hardening/domain/registry';
import { planHardening } from '../../../src/hardening/domain/plan';
import {
  admitStarts,
  assembleReport,
  estimatedWrites,
  lineFromPlan,
  lineFromStart,
  parseSweepInput,
  subscriptionOf,
  summarizePlan,
  type PendingStart,
  type RegistryPlanSummary,
} from '../../../src/sweep/domain/sweep';
import { ARM_WRITE_BUDGET } from '../../../src/shared/token-bucket';
import { endpoint, freshStates, PLACEMENT, REGISTRY_ID, SUB, TARGETS } from '../../helpers/hardening-fixtures';

const SUB_A = '00000000-0000-0000-0000-00000000000a';
const SUB_B = '00000000-0000-0000-0000-00000000000b';
// registry names are at least 3 characters: the test names get a prefix
const reg = (sub: string, name: string) => toRegistryId(`/subscriptions/${sub}/resourceGroups/rg/providers/Microsoft.MachineLearningServices/registries/reg-${name}`);
const T0 = Date.parse('2026-03-01T10:00:00Z');

function hardenedStates(connectionStatus: 'Approved' | 'Pending' = 'Approved') {
  return TARGETS.map((target) => ({ target, publicNetworkAccess: 'Disabled', endpoints: [endpoint(target, `pe-${target.name}`, { connectionStatus })] }));
}

describe('summarizePlan: the compliance verdict', () => {
  it('a fresh registry is non-compliant, with the plan\'s writes and the reasons', () => {
    const plan = planHardening({ registryId: REGISTRY_ID, states: freshStates(), placement: PLACEMENT, lockdownAcr: true });
    const s = summarizePlan(plan, 2);
    expect(s).toMatchObject({ status: 'nonCompliant', registryId: REGISTRY_ID, regions: 2, writes: plan.writes });
    if (s.status !== 'nonCompliant') throw new Error('unreachable');
    expect(s.reasons.join('\n')).toMatch(/4 private endpoint\(s\) missing \(amlregistry, blob, blob, registry\)/);
    expect(s.reasons.join('\n')).toMatch(/public network access on: registry 'reg1'/);
    expect(estimatedWrites(s)).toBe(plan.writes);
  });

  it('a hardened registry (no writes, every connection Approved) is compliant', () => {
    const plan = planHardening({ registryId: REGISTRY_ID, states: hardenedStates(), placement: PLACEMENT, lockdownAcr: true });
    expect(plan.writes).toBe(0);
    expect(summarizePlan(plan, 2)).toEqual({ status: 'compliant', registryId: REGISTRY_ID, regions: 2 });
  });

  it('a Pending connection is not compliant yet, even with zero writes', () => {
    const plan = planHardening({ registryId: REGISTRY_ID, states: hardenedStates('Pending'), placement: PLACEMENT, lockdownAcr: true });
    const s = summarizePlan(plan, 2);
    expect(s.status).toBe('nonCompliant');
    if (s.status !== 'nonCompliant') throw new Error('unreachable');
    expect(s.reasons.join()).toMatch(/not approved/);
    expect(estimatedWrites(s)).toBe(9); // the guide's estimate: 3 per region + 3
  });
});

describe('subscriptionOf: the subscription a listed id names', () => {
  it('in lower case; an id without one is \'\', never thrown', () => {
    expect(subscriptionOf('/SUBSCRIPTIONS/0B1F6471-1BF0-4DDA-AEC3-CB9272F09590/resourceGroups/rg')).toBe('0b1f6471-1bf0-4dda-aec3-cb9272f09590');
    expect(subscriptionOf(REGISTRY_ID)).toBe(SUB);
    expect(subscriptionOf('not an id')).toBe('');
  });
});

describe('admitStarts: pacing by the per-subscription write budget', () => {
  const items = (sub: string, n: number, cost: number): PendingStart[] => Array.from({ length: n }, (_, i) => ({ registryId: reg(sub, `r${i}`), subscriptionId: sub, cost }));

  it('admits what the bucket pays now, and names when the next one can go', () => {
    const a = admitStarts(items(SUB_A, 20, 15), {}, ARM_WRITE_BUDGET, T0, 100);
    expect(a.admitted).toHaveLength(13); // 13 × 15 = 195 of 200
    expect(a.rest).toHaveLength(7);
    expect(a.nextAtMs).toBe(T0 + 1000); // 5 left, 10 more at 10/s
    const b = admitStarts(a.rest, a.buckets, ARM_WRITE_BUDGET, a.nextAtMs ?? 0, 100);
    expect(b.admitted).toHaveLength(1);
    expect(b.nextAtMs).toBe(T0 + 1000 + 1500);
  });

  it('a subscription that must wait does not hold up another one', () => {
    const pending = [...items(SUB_A, 3, 150), ...items(SUB_B, 2, 15)];
    const a = admitStarts(pending, {}, ARM_WRITE_BUDGET, T0, 100);
    expect(a.admitted.map((p) => p.subscriptionId)).toEqual([SUB_A, SUB_B, SUB_B]);
    expect(a.rest.map((p) => p.registryId)).toEqual([reg(SUB_A, 'r1'), reg(SUB_A, 'r2')]);
    expect(a.nextAtMs).toBe(T0 + 10_000); // 50 left, 100 more at 10/s
  });

  it('admits at most `max` at once; the rest may go at once after', () => {
    const a = admitStarts(items(SUB_A, 5, 1), {}, ARM_WRITE_BUDGET, T0, 2);
    expect(a.admitted).toHaveLength(2);
    expect(a.rest).toHaveLength(3);
    expect(a.nextAtMs).toBe(T0);
  });

  it('nothing pending: nothing admitted, no next time', () => {
    expect(admitStarts([], {}, ARM_WRITE_BUDGET, T0, 10)).toEqual({ admitted: [], rest: [], buckets: {} });
  });
});

describe('the report', () => {
  const compliant: RegistryPlanSummary = { status: 'compliant', registryId: reg(SUB_B, 'b1'), regions: 1 };
  const open: RegistryPlanSummary = { status: 'nonCompliant', registryId: reg(SUB_A, 'a2'), regions: 1, writes: 9, reasons: ['public network access on: registry \'a2\''] };
  const failed: RegistryPlanSummary = { status: 'failed', registryId: reg(SUB_A, 'a3'), error: { code: 'ARM.FORBIDDEN', message: 'no access' } };

  it('lines per registry: compliant / started / running / exempt / skipped / failed', () => {
    expect(lineFromPlan(compliant)).toMatchObject({ result: 'compliant', subscriptionId: SUB_B });
    expect(lineFromPlan({ status: 'exempt', registryId: reg(SUB_A, 'x') })).toMatchObject({ result: 'exempt' });
    expect(lineFromPlan({ status: 'notFound', registryId: reg(SUB_A, 'x') })).toMatchObject({ result: 'skipped' });
    expect(lineFromPlan(failed)).toMatchObject({ result: 'failed', detail: '[ARM.FORBIDDEN] no access', error: failed.status === 'failed' ? failed.error : undefined });
    expect(lineFromPlan(open)).toMatchObject({ result: 'nonCompliant', writes: 9 });
    expect(lineFromStart(open, { ok: true, started: true, instanceId: 'harden-a2-1' })).toMatchObject({ result: 'started', instanceId: 'harden-a2-1', writes: 9 });
    expect(lineFromStart(open, { ok: true, started: false, instanceId: 'harden-a2-1', runtimeStatus: 'Running' })).toMatchObject({ result: 'running', detail: expect.stringMatching(/already Running/) });
    expect(lineFromStart(open, { ok: false, error: { code: 'ARM.THROTTLED', message: 'later' } })).toMatchObject({ result: 'failed', error: { code: 'ARM.THROTTLED' } });
  });

  it('sorted by subscription and registry, with totals and failures (failed subscriptions count)', () => {
    const report = assembleReport({
      mode: 'apply', trigger: 'http', startedAt: 'a', endedAt: 'b',
      subscriptions: [{ subscriptionId: SUB_B, ok: true, registries: 1 }, { subscriptionId: SUB_A, ok: false, registries: 0, error: { code: 'ARM.NOT_FOUND', message: 'gone' } }, { subscriptionId: SUB, ok: true, registries: 2 }],
      registries: [lineFromPlan(compliant), lineFromStart(open, { ok: true, started: true, instanceId: 'i' }), lineFromPlan(failed)],
    });
    expect(report.subscriptions.map((s) => s.subscriptionId)).toEqual([SUB, SUB_A, SUB_B]);
    expect(report.registries.map((r) => r.result)).toEqual(['started', 'failed', 'compliant']);
    expect(report.totals).toMatchObject({ compliant: 1, started: 1, failed: 1, exempt: 0 });
    expect(report.failures).toBe(2);
  });
});

describe('parseSweepInput', () => {
  const good = { subscriptionIds: [SUB_A.toUpperCase(), SUB_A, SUB_B], mode: 'apply', options: {}, budget: ARM_WRITE_BUDGET, concurrency: 5, trigger: 'http' };

  it('normalises and de-duplicates subscriptions, fills run options', () => {
    const input = parseSweepInput(good);
    expect(input.subscriptionIds).toEqual([SUB_A, SUB_B]);
    expect(input.options.lockdownAcr).toBe(true);
  });

  it('keeps the caller who started the sweep, and refuses a malformed one', () => {
    const caller = { kind: 'app', objectId: '11111111-2222-4333-8444-555555555555', appId: '99999999-8888-4777-8666-555555555555', roles: ['Lockdown.Operator'] };
    expect(parseSweepInput({ ...good, caller }).caller).toEqual(caller);
    expect(() => parseSweepInput({ ...good, caller: { kind: 'app', objectId: 'x', roles: [] } })).toThrow(/caller\.objectId must be a GUID/);
  });

  it('no subscriptions: SWEEP.NO_SUBSCRIPTIONS', () => {
    expect(() => parseSweepInput({ ...good, subscriptionIds: [] })).toThrow(/^\[SWEEP\.NO_SUBSCRIPTIONS\] no subscriptions configured/);
  });

  it('bad input: SWEEP.INPUT_INVALID naming every problem', () => {
    expect(() => parseSweepInput({ ...good, subscriptionIds: ['nope'], concurrency: 0, mode: 'x', budget: { capacity: 0 } })).toThrow(
      /^\[SWEEP\.INPUT_INVALID\] invalid sweep input: every subscription id must be a GUID; mode must be 'apply' or 'plan'; budget must be .*; concurrency must be an integer/,
    );
    expect(() => parseSweepInput('x')).toThrow(/SWEEP\.INPUT_INVALID/);
  });
});
