import { Orchestrators } from '../../../src/shared/names';
import { assembleFleetOverview, carriesTag, exposureOf, publicAccessLines, registryState, runFromStatus, runsByRegistry, type RunView } from '../../../src/report/domain/report';
import { REGISTRY_ID, TARGETS } from '../../helpers/hardening-fixtures';
import { appliedSteps, at, hardenedOutcome, reading, report, run, status } from './report-fixtures';

describe('runs read back from the durable store', () => {
  it('a completed run: steps, waits, outcome, trigger and the time of its event', () => {
    const r = run();
    expect(r).toMatchObject({ instanceId: 'harden-reg1-0123456789abcdef', registryId: REGISTRY_ID, mode: 'apply', trigger: 'eventgrid', triggeredAt: at(-2_000), runtimeStatus: 'Completed' });
    expect(r.steps.map((s) => s.step)).toEqual(['read', 'resolve', 'plan', 'endpoints', 'approval', 'lockdown', 'dns', 'publish']);
    expect(r.waits.map((w) => [w.step, w.kind, w.count])).toEqual([['lockdown', 'access', 1], ['approval', 'approval', 2], ['dns', 'throttling', 1], ['dns', 'dns', 1]]);
    expect(r.outcome?.kind).toBe('Hardened');
    expect(r.error).toBeUndefined();
  });

  it('a failed run: its coded error from the output the orchestration failed with (the outcome is not its output)', () => {
    const steps = appliedSteps().map((s) => (s.step === 'dns' ? { ...s, state: 'failed' as const, detail: '[HARDEN.DNS_PROOF_FAILED] 1 name not private' } : s));
    const r = run({ runtimeStatus: 'Failed', output: 'Error: [HARDEN.DNS_PROOF_FAILED] after 3 attempt(s): x resolved to 52.1.2.3\n    at stack', steps });
    expect(r.outcome).toBeUndefined();
    expect(r.error).toEqual({ code: 'HARDEN.DNS_PROOF_FAILED', message: 'after 3 attempt(s): x resolved to 52.1.2.3' });
    // without an output, from the failed step
    expect(run({ runtimeStatus: 'Failed', output: null, steps }).error).toEqual({ code: 'HARDEN.DNS_PROOF_FAILED', message: '1 name not private' });
  });

  it('a terminated run has no code, only its reason', () => {
    expect(run({ runtimeStatus: 'Terminated', output: 'stopped by the operator' }).error).toEqual({ message: 'terminated: stopped by the operator' });
  });

  it('what is not a hardening run, or is unreadable, is left out or read defensively', () => {
    expect(runFromStatus(status({ name: Orchestrators.sweepRegistries }), Orchestrators.hardenRegistry)).toBeUndefined();
    expect(runFromStatus(status({ input: {}, customStatus: null }), Orchestrators.hardenRegistry)).toBeUndefined();
    const odd = run({ customStatus: { registryId: REGISTRY_ID, steps: [{ step: 'read', state: 'done', detail: 'ok' }, { step: '<b>', state: 'done' }, { step: 'dns', state: 'weird' }, 'junk'], waits: [{ step: 'dns', kind: 'nap', startedAt: at(0) }, { step: 'dns', kind: 'dns' }] }, createdTime: new Date(Date.parse(at(0))) as unknown as string });
    expect(odd.steps).toEqual([{ step: 'read', state: 'done', detail: 'ok' }]);
    expect(odd.waits).toEqual([]);
    expect(odd.createdTime).toBe(at(0));
    // a customStatus as JSON text (the raw list answer) is read the same
    expect(run({ customStatus: JSON.stringify({ registryId: REGISTRY_ID, steps: appliedSteps() }) }).steps).toHaveLength(8);
  });

  it('groups runs by registry in any casing, newest first, each instance once', () => {
    const older = status({ instanceId: 'a', createdTime: at(0) });
    const newer = status({ instanceId: 'b', createdTime: at(60_000), input: { registryId: REGISTRY_ID.toUpperCase(), mode: 'plan' } });
    const map = runsByRegistry([older, newer, older, status({ name: 'other' })], Orchestrators.hardenRegistry);
    expect([...map.keys()]).toEqual([REGISTRY_ID.toLowerCase()]);
    expect(map.get(REGISTRY_ID.toLowerCase())?.map((r) => [r.instanceId, r.mode])).toEqual([['b', 'plan'], ['a', 'apply']]);
  });
});

