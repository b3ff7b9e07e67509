/**
 * Section 3, burst: N registries created at once, half in each of two subscriptions, under every
 * limit that applies in Azure — ARM's token buckets (one read and one write bucket per
 * subscription and principal) and the Network resource provider's windows (1,000 writes and
 * 10,000 reads per 5 minutes per subscription; Private DNS 500 reads). The app hardens them all
 * from their creation events in the local Functions host; measured on the simulator's side (event
 * times, request log).
 *
 * The reference is the least time those limits allow: one registry's run first (a probe, alone
 * in the world) gives the calls a registry needs, by subscription and provider; N of them against
 * each limit says which one binds (bench/limits.ts), and the burst cannot be shorter than the
 * probe's own run either.
 *
 * The figure must measure the product, not this machine: the simulator, the host and the app
 * share one event loop. Each burst reports whether the harness kept up (CPU share of the process,
 * event-loop delay; bench/harness-load.ts) and the burst is repeated at a slower time scale until
 * the simulated figure stops changing (at most `steps` bursts); the figure reported is the last
 * one, from an unsaturated run that agrees with the one before it — or the section says it could
 * not get one.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ResourceManagementClient } from '@azure/arm-resources';
import type { EventGridEvent } from '../local/azure-sim/eventgrid/schema';
import { DEFAULT_SUBSCRIPTION_ID } from '../local/azure-sim/server';
import type { ThrottlePatch } from '../local/azure-sim/arm/throttle';
import { eventOid, operationOf } from './events';
import { MAX_ACTIVITIES_SETTING } from '../local/func-host/host-json';
import type { OrchestrationStatus } from '../local/func-host';
import { createRegistry, DEMO, startWorld, type World } from '../local/world';
import { instanceIdFor } from '../src/shared/instance-id';
import { adminGet, appReads, appWrites, clearRequestLog, outcomeOf, requestLog, waitForRun, type RequestLogEntry } from '../test/helpers/world-helpers';
import { describeLoad, measureHarnessLoad, saturationReasons, type HarnessLoad } from './harness-load';
import { AZURE_LIMITS, burstMinimum, countCalls, scaleLimits, type BurstMinimum, type Limits, type RegistryCalls } from './limits';
import type { BenchRow } from './report';

const OTHER_SUBSCRIPTION = '00000000-0000-0000-0000-0000000000a2';
const REGISTRY_WRITE = 'Microsoft.MachineLearningServices/registries/write';
const FULL_REGISTRIES = 200;
const QUICK_REGISTRIES = 20;
/** SDK default LRO poll interval (ms), for an answer without Retry-After: kept in simulated time (the run's timers run on the host's scaled clock) */
const SDK_POLL_MS = 2000;
/**
 * The first burst's time scale, each further one twice as slow: 0.1 up to 50 registries, slower
 * in proportion above (200: 0.4). On 2 cores a 200-registry burst at 0.1 or 0.2 saturates the
 * harness (its event loop falls seconds behind), so those bursts would only be thrown away.
 */
export function firstTimeScale(registries: number): number {
  return Math.round(0.1 * Math.max(1, registries / 50) * 1000) / 1000;
}
/** bursts at most (the first and its slower repeats) */
const DEFAULT_STEPS = 3;
/** two figures within this share of each other have stopped changing */
const SETTLED = 0.05;
const FINAL = new Set(['Completed', 'Failed', 'Terminated']);

export interface BurstOptions {
  quick: boolean;
  /** registries in the burst (default 200, quick 20) */
  registries?: number;
  /** the first burst's time scale (default firstTimeScale(registries)) */
  timeScale?: number;
  /** bursts at most, each at half the speed of the one before (default 3) */
  steps?: number;
  log?: (line: string) => void;
}

/** One registry's run alone in the world: the calls a registry needs, and how long its run takes. */
export interface ProbeRun {
  calls: RegistryCalls;
  /** creation event → run finished (real ms) */
  runMs: number;
  /** calls answered 429 (none expected: the probe is alone) */
  throttled: number;
}

