/**
 * Event delivery under duplication, storms, foreign and malformed events: one run per registry,
 * no loop, and never a 5xx that would make Event Grid retry an event it should drop.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRegistry, DEMO_USER, startWorld, type World } from '../../local/world';
import { followUpIdFor, instanceIdFor } from '../../src/shared/instance-id';
import { adminGet, applyActive, appWrites, clearRequestLog, registryPath, requestLog, resources, runsOf, waitForRun, waitUntil } from '../helpers/world-helpers';
import { DEMO } from '../../local/world';
import { flushUnreported, record } from './summary';

const SETTLE_MS = 3_000;
/** where ARM puts the caller's object id in an event's claims */
const OBJECT_ID_CLAIM = 'http://schemas.microsoft.com/identity/claims/objectidentifier';

describe('events: duplicates, storms, foreign and malformed events', () => {
  let world: World;
  let webhook: string;
  /** every line the host wrote (the app's log included), as the logger received it */
  const hostLines: string[] = [];
  const capture = (line: string): void => {
    hostLines.push(line);
  };

  beforeAll(async () => {
    // an event-started run reads a 404 as "still being created" until PROVISIONING_DEADLINE_MINUTES (the
    // deleted-registry case waits that out before it ends NotFound)
    world = await startWorld({
      stateDir: mkdtempSync(join(tmpdir(), 'rel-events-')), hostTimeScale: 0.05, settings: { DNS_DEADLINE_MINUTES: '1', ARM_LRO_POLL_INTERVAL_MS: '2000', PROVISIONING_DEADLINE_MINUTES: '1' },
      hostLogger: { debug: capture, info: capture, warn: capture, error: capture },
    });
    webhook = `${world.host.baseUrl}/runtime/webhooks/eventgrid?functionName=onRegistryWrite&code=${encodeURIComponent(world.host.keys.systemKeys.eventgrid_extension ?? '')}`;
  }, 90_000);
  afterAll(async () => {
    await world?.stop();
    flushUnreported();
  });

  /** Every run publishes one outcome event; their number is the number of runs that ended. */
  async function outcomesFor(id: string): Promise<number> {
    const events = await adminGet<Array<{ subject: string }>>(world, '/eventgrid/topics/lockdown-outcomes/events');
    return events.filter((e) => e.subject.toLowerCase() === id.toLowerCase()).length;
  }

  /** Follow-ups of the registry that still wait (each will start one more run). */
  function waitingFollowUps(id: string): number {
    return world.host.durable.engine.list({ runtimeStatus: ['Running', 'Pending'] }).items
      .filter((s) => s.name === 'hardenFollowUp' && String((s.input as { registryId?: unknown } | null)?.registryId ?? '').toLowerCase() === id.toLowerCase()).length;
  }

  async function settledRuns(id: string): Promise<{ runs: number; later: number }> {
    await waitForRun(world, id, { timeoutMs: 60_000 });
    const runs = await waitUntil('the outcome event', async () => ((await outcomesFor(id)) > 0 ? outcomesFor(id) : undefined));
    await new Promise((r) => setTimeout(r, SETTLE_MS));
    return { runs, later: (await outcomesFor(id)) - runs + (applyActive(world, id) ? 1 : 0) + waitingFollowUps(id) };
  }

  function registryWrite(id: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
    return {
      id: randomUUID(), eventType: 'Microsoft.Resources.ResourceWriteSuccess', subject: id, eventTime: new Date().toISOString(), dataVersion: '', metadataVersion: '1',
      topic: `/subscriptions/${world.sim.subscriptionId}`,
      data: { operationName: 'Microsoft.MachineLearningServices/registries/write', status: 'Succeeded', resourceUri: id, subscriptionId: world.sim.subscriptionId },
      ...extra,
    };
  }

  async function deliver(body: string): Promise<number> {
    const res = await fetch(webhook, { method: 'POST', headers: { 'content-type': 'application/json', 'aeg-event-type': 'Notification' }, body });
    await res.arrayBuffer();
    return res.status;
  }

  it('the same event delivered 5 times starts one run, and the run does not trigger itself again', async () => {
    await fetch(`${world.sim.adminUrl}/eventgrid/subscriptions/registry-writes`, { method: 'DELETE' });
    const sub = await fetch(`${world.sim.adminUrl}/eventgrid/subscriptions`, {
      method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        name: 'registry-writes-x5', schema: 'EventGridSchema', duplicate: 5, endpoint: webhook,
        includedEventTypes: ['Microsoft.Resources.ResourceWriteSuccess'],
        advancedFilters: [{ operatorType: 'StringIn', key: 'data.operationName', values: ['Microsoft.MachineLearningServices/registries/write'] }],
      }),
    });
    expect(sub.ok).toBe(true);
    const id = await createRegistry(world.sim, world.user, { name: 'evdup', regions: ['westeurope'] });
    const { runs, later } = await settledRuns(id);
    const held = runs === 1 && later === 0;
    record({ area: 'events', tried: 'same event delivered 5×', held, result: `${runs} run, ${later} later` });
    expect({ runs, later }).toEqual({ runs: 1, later: 0 });
  });

  it('a storm of 50 events for one registry: one run, one follow-up after it (however many events came), every delivery acknowledged, no loop', async () => {
    // the first run's first storage read takes 3 s: the whole storm comes while it goes on
    const hold = await fetch(`${world.sim.adminUrl}/faults`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ method: 'GET', pathPattern: '/providers/Microsoft\\.Storage/storageAccounts/[^/]+$', count: 1, kind: 'slow', delayMs: 3000 }) });
    expect(hold.ok).toBe(true);
    const id = await createRegistry(world.sim, world.user, { name: 'evstorm', regions: ['westeurope'] });
    const statuses = await Promise.all(Array.from({ length: 50 }, () => deliver(JSON.stringify([registryWrite(id)]))));
    // the events came while the first run went on: one follow-up stands for all of them, and starts one more run
    await waitUntil('the runs and the follow-up to end', () => (runsOf(world, id).length > 0 && !applyActive(world, id) && waitingFollowUps(id) === 0 ? true : undefined), 90_000);
    await new Promise((r) => setTimeout(r, SETTLE_MS));
    const runs = runsOf(world, id);
    const followUps = world.host.durable.engine.list({}).items.filter((x) => x.name === 'hardenFollowUp' && runs.some((r) => x.instanceId === followUpIdFor(r.instanceId)));
    const second = (followUps[0]?.output as { state?: string; instanceId?: string } | null) ?? {};
    const later = (applyActive(world, id) ? 1 : 0) + waitingFollowUps(id);
    const bad = statuses.filter((s) => s >= 300);
    const held = runs.length === 2 && followUps.length === 1 && second.state === 'started' && later === 0 && bad.length === 0;
    record({ area: 'events', tried: 'storm of 50 events, one registry', held, result: `${runs.length} runs, ${followUps.length} follow-up (${second.state ?? '-'}), ${later} later${bad.length ? `, ${bad.length} non-2xx` : ''}` });
    expect(bad).toEqual([]);
    expect({ runs: runs.length, followUps: followUps.length, followUp: second.state, later }).toEqual({ runs: 2, followUps: 1, followUp: 'started', later: 0 });
    expect(runs.map((r) => r.instanceId)).toContain(second.instanceId);
  });

  describe('order, our own writes, deleted registries', () => {
    const outcomes = async (id: string): Promise<Array<{ data: { kind: string } }>> =>
      (await adminGet<Array<{ subject: string; data: { kind: string } }>>(world, '/eventgrid/topics/lockdown-outcomes/events')).filter((e) => e.subject.toLowerCase() === id.toLowerCase());
    const active = (id: string): boolean => applyActive(world, id) || waitingFollowUps(id) > 0;

    it('an older write event arriving after a newer one: one run at a time, no write, still Hardened', async () => {
      const id = await createRegistry(world.sim, world.user, { name: 'evorder', regions: ['westeurope'] });
      const first = await settledRuns(id);
      await clearRequestLog(world);
      const now = Date.now();
      const newer = await deliver(JSON.stringify([registryWrite(id, { eventTime: new Date(now).toISOString() })]));
      const overlapped = active(id);
      const older = await deliver(JSON.stringify([registryWrite(id, { eventTime: new Date(now - 3_600_000).toISOString() })]));
      await waitUntil('the runs to end', () => (active(id) ? undefined : true), 60_000);
      await new Promise((r) => setTimeout(r, SETTLE_MS));
      const writes = appWrites(await requestLog(world), world);
      const all = await outcomes(id);
      const last = all[all.length - 1]?.data.kind;
      const runs = all.length - first.runs;
      const held = newer < 300 && older < 300 && writes.length === 0 && last === 'Hardened' && runs >= 1 && runs <= 2 && !active(id);
      record({ area: 'events', tried: 'older write event after a newer one', held, result: `${runs} re-check run(s)${overlapped ? ' (the older found one running)' : ''}, ${writes.length} writes, last ${last ?? '-'}` });
      expect([newer, older].every((s) => s < 300)).toBe(true);
      expect(writes).toEqual([]);
      expect(last).toBe('Hardened');
      expect(runs).toBeGreaterThanOrEqual(1);
      expect(runs).toBeLessThanOrEqual(2);
    });

    it("the events of the app's own writes, delivered late, start no run at all", async () => {
      const id = await createRegistry(world.sim, world.user, { name: 'evown', regions: ['westeurope'] });
      const first = await settledRuns(id);
      // the registry write event ARM raised for the app's own PUT (public access off), with its claims
      const callerOf = (e: { data: { claims?: Record<string, string> } }): string | undefined => e.data.claims?.[OBJECT_ID_CLAIM];
      const system = await adminGet<Array<{ subject: string; eventType: string; data: { claims?: Record<string, string>; operationName?: string } }>>(world, '/eventgrid/events');
      const own = system.filter((e) => e.subject.toLowerCase() === id.toLowerCase() && e.eventType === 'Microsoft.Resources.ResourceWriteSuccess' && callerOf(e) === world.sim.principal.oid);
      expect(own.length).toBeGreaterThan(0);
      await clearRequestLog(world);
      const statuses: number[] = [];
      for (let round = 0; round < 3; round++) {
        statuses.push(await deliver(JSON.stringify(own.map((e) => ({ ...e, id: randomUUID() })))));
        await waitUntil('no active run', () => (active(id) ? undefined : true), 60_000);
      }
      await new Promise((r) => setTimeout(r, SETTLE_MS));
      const writes = appWrites(await requestLog(world), world);
      const later = (await outcomes(id)).length - first.runs;
      const ownAfter = (await adminGet<Array<{ subject: string; data: { claims?: Record<string, string> } }>>(world, '/eventgrid/events'))
        .filter((e) => e.subject.toLowerCase() === id.toLowerCase() && callerOf(e) === world.sim.principal.oid).length;
      // the same event with another caller's claims (a user, a different principal) still starts a run
      const userCaller = { ...own[0], id: randomUUID(), data: { ...own[0]?.data, claims: { ...own[0]?.data.claims, [OBJECT_ID_CLAIM]: randomUUID() } } };
      const userStatus = await deliver(JSON.stringify([userCaller]));
      const userRuns = await waitUntil('the user write\'s run', async () => ((await outcomes(id)).length > first.runs + later ? (await outcomes(id)).length - first.runs - later : undefined), 60_000);
      const held = statuses.every((s) => s < 300) && writes.length === 0 && ownAfter === own.length && later === 0 && userStatus < 300 && userRuns === 1;
      record({ area: 'events', tried: "own write's event redelivered 3×", held, result: `${later} run(s) from own events, ${writes.length} writes, ${ownAfter - own.length} new own events; a user's write: ${userRuns} run` });
      expect(statuses.every((s) => s < 300)).toBe(true);
      expect(writes).toEqual([]);
      expect(ownAfter).toBe(own.length);
      expect(later).toBe(0);
      expect(userStatus).toBeLessThan(300);
      expect(userRuns).toBe(1);
    });

    it('events for a registry deleted meanwhile: the run ends NotFound, no error storm, nothing written', async () => {
      const id = await createRegistry(world.sim, world.user, { name: 'evgone', regions: ['westeurope'] });
      const first = await settledRuns(id);
      const token = await world.user.getToken('https://management.azure.com/.default');
      const del = await fetch(`${world.sim.armEndpoint}${id}?api-version=2025-12-01`, { method: 'DELETE', headers: { authorization: `Bearer ${token?.token ?? ''}` } });
      expect(del.status).toBeLessThan(300);
      await waitUntil('the registry to be gone', async () => ((await resourcesNamed('evgone')) === 0 ? true : undefined), 30_000);
      await clearRequestLog(world);
      const statuses = await Promise.all(Array.from({ length: 10 }, () => deliver(JSON.stringify([registryWrite(id)]))));
      await waitUntil('the runs to end', () => (active(id) ? undefined : true), 60_000);
      await new Promise((r) => setTimeout(r, SETTLE_MS));
      const status = world.host.durable.getStatus(instanceIdFor(id));
      const writes = appWrites(await requestLog(world), world);
      const errors = (await requestLog(world)).filter((r) => r.principal === world.sim.principal.oid && r.status >= 500);
      const later = (await outcomes(id)).slice(first.runs);
      const kinds = [...new Set(later.map((e) => e.data.kind))];
      const held = statuses.every((s) => s < 300) && status?.runtimeStatus === 'Completed' && (status.output as { kind?: string }).kind === 'NotFound' &&
        writes.length === 0 && errors.length === 0 && later.length >= 1 && later.length <= 2 && kinds.join() === 'NotFound';
      record({ area: 'events', tried: '10 events for a deleted registry', held, result: `${later.length} run(s) ${kinds.join('/') || '-'}, ${writes.length} writes, ${errors.length} 5xx` });
      expect(statuses.every((s) => s < 300)).toBe(true);
      expect(status?.runtimeStatus).toBe('Completed');
      expect(status?.output).toMatchObject({ kind: 'NotFound' });
      expect(writes).toEqual([]);
      expect(errors).toEqual([]);
      expect(kinds).toEqual(['NotFound']);
      expect(later.length).toBeLessThanOrEqual(2);
    });

    async function resourcesNamed(name: string): Promise<number> {
      return (await resources(world, 'Microsoft.MachineLearningServices/registries')).filter((r) => r.name === name).length;
    }
  });

  it('event fields go into the log escaped and cut: a newline forges no second line, 100 KB make no 100 KB line', async () => {
    const id = registryPath(world, DEMO.rg, 'evlog');
    const from = hostLines.length;
    const forged = registryWrite(id, { eventType: 'Microsoft.Resources.ResourceWriteSuccess\nonRegistryWrite [Function] started hardening FORGED' });
    const huge = registryWrite(id, { data: { operationName: `Microsoft.Evil/${'o'.repeat(100_000)}`, status: 'Succeeded' } });
    const bigId = { ...registryWrite(id, { data: { operationName: 'Microsoft.Storage/storageAccounts/write' } }), id: `id-${'i'.repeat(100_000)}\r\u2028x` };
    expect(await deliver(JSON.stringify([forged, huge, bigId]))).toBeLessThan(300);
    const lines = await waitUntil('the three log lines', () => {
      const got = hostLines.slice(from).filter((l) => l.includes('ignored event'));
      return got.length >= 3 ? got : undefined;
    });
    const mine = hostLines.slice(from).filter((l) => l.startsWith('onRegistryWrite '));
    const held = mine.every((l) => !/[\n\r\u2028\u2029]/.test(l) && l.length < 2048) && lines.some((l) => l.includes('\\nonRegistryWrite [Function] started hardening FORGED'));
    record({ area: 'events', tried: 'newline in eventType, 100 KB operationName and id', held, result: `${mine.length} lines, longest ${Math.max(...mine.map((l) => l.length))} chars` });
    expect(mine.filter((l) => /[\n\r\u2028\u2029]/.test(l))).toEqual([]);
    expect(Math.max(...mine.map((l) => l.length))).toBeLessThan(2048);
    expect(lines.some((l) => l.includes('\\nonRegistryWrite [Function] started hardening FORGED'))).toBe(true);
  });

  it("a run started by the registry's write event records who wrote it: in its input, its log lines and its outcome event", async () => {
    const from = hostLines.length;
    // the demo user creates the registry: ARM's event carries their claims
    const id = await createRegistry(world.sim, world.user, { name: 'evwho', regions: ['westeurope'] });
    const run = await waitForRun(world, id, { timeoutMs: 60_000 });
    const outcome = await waitUntil('the outcome event', async () => (await adminGet<Array<{ subject: string; data: Record<string, unknown> }>>(world, '/eventgrid/topics/lockdown-outcomes/events')).find((e) => e.subject.toLowerCase() === id.toLowerCase()));
    const writer = { kind: 'user', objectId: DEMO_USER.oid, upn: DEMO_USER.upn, appId: DEMO_USER.appid, roles: [] };
    const label = `${DEMO_USER.upn} (oid ${DEMO_USER.oid})`;
    const lines = hostLines.slice(from);
    const triggerLine = lines.find((l) => l.startsWith('onRegistryWrite ') && l.includes('"action":"started"') && l.includes(id));
    const runLines = lines.filter((l) => l.startsWith('hardenRegistry ') && l.includes(label));
    const held = (run.input as { caller?: unknown }).caller !== undefined && outcome.data.caller !== undefined && triggerLine?.includes(`"objectId":"${DEMO_USER.oid}"`) === true && runLines.length > 0;
    record({ area: 'events', tried: "an event-started run names the registry's writer", held, result: `input ${JSON.stringify((run.input as { caller?: unknown }).caller ?? null)}, ${runLines.length} run lines` });
    expect(run.input).toMatchObject({ trigger: 'eventgrid', caller: writer });
    expect(outcome.data).toMatchObject({ kind: 'Hardened', caller: writer });
    expect(triggerLine).toContain(`"caller":{"objectId":"${DEMO_USER.oid}","upn":"${DEMO_USER.upn}","appId":"${DEMO_USER.appid}","roles":[]}`);
    expect(runLines.length).toBeGreaterThan(0);
  });

  describe('events that must not start anything', () => {
    const sub = (): string => world.sim.subscriptionId;
    const rgId = (): string => `/subscriptions/${sub()}/resourceGroups/${DEMO.rg}`;
    const cases: Array<[string, () => string]> = [
      ['storage account write', () => JSON.stringify([registryWrite(`${rgId()}/providers/Microsoft.Storage/storageAccounts/evsa1`, { data: { operationName: 'Microsoft.Storage/storageAccounts/write', status: 'Succeeded' } })])],
      ['workspace write', () => JSON.stringify([registryWrite(`${rgId()}/providers/Microsoft.MachineLearningServices/workspaces/evws1`, { data: { operationName: 'Microsoft.MachineLearningServices/workspaces/write', status: 'Succeeded' } })])],
      ['registry delete event', () => JSON.stringify([registryWrite(registryPath(world, DEMO.rg, 'evdel'), { eventType: 'Microsoft.Resources.ResourceDeleteSuccess' })])],
      ['registry write that failed', () => JSON.stringify([registryWrite(registryPath(world, DEMO.rg, 'evfail'), { data: { operationName: 'Microsoft.MachineLearningServices/registries/write', status: 'Failed' } })])],
      ['other provider posing as a registry', () => JSON.stringify([registryWrite(`${rgId()}/providers/Microsoft.Evil/registries/evil1`)])],
      ['subject with path traversal', () => JSON.stringify([registryWrite(`${registryPath(world, DEMO.rg, 'evtrav')}/../../../../providers/Microsoft.Storage/storageAccounts/x`)])],
      ['subject with a query and fragment', () => JSON.stringify([registryWrite(`${registryPath(world, DEMO.rg, 'evq')}?api-version=1#x`)])],
      ['subject not an ARM id', () => JSON.stringify([registryWrite('https://evil.example.com/registries/evurl')])],
      ['subject of 100 000 characters', () => JSON.stringify([registryWrite(`${registryPath(world, DEMO.rg, 'evlong')}${'a'.repeat(100_000)}`)])],
      ['event without id', () => JSON.stringify([{ ...registryWrite(registryPath(world, DEMO.rg, 'evnoid')), id: undefined }])],
      ['event without data', () => JSON.stringify([{ ...registryWrite(registryPath(world, DEMO.rg, 'evnodata')), data: 'x' }])],
      ['event without eventType', () => JSON.stringify([{ ...registryWrite(registryPath(world, DEMO.rg, 'evnotype')), eventType: 42 }])],
      ['null, number and array events', () => JSON.stringify([null, 7, ['x'], 'str'])],
      ['an empty array', () => '[]'],
      ['a single object instead of an array', () => JSON.stringify({ nothing: true })],
      ['not JSON at all', () => '{"eventType": "Microsoft.Resources.ResourceWriteSuccess", '],
      ['deeply nested JSON', () => `${'['.repeat(5000)}${']'.repeat(5000)}`],
      ['a body of 2 MiB', () => JSON.stringify([registryWrite(registryPath(world, DEMO.rg, 'evbig'), { pad: 'x'.repeat(2 * 1024 * 1024) })])],
    ];

    it.each(cases)('%s: acknowledged or rejected with a 4xx, never a 5xx, nothing written in ARM', async (tried, body) => {
      await waitUntil('no active run', async () => {
        for (const name of ['evdup', 'evstorm', 'evorder', 'evown', 'evgone', 'evwho']) {
          const s = world.host.durable.getStatus(instanceIdFor(registryPath(world, DEMO.rg, name)))?.runtimeStatus;
          if (s === 'Running' || s === 'Pending') return undefined;
        }
        return true;
      });
      await clearRequestLog(world);
      const status = await deliver(body());
      await new Promise((r) => setTimeout(r, 300));
      const writes = appWrites(await requestLog(world), world);
      const held = status < 500 && writes.length === 0;
      record({ area: 'events', tried, held, result: writes.length ? `${status}, ${writes.length} ARM writes` : String(status) });
      expect(status).toBeLessThan(500);
      expect(writes).toEqual([]);
    });
  });
});