describe('the state of a registry', () => {
  const storage = { kind: 'storage' as const, name: 'streg1eastus' };
  const hardened = run();
  const failed = run({ runtimeStatus: 'Failed', output: '[ARM.FORBIDDEN] the app may not write' });

  it('Hardened: the last run hardened it and nothing is public again', () => {
    expect(registryState({ runs: [hardened], exemptNow: false, openNow: [] })).toEqual({ state: 'Hardened', detail: 'hardened by the last run; public network access is off', lastCheckedAt: at(140_300) });
  });

  it('Drifted: hardened by the last run, but public access is on again now (named)', () => {
    const v = registryState({ runs: [hardened], exemptNow: false, openNow: [storage] });
    expect(v.state).toBe('Drifted');
    expect(v.detail).toContain("storage account 'streg1eastus'");
  });

  it('Hardened with what could not be read now said', () => {
    expect(registryState({ runs: [hardened], exemptNow: false, openNow: [], unknown: [storage] }).detail).toContain("could not read now: storage account 'streg1eastus'");
  });

  it('Failed: the last apply run failed or was terminated, with its code', () => {
    expect(registryState({ runs: [failed], exemptNow: false, openNow: [] })).toMatchObject({ state: 'Failed', detail: '[ARM.FORBIDDEN] the app may not write' });
    expect(registryState({ runs: [run({ runtimeStatus: 'Terminated', output: 'by hand' })], exemptNow: false, openNow: [] })).toMatchObject({ state: 'Failed', detail: 'terminated: by hand' });
  });

  it('Running: a run goes on (whatever came before), with its running step', () => {
    const steps = appliedSteps().map((s) => (s.step === 'approval' ? { ...s, state: 'running' as const, endedAt: undefined } : s));
    const running = run({ runtimeStatus: 'Running', output: null, steps });
    expect(registryState({ runs: [running, failed], exemptNow: true, openNow: [] })).toMatchObject({ state: 'Running', detail: 'a run is running: approval' });
  });

  it('Exempt: the tag now wins over the runs; a run that found the tag, gone now, says so', () => {
    expect(registryState({ runs: [failed], exemptNow: true, openNow: [] }).state).toBe('Exempt');
    const exempt = run({ output: hardenedOutcome({ kind: 'Exempt' }) });
    expect(registryState({ runs: [exempt], exemptNow: false, openNow: [] })).toMatchObject({ state: 'Exempt', detail: expect.stringContaining('it is gone now') as unknown as string });
  });

  it('NeverRun: no run, only dry runs, or the last run found no registry', () => {
    expect(registryState({ runs: [], exemptNow: false, openNow: [] })).toEqual({ state: 'NeverRun', detail: 'the app has no run of this registry' });
    const plan = run({ input: { registryId: REGISTRY_ID, mode: 'plan' }, output: hardenedOutcome({ kind: 'Planned', mode: 'plan', changes: ['a', 'b'] }) });
    expect(registryState({ runs: [plan], exemptNow: false, openNow: [] }).detail).toBe('only a dry run (plan mode): 2 change(s) an apply would make');
    // a dry run after an apply: the apply decides
    expect(registryState({ runs: [plan, hardened], exemptNow: false, openNow: [] }).state).toBe('Hardened');
    expect(registryState({ runs: [run({ output: hardenedOutcome({ kind: 'NotFound' }) })], exemptNow: false, openNow: [] }).state).toBe('NeverRun');
  });
});

