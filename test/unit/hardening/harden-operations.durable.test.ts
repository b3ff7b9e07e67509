jest.mock('@azure/functions-core', () => jest.requireActual('../../helpers/functions-core-mock').createFunctionsCoreMock(), { virtual: true });

import * as df from 'durable-functions';
import type { DnsExpectation, EndpointPlan, Outcome, Target, TargetState } from '../../../src/hardening/domain/hardening';
import type { OperationHandle, OperationKind, OperationPoll } from '../../../src/hardening/domain/operations';
import { hardenRegistryOrchestrator } from '../../../src/hardening/harden.durable';
import { MAX_STARTS } from '../../../src/hardening/operations.workflow';
import { Activities, Orchestrators } from '../../../src/shared/names';
import { WORKFLOW_VERSION } from '../../../src/shared/version';
import { DurableHistory, registeredOrchestration, type Episode, type OrchestrationTriggerHandler } from '../../helpers/durable-history';
import type { FunctionsCoreMock } from '../../helpers/functions-core-mock';
import { endpoint, freshStates, input, PLACEMENT, readyReading, REGISTRY_ID, TARGETS, ZONES } from '../../helpers/hardening-fixtures';

/**
 * Workflow 2.3: writes answered at once, their long-running operations driven by the run
 * (src/hardening/operations.workflow.ts), replayed through the registered orchestrator the way
 * the Durable Functions extension drives it. Times are the run's clock (the history's).
 */

let handler: OrchestrationTriggerHandler;

beforeAll(() => {
  df.app.orchestration(Orchestrators.hardenRegistry, hardenRegistryOrchestrator);
  handler = registeredOrchestration(jest.requireMock<FunctionsCoreMock>('@azure/functions-core'), Orchestrators.hardenRegistry);
});

const V = { version: WORKFLOW_VERSION };
const APP = '00000000-0000-0000-0000-0000000000b1';
const LISTED = { appPrincipalId: APP, listed: true, assignEnabled: true };
const names = (e: Episode): string[] => e.scheduled.map((t) => t.name);
/** The public-access targets an episode calls (an endpoint's start names its plan, not a target). */
const targetsOf = (e: Episode): string[] => e.scheduled.flatMap((t) => ((t.input as { target?: Target }).target ? [(t.input as { target: Target }).target.kind] : []));

function handle(kind: OperationKind, resourceId: string, extra: Partial<OperationHandle> = {}): OperationHandle {
  return { kind, resourceId, pollUrl: `https://management.azure.com/operations/${kind}-${resourceId.split('/').pop() ?? ''}`, via: 'azure-async-operation', expectedMs: 30_000, pollMs: 2_000, deadlineMs: 10 * 60_000, ...extra };
}

const started = (h: OperationHandle, pending: unknown = { changed: true }) => ({ started: h, pending });
const delayOf = (h: DurableHistory, e: Episode): number => Date.parse(e.scheduled.find((t) => t.type === 'timer')?.fireAt ?? '') - h.now.getTime();
const polled = (e: Episode): OperationHandle[] => (e.scheduled.find((t) => t.name === Activities.pollOperations)?.input as { operations: OperationHandle[] } | undefined)?.operations ?? [];

/** start → readRegistry (with the registry's state) → inspectTargets; answers the episode after the plan. */
async function toWrites(h: DurableHistory, states: TargetState[] = freshStates(), access = LISTED): Promise<Episode> {
  await h.start();
  h.complete(Activities.readRegistry, readyReading({ managedGroupAccess: access, registryState: { publicNetworkAccess: 'Enabled', endpointIds: [] } }));
  const inspect = await h.next();
  expect(names(inspect)).toEqual([Activities.inspectTargets]);
  // the registry is not read again: inspectTargets gets what readRegistry saw
  expect(inspect.scheduled[0]?.input).toEqual({ targets: TARGETS, registry: { publicNetworkAccess: 'Enabled', endpointIds: [] } });
  h.complete(Activities.inspectTargets, { placement: PLACEMENT, states });
  return h.next();
}

/** Drives the next timer and answers the poll it leads to; returns the episode after the answer. */
async function pollAnswer(h: DurableHistory, answer: (op: OperationHandle) => OperationPoll): Promise<Episode> {
  h.fireTimer();
  const poll = await h.next();
  expect(names(poll)).toEqual([Activities.pollOperations]);
  h.complete(Activities.pollOperations, polled(poll).map(answer));
  return h.next();
}

