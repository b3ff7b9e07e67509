/**
 * Section 4, overhead: CPU per orchestrator episode and per activity in the local host (the
 * engine's opt-in metrics probe) and the orchestrator's replay cost as its history grows. The
 * package's size and cold load are section 6 (bench/package.ts).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { EngineMetrics } from '../local/func-host/durable/engine';
import { createRegistry, startWorld } from '../local/world';
import { outcomeOf, waitForRun } from '../test/helpers/world-helpers';
import { BENCH_HOST_LOG, median, type BenchRow } from './report';

const TIME_SCALE = 0.01;

interface Episode {
  historyLength: number;
  cpuMicros: number;
}

interface RunCost {
  episodes: Episode[];
  activities: { name: string; cpuMicros: number; wallMs: number }[];
}

/** Least-squares slope of y over x (µs per history event). */
export function slope(points: readonly { x: number; y: number }[]): number {
  const n = points.length;
  if (n < 2) return 0;
  const mx = points.reduce((a, p) => a + p.x, 0) / n;
  const my = points.reduce((a, p) => a + p.y, 0) / n;
  const sxx = points.reduce((a, p) => a + (p.x - mx) ** 2, 0);
  return sxx === 0 ? 0 : points.reduce((a, p) => a + (p.x - mx) * (p.y - my), 0) / sxx;
}

/** Hardens registries one at a time (nothing else runs in the process) with the engine's probe on. */
async function measureRuns(count: number): Promise<RunCost[]> {
  const stateDir = mkdtempSync(join(tmpdir(), 'bench-overhead-'));
  const world = await startWorld({ stateDir, hostLogger: BENCH_HOST_LOG, simTimeScale: TIME_SCALE, hostTimeScale: TIME_SCALE, sim: { throttling: false }, settings: { ARM_LRO_POLL_INTERVAL_MS: '2000', ARM_LRO_EXPECTED_SECONDS: '' } });
  const runs: RunCost[] = [];
  try {
    for (let i = 0; i < count; i++) {
      const cost: RunCost = { episodes: [], activities: [] };
      const metrics: EngineMetrics = {
        episode: (m) => {
          if (m.name === 'hardenRegistry') cost.episodes.push({ historyLength: m.historyLength, cpuMicros: m.cpuMicros });
        },
        activity: (m) => cost.activities.push({ name: m.name, cpuMicros: m.cpuMicros, wallMs: m.wallMs }),
      };
      world.host.durable.engine.metrics = metrics;
      const id = await createRegistry(world.sim, world.user, { name: `overhead${i}`, regions: ['westeurope'] });
      const outcome = outcomeOf(await waitForRun(world, id, { timeoutMs: 120_000 }));
      if (outcome.kind !== 'Hardened') throw new Error(`overhead${i}: the run ended ${outcome.kind}`);
      world.host.durable.engine.metrics = undefined;
      // the first run warms the process up (JIT, SDK modules): it is not a sample
      if (i > 0 || count === 1) runs.push(cost);
    }
  } finally {
    await world.stop();
    rmSync(stateDir, { recursive: true, force: true });
  }
  return runs;
}

const round = (v: number, digits = 1): number => Math.round(v * 10 ** digits) / 10 ** digits;

export async function measureOverhead(options: { repeat: number; quick: boolean }): Promise<BenchRow[]> {
  const runs = await measureRuns(Math.max(2, options.repeat + 1));
  const perRun = runs.map((r) => {
    const eps = [...r.episodes].sort((a, b) => a.historyLength - b.historyLength);
    const first = eps[0];
    const last = eps[eps.length - 1];
    return {
      episodes: eps.length,
      history: last?.historyLength ?? 0,
      episodeCpu: median(eps.map((e) => e.cpuMicros)),
      firstCpu: first?.cpuMicros ?? 0,
      lastCpu: last?.cpuMicros ?? 0,
      perEvent: slope(eps.map((e) => ({ x: e.historyLength, y: e.cpuMicros }))),
      activityCpu: median(r.activities.map((a) => a.cpuMicros)),
      activityWall: median(r.activities.map((a) => a.wallMs)),
      activities: r.activities.length,
    };
  });
  const shape = perRun[0];
  const probe = 'CPU = process.cpuUsage() around each invocation in the local host (user + system, whole process: concurrent activities of the same run are counted too); one-region registries hardened one at a time, the first run (warm-up) dropped';
  return [
    { section: '4', metric: 'CPU per orchestrator episode (median of a run)', unit: 'µs', samples: perRun.map((r) => Math.round(r.episodeCpu)), note: `${probe}; a run has ${shape?.episodes ?? 0} episodes and ${shape?.activities ?? 0} activities, its history ends at ${shape?.history ?? 0} events` },
    { section: '4', metric: 'CPU per activity (median of a run)', unit: 'µs', samples: perRun.map((r) => Math.round(r.activityCpu)) },
    { section: '4', metric: 'wall time per activity (median of a run, simulated LROs at time scale 0.01)', unit: 'ms', samples: perRun.map((r) => round(r.activityWall)) },
    { section: '4', metric: 'replay: CPU of the last episode', unit: 'µs', samples: perRun.map((r) => Math.round(r.lastCpu)), referenceLabel: 'first episode', reference: Math.round(median(perRun.map((r) => r.firstCpu))), note: 'replay cost: each episode replays the whole history; first episode (history of 2 events) vs last (the longest history)' },
    { section: '4', metric: 'replay: CPU per history event (least-squares slope over episodes 1..N)', unit: 'µs', samples: perRun.map((r) => round(r.perEvent)) },
  ];
}
