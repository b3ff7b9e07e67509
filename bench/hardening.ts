/**
 * Sections 1 (exposure window) and 2 (ARM calls per registry): real hardening runs in the sandbox
 * world — the simulator and the app in the local Functions host, both at one time scale. Section 1
 * starts runs the production way, by the registry's creation event; section 2 over the HTTP API
 * once the registry's exemption holds. Everything is measured on the simulator's side: Event
 * Grid's system events (event times) and the ARM request log.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LatencyKind } from '../local/azure-sim/arm/lro';
import type { EventGridEvent } from '../local/azure-sim/eventgrid/schema';
import { eventOid, operationOf } from './events';
import { createRegistry, startWorld, type World } from '../local/world';
import { adminGet, appReads, appWrites, clearRequestLog, lastRunCreated, outcomeOf, requestLog, waitForRun, waitOutExemption, type RequestLogEntry } from '../test/helpers/world-helpers';
import { exposureCriticalPath, minimumWrites, policyExposure, publicAccessWrites, type LockdownOrder, type PlanShape } from './critical-path';
import { BENCH_HOST_LOG, median, type BenchRow } from './report';

export interface HardeningBenchOptions {
  repeat: number;
  /** simulator and host time scale: simulated durations × timeScale = real durations */
  timeScale: number;
  /** section 1: both orders, 1 and 3 regions */
  exposure: boolean;
  /** section 2: lockdown-first, fresh (1 and 3 regions) and a re-run, against the read goals */
  armCalls: boolean;
  log: (line: string) => void;
}

const REGIONS = ['westeurope', 'northeurope', 'francecentral'];
const REGISTRY_WRITE = 'Microsoft.MachineLearningServices/registries/write';
/** the operations that turn public access off: registry PUT, storage PATCH, ACR PATCH */
const PUBLIC_ACCESS_WRITES = new Set([REGISTRY_WRITE, 'Microsoft.Storage/storageAccounts/write', 'Microsoft.ContainerRegistry/registries/write']);
/** LRO status and result URLs of the simulated providers (Network, private DNS, ML, ACR, Storage) */
const LRO_POLL = /\/(operations|operationResults|privateDnsOperationStatuses|privateDnsOperationResults|mfeOperationsStatus|mfeOperationResults|operationStatuses|asyncoperations)\/[^/]+$/i;
/** SDK default LRO poll interval (ms) when ARM sends no Retry-After: the run's timers, on the host's (scaled) clock */
const SDK_POLL_MS = 2000;
/**
 * The app's settings in the bench worlds: production's polling (the run's durable timers run on
 * the host's clock, scaled like the simulator's) and the default expected durations, which are the
 * latency model's figures (ARM_LRO_EXPECTED_SECONDS empty: the defaults).
 */
const BENCH_LRO_SETTINGS = { ARM_LRO_POLL_INTERVAL_MS: String(SDK_POLL_MS), ARM_LRO_EXPECTED_SECONDS: '' };
const RUN_TIMEOUT_MS = 120_000;
type ModelKinds = Record<LatencyKind, number>;
/**
 * Operations that only set the scene, before any window opens: shortened so the bench spends its
 * time on what it measures (stated in the output). Every operation of a hardening run keeps the
 * simulator's default latency.
 */
const SETUP_LATENCY_MS: Partial<ModelKinds> = { registryCreate: 2000, vnetCreate: 1000, privateDnsZoneCreate: 1000, vnetLinkCreate: 1000 };

interface Calls {
  reads: number;
  polls: number;
  writes: number;
}

/**
 * The app's own figure (outcome.exposureWindowMs) is not read here: it subtracts the event's time,
 * on the simulator's clock, from the run's, on the host's scaled clock, and in a scaled world the
 * two drift apart with every run (in Azure both are UTC).
 */
interface FreshRun extends Calls {
  exposureMs: number;
}

/** The app's ARM calls (its principal; neither discovery nor Event Grid, which are not ARM). */
function armCallsOf(world: World, log: RequestLogEntry[]): Calls {
  const gets = appReads(log, world);
  return { reads: gets.length, polls: gets.filter((r) => LRO_POLL.test(r.path)).length, writes: appWrites(log, world).length };
}

async function clearLogs(world: World): Promise<void> {
  await clearRequestLog(world);
  const res = await fetch(`${world.sim.adminUrl}/eventgrid/events`, { method: 'DELETE' });
  if (!res.ok) throw new Error(`could not clear the simulator's event log: ${res.status}`);
}

