import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HistoryEventType, type HistoryEvent } from '../../../local/func-host/durable/history';
import { createRegistry, startWorld, type World } from '../../../local/world';
import { FIRST_ACCESS_WAIT_SECONDS } from '../../../src/hardening/run-waits.workflow';
import { clearRequestLog, outcomeOf, requestLog, waitForRun } from '../../helpers/world-helpers';

/**
 * The wait for the managed group's exemption, on the strict default: durable timers of 5 s, then
 * twice as long each time (at most accessPollSeconds, 30 s), each firing at its time — not a
 * burst of calls. (Under jest the local host once armed every timer at once: the worker's answer
 * reached it as an object whose fireAt Date came from another realm; it now goes through JSON, as
 * a worker's answer does.) From workflow 2.4 one of the refused calls looks again for both. From workflow 2.3 the run also sleeps on timers to poll its
 * long-running operations: the access waits are the timers that follow a refused ("waiting") answer.
 */
/** The durations of the timers the run armed right after an activity answered "waiting" (access refused, maybe still propagating). */
function accessWaits(history: HistoryEvent[]): number[] {
  const waits: number[] = [];
  let refused = false;
  for (const e of history) {
    if (e.EventType === HistoryEventType.TaskCompleted && /"waiting"\s*:/.test(String(e.Result ?? ''))) refused = true;
    // an activity scheduled in between: work done meanwhile (2.4), whose timers are its own
    if (e.EventType === HistoryEventType.TaskScheduled) refused = false;
    if (e.EventType !== HistoryEventType.TimerCreated) continue;
    if (refused) waits.push(Date.parse(String(e.FireAt)) - Date.parse(e.Timestamp));
    refused = false;
  }
  return waits;
}

describe('waiting for the exemption to take effect', () => {
  let world: World;
  beforeAll(async () => {
    world = await startWorld({ stateDir: mkdtempSync(join(tmpdir(), 'access-wait-')), hostTimeScale: 0.05 });
  }, 90_000);
  afterAll(async () => {
    await world?.stop();
  });

  it('looks again after 5, 10, 20, 30 s… (the first wait filled with the registry\'s endpoint), with one refused PATCH per look (storage and ACR wait on one exemption)', async () => {
    await clearRequestLog(world);
    const id = await createRegistry(world.sim, world.user, { name: 'waitreg', regions: ['westeurope'] });
    const run = await waitForRun(world, id, { timeoutMs: 90_000 });
    expect(outcomeOf(run).kind).toBe('Hardened');
    // the run's own history (the apply lock at instanceIdFor(id) only calls it)
    const history = world.host.durable.engine.getRecord(run.instanceId)?.history ?? [];
    const timers = accessWaits(history);
    expect(timers.length).toBeGreaterThan(0);
    // the first look (after 5 s) needed no timer: the endpoint to the registry and its zone group,
    // made meanwhile (2.4), took longer; the later waits double from there
    expect(timers).toEqual(timers.map((_, i) => Math.min(30, FIRST_ACCESS_WAIT_SECONDS * 2 ** (i + 1)) * 1000));
    const fired = history.filter((e) => e.EventType === HistoryEventType.TimerFired);
    for (const f of fired) expect(Date.parse(f.Timestamp)).toBeGreaterThanOrEqual(Date.parse(String((f as { FireAt?: string }).FireAt)));
    // storage and ACR: both refused at the first try; from 2.4 only one of them (the canary) looks
    // again, refused at each look but the last, and the other follows it once it is let through
    const refused = (await requestLog(world)).filter((r) => r.status === 403 && r.method === 'PATCH');
    // (the looks: one after the work done meanwhile, then one per timer)
    expect(refused).toHaveLength(2 + timers.length + 1 - 1);
    const log = await requestLog(world);
    const patched = log.filter((r) => r.method === 'PATCH' && r.status < 300);
    expect(patched).toHaveLength(2);
    // 2.4: the endpoint to the registry (outside the managed group) was not held back by the wait:
    // its PUT went out before storage or ACR was let through, the other endpoints' after
    const put = (pattern: RegExp): number => log.findIndex((r) => r.method === 'PUT' && pattern.test(r.path));
    const firstLetThrough = log.findIndex((r) => r.method === 'PATCH' && r.status < 300);
    expect(put(/\/privateEndpoints\/[^/]*amlregistry[^/]*$/)).toBeGreaterThanOrEqual(0);
    expect(put(/\/privateEndpoints\/[^/]*amlregistry[^/]*$/)).toBeLessThan(firstLetThrough);
    expect(put(/\/privateEndpoints\/[^/]*blob[^/]*$/)).toBeGreaterThan(firstLetThrough);
  }, 120_000);
});
