/**
 * Host crashes: one world, registries started staggered, the local host stopped abruptly (and
 * restarted on the same state) again and again, until every boundary between the persisted
 * steps (episodes) of a reference run has been hit at least once, some of them with an activity
 * in flight. Every run must still end Hardened with exactly its endpoints, each with its zone
 * group, and public access Disabled.
 */
import { createRegistry, type World } from '../../local/world';
import { HistoryEventType } from '../../local/func-host/durable/history';
import { instanceIdFor } from '../../src/shared/instance-id';
import { currentRun, startRun, waitForRun, waitOutExemption } from '../helpers/world-helpers';
import { FAST, judge, RUN_TIMEOUT_MS, SIM_TIME_SCALE, startFaultWorld } from './fault-harness';
import { flushUnreported, record } from './summary';

const PER_BATCH = 4;
// the budget below bounds the loop; on a loaded machine 10 batches once missed two short episodes
const MAX_BATCHES = 25;
// generous: on a loaded 2-core machine a short episode is easy to miss; the loop ends as soon as every boundary is hit
const LOOP_BUDGET_MS = 150_000;

/**
 * How far a run got, from its persisted history: the episodes persisted so far (a crash can only
 * fall between two of them: an episode's events are saved at once), and whether an activity was
 * scheduled without an answer in the history yet (a crash then kills it, or loses its answer).
 */
function positionOf(world: World, registryId: string): { episodes: number; inFlight: boolean } {
  const runId = currentRun(world, registryId)?.instanceId;
  const history = (runId === undefined ? undefined : world.host.durable.engine.getRecord(runId)?.history) ?? [];
  const count = (type: HistoryEventType): number => history.filter((e) => e.EventType === type).length;
  return {
    episodes: count(HistoryEventType.OrchestratorCompleted),
    inFlight: count(HistoryEventType.TaskScheduled) > count(HistoryEventType.TaskCompleted) + count(HistoryEventType.TaskFailed),
  };
}

describe('crashes: the host is killed between every pair of persisted steps of a run, and mid-activity', () => {
  let world: World;
  beforeAll(async () => {
    world = await startFaultWorld('crashes');
  }, 90_000);
  afterAll(async () => {
    await world?.stop();
    flushUnreported();
  });

  it('every run ends Hardened with no duplicate and every boundary of a reference run is hit', async () => {
    // every registry lists the app in assignedIdentities from its creation, and the runs start once that
    // exemption holds: no run waits for access, so every run has the reference run's episodes
    const exempt = { regions: ['westeurope'], assignedIdentities: [world.sim.principal.oid] };
    const reference = await createRegistry(world.sim, world.user, { name: 'crref0x', ...exempt });
    await waitOutExemption(SIM_TIME_SCALE);
    startRun(world, reference, 'apply', FAST);
    const ref = await waitForRun(world, reference, { timeoutMs: RUN_TIMEOUT_MS });
    expect((await judge(world, 'crref0x', ref)).problems).toEqual([]);
    // a crash after the last episode finds the run already completed: boundaries 1..N-1 are the ones inside a run
    const boundaries = positionOf(world, reference).episodes - 1;
    expect(boundaries).toBeGreaterThan(5);

    const hits = new Map<number, number>();
    const hitsOf = new Map<string, number[]>();
    let midActivity = 0;
    let crashes = 0;
    const names: string[] = [];
    const running = (): string[] => names.filter((n) => {
      const s = world.host.durable.getStatus(instanceIdFor(idOf(n)))?.runtimeStatus;
      return s === undefined || s === 'Running' || s === 'Pending';
    });
    const idOf = (n: string): string => `/subscriptions/${world.sim.subscriptionId}/resourceGroups/rg-ml-demo/providers/Microsoft.MachineLearningServices/registries/${n}`;
    const uncovered = (): number[] => Array.from({ length: boundaries }, (_, i) => i + 1).filter((p) => !hits.has(p));

    // registries are created first, then started 100 ms apart while the runs are watched; the host is killed as soon as a
    // running one sits at a boundary not hit yet (polled every 15 ms), recording where each run was
    const deadline = Date.now() + LOOP_BUDGET_MS;
    for (let batch = 0; uncovered().length > 0 && batch < MAX_BATCHES && Date.now() < deadline; batch++) {
      const batchNames = Array.from({ length: PER_BATCH }, (_, i) => `crb${batch}${i}x`);
      for (const n of batchNames) await createRegistry(world.sim, world.user, { name: n, ...exempt });
      await waitOutExemption(SIM_TIME_SCALE);
      let lastStart = 0;
      while ((batchNames.length > 0 || running().length > 0) && uncovered().length > 0 && Date.now() < deadline) {
        if (batchNames.length > 0 && Date.now() - lastStart >= 100) {
          const n = batchNames.shift() as string;
          names.push(n);
          startRun(world, idOf(n), 'apply', FAST);
          lastStart = Date.now();
        }
        await new Promise((r) => setTimeout(r, 15));
        const open = new Set(uncovered());
        const at = running().map((n) => ({ n, ...positionOf(world, idOf(n)) }));
        if (!at.some((a) => open.has(a.episodes))) continue;
        for (const a of at) {
          hits.set(a.episodes, (hits.get(a.episodes) ?? 0) + 1);
          hitsOf.set(a.n, [...(hitsOf.get(a.n) ?? []), a.episodes]);
          if (a.inFlight) midActivity += 1;
        }
        await world.restartHost({ abrupt: true });
        crashes += 1;
      }
    }

    const problems: string[] = [];
    for (const n of names) {
      const run = await waitForRun(world, idOf(n), { timeoutMs: RUN_TIMEOUT_MS });
      const verdict = await judge(world, n, run);
      const stops = hitsOf.get(n) ?? [];
      record({ area: 'crashes', tried: `${n}: killed at boundaries ${stops.join(',') || '-'}`, held: verdict.problems.length === 0 && verdict.ended === 'Hardened', result: verdict.ended });
      if (verdict.ended !== 'Hardened') problems.push(`${n} ended ${verdict.ended}`);
      problems.push(...verdict.problems.map((p) => `${n}: ${p}`));
    }
    const missing = uncovered();
    record({
      area: 'crashes',
      tried: `coverage of ${boundaries} boundaries of a reference run`,
      held: missing.length === 0 && midActivity > 0,
      result: `${boundaries - missing.length}/${boundaries} covered by ${crashes} kills over ${names.length} runs, ${midActivity} mid-activity`,
    });
    expect(problems).toEqual([]);
    expect(missing).toEqual([]);
    expect(midActivity).toBeGreaterThan(0);
  }, 330_000);
});