/**
 * A registry created the way `az ml registry create` does; the app hardens it on the creation
 * event. The exposure window: from the event time of the user's registry write (the creation's
 * completion) to the event time of the app's last public-access write (its completion: LROs raise
 * their event when they succeed, the storage PATCH when it answers).
 */
async function freshRun(world: World, name: string, shape: PlanShape): Promise<{ id: string; run: FreshRun }> {
  await clearLogs(world);
  const id = await createRegistry(world.sim, world.user, { name, regions: REGIONS.slice(0, shape.regions) });
  const status = await waitForRun(world, id, { timeoutMs: RUN_TIMEOUT_MS });
  const outcome = outcomeOf(status);
  if (outcome.kind !== 'Hardened') throw new Error(`${name}: the run ended ${outcome.kind}, not Hardened`);

  const events = await adminGet<EventGridEvent[]>(world, '/eventgrid/events');
  const app = world.sim.principal.oid;
  const created = events.find((e) => e.subject.toLowerCase() === id.toLowerCase() && operationOf(e) === REGISTRY_WRITE && eventOid(e) !== app);
  if (!created) throw new Error(`${name}: no creation event of ${id} in the simulator's event log`);
  const lockdown = events.filter((e) => eventOid(e) === app && PUBLIC_ACCESS_WRITES.has(operationOf(e)));
  // endpoints first, a registry PUT of its own adds the app to assignedIdentities before the endpoints (its public access unchanged)
  const expected = publicAccessWrites(shape) + (shape.order === 'endpoints-first' ? 1 : 0);
  if (lockdown.length !== expected) {
    throw new Error(`${name}: expected ${expected} registry, storage and ACR writes by the app, the event log has ${lockdown.length}`);
  }
  const last = Math.max(...lockdown.map((e) => Date.parse(e.eventTime)));
  const calls = armCallsOf(world, await requestLog(world));
  return { id, run: { exposureMs: last - Date.parse(created.eventTime), ...calls } };
}

/** A run started through the HTTP API as an operator would (a re-run, or section 2's runs); its ARM calls. */
async function runOverHttp(world: World, id: string): Promise<Calls> {
  await clearLogs(world);
  const before = lastRunCreated(world, id);
  const path = id.replace(/^\/subscriptions\/([^/]+)\/resourceGroups\/([^/]+)\/providers\/Microsoft\.MachineLearningServices\/registries\/([^/]+)$/i, '$1/$2/$3');
  const res = await fetch(`${world.host.baseUrl}/api/registries/${path}/harden`, { method: 'POST', headers: world.auth.headers('operator') });
  if (res.status !== 202) throw new Error(`run of ${id}: POST …/harden answered ${res.status} ${await res.text()}`);
  const outcome = outcomeOf(await waitForRun(world, id, { after: before, timeoutMs: RUN_TIMEOUT_MS }));
  if (outcome.kind !== 'Hardened') throw new Error(`run of ${id} ended ${outcome.kind}, not Hardened`);
  return armCallsOf(world, await requestLog(world));
}

interface Samples {
  fresh: Map<string, FreshRun[]>;
  /** section 2: fresh one region, its re-run, fresh three regions */
  calls: { fresh1: Calls[]; rerun: Calls[]; fresh3: Calls[] };
  model: ModelKinds;
}

const key = (order: LockdownOrder, regions: number) => `${order}/${regions}`;