export interface BurstSample {
  registries: number;
  timeScale: number;
  hardened: number;
  failed: { registryId: string; status: string; error: string }[];
  /** creation event of the first registry → every run finished (real ms) */
  totalMs: number;
  /** creation event of the first registry → event of the app's last write (real ms) */
  lastWriteMs: number;
  /** successful ARM writes of the app per subscription */
  writesBySubscription: Record<string, number>;
  /** successful ARM reads (GETs, LRO status polls included) of the app per subscription */
  readsBySubscription: Record<string, number>;
  /** 429 answers to the app: writes, reads; of them the Network RP's and Private DNS's own (the rest are ARM's buckets') */
  throttledWrites: number;
  throttledReads: number;
  throttledByNetwork: number;
  registriesBySubscription: Record<string, number>;
  networkSubscription: string;
  probe?: ProbeRun;
  /** the harness during the burst */
  load: HarnessLoad;
  /** host log lines of a call to the host that failed with a reset connection (ECONNRESET, socket hang up): the durable client's calls from onRegistryWrite */
  hostConnectionResets: number;
}

/** A host log line that tells of a connection to the host reset under a caller (what a real Functions host never does to its durable client). */
const HOST_CONNECTION_RESET = /ECONNRESET|socket hang up/i;

function subscriptionOfPath(path: string): string {
  return /^\/subscriptions\/([^/]+)/i.exec(path)?.[1]?.toLowerCase() ?? '';
}

function errorOf(s: OrchestrationStatus | undefined): string {
  if (!s) return 'no run started';
  const out = s.output as { kind?: string; error?: { code?: string; message?: string } } | string | null | undefined;
  if (typeof out === 'string') return out.slice(0, 300);
  return `${out?.kind ?? s.runtimeStatus}${out?.error ? `: [${out.error.code ?? ''}] ${out.error.message ?? ''}` : ''}`.slice(0, 300);
}

async function waitForAll(world: World, ids: string[], timeoutMs: number): Promise<Map<string, OrchestrationStatus | undefined>> {
  const deadline = Date.now() + timeoutMs;
  const done = new Map<string, OrchestrationStatus | undefined>();
  while (Date.now() < deadline && done.size < ids.length) {
    for (const id of ids) {
      if (done.has(id)) continue;
      const s = world.host.durable.getStatus(instanceIdFor(id));
      if (s && FINAL.has(s.runtimeStatus)) done.set(id, s);
    }
    if (done.size < ids.length) await new Promise((r) => setTimeout(r, 50));
  }
  for (const id of ids) if (!done.has(id)) done.set(id, world.host.durable.getStatus(instanceIdFor(id)));
  return done;
}

interface Bucket {
  capacity: number;
  refillPerSecond: number;
}

/** The simulator's throttling for these limits. */
function throttlingOf(limits: Limits): ThrottlePatch {
  return {
    enabled: true,
    writes: limits.armWrites,
    reads: limits.armReads,
    providers: { network: { reads: limits.networkReads, writes: limits.networkWrites }, dns: { reads: limits.dnsReads } },
  };
}

