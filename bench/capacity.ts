/**
 * Section 5: the simulator's own capacity, throttling off — GETs and PUTs answered per second by
 * a fresh simulator, the load coming from a worker thread over keep-alive https. The simulator
 * must never be what limits the other sections. Two figures per kind: what was answered per
 * second of wall time (bounded by the client and by whatever else the machine runs), and per
 * second the simulator's event loop was busy (its capacity on one core of its own).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance, type EventLoopUtilization } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';
import { loadOrCreateDevCa } from '../local/azure-sim/ca';
import { DEFAULT_DEV_CA_DIR } from '../local/azure-sim/dev-ca';
import { startAzureSim, type AzureSim } from '../local/azure-sim/server';
import { userCredential } from '../local/world';
import type { LoadJob, LoadResult } from './capacity-load';
import type { BenchRow } from './report';

const API = 'api-version=2025-04-01';
const CONCURRENCY = 16;
const RESOURCE_GROUPS = 50;

interface Rate {
  /** answered per second of the window */
  wall: number;
  /** answered per second the simulator's event loop was busy in the window */
  busy: number;
}

/** Runs one load in a worker; the simulator's event-loop utilisation is taken over the measured window. */
function load(job: LoadJob): Promise<LoadResult & { busyMs: number }> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(join(__dirname, 'capacity-load.js'), { workerData: job });
    let windowStart: EventLoopUtilization | undefined;
    worker.on('message', (m: LoadResult | { type: 'window' }) => {
      if (m.type === 'window') windowStart = performance.eventLoopUtilization();
      else resolve({ ...m, busyMs: windowStart ? performance.eventLoopUtilization(windowStart).active : Number.NaN });
    });
    worker.once('error', reject);
    worker.once('exit', (code) => { if (code !== 0) reject(new Error(`the load worker exited with ${code}`)); });
  });
}

async function rate(sim: AzureSim, token: string, kind: 'GET' | 'PUT', durationMs: number): Promise<Rate> {
  const rg = (i: number) => `/subscriptions/${sim.subscriptionId}/resourceGroups/rg-capacity-${i}?${API}`;
  const paths = Array.from({ length: RESOURCE_GROUPS }, (_, i) => rg(i));
  const result = await load({
    armEndpoint: sim.armEndpoint, caCertPem: sim.caCertPem, token, method: kind, paths,
    ...(kind === 'PUT' ? { body: JSON.stringify({ location: 'westeurope', tags: { bench: 'capacity' } }) } : {}),
    concurrency: CONCURRENCY, warmupMs: 300, durationMs,
  });
  const failed = Object.entries(result.failures);
  if (failed.length > 0) throw new Error(`simulator capacity, ${kind}: answers other than 200/201 with throttling off: ${failed.map(([s, n]) => `${n}× ${s}`).join(', ')}`);
  return { wall: Math.round(result.answered / (result.elapsedMs / 1000)), busy: Math.round(result.answered / (result.busyMs / 1000)) };
}

export async function measureCapacity(options: { repeat: number; quick: boolean; log: (line: string) => void }): Promise<BenchRow[]> {
  const stateDir = mkdtempSync(join(tmpdir(), 'bench-capacity-'));
  const sim = await startAzureSim({ ca: loadOrCreateDevCa(DEFAULT_DEV_CA_DIR), stateDir, throttling: false, dns: false });
  const durationMs = options.quick ? 1500 : 3000;
  const gets: Rate[] = [];
  const puts: Rate[] = [];
  try {
    const token = (await userCredential(sim).getToken('https://management.azure.com/.default'))?.token ?? '';
    // the resource groups the GETs read, and a warm-up of both paths (the JIT), not measured
    await rate(sim, token, 'PUT', 1000);
    await rate(sim, token, 'GET', 1000);
    for (let rep = 0; rep < options.repeat; rep++) {
      gets.push(await rate(sim, token, 'GET', durationMs));
      puts.push(await rate(sim, token, 'PUT', durationMs));
      const [g, p] = [gets.at(-1) as Rate, puts.at(-1) as Rate];
      options.log(`  #${rep + 1}: ${g.wall} GET/s (${g.busy} per busy second), ${p.wall} PUT/s (${p.busy} per busy second)`);
    }
  } finally {
    await sim.stop();
    rmSync(stateDir, { recursive: true, force: true });
  }
  const note = `a fresh simulator with throttling off; ${CONCURRENCY} concurrent keep-alive https clients in a worker thread, ${durationMs / 1000} s per sample after a warm-up; ` +
    `GET and PUT (synchronous, raises a ResourceWriteSuccess event) of ${RESOURCE_GROUPS} resource groups; every answer must be 200/201\n` +
    `"answered": per second of wall time, shared with the client and the rest of the machine; "per busy second": answered ÷ time the simulator's event loop was busy (performance.eventLoopUtilization), i.e. its capacity on a core of its own`;
  const row = (kind: 'GET' | 'PUT', what: 'answered' | 'per busy second', samples: number[]): BenchRow => ({
    section: '5', metric: `simulator ${kind}/s, ${what}`, unit: 'req/s', samples, referenceLabel: 'target', reference: kind === 'GET' ? 1000 : 300, goal: '≥ 1×', note,
  });
  return [
    row('GET', 'answered', gets.map((r) => r.wall)),
    row('GET', 'per busy second', gets.map((r) => r.busy)),
    row('PUT', 'answered', puts.map((r) => r.wall)),
    row('PUT', 'per busy second', puts.map((r) => r.busy)),
  ];
}