async function sampleOrder(order: LockdownOrder, options: HardeningBenchOptions, samples: Samples): Promise<void> {
  const stateDir = mkdtempSync(join(tmpdir(), `bench-${order}-`));
  const world = await startWorld({
    stateDir,
    hostLogger: BENCH_HOST_LOG,
    simTimeScale: options.timeScale,
    hostTimeScale: options.timeScale,
    settings: { LOCKDOWN_ORDER: order, ...BENCH_LRO_SETTINGS },
    sim: { latencyMs: SETUP_LATENCY_MS },
  });
  try {
    samples.model = await adminGet<ModelKinds>(world, '/latency');
    // one unmeasured run first: the app's modules, token and connections are warm in a running app
    await freshRun(world, `bw${order === 'lockdown-first' ? 'l' : 'e'}`, { order, regions: 1, lockdownAcr: true });
    const regionCounts = options.exposure ? [1, 3] : [1];
    for (let rep = 0; rep < options.repeat; rep++) {
      for (const regions of regionCounts) {
        const name = `b${order === 'lockdown-first' ? 'l' : 'e'}${regions}r${rep}`;
        const { run } = await freshRun(world, name, { order, regions, lockdownAcr: true });
        const unscaled = (ms: number | undefined) => (ms === undefined ? '-' : `${(ms / options.timeScale / 1000).toFixed(1)} s`);
        options.log(`  ${order}, ${regions} region(s), #${rep + 1}: exposure ${unscaled(run.exposureMs)}, ${run.writes} writes, ${run.reads} reads`);
        const list = samples.fresh.get(key(order, regions)) ?? [];
        list.push(run);
        samples.fresh.set(key(order, regions), list);
      }
    }
  } finally {
    await world.stop();
    rmSync(stateDir, { recursive: true, force: true });
  }
}

/**
 * Section 2: the ARM calls of one registry's run, the way read-counts.test.ts counts them. The
 * registries list the app in assignedIdentities from their creation and their runs start (over
 * the HTTP API, no creation event) once that exemption holds, so the counts are the run's own,
 * not the managed group's propagation wait (docs/benchmarks.md, "Every ARM read of a run").
 */
async function sampleCalls(options: HardeningBenchOptions, samples: Samples): Promise<void> {
  const stateDir = mkdtempSync(join(tmpdir(), 'bench-calls-'));
  const world = await startWorld({ stateDir, hostLogger: BENCH_HOST_LOG, simTimeScale: options.timeScale, hostTimeScale: options.timeScale, settings: { ...BENCH_LRO_SETTINGS }, sim: { latencyMs: SETUP_LATENCY_MS } });
  try {
    const res = await fetch(`${world.sim.adminUrl}/eventgrid/subscriptions/registry-writes`, { method: 'DELETE' });
    if (!res.ok) throw new Error(`could not remove the registry-writes subscription: ${res.status}`);
    const exempt = { assignedIdentities: [world.sim.principal.oid] };
    const ids: Array<{ one: string; three: string }> = [];
    for (let rep = 0; rep < options.repeat; rep++) {
      ids.push({
        one: await createRegistry(world.sim, world.user, { name: `bc1r${rep}`, regions: REGIONS.slice(0, 1), ...exempt }),
        three: await createRegistry(world.sim, world.user, { name: `bc3r${rep}`, regions: REGIONS, ...exempt }),
      });
    }
    await waitOutExemption(options.timeScale);
    for (const [rep, { one, three }] of ids.entries()) {
      const calls = samples.calls;
      const fresh1 = await runOverHttp(world, one);
      const again = await runOverHttp(world, one);
      const fresh3 = await runOverHttp(world, three);
      calls.fresh1.push(fresh1);
      calls.rerun.push(again);
      calls.fresh3.push(fresh3);
      options.log(`  #${rep + 1}: fresh, 1 region: ${fresh1.writes} writes, ${fresh1.reads} reads (${fresh1.polls} polls); re-run: ${again.writes} writes, ${again.reads} reads; fresh, 3 regions: ${fresh3.writes} writes, ${fresh3.reads} reads (${fresh3.polls} polls)`);
    }
  } finally {
    await world.stop();
    rmSync(stateDir, { recursive: true, force: true });
  }
}

function seconds(ms: number): number {
  return Math.round(ms) / 1000;
}

