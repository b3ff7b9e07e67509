import type { TargetState } from '../../../src/hardening/domain/hardening';
import { outcomeArgsOf, outcomeEventId, outcomeEventType, summarizeOutcome, emptyApplied } from '../../../src/hardening/domain/outcome';
import { planHardening } from '../../../src/hardening/domain/plan';
import { endpoint, freshStates, PLACEMENT, REGISTRY_ID, TARGETS } from '../../helpers/hardening-fixtures';

const base = { registryId: REGISTRY_ID, instanceId: 'i1', startedAt: '2026-03-01T10:00:00.000Z', endedAt: '2026-03-01T10:05:00.000Z' };

describe('outcome', () => {
  it('names the event types', () => {
    expect(outcomeEventType('Hardened')).toBe('AmlRegistryLockdown.Registry.Hardened');
    expect(outcomeEventType('Failed')).toBe('AmlRegistryLockdown.Registry.Failed');
  });

  it('derives the event id from the run and the outcome kind: stable across publishes, different per run', () => {
    const id = outcomeEventId({ instanceId: 'i1', startedAt: base.startedAt, kind: 'Hardened' });
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(outcomeEventId(summarizeOutcome({ ...base, kind: 'Hardened', mode: 'apply' }))).toBe(id);
    expect(outcomeEventId({ instanceId: 'i1', startedAt: '2026-03-01T10:00:00.001Z', kind: 'Hardened' })).not.toBe(id);
    expect(outcomeEventId({ instanceId: 'i2', startedAt: base.startedAt, kind: 'Hardened' })).not.toBe(id);
    expect(outcomeEventId({ instanceId: 'i1', startedAt: base.startedAt, kind: 'Failed' })).not.toBe(id);
  });

  it('a NotFound run says what is wrong as a warning, never as compliant; an Exempt one keeps its note as the reason nothing was needed', () => {
    const gone = summarizeOutcome({ ...base, kind: 'NotFound', mode: 'apply', notes: ['the registry does not exist'] });
    expect(gone.alreadyCompliant).toEqual([]);
    expect(gone.warnings).toEqual(['the registry does not exist']);
    const exempt = summarizeOutcome({ ...base, kind: 'Exempt', mode: 'apply', notes: ['the registry carries the exemption tag'] });
    expect(exempt.alreadyCompliant).toEqual(['the registry carries the exemption tag']);
    expect(exempt.warnings).toEqual([]);
  });

  it('summarizes a plan-mode run as what would change', () => {
    const plan = planHardening({ registryId: REGISTRY_ID, states: freshStates(), placement: PLACEMENT, lockdownAcr: false });
    const o = summarizeOutcome({ ...base, kind: 'Planned', mode: 'plan', plan });
    expect(o.changes).toHaveLength(11);
    expect(o.changes.every((c) => c.startsWith('would '))).toBe(true);
    expect(o.warnings).toHaveLength(1);
    expect(o.plan).toBe(plan);
    expect(o.exposureWindowMs).toBeUndefined();
  });

  it('summarizes an apply run from what the activities reported, with the exposure window', () => {
    const states: TargetState[] = freshStates();
    states[0] = { target: TARGETS[0] as TargetState['target'], publicNetworkAccess: 'Disabled', endpoints: [endpoint(TARGETS[0] as TargetState['target'], 'pe-reg1-amlregistry-eastus')] };
    const plan = planHardening({ registryId: REGISTRY_ID, states, placement: PLACEMENT, lockdownAcr: true });
    const applied = emptyApplied();
    for (const e of plan.endpoints.filter((x) => x.action === 'create')) {
      applied.endpoints.push({ endpointId: e.endpointId, connectionStatus: 'Approved' });
      applied.zoneGroups.push({ endpointId: e.endpointId, name: 'default', zoneId: e.zoneGroup.zoneId, changed: true });
    }
    applied.publicAccess.push(
      { target: TARGETS[1] as TargetState['target'], changed: true, at: '2026-03-01T10:00:10.000Z' },
      { target: TARGETS[2] as TargetState['target'], changed: true, at: '2026-03-01T10:00:12.000Z' },
      { target: TARGETS[3] as TargetState['target'], changed: false, at: '2026-03-01T10:00:30.000Z' },
    );
    const o = summarizeOutcome({ ...base, kind: 'Hardened', mode: 'apply', plan, applied, triggeredAt: '2026-03-01T09:59:50.000Z' });
    expect(o.changes).toHaveLength(3 + 3 + 2);
    expect(o.alreadyCompliant).toEqual([
      "private endpoint 'pe-reg1-amlregistry-eastus' to registry 'reg1' (eastus) (group amlregistry) exists (Approved)",
      "private DNS zone group 'default' on 'pe-reg1-amlregistry-eastus' linking privatelink.api.azureml.ms exists",
      "public network access of registry 'reg1' (eastus) is Disabled",
      "public network access of container registry 'crreg1' (eastus) is Disabled",
    ]);
    expect(o.exposureWindowMs).toBe(22_000);
  });

  it('carries the error of a failed run', () => {
    const o = summarizeOutcome({ ...base, kind: 'Failed', mode: 'apply', error: { code: 'ARM.FORBIDDEN', message: 'no' } });
    expect(o).toMatchObject({ kind: 'Failed', error: { code: 'ARM.FORBIDDEN', message: 'no' }, changes: [], dns: [] });
  });
});

describe('the audit trail in the outcome', () => {
  it('names the caller the run\'s input carries, and nobody when none asked (events, the timer)', () => {
    const caller = { kind: 'user' as const, objectId: '11111111-2222-4333-8444-555555555555', upn: 'alice@contoso.example', roles: ['Lockdown.Operator' as const] };
    const run = { kind: 'Failed' as const, instanceId: 'i', startedAt: '2026-01-01T00:00:00.000Z', endedAt: '2026-01-01T00:00:01.000Z', plan: undefined, applied: emptyApplied(), dns: [], discovery: undefined };
    const registryId = '/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg/providers/Microsoft.MachineLearningServices/registries/reg1' as never;
    expect(summarizeOutcome(outcomeArgsOf({ ...run, input: { registryId, mode: 'apply', caller } })).caller).toEqual(caller);
    expect(summarizeOutcome(outcomeArgsOf({ ...run, input: { registryId, mode: 'apply' } }))).not.toHaveProperty('caller');
  });
});
