jest.mock('@azure/functions-core', () => jest.requireActual('../../helpers/functions-core-mock').createFunctionsCoreMock(), { virtual: true });

import * as df from 'durable-functions';
import type { EndpointPlan, Outcome, Target, TargetState } from '../../../src/hardening/domain/hardening';
import { hardenRegistryOrchestrator } from '../../../src/hardening/harden.durable';
import { Activities, Orchestrators } from '../../../src/shared/names';
import { WORKFLOW_VERSION } from '../../../src/shared/version';
import { DurableHistory, registeredOrchestration, type Episode, type OrchestrationTriggerHandler } from '../../helpers/durable-history';
import type { FunctionsCoreMock } from '../../helpers/functions-core-mock';
import { endpoint, freshStates, input, PLACEMENT, readyReading, REGISTRY_ID, TARGETS } from '../../helpers/hardening-fixtures';

let handler: OrchestrationTriggerHandler;

beforeAll(() => {
  df.app.orchestration(Orchestrators.hardenRegistry, hardenRegistryOrchestrator);
  handler = registeredOrchestration(jest.requireMock<FunctionsCoreMock>('@azure/functions-core'), Orchestrators.hardenRegistry);
});

const names = (e: Episode): string[] => e.scheduled.map((t) => t.name);
const APP = '00000000-0000-0000-0000-0000000000b1';
const ASSIGN = { appPrincipalId: APP, listed: false, assignEnabled: true };
/**
 * The managed group's rules hold in both shapes that have them: 2.2 (each write waits inside its
 * activity) and the current one (writes answered at once, their operations polled by the run).
 * A shape names its activities and how a finished write answers.
 */
interface Shape {
  version: string;
  disable: string;
  grant: string;
  endpoint: string;
  zoneGroup: string;
  /** what a write that is done answers */
  done<T>(value: T): unknown;
  /** 2.4: the endpoint to the registry itself starts with the storage/ACR lockdown */
  early?: true;
}
const SHAPES: Shape[] = [
  { version: '2.2', disable: Activities.disablePublicAccess, grant: Activities.grantManagedGroupAccess, endpoint: Activities.ensurePrivateEndpoint, zoneGroup: Activities.ensureZoneGroup, done: (v) => v },
  { version: '2.3', disable: Activities.startPublicAccessOff, grant: Activities.startManagedGroupAccess, endpoint: Activities.startPrivateEndpoint, zoneGroup: Activities.startZoneGroup, done: (v) => ({ done: v }) },
  { version: WORKFLOW_VERSION, disable: Activities.startPublicAccessOff, grant: Activities.startManagedGroupAccess, endpoint: Activities.startPrivateEndpoint, zoneGroup: Activities.startZoneGroup, done: (v) => ({ done: v }), early: true },
];
const DENIED = "[ARM.DENY_ASSIGNMENT] PATCH /x was refused by a deny assignment (403 DenyAssignmentAuthorizationFailed): … The registry lists the app's principal in assignedIdentities: its exemption has not taken effect yet.";

async function toLockdown(h: DurableHistory, access: typeof ASSIGN | undefined, states: TargetState[] = freshStates()): Promise<Episode> {
  await h.start();
  h.complete(Activities.readRegistry, readyReading(access ? { managedGroupAccess: access } : {}));
  await h.next();
  h.complete(Activities.inspectTargets, { placement: PLACEMENT, states });
  return h.next();
}

/** The public-access targets an episode calls (an endpoint's start names its plan, not a target). */
const targetsOf = (e: Episode): string[] => e.scheduled.flatMap((t) => ((t.input as { target?: Target }).target ? [(t.input as { target: Target }).target.kind] : []));

/**
 * 2.4: the first access wait first makes the endpoint to the registry (outside the managed group)
 * and its zone group; older shapes go straight to the timer. Answers the episode after.
 */
async function throughMeanwhile(h: DurableHistory, S: Shape, e: Episode): Promise<Episode> {
  if (!S.early) return e;
  expect(names(e)).toEqual([S.endpoint]);
  const plan = (e.scheduled[0]?.input as { plan: EndpointPlan }).plan;
  expect(plan.target.kind).toBe('registry');
  h.complete(S.endpoint, { done: { ...endpoint(plan.target, plan.name), id: plan.endpointId } });
  const zones = await h.next();
  expect(names(zones)).toEqual([S.zoneGroup]);
  h.complete(S.zoneGroup, { done: { changed: true } });
  return h.next();
}

