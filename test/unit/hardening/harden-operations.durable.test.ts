jest.mock('@azure/functions-core', () => jest.requireActual('../../helpers/functions-core-mock').createFunctionsCoreMock(), { virtual: true });

import * as df from 'durable-functions';
import type { DnsExpectation, EndpointInfo, EndpointPlan, Outcome, Target, TargetState } from '../../../src/hardening/domain/hardening';
import type { OperationHandle, OperationKind, OperationPoll } from '../../../src/hardening/domain/operations';
import { hardenRegistryOrchestrator } from '../../../src/hardening/harden.durable';
import { MAX_STARTS } from '../../../src/hardening/operations.workflow';
import { Activities, Orchestrators } from '../../../src/shared/names';
import { WORKFLOW_VERSION } from '../../../src/shared/version';
import { DurableHistory, registeredOrchestration, type Episode, type OrchestrationTriggerHandler } from '../../helpers/durable-history';
import type { FunctionsCoreMock } from '../../helpers/functions-core-mock';
import { endpoint, freshStates, input, PLACEMENT, readyReading, REGISTRY_ID, TARGETS, ZONES } from '../../helpers/hardening-fixtures';

/**
 * Workflow 2.4: writes answered at once, their long-running operations driven by the run
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
const targetsOf = (e: Episode): string[] => e.scheduled.map((t) => (t.input as { target: Target }).target.kind);

function handle(kind: OperationKind, resourceId: string, extra: Partial<OperationHandle> = {}): OperationHandle {
  return { kind, resourceId, pollUrl: `https://management.azure.com/operations/${kind}-${resourceId.split('/').pop() ?? ''}`, via: 'azure-async-operation', expectedMs: 30_000, pollMs: 2_000, deadlineMs: 10 * 60_000, ...extra };
}

const started = (h: OperationHandle, pending: unknown = { changed: true }) => ({ started: h, pending });
const delayOf = (h: DurableHistory, e: Episode): number => Date.parse(e.scheduled.find((t) => t.type === 'timer')?.fireAt ?? '') - h.now.getTime();
const polled = (e: Episode): OperationHandle[] => (e.scheduled.find((t) => t.name === Activities.pollOperations)?.input as { operations: OperationHandle[] } | undefined)?.operations ?? [];

/** start → readRegistry (with the registry's state) → inspectTargets; answers the episode after the plan. */
async function toWrites(h: DurableHistory, states: TargetState[] = freshStates()): Promise<Episode> {
  await h.start();
  h.complete(Activities.readRegistry, readyReading({ managedGroupAccess: LISTED, registryState: { publicNetworkAccess: 'Enabled', endpointIds: [] } }));
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
    const next = await pollAnswer(h, (op) => (n++ === 1 ? { state: 'succeeded' } : { state: 'running', retryAfterMs: 10_000 }));
    expect(delayOf(h, next)).toBe(10_000);
    h.fireTimer();
    const poll = await h.next();
    expect(polled(poll)).toHaveLength(3);
    h.complete(Activities.pollOperations, polled(poll).map((): OperationPoll => ({ state: 'succeeded' })));
    const zones = await h.next();
    expect(names(zones)).toEqual(Array(4).fill(Activities.startZoneGroup));
  });
});