export async function measureHardening(options: HardeningBenchOptions): Promise<BenchRow[]> {
  const samples: Samples = { fresh: new Map(), calls: { fresh1: [], rerun: [], fresh3: [] }, model: {} as ModelKinds };
  const orders: LockdownOrder[] = ['lockdown-first', 'endpoints-first'];
  if (options.exposure) for (const order of orders) await sampleOrder(order, options, samples);
  if (options.armCalls) await sampleCalls(options, samples);

  const { model } = samples;
  const modelText = `latency model (the simulator's defaults; simulated time, run ${Math.round(1 / options.timeScale)}× faster, reported unscaled): registry PUT ${model.registryUpdate / 1000} s, ` +
    `private endpoint PUT ${model.privateEndpointCreate / 1000} s, zone-group PUT ${model.zoneGroupCreate / 1000} s, ACR PATCH ${model.acrUpdate / 1000} s, storage PATCH synchronous, reads 0 s; ` +
    `no Retry-After: the run first looks at an operation after its kind's expected duration (ARM_LRO_EXPECTED_SECONDS: the model's figures), then every ${SDK_POLL_MS / 1000} s (ARM_LRO_POLL_INTERVAL_MS). Set-up only, before any window: registry create ${model.registryCreate / 1000} s, VNet/DNS zone/link ${model.vnetCreate / 1000} s.\n` +
    `the app's own work (event delivery, activities, tokens, HTTP) takes real time, which the scaling does not shrink: it weighs ${Math.round(1 / options.timeScale)}× in the unscaled figures, so they over-state it; one unmeasured warm-up run per world`;
  const rows: BenchRow[] = [];
  if (options.exposure) {
    for (const regions of [1, 3]) {
      for (const order of orders) {
        const shape: PlanShape = { order, regions, lockdownAcr: true };
        const runs = samples.fresh.get(key(order, regions)) ?? [];
        const path = exposureCriticalPath(model, shape);
        const values = runs.map((r) => seconds(r.exposureMs / options.timeScale));
        const metric = `exposure window, ${regions} region${regions > 1 ? 's' : ''}, ${order}`;
        rows.push({
          section: '1', metric, unit: 's', samples: values, referenceLabel: 'critical path', reference: seconds(path.ms), goal: '≤ 1.1×',
          note: `exposure window = event time of the registry's creation (ResourceWriteSuccess) → event time of the app's last public-access write (its completion), from the simulator's event log\n` +
            `${modelText}\ncritical path, ${regions} region(s), ${order}: ${path.chain}`,
        });
        const policy = policyExposure(model, shape);
        rows.push({
          section: '1', metric: `${metric} vs Azure Policy`, unit: 's', samples: values, referenceLabel: 'Azure Policy DINE', reference: seconds(policy.ms), goal: '< 1×',
          note: `Azure Policy under the same model, ${regions} region(s): ${policy.chain}`,
        });
      }
    }
  }
  if (options.armCalls) {
    const { fresh1, rerun, fresh3 } = samples.calls;
    const one = minimumWrites({ regions: 1, lockdownAcr: true });
    const three = minimumWrites({ regions: 3, lockdownAcr: true });
    const callNote = 'ARM calls by the app\'s principal from the simulator\'s request log (discovery and Event Grid excluded); reads include the polls of long-running operations; ' +
      'registries that list the app in assignedIdentities, runs started over HTTP once that holds (the list of reads: docs/benchmarks.md)';
    const polls = (runs: Calls[]) => (runs.length > 0 ? median(runs.map((r) => r.polls)) : '-');
    rows.push(
      { section: '2', metric: 'ARM writes, fresh registry (1 region)', unit: 'calls', samples: fresh1.map((r) => r.writes), referenceLabel: 'minimum: 3 endpoint + 3 zone-group + 3 public-access', reference: one, goal: '= 1×', note: callNote },
      { section: '2', metric: 'ARM reads, fresh registry (1 region)', unit: 'calls', samples: fresh1.map((r) => r.reads), referenceLabel: 'goal: 2× its writes', reference: 2 * one, goal: '≤ 1×', note: `of a fresh one-region registry's reads, operation polls: median ${polls(fresh1)} (8 operations)` },
      { section: '2', metric: 'ARM writes, re-run on the hardened registry', unit: 'calls', samples: rerun.map((r) => r.writes), referenceLabel: 'minimum', reference: 0, goal: '= 0', note: callNote },
      { section: '2', metric: 'ARM reads, re-run on the hardened registry', unit: 'calls', samples: rerun.map((r) => r.reads), referenceLabel: 'goal', reference: 8, goal: '≤ 1×', note: callNote },
      { section: '2', metric: 'ARM writes, fresh registry (3 regions)', unit: 'calls', samples: fresh3.map((r) => r.writes), referenceLabel: 'minimum: 5 endpoint + 5 zone-group + 5 public-access', reference: three, goal: '= 1×', note: callNote },
      { section: '2', metric: 'ARM reads, fresh registry (3 regions)', unit: 'calls', samples: fresh3.map((r) => r.reads), referenceLabel: 'goal: 2× its writes', reference: 2 * three, goal: '≤ 1×', note: `of a fresh three-region registry's reads, operation polls: median ${polls(fresh3)} (12 operations)` },
    );
  }
  return rows;
}
