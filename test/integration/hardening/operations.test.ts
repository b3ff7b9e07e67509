/**
 * Long-running operations driven by the run (workflow 2.3), on the simulator through the local
 * host: the endpoints' operations are polled together in one activity call, as ARM's Retry-After
 * says, and a host restart while they run loses nothing. Asserted on the run's own history (its
 * timers, in the run's clock) and the simulator's request log (counts and order), never on
 * wall-clock time.
 *
 * The simulator answers every operation with `Retry-After: 2`; an endpoint takes 200 s of Azure
 * time (2 s real), and the app expects it after 1 s: so Retry-After decides every look.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HistoryEventType, type HistoryEvent } from '../../../local/func-host/durable/history';
import { createRegistry, expectedOperationSeconds, startWorld, type World } from '../../../local/world';
import { DEFAULT_HARDEN_OPTIONS } from '../../../src/hardening/domain/harden-input';
import type { OperationHandle } from '../../../src/hardening/domain/operations';
import { Activities } from '../../../src/shared/names';
import { appWrites, clearRequestLog, outcomeOf, requestLog, startRun, waitForRun, waitOutExemption, waitUntil } from '../../helpers/world-helpers';

const SIM_TIME_SCALE = 0.01;
const HOST_TIME_SCALE = 0.05;
const RETRY_AFTER_S = 2;
const LATENCY = { privateEndpointCreate: 200_000 };
const FAST = { ...DEFAULT_HARDEN_OPTIONS, approvalPollSeconds: 5, dnsRetrySeconds: 5, provisioningPollSeconds: 5, dnsDeadlineMinutes: 1 };

/** a run's own history (the apply lock at instanceIdFor(registryId) only calls it) */
const historyOf = (world: World, runId: string): HistoryEvent[] => world.host.durable.engine.getRecord(runId)?.history ?? [];
const inputOf = (e: HistoryEvent): unknown => (typeof e.Input === 'string' ? JSON.parse(e.Input) : e.Input);
const scheduled = (history: HistoryEvent[], name: string): HistoryEvent[] => history.filter((e) => e.EventType === HistoryEventType.TaskScheduled && e.Name === name);
const pathOf = (url: string): string => new URL(url).pathname;