async function startAfresh(world: World, limits: Limits | ThrottlePatch): Promise<void> {
  await clearRequestLog(world);
  await fetch(`${world.sim.adminUrl}/eventgrid/events`, { method: 'DELETE' });
  const body = 'armWrites' in limits ? throttlingOf(limits) : limits;
  const res = await fetch(`${world.sim.adminUrl}/throttling`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  if (!res.ok) throw new Error(`could not set the simulator's throttling: ${res.status}`);
}

function creationTimes(events: EventGridEvent[], app: string): number[] {
  return events.filter((e) => operationOf(e) === REGISTRY_WRITE && eventOid(e) !== app).map((e) => Date.parse(e.eventTime));
}

/** One registry alone, created in the other subscription: its calls there are its own, those in the first are the network's. */
async function probeRun(world: World, networkSubscription: string): Promise<ProbeRun> {
  const id = await createRegistry(world.sim, world.user, { subscriptionId: OTHER_SUBSCRIPTION, name: 'probe', regions: ['westeurope'] });
  const status = await waitForRun(world, id, { timeoutMs: 20 * 60_000 });
  const finished = Date.now();
  if (outcomeOf(status).kind !== 'Hardened') throw new Error(`the probe registry's run ended ${outcomeOf(status).kind}, not Hardened`);
  const events = await adminGet<EventGridEvent[]>(world, `/eventgrid/events?operationName=${encodeURIComponent(REGISTRY_WRITE)}`);
  const created = creationTimes(events, world.sim.principal.oid);
  if (created.length !== 1) throw new Error(`probe: ${created.length} creation events`);
  const log = await requestLog(world);
  const calls: RequestLogEntry[] = [...appReads(log, world), ...appWrites(log, world)];
  const answered = calls.filter((c) => c.status !== 429);
  return {
    calls: {
      own: countCalls(answered.filter((c) => subscriptionOfPath(c.path) === OTHER_SUBSCRIPTION)),
      network: countCalls(answered.filter((c) => subscriptionOfPath(c.path) === networkSubscription)),
    },
    runMs: finished - Math.min(...created),
    throttled: calls.length - answered.length,
  };
}

/** One burst in a fresh world (after the probe, when asked for). */
export async function runBurst(options: {
  registries: number;
  timeScale: number;
  /** ARM's buckets; `limits` (all of them) wins when given */
  bucket?: Bucket;
  reads?: Bucket;
  limits?: Limits;
  activitySlots: number;
  timeoutMs: number;
  /** one registry's run first, to count the calls a registry needs */
  probe?: boolean;
  /** further app settings (e.g. ARM_MAX_RETRIES) */
  settings?: Record<string, string>;
}): Promise<BurstSample> {
  const stateDir = mkdtempSync(join(tmpdir(), 'bench-burst-'));
  const throttling: ThrottlePatch = options.limits ? throttlingOf(options.limits) : { enabled: true, ...(options.bucket ? { writes: options.bucket } : {}), ...(options.reads ? { reads: options.reads } : {}) };
  let hostConnectionResets = 0;
  const countResets = (line: string): void => {
    if (HOST_CONNECTION_RESET.test(line)) hostConnectionResets++;
  };
  const world = await startWorld({
    stateDir,
    // the host's log is read, not printed: its expected warnings (access still propagating) are many
    hostLogger: { debug: countResets, info: countResets, warn: countResets, error: countResets },
    simTimeScale: options.timeScale,
    hostTimeScale: options.timeScale,
    // 3 endpoints per registry: 200 registries need more addresses than the sandbox's /24 has
    subnetPrefix: '10.20.16.0/20',
    sim: {
      otherSubscriptionIds: [OTHER_SUBSCRIPTION],
      throttling,
    },
    settings: {
      // both subscriptions are targets, as a deployment covering two subscriptions would have them
      TARGET_SUBSCRIPTION_IDS: `${DEFAULT_SUBSCRIPTION_ID},${OTHER_SUBSCRIPTION}`,
      // the run's timers run on the host's clock, scaled like the simulator's: production's interval and expected durations
      ARM_LRO_POLL_INTERVAL_MS: String(SDK_POLL_MS),
      ARM_LRO_EXPECTED_SECONDS: '',
      [MAX_ACTIVITIES_SETTING]: String(options.activitySlots),
      ...options.settings,
    },
  });
  try {
    const networkSubscription = world.sim.subscriptionId.toLowerCase();
    const subscriptions = [world.sim.subscriptionId, OTHER_SUBSCRIPTION];
    await new ResourceManagementClient(world.user, OTHER_SUBSCRIPTION, { endpoint: world.sim.armEndpoint }).resourceGroups.createOrUpdate(DEMO.rg, { location: 'westeurope' });
    // the set-up's writes were the user's, but start from a clean log and full buckets anyway
    await startAfresh(world, options.limits ?? throttling);
    const probe = options.probe ? await probeRun(world, networkSubscription) : undefined;
    if (probe) await startAfresh(world, options.limits ?? throttling);

    const meter = measureHarnessLoad();
    const ids = await Promise.all(
      Array.from({ length: options.registries }, (_, i) =>
        createRegistry(world.sim, world.user, { subscriptionId: subscriptions[i % 2], name: `burst${i}`, regions: ['westeurope'], wait: false }),
      ),
    );
    const statuses = await waitForAll(world, ids, options.timeoutMs);
    const finishedAt = Date.now();
    const load = meter.stop();

    // the simulator lists the last 1000 events: the creations (filtered, so none is pushed out) and the latest writes
    const registryWrites = await adminGet<EventGridEvent[]>(world, `/eventgrid/events?operationName=${encodeURIComponent(REGISTRY_WRITE)}`);
    const events = await adminGet<EventGridEvent[]>(world, '/eventgrid/events');
    const app = world.sim.principal.oid;
    const created = creationTimes(registryWrites, app);
    if (created.length !== options.registries) throw new Error(`burst: ${created.length} creation events for ${options.registries} registries`);
    const start = Math.min(...created);
    const appEvents = events.filter((e) => eventOid(e) === app).map((e) => Date.parse(e.eventTime));

    const log = await requestLog(world);
    const mine = log.filter((r) => r.principal === app && r.path.startsWith('/subscriptions/'));
    const writesBySubscription: Record<string, number> = Object.fromEntries(subscriptions.map((s) => [s, 0]));
    for (const w of appWrites(log, world)) {
      const sub = subscriptionOfPath(w.path);
      if (w.status < 400) writesBySubscription[sub] = (writesBySubscription[sub] ?? 0) + 1;
    }
    const readsBySubscription: Record<string, number> = Object.fromEntries(subscriptions.map((s) => [s, 0]));
    for (const r of mine) {
      const sub = subscriptionOfPath(r.path);
      if (r.method === 'GET' && r.status < 400) readsBySubscription[sub] = (readsBySubscription[sub] ?? 0) + 1;
    }
    const failed = ids.flatMap((id) => {
      const s = statuses.get(id);
      const kind = (s?.output as { kind?: string } | undefined)?.kind;
      return s?.runtimeStatus === 'Completed' && kind === 'Hardened' ? [] : [{ registryId: id, status: s?.runtimeStatus ?? 'none', error: errorOf(s) }];
    });
    const registriesBySubscription = Object.fromEntries(subscriptions.map((s, i) => [s.toLowerCase(), ids.filter((_, j) => j % 2 === i).length]));
    const throttled = mine.filter((r) => r.status === 429);
    return {
      registries: options.registries,
      timeScale: options.timeScale,
      hardened: options.registries - failed.length,
      failed,
      totalMs: finishedAt - start,
      lastWriteMs: Math.max(start, ...appEvents) - start,
      writesBySubscription,
      readsBySubscription,
      throttledWrites: throttled.filter((r) => r.method !== 'GET').length,
      throttledReads: throttled.filter((r) => r.method === 'GET').length,
      throttledByNetwork: throttled.filter((r) => r.throttledBy === 'network' || r.throttledBy === 'dns').length,
      registriesBySubscription,
      networkSubscription,
      ...(probe ? { probe } : {}),
      load,
      hostConnectionResets,
    };
  } finally {
    await world.stop();
    rmSync(stateDir, { recursive: true, force: true });
  }
}

const round = (v: number, digits = 1): number => Math.round(v * 10 ** digits) / 10 ** digits;
const sum = (counts: Record<string, number>): number => Object.values(counts).reduce((a, b) => a + b, 0);

/** The least time of a burst: the binding limit, or one registry's own run when that is longer. */
export interface BurstReference {
  seconds: number;
  /** what binds, e.g. "Network RP writes in …a1 (1200 calls, 1000 per 5 min)" or "one registry's run" */
  binds: string;
  limits: BurstMinimum;
  probeSeconds: number;
}

export function burstReference(sample: BurstSample, limits: Limits): BurstReference {
  if (!sample.probe) throw new Error('burstReference: the burst ran without its probe');
  const m = burstMinimum(sample.probe.calls, sample.registriesBySubscription, sample.networkSubscription, limits);
  const probeSeconds = sample.probe.runMs / sample.timeScale / 1000;
  const b = m.binding;
  const limitText = `${b.limit} in …${b.subscription.slice(-2)} (${b.calls} calls against ${b.rule})`;
  return probeSeconds >= b.seconds
    ? { seconds: probeSeconds, binds: `one registry's own run (${round(probeSeconds)} s; the tightest limit, ${limitText}, allows ${round(b.seconds)} s)`, limits: m, probeSeconds }
    : { seconds: b.seconds, binds: limitText, limits: m, probeSeconds };
}

/** Whether a burst's figure has stopped changing: unsaturated, and within SETTLED of the one before. */
export function settled(previous: number | undefined, current: number, saturated: boolean): boolean {
  return !saturated && previous !== undefined && Math.abs(current - previous) <= SETTLED * previous;
}

function callsText(c: RegistryCalls): string {
  const part = (x: RegistryCalls['own']): string => `${x.other.write + x.network.write + x.dns.write} writes (Network ${x.network.write}), ${x.other.read + x.network.read + x.dns.read} reads (Network ${x.network.read}, Private DNS ${x.dns.read})`;
  return `own subscription ${part(c.own)}; endpoint subscription ${part(c.network)}`;
}

/**
 * Section 3: bursts at the first time scale and then twice as slow each time, until the
 * simulated figure has settled on an unsaturated run (or `steps` bursts were made). Quick and
 * smaller bursts run against limits scaled with the registry count, so the shape stays the same.
 */
export async function measureBurst(options: BurstOptions): Promise<BenchRow[]> {
  const log = options.log ?? ((line: string) => process.stdout.write(`${line}\n`));
  const registries = options.registries ?? (options.quick ? QUICK_REGISTRIES : FULL_REGISTRIES);
  const factor = registries / FULL_REGISTRIES;
  const limits = factor === 1 ? AZURE_LIMITS : scaleLimits(AZURE_LIMITS, factor);
  const steps = options.steps ?? DEFAULT_STEPS;
  // a scaled-out plan: enough activity slots that the host is not the bottleneck (10 per instance)
  const activitySlots = Math.max(10, 2 * registries);
  const runs: Array<{ sample: BurstSample; reference: BurstReference; figure: number; saturated: string[] }> = [];
  let timeScale = options.timeScale ?? firstTimeScale(registries);
  for (let step = 0; step < steps; step++) {
    const sample = await runBurst({ registries, timeScale, limits, activitySlots, timeoutMs: 40 * 60_000, probe: true });
    const reference = burstReference(sample, limits);
    const figure = sample.totalMs / timeScale / 1000;
    const saturated = saturationReasons(sample.load, timeScale);
    runs.push({ sample, reference, figure, saturated });
    log(`  burst at time scale ${timeScale}: ${sample.hardened}/${sample.registries} hardened, ${sample.failed.length} failed, ${round(figure)} s ` +
      `(minimum ${round(reference.seconds)} s: ${reference.binds}); writes ${Object.values(sample.writesBySubscription).join(' + ')}, reads ${Object.values(sample.readsBySubscription).join(' + ')}; ` +
      `429s: ${sample.throttledWrites} writes, ${sample.throttledReads} reads (${sample.throttledByNetwork} the Network RP's own)`);
    log(`    probe (one registry alone): ${sample.probe ? callsText(sample.probe.calls) : '-'}; its run ${round(reference.probeSeconds)} s`);
    log(`    harness: ${describeLoad(sample.load)} → ${saturated.length ? `saturated: ${saturated.join('; ')}` : 'kept up'}`);
    for (const f of sample.failed.slice(0, 5)) log(`    failed ${f.registryId}: ${f.status} ${f.error}`);
    if (settled(runs[runs.length - 2]?.figure, figure, saturated.length > 0)) break;
    timeScale = round(timeScale * 2, 4);
  }
  const last = runs[runs.length - 1];
  if (!last) throw new Error('burst: no run');
  const good = settled(runs[runs.length - 2]?.figure, last.figure, last.saturated.length > 0);
  const verdict = good
    ? `the figure is time scale ${last.sample.timeScale}'s: the harness kept up and it is within ${SETTLED * 100}% of time scale ${runs[runs.length - 2]?.sample.timeScale}'s`
    : `NO SETTLED, UNSATURATED FIGURE after ${runs.length} burst(s) (${runs.map((r) => `${r.sample.timeScale}: ${round(r.figure)} s${r.saturated.length ? ', saturated' : ''}`).join('; ')}): the last one is shown`;
  const costs = last.reference.limits.costs.filter((c) => c.calls > 0).slice(0, 6).map((c) => `${c.limit} …${c.subscription.slice(-2)} ${c.calls} calls (${c.rule}) ${round(c.seconds)} s`).join('; ');
  const note =
    `burst: ${registries} one-region registries created at once by a user (its own buckets), alternating between 2 subscriptions; the private endpoints and zone groups go to the endpoint subnet's subscription (the first). ` +
    `Limits${factor !== 1 ? ` (Azure's scaled by ${registries}/${FULL_REGISTRIES} with the registry count)` : ''}: ARM per subscription and principal writes ${limits.armWrites.capacity} + ${round(limits.armWrites.refillPerSecond, 2)}/s, reads ${limits.armReads.capacity} + ${round(limits.armReads.refillPerSecond, 2)}/s; ` +
    `Network RP per subscription ${limits.networkWrites.limit} writes and ${limits.networkReads.limit} reads per 5 min; Private DNS ${limits.dnsReads.limit} reads per 5 min. ` +
    `Minimum = the largest of (each limit's least time for N × one registry's calls, from a probe registry run alone first) and the probe's own run; the largest costs: ${costs}. ` +
    `Total = creation event of the first registry → every run finished, reported unscaled; ${verdict}. ` +
    `Harness = this one process (simulator, host and app share its event loop): saturated when it uses ≥ 85% of a core or its event loop's p99 delay is ≥ 1 simulated s. ` +
    `Host: ${activitySlots} activity slots (a scaled-out plan, 10 per instance); LRO Retry-After as each provider sends it (local/azure-sim/README.md), in the host's clock (the world's principalTimeScale). --repeat does not apply: the bursts at slower time scales are the section's repetitions.`;
  const unscaled = (s: BurstSample, ms: number): number => round(ms / s.timeScale / 1000);
  const rows: BenchRow[] = runs.map((r) => ({
    section: '3', metric: `burst of ${registries} at time scale ${r.sample.timeScale}${r.saturated.length ? ' (harness saturated)' : ''}: time to all hardened`, unit: 's', samples: [round(r.figure)], referenceLabel: 'its minimum', reference: round(r.reference.seconds),
  }));
  const s = last.sample;
  return [
    ...rows,
    { section: '3', metric: `burst of ${registries}: time to all hardened${good ? '' : ' (not settled)'}`, unit: 's', samples: [round(last.figure)], referenceLabel: `minimum (${last.reference.binds.replace(/ \(.*$/, '')})`, reference: round(last.reference.seconds), goal: '≤ 1.2×', note },
    { section: '3', metric: `burst of ${registries}: time to the app's last write`, unit: 's', samples: [unscaled(s, s.lastWriteMs)], referenceLabel: 'minimum', reference: round(last.reference.seconds) },
    { section: '3', metric: `burst of ${registries}: runs not hardened`, unit: 'runs', samples: [s.failed.length], referenceLabel: 'none', reference: 0, goal: '= 0' },
    { section: '3', metric: `burst of ${registries}: calls to the host that failed with a reset connection`, unit: 'calls', samples: [s.hostConnectionResets], referenceLabel: 'none', reference: 0, goal: '= 0' },
    { section: '3', metric: `burst of ${registries}: 429s answered to the app (writes)`, unit: 'calls', samples: [s.throttledWrites] },
    { section: '3', metric: `burst of ${registries}: 429s answered to the app (reads)`, unit: 'calls', samples: [s.throttledReads] },
    { section: '3', metric: `burst of ${registries}: of the 429s, the Network RP's own limits'`, unit: 'calls', samples: [s.throttledByNetwork] },
    { section: '3', metric: `burst of ${registries}: app reads per registry (GETs, LRO polls included)`, unit: 'calls', samples: [round(sum(s.readsBySubscription) / s.registries)] },
    { section: '3', metric: `burst of ${registries}: harness CPU (share of a core)`, unit: '%', samples: [Math.round(s.load.processCpuShare * 100)], referenceLabel: 'saturated at', reference: 85 },
    { section: '3', metric: `burst of ${registries}: event-loop delay p99`, unit: 'ms', samples: [s.load.loopDelayMs.p99], referenceLabel: 'saturated at (1 simulated s)', reference: round(1000 * s.timeScale) },
  ];
}