describe(`hardening ${WORKFLOW_VERSION}: long-running operations driven by the run`, () => {
  it('the registry PUT answers with its operation; the first look is at the larger of Retry-After and the expected duration, later ones as Retry-After says', async () => {
    const h = new DurableHistory(handler, input(), V);
    const first = await toWrites(h);
    expect(names(first)).toEqual([Activities.startPublicAccessOff]);
    expect(targetsOf(first)).toEqual(['registry']);
    h.complete(Activities.startPublicAccessOff, started(handle('registryPut', REGISTRY_ID, { retryAfterMs: 5_000, expectedMs: 30_000 })));
    const wait = await h.next();
    expect(names(wait)).toEqual(['timer']);
    expect(delayOf(h, wait)).toBe(30_000);
    const again = await pollAnswer(h, () => ({ state: 'running', retryAfterMs: 12_000 }));
    expect(names(again)).toEqual(['timer']);
    expect(delayOf(h, again)).toBe(12_000);
    // no Retry-After: the configured interval
    const third = await pollAnswer(h, () => ({ state: 'running' }));
    expect(delayOf(h, third)).toBe(2_000);
    const storageAndAcr = await pollAnswer(h, () => ({ state: 'succeeded' }));
    expect(names(storageAndAcr)).toEqual(Array(3).fill(Activities.startPublicAccessOff));
    expect(targetsOf(storageAndAcr)).toEqual(['storage', 'storage', 'acr']);
  });

  it('the endpoints start together and their operations are asked about in one call; one done is not asked again', async () => {
    const h = new DurableHistory(handler, input({}, { order: 'endpoints-first' }), V);
    const pes = await toWrites(h);
    expect(names(pes)).toEqual(Array(4).fill(Activities.startPrivateEndpoint));
    // a first start trusts the plan: no check
    expect(pes.scheduled.every((t) => (t.input as { check?: boolean }).check === undefined)).toBe(true);
    // the answers come one by one, as activities end
    for (const t of h.open(Activities.startPrivateEndpoint)) {
      const plan = (t.input as { plan: EndpointPlan }).plan;
      h.complete(t, started(handle('endpointPut', plan.endpointId, { retryAfterMs: 10_000 }), { ...endpoint(plan.target, plan.name), id: plan.endpointId, zoneGroups: [] }));
      await h.next();
    }
    const wait = h.last;
    expect(names(wait)).toEqual(['timer']);
    expect(delayOf(h, wait)).toBe(30_000);
    let n = 0;
    const next = await pollAnswer(h, () => (n++ === 1 ? { state: 'succeeded' } : { state: 'running', retryAfterMs: 10_000 }));
    expect(delayOf(h, next)).toBe(10_000);
    h.fireTimer();
    const poll = await h.next();
    expect(polled(poll)).toHaveLength(3);
    h.complete(Activities.pollOperations, polled(poll).map((): OperationPoll => ({ state: 'succeeded' })));
    const zones = await h.next();
    expect(names(zones)).toEqual(Array(4).fill(Activities.startZoneGroup));
  });

  it('learns per kind: a registry PUT that took 90 s is first looked at after 90 s the next time in the run', async () => {
    const h = new DurableHistory(handler, input({}, { order: 'endpoints-first' }), V);
    const grant = await toWrites(h, freshStates(), { appPrincipalId: APP, listed: false, assignEnabled: true });
    expect(names(grant)).toEqual([Activities.startManagedGroupAccess]);
    h.complete(Activities.startManagedGroupAccess, started(handle('registryPut', REGISTRY_ID, { expectedMs: 30_000 })));
    await h.next();
    await pollAnswer(h, () => ({ state: 'running', retryAfterMs: 30_000 }));
    await pollAnswer(h, () => ({ state: 'running', retryAfterMs: 30_000 }));
    await pollAnswer(h, () => ({ state: 'succeeded' }));
    h.completeAll(Activities.startPrivateEndpoint, (i) => {
      const plan = (i as { plan: EndpointPlan }).plan;
      return { done: { ...endpoint(plan.target, plan.name), id: plan.endpointId, zoneGroups: [] } };
    });
    await h.next();
    h.completeAll(Activities.startZoneGroup, () => ({ done: { changed: true } }));
    const lockdown = await h.next();
    expect(targetsOf(lockdown)).toEqual(['registry']);
    h.complete(Activities.startPublicAccessOff, started(handle('registryPut', REGISTRY_ID, { expectedMs: 30_000 })));
    const wait = await h.next();
    expect(delayOf(h, wait)).toBe(90_000);
  });

  it(`a failed operation is started again, checking the resource first; after ${MAX_STARTS} starts the run fails ARM.LRO_FAILED`, async () => {
    const h = new DurableHistory(handler, input({}, { order: 'endpoints-first' }), V);
    await toWrites(h);
    const [first, ...rest] = h.open(Activities.startPrivateEndpoint);
    for (const t of rest) {
      const plan = (t.input as { plan: EndpointPlan }).plan;
      h.complete(t, { done: { ...endpoint(plan.target, plan.name), id: plan.endpointId, zoneGroups: [] } });
    }
    const plan = (first?.input as { plan: EndpointPlan }).plan;
    h.complete(first ?? '', started(handle('endpointPut', plan.endpointId)));
    await h.next();
    const failed: OperationPoll = { state: 'failed', error: '[ARM.LRO_FAILED] the operation of endpointPut on pe ended Failed: InternalServerError: boom' };
    for (let start = 2; start <= MAX_STARTS; start++) {
      const again = await pollAnswer(h, () => failed);
      expect(names(again)).toEqual([Activities.startPrivateEndpoint]);
      expect(again.scheduled[0]?.input).toEqual({ ...(first?.input as object), check: true });
      h.complete(Activities.startPrivateEndpoint, started(handle('endpointPut', plan.endpointId)));
      await h.next();
    }
    const publish = await pollAnswer(h, () => failed);
    expect(names(publish)).toEqual([Activities.publishOutcome]);
    const outcome = publish.scheduled[0]?.input as Outcome;
    expect(outcome.error?.code).toBe('ARM.LRO_FAILED');
    expect(outcome.error?.message).toMatch(new RegExp(`boom \\(PUT .*pe-reg1-amlregistry-eastus: started ${MAX_STARTS} times`));
  });

  it('a busy resource is looked at again after the poll interval, its start checking first; past the deadline the run fails ARM.LRO_DEADLINE', async () => {
    const h = new DurableHistory(handler, input(), V);
    await toWrites(h);
    const busy = { busy: 'registry is Updating', pollMs: 60_000, deadlineMs: 3 * 60_000 };
    h.complete(Activities.startPublicAccessOff, busy);
    // looked at again at +60 s and +120 s; at +180 s the deadline has come
    for (let i = 0; i < 2; i++) {
      const wait = await h.next();
      expect(names(wait)).toEqual(['timer']);
      expect(delayOf(h, wait)).toBe(60_000);
      h.fireTimer();
      const again = await h.next();
      expect(names(again)).toEqual([Activities.startPublicAccessOff]);
      expect(targetsOf(again)).toEqual(['registry']);
      h.complete(Activities.startPublicAccessOff, busy);
    }
    const wait = await h.next();
    h.fireTimer();
    expect(names(wait)).toEqual(['timer']);
    const publish = await h.next();
    const outcome = publish.scheduled[0]?.input as Outcome;
    expect(outcome.error?.code).toBe('ARM.LRO_DEADLINE');
    expect(outcome.error?.message).toMatch(/another operation still runs on the resource \(registry is Updating\)/);
  });

  it('an operation still running at its deadline fails the run ARM.LRO_DEADLINE, naming the write', async () => {
    const h = new DurableHistory(handler, input(), V);
    await toWrites(h);
    h.complete(Activities.startPublicAccessOff, started(handle('registryPut', REGISTRY_ID, { expectedMs: 60_000, deadlineMs: 3 * 60_000 })));
    await h.next();
    let e = await pollAnswer(h, () => ({ state: 'running', retryAfterMs: 60_000 }));
    e = await pollAnswer(h, () => ({ state: 'running', retryAfterMs: 60_000 }));
    e = await pollAnswer(h, () => ({ state: 'running', retryAfterMs: 60_000 }));
    expect(names(e)).toEqual([Activities.publishOutcome]);
    const outcome = e.scheduled[0]?.input as Outcome;
    expect(outcome.error?.code).toBe('ARM.LRO_DEADLINE');
    expect(outcome.error?.message).toContain(`PUT ${REGISTRY_ID} was still running after 3 minute(s) (LRO_DEADLINE_MINUTES)`);
  });

  it('the DNS names of kept endpoints come from the zone groups the plan read; the others from one expanded GET each; a retry reads them all', async () => {
    // every target has our endpoint with our zone group, its records read with the plan, except the ACR's, which is new
    const records = (i: number) => [{ fqdn: `name${i}.privatelink.example`, ip: `10.0.0.${i + 4}` }];
    const states: TargetState[] = freshStates().map((s, i) => (s.target.kind === 'acr' ? s : {
      ...s,
      publicNetworkAccess: 'Disabled',
      endpoints: [endpoint(s.target, `pe-reg1-${i}`, { zoneGroups: [{ name: 'default', zoneIds: [ZONES[s.target.kind === 'registry' ? 'amlregistry' : 'blob']], records: records(i) }] })],
    }));
    const h = new DurableHistory(handler, input({}, { dnsRetrySeconds: 30 }), V);
    const lockdown = await toWrites(h, states);
    expect(targetsOf(lockdown)).toEqual(['acr']);
    h.complete(Activities.startPublicAccessOff, { done: { changed: true } });
    const pe = await h.next();
    expect(names(pe)).toEqual([Activities.startPrivateEndpoint]);
    const plan = (pe.scheduled[0]?.input as { plan: EndpointPlan }).plan;
    h.complete(Activities.startPrivateEndpoint, { done: { ...endpoint(plan.target, plan.name), id: plan.endpointId, zoneGroups: [] } });
    await h.next();
    h.complete(Activities.startZoneGroup, { done: { changed: true } });
    const dns = await h.next();
    expect(names(dns)).toEqual([Activities.collectDnsExpectations]);
    expect(dns.scheduled[0]?.input).toEqual({ endpointIds: [plan.endpointId], nicFirst: true });
    const acrName: DnsExpectation = { fqdn: 'crreg1.privatelink.azurecr.io', expectedIp: '10.0.0.9', endpointId: plan.endpointId, kind: 'acr' };
    h.complete(Activities.collectDnsExpectations, [acrName]);
    const prove = await h.next();
    const sent = (prove.scheduled[0]?.input as { expectations: DnsExpectation[] }).expectations;
    // the storage names also in their public form (the proof's rule), none read again
    expect(sent.map((e) => e.fqdn)).toEqual(['crreg1.privatelink.azurecr.io', 'name0.privatelink.example', 'name1.example', 'name1.privatelink.example', 'name2.example', 'name2.privatelink.example']);
    // one name fails: the retry collects every endpoint's names again
    h.complete(Activities.proveDns, sent.map((e, i) => ({ ...e, ok: i !== 1, answered: [], chain: [] })));
    h.complete(Activities.checkDiscovery, { ok: true, regions: ['eastus', 'westeurope'], missingRegions: [] });
    const wait = await h.next();
    expect(names(wait)).toEqual(['timer']);
    h.fireTimer();
    const again = await h.next();
    expect(names(again)).toEqual(Array(4).fill(Activities.collectDnsExpectations));
    expect(again.scheduled.every((t) => (t.input as { nicFirst?: boolean }).nicFirst === true)).toBe(true);
  });

  it('a run started under 2.2 keeps its shape: inspectTargets reads the registry itself, writes wait inside their activities', async () => {
    const h = new DurableHistory(handler, input(), { version: '2.2' });
    await h.start();
    h.complete(Activities.readRegistry, readyReading({ managedGroupAccess: LISTED, registryState: { publicNetworkAccess: 'Enabled', endpointIds: [] } }));
    const inspect = await h.next();
    expect(inspect.scheduled[0]?.input).toEqual({ targets: TARGETS });
    h.complete(Activities.inspectTargets, { placement: PLACEMENT, states: freshStates() });
    const lockdown = await h.next();
    expect(names(lockdown)).toEqual([Activities.disablePublicAccess]);
  });
});