describe('long-running operations driven by the run', () => {
  let world: World;

  beforeAll(async () => {
    world = await startWorld({
      stateDir: mkdtempSync(join(tmpdir(), 'operations-')),
      hostTimeScale: HOST_TIME_SCALE,
      simTimeScale: SIM_TIME_SCALE,
      sim: { throttling: false, lroRetryAfterSeconds: RETRY_AFTER_S, latencyMs: LATENCY },
      // later pairs win: the endpoints are expected after 1 s, long before they are done
      settings: { DNS_DEADLINE_MINUTES: '1', ARM_LRO_EXPECTED_SECONDS: `${expectedOperationSeconds(SIM_TIME_SCALE, HOST_TIME_SCALE, LATENCY)},endpointPut=1` },
    });
    const res = await fetch(`${world.sim.adminUrl}/eventgrid/subscriptions/registry-writes`, { method: 'DELETE' });
    if (!res.ok) throw new Error(`could not remove the registry-writes subscription: ${res.status}`);
  }, 90_000);
  afterAll(async () => {
    await world?.stop();
  });

  it('polls the endpoints\' operations in one call each time, first and again as Retry-After says', async () => {
    const id = await createRegistry(world.sim, world.user, { name: 'opsone', regions: ['westeurope'], assignedIdentities: [world.sim.principal.oid] });
    await waitOutExemption();
    await clearRequestLog(world);
    // endpoints first: the three endpoints start together (lockdown first, from 2.4, the registry's is made while storage and ACR wait, when they do)
    const runId = startRun(world, id, 'apply', { ...FAST, order: 'endpoints-first' });
    expect(outcomeOf(await waitForRun(world, id, { timeoutMs: 120_000 })).kind).toBe('Hardened');

    const history = historyOf(world, runId);
    const polls = scheduled(history, Activities.pollOperations).map((e) => ({ event: e, operations: (inputOf(e) as { operations: OperationHandle[] }).operations }));
    const endpointPolls = polls.filter((p) => p.operations.some((o) => o.kind === 'endpointPut'));
    // the three endpoints' operations together in one call, looked at more than once; a call asks about every one still running
    expect(endpointPolls.length).toBeGreaterThan(1);
    expect(endpointPolls[0]?.operations.map((o) => o.kind)).toEqual(['endpointPut', 'endpointPut', 'endpointPut']);
    const sizes = endpointPolls.map((p) => p.operations.length);
    expect(sizes).toEqual([...sizes].sort((a, b) => b - a));
    expect(sizes.filter((n) => n === 3).length).toBeGreaterThan(1);
    // one GET of an operation's URL per call that asked about it, nothing else polled it
    const log = await requestLog(world);
    for (const op of endpointPolls[0]?.operations ?? []) {
      const calls = endpointPolls.filter((p) => p.operations.some((o) => o.pollUrl === op.pollUrl)).length;
      expect(log.filter((r) => r.method === 'GET' && r.path === pathOf(op.pollUrl))).toHaveLength(calls);
    }

    // every wait between two looks at the endpoints, in the run's clock: Retry-After (2 s), which beats the 1 s expected
    const firstStart = history.findIndex((e) => e.EventType === HistoryEventType.TaskScheduled && e.Name === Activities.startPrivateEndpoint);
    const firstZone = history.findIndex((e) => e.EventType === HistoryEventType.TaskScheduled && e.Name === Activities.startZoneGroup);
    const waits: number[] = [];
    let episodeAt = 0;
    history.slice(firstStart, firstZone).forEach((e) => {
      if (e.EventType === HistoryEventType.OrchestratorStarted) episodeAt = Date.parse(e.Timestamp);
      if (e.EventType === HistoryEventType.TimerCreated) waits.push(Date.parse(String(e.FireAt)) - episodeAt);
    });
    expect(waits.length).toBe(endpointPolls.length);
    expect(waits.every((w) => w === RETRY_AFTER_S * 1000)).toBe(true);
  }, 180_000);

  it('a host restart while the endpoints\' operations run loses nothing: the run ends Hardened, each endpoint PUT once, no 409', async () => {
    const id = await createRegistry(world.sim, world.user, { name: 'opstwo', regions: ['westeurope'], assignedIdentities: [world.sim.principal.oid] });
    await waitOutExemption();
    await clearRequestLog(world);
    const runId = startRun(world, id, 'apply', FAST);
    // the endpoints are started and the run sleeps until their next look
    await waitUntil('the run waiting on its endpoints\' operations', () => {
      const history = historyOf(world, runId);
      const started = scheduled(history, Activities.startPrivateEndpoint).length === 3;
      const timers = history.filter((e) => e.EventType === HistoryEventType.TimerCreated).length;
      const fired = history.filter((e) => e.EventType === HistoryEventType.TimerFired).length;
      return started && scheduled(history, Activities.pollOperations).some((e) => JSON.stringify(inputOf(e)).includes('endpointPut')) && timers > fired ? true : undefined;
    }, 60_000);
    await world.restartHost({ abrupt: true });
    expect(outcomeOf(await waitForRun(world, id, { timeoutMs: 120_000 })).kind).toBe('Hardened');

    const writes = appWrites(await requestLog(world), world);
    const endpointPuts = writes.filter((w) => w.method === 'PUT' && /\/privateEndpoints\/[^/]+$/.test(w.path));
    expect(endpointPuts.map((w) => w.path.split('/').pop()).sort()).toEqual(['pe-opstwo-acr-westeurope', 'pe-opstwo-amlregistry-westeurope', 'pe-opstwo-blob-westeurope']);
    expect(writes.filter((w) => w.status === 409)).toEqual([]);
    expect(writes).toHaveLength(9);
  }, 180_000);
});