describe('public access against what the app wants', () => {
  it("Disabled is wanted, except where the last run's plan leaves a resource public (and says why)", () => {
    const lines = publicAccessLines(reading().resources, run());
    expect(lines.map((l) => [l.kind, l.publicNetworkAccess, l.expected, l.ok])).toEqual([
      ['registry', 'Disabled', 'Disabled', true], ['storage', 'Disabled', 'Disabled', true], ['storage', 'Disabled', 'Disabled', true], ['acr', 'Enabled', 'LeftPublic', true],
    ]);
    expect(lines[3]?.reason).toBe('LOCKDOWN_ACR=false');
    // without a run every resource must be Disabled; one that could not be read is not ok
    const noRun = publicAccessLines([...reading().resources.slice(0, 3), { kind: 'acr', id: TARGETS[3]?.id ?? '', name: 'crreg1', region: 'eastus', error: { code: 'ARM.FORBIDDEN', message: 'no' } }], undefined);
    expect(noRun.map((l) => l.ok)).toEqual([true, true, true, false]);
  });

  it('the report: Drifted when a storage account is public again now', () => {
    const open = reading();
    open.resources = open.resources.map((r) => (r.kind === 'storage' && r.region === 'westeurope' ? { ...r, publicNetworkAccess: 'Enabled' } : r));
    const r = report({ reading: open });
    expect(r.state.state).toBe('Drifted');
    expect(r.publicAccess.find((p) => p.region === 'westeurope' && p.kind === 'storage')?.ok).toBe(false);
  });
});

describe('the rest of the report', () => {
  it('the exposure window: the newest run that knows it, from its event to the last public-access write', () => {
    const later: RunView = run({ instanceId: 'later', createdTime: at(300_000), output: hardenedOutcome({ exposureWindowMs: undefined }) });
    expect(exposureOf([later, run()])).toEqual({ windowMs: 42_000, from: at(-2_000), to: at(40_000), instanceId: 'harden-reg1-0123456789abcdef' });
    expect(exposureOf([later])).toBeUndefined();
  });

  it('the last run, its own DNS proof at the end of its dns step, every run newest first', () => {
    const older = run({ instanceId: 'older', createdTime: at(-600_000), lastUpdatedTime: at(-500_000) });
    const r = report({ runs: [older, run()] });
    expect(r.lastRun?.instanceId).toBe('harden-reg1-0123456789abcdef');
    expect(r.runs.map((x) => x.instanceId)).toEqual(['harden-reg1-0123456789abcdef', 'older']);
    expect(r.lastRunDns).toMatchObject({ source: 'lastRun', checkedAt: at(140_000) });
    expect(r.dns.source).toBe('now');
  });

  it('the fleet: counts per state (every state, zeros included), registries by name', () => {
    const line = (name: string, state: 'Hardened' | 'Drifted' | 'NeverRun') => ({ registryId: `/x/${name}`, name, subscriptionId: 's', resourceGroup: 'rg', location: 'eastus', state, detail: '', reportUrl: `/r/${name}` });
    const fleet = assembleFleetOverview({ generatedAt: at(0), subscriptions: [{ subscriptionId: 'b', ok: false, registries: 0, error: { code: 'ARM.FORBIDDEN', message: 'no' } }, { subscriptionId: 'a', ok: true, registries: 3 }], registries: [line('zeta', 'Drifted'), line('Alpha', 'Hardened'), line('beta', 'Hardened')], links: { self: '', json: '' } });
    expect(fleet.counts).toEqual({ Hardened: 2, Drifted: 1, Failed: 0, Exempt: 0, NeverRun: 0, Running: 0 });
    expect(fleet.registries.map((r) => r.name)).toEqual(['Alpha', 'beta', 'zeta']);
    expect(fleet.subscriptions.map((s) => s.subscriptionId)).toEqual(['a', 'b']);
    expect(fleet.failures).toBe(1);
  });

  it('the exemption tag, compared case-insensitively', () => {
    expect(carriesTag({ 'AML-Registry-Lockdown': 'EXEMPT' }, { name: 'aml-registry-lockdown', value: 'exempt' })).toBe(true);
    expect(carriesTag({ 'aml-registry-lockdown': 'no' }, { name: 'aml-registry-lockdown', value: 'exempt' })).toBe(false);
    expect(carriesTag(undefined, { name: 'a', value: 'b' })).toBe(false);
  });
});