describe.each(SHAPES)('hardening $version: the managed group\'s deny assignment and the lockdown order', (S) => {
  const V = { version: S.version };
  it('locks the registry down first (its PUT carries the app into assignedIdentities), then storage and ACR with the registry named', async () => {
    const h = new DurableHistory(handler, input(), V);
    const first = await toLockdown(h, ASSIGN);
    expect(names(first)).toEqual([S.disable]);
    expect(targetsOf(first)).toEqual(['registry']);
    h.complete(S.disable, S.done({ changed: true, at: h.now.toISOString() }));
    const second = await h.next();
    expect(targetsOf(second)).toEqual(['storage', 'storage', 'acr']);
    expect(second.scheduled.every((t) => (t.input as { registryId?: string }).registryId === REGISTRY_ID)).toBe(true);
  });

  it('waits out a deny that is still propagating (timer), calls again, and counts no grant PUT', async () => {
    const h = new DurableHistory(handler, input({}, { accessPollSeconds: 30 }), V);
    await toLockdown(h, ASSIGN);
    h.complete(S.disable, S.done({ changed: true, at: h.now.toISOString() }));
    const second = await h.next();
    const [s1, s2, acr] = h.open(S.disable);
    h.complete(s1 ?? '', S.done({ changed: true, at: h.now.toISOString() })).complete(s2 ?? '', { waiting: DENIED }).complete(acr ?? '', S.done({ changed: false, at: h.now.toISOString() }));
    const wait = await throughMeanwhile(h, S, await h.next());
    expect(targetsOf(second)).toHaveLength(3);
    expect(names(wait)).toEqual(['timer']);
    // the first look again is 5 s later
    expect(Date.parse(wait.scheduled[0]?.fireAt ?? '') - h.now.getTime()).toBe(5_000);
    h.fireTimer();
    const again = await h.next();
    expect(names(again)).toEqual([S.disable]);
    expect((again.scheduled[0]?.input as { target: Target }).target.id).toBe(TARGETS[2]?.id);
    // each later wait doubles, up to accessPollSeconds (30 s)
    const gaps: number[] = [];
    for (let i = 0; i < 4; i++) {
      h.completeAll(S.disable, () => ({ waiting: DENIED }));
      const timer = await h.next();
      gaps.push(Date.parse(timer.scheduled[0]?.fireAt ?? '') - h.now.getTime());
      h.fireTimer();
      await h.next();
    }
    expect(gaps).toEqual([10_000, 20_000, 30_000, 30_000]);
  });

  it('fails with the refusal\'s code once ACCESS_PROPAGATION_MINUTES have passed, and the outcome lists what is done and what is not', async () => {
    const h = new DurableHistory(handler, input({}, { accessPollSeconds: 60, accessPropagationMinutes: 1 }), V);
    await toLockdown(h, ASSIGN);
    h.complete(S.disable, S.done({ changed: true, at: h.now.toISOString() }));
    await h.next();
    // waits of 5, 10, 20 s, then the rest of the minute: the fifth refusal ends the run
    for (let i = 0; i < 6; i++) {
      h.completeAll(S.disable, () => ({ waiting: DENIED }));
      const e = i === 0 ? await throughMeanwhile(h, S, await h.next()) : await h.next();
      if (!names(e).includes('timer')) {
        const publish = e;
        expect(names(publish)).toEqual([Activities.publishOutcome]);
        const outcome = publish.scheduled[0]?.input as Outcome;
        expect(outcome.kind).toBe('Failed');
        expect(outcome.error?.code).toBe('ARM.DENY_ASSIGNMENT');
        expect(outcome.error?.message).toMatch(/ACCESS_PROPAGATION_MINUTES/);
        expect(outcome.changes.some((c) => /disabled public network access of registry 'reg1'/.test(c))).toBe(true);
        expect(outcome.changes.some((c) => /added the app's principal/.test(c))).toBe(true);
        expect(outcome.notDone).toEqual(expect.arrayContaining([
          "public network access of storage account 'streg1eastus' (eastus) is still Enabled",
          expect.stringMatching(/^private endpoint 'pe-reg1-blob-eastus' .* not created$/),
        ]));
        return;
      }
      h.fireTimer();
      await h.next();
    }
    throw new Error('the run never gave up');
  });

  it('a registry already Disabled whose storage is not: one grant PUT of its own before the storage PATCH', async () => {
    const states = freshStates().map((s) => (s.target.kind === 'registry' ? { ...s, publicNetworkAccess: 'Disabled' } : s));
    const h = new DurableHistory(handler, input(), V);
    const first = await toLockdown(h, ASSIGN, states);
    expect(names(first)).toEqual([S.grant]);
    expect(first.scheduled[0]?.input).toEqual({ registryId: REGISTRY_ID });
    h.complete(S.grant, S.done({ changed: true }));
    const second = await h.next();
    expect(targetsOf(second)).toEqual(['storage', 'storage', 'acr']);
  });

  it('endpoints-first: the grant comes before the endpoints, and the endpoints carry the registry id', async () => {
    const h = new DurableHistory(handler, input({}, { order: 'endpoints-first' }), V);
    const first = await toLockdown(h, ASSIGN);
    expect(names(first)).toEqual([S.grant]);
    h.complete(S.grant, S.done({ changed: false }));
    const pes = await h.next();
    expect(names(pes)).toEqual(Array(4).fill(S.endpoint));
    expect(pes.scheduled.every((t) => (t.input as { registryId?: string }).registryId === REGISTRY_ID)).toBe(true);
    h.completeAll(S.endpoint, (i) => S.done({ ...endpoint((i as { plan: EndpointPlan }).plan.target, (i as { plan: EndpointPlan }).plan.name), id: (i as { plan: EndpointPlan }).plan.endpointId }));
    const zones = await h.next();
    expect(names(zones)).toEqual(Array(4).fill(S.zoneGroup));
  });

  it('plan mode says whether the app can write in the managed group', async () => {
    const h = new DurableHistory(handler, input({ mode: 'plan' }), V);
    const check = await toLockdown(h, { appPrincipalId: APP, listed: false, assignEnabled: false });
    // a plan also checks the app's effective permissions (2.1); this one finds nothing missing
    expect(names(check)).toEqual([Activities.checkPermissions]);
    h.complete(Activities.checkPermissions, { scopes: [], missing: [] });
    const publish = await h.next();
    const outcome = publish.scheduled[0]?.input as Outcome;
    expect(outcome.kind).toBe('Planned');
    expect(outcome.plan?.managedGroup?.state).toBe('cannot');
    expect(outcome.warnings.some((w) => /cannot write in the registry's managed resource group.*MANAGED_RG_ASSIGN_APP_IDENTITY=true/.test(w))).toBe(true);
  });

  it('an event-started run reads a 404 as "still being created" until the provisioning deadline, then ends NotFound', async () => {
    const h = new DurableHistory(handler, input({ trigger: 'eventgrid' }, { provisioningPollSeconds: 60, provisioningDeadlineMinutes: 2 }), V);
    await h.start();
    h.complete(Activities.readRegistry, { status: 'notFound', registryId: REGISTRY_ID });
    expect(names(await h.next())).toEqual(['timer']);
    h.fireTimer();
    expect(names(await h.next())).toEqual([Activities.readRegistry]);
    h.complete(Activities.readRegistry, { status: 'notFound', registryId: REGISTRY_ID });
    expect(names(await h.next())).toEqual(['timer']);
    h.fireTimer();
    await h.next();
    h.complete(Activities.readRegistry, { status: 'notFound', registryId: REGISTRY_ID });
    const publish = await h.next();
    expect((publish.scheduled[0]?.input as Outcome).kind).toBe('NotFound');
  });

  it('a 404 on an HTTP-started run is NotFound at once; a run from 2.0 also (its shape is kept)', async () => {
    for (const [trigger, version] of [['http', WORKFLOW_VERSION], ['eventgrid', '2.0']] as const) {
      const h = new DurableHistory(handler, input({ trigger }), { version });
      await h.start();
      h.complete(Activities.readRegistry, { status: 'notFound', registryId: REGISTRY_ID });
      const publish = await h.next();
      expect(names(publish)).toEqual([Activities.publishOutcome]);
    }
  });

  it('a run from 2.0 keeps its shape: every target in parallel, no grant, a waiting answer fails it', async () => {
    const h = new DurableHistory(handler, input(), { version: '2.0' });
    const first = await toLockdown(h, ASSIGN);
    expect(targetsOf(first)).toEqual(['registry', 'storage', 'storage', 'acr']);
    h.completeAll(Activities.disablePublicAccess, (_i, n) => (n === 1 ? { waiting: DENIED } : { changed: true, at: h.now.toISOString() }));
    const publish = await h.next();
    expect((publish.scheduled[0]?.input as Outcome).error?.code).toBe('ARM.DENY_ASSIGNMENT');
  });
});

describe('the canary (2.4): storage and ACR wait on one exemption, so one of them looks again for all', () => {
  const V24 = { version: WORKFLOW_VERSION };
  const targetIds = (e: Episode): string[] => e.scheduled.map((t) => (t.input as { target: Target }).target.id);
  async function allRefused(version: string): Promise<DurableHistory> {
    const h = new DurableHistory(handler, input({}, { accessPollSeconds: 30 }), { version });
    await toLockdown(h, ASSIGN);
    h.complete(Activities.startPublicAccessOff, { done: { changed: true } });
    expect(targetsOf(await h.next())).toEqual(['storage', 'storage', 'acr']);
    h.completeAll(Activities.startPublicAccessOff, () => ({ waiting: DENIED }));
    const shape = SHAPES.find((x) => x.version === version) as Shape;
    expect(names(await throughMeanwhile(h, shape, await h.next()))).toEqual(['timer']);
    h.fireTimer();
    return h;
  }

  it('only the first refused call looks again while refused; once it is let through the others are called at once, with no wait', async () => {
    const h = await allRefused(WORKFLOW_VERSION);
    const look = await h.next();
    expect(targetIds(look)).toEqual([TARGETS[1]?.id]);
    h.complete(Activities.startPublicAccessOff, { waiting: DENIED });
    const wait = await h.next();
    expect(names(wait)).toEqual(['timer']);
    expect(Date.parse(wait.scheduled[0]?.fireAt ?? '') - h.now.getTime()).toBe(10_000);
    h.fireTimer();
    expect(targetIds(await h.next())).toEqual([TARGETS[1]?.id]);
    h.complete(Activities.startPublicAccessOff, { done: { changed: true } });
    const released = await h.next();
    expect(names(released)).toEqual([Activities.startPublicAccessOff, Activities.startPublicAccessOff]);
    expect(targetIds(released)).toEqual([TARGETS[2]?.id, TARGETS[3]?.id]);
    h.completeAll(Activities.startPublicAccessOff, () => ({ done: { changed: true } }));
    // the lockdown is done: the other endpoints follow (the registry's started with the lockdown)
    const rest = await h.next();
    expect(names(rest)).toEqual(Array(3).fill(Activities.startPrivateEndpoint));
    expect(rest.scheduled.map((t) => (t.input as { plan: EndpointPlan }).plan.target.kind)).toEqual(['storage', 'storage', 'acr']);
  });

  it('a released call still refused becomes the canary in turn', async () => {
    const h = await allRefused(WORKFLOW_VERSION);
    await h.next();
    h.complete(Activities.startPublicAccessOff, { done: { changed: true } });
    await h.next();
    h.completeAll(Activities.startPublicAccessOff, () => ({ waiting: DENIED }));
    expect(names(await h.next())).toEqual(['timer']);
    h.fireTimer();
    expect(targetIds(await h.next())).toEqual([TARGETS[2]?.id]);
  });

  it('a write answered before the others\' wait is timed from its own answer: its operation is looked at when due from then', async () => {
    const h = new DurableHistory(handler, input({}, { accessPollSeconds: 30 }), V24);
    await toLockdown(h, ASSIGN);
    h.complete(Activities.startPublicAccessOff, { done: { changed: true } });
    await h.next();
    const startedAt = h.now.getTime();
    const [s1, s2, acr] = h.open(Activities.startPublicAccessOff);
    const acrId = (acr?.input as { target: Target }).target.id;
    const handle = { kind: 'acrPatch', resourceId: acrId, pollUrl: 'https://management.azure.com/operations/acr-1', via: 'azure-async-operation', expectedMs: 15_000, pollMs: 2_000, deadlineMs: 10 * 60_000 };
    h.complete(s1 ?? '', { done: { changed: true } }).complete(s2 ?? '', { waiting: DENIED }).complete(acr ?? '', { started: handle, pending: { changed: true } });
    const wait = await throughMeanwhile(h, SHAPES[2] as Shape, await h.next());
    expect(names(wait)).toEqual(['timer']);
    h.fireTimer();
    await h.next();
    // storage is let through 5 s after ACR's PATCH started: ACR is looked at 15 s after its start, not 15 s after the wait
    h.complete(Activities.startPublicAccessOff, { done: { changed: true } });
    const poll = await h.next();
    expect(names(poll)).toEqual(['timer']);
    expect(Date.parse(poll.scheduled[0]?.fireAt ?? '') - startedAt).toBe(15_000);
  });

  it('a run from 2.3 keeps its shape: every refused call looks again', async () => {
    const h = await allRefused('2.3');
    expect(targetIds(await h.next())).toEqual([TARGETS[1]?.id, TARGETS[2]?.id, TARGETS[3]?.id]);
  });
});
