import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRegistry, DEMO, startWorld, type World } from '../../local/world';
import type { OrchestrationStatus } from '../../local/func-host';
import { DEFAULT_HARDEN_OPTIONS } from '../../src/hardening/domain/harden-input';
import type { Outcome } from '../../src/hardening/domain/hardening';
import { arm, currentRun, lastRunCreated, resources, startRun, waitForRun, waitUntil } from '../helpers/world-helpers';
import { record } from './summary';

/** The fault worlds' clocks: the simulator's (Azure's) and the host's (the app's), each a multiple of real time. */
export const SIM_TIME_SCALE = 0.01;
export const HOST_TIME_SCALE = 0.05;

/**
 * Fast polls so a whole run takes seconds at the host's time scale. The managed group's exemption
 * takes 300 s of Azure time (3 s real, 60 s of the app's time): the access wait allows three times that.
 */
export const FAST = { ...DEFAULT_HARDEN_OPTIONS, approvalPollSeconds: 5, dnsRetrySeconds: 5, provisioningPollSeconds: 5, dnsDeadlineMinutes: 1, accessPropagationMinutes: 3, accessPollSeconds: 5 };
/** Bounded: a run that has not ended by then is a hung run. */
export const RUN_TIMEOUT_MS = 75_000;

/**
 * The app's request timeout and LRO deadline in the fault worlds (production: 30 s and 60 min),
 * short so a hung call or a stuck operation costs seconds; SLOW_MS is past the request timeout.
 * The run waits for an operation at most 2 minutes of its time (6 s real at HOST_TIME_SCALE) and
 * looks again every 2 s of its time (100 ms real) when it was not done at the first look (the
 * world's ARM_LRO_EXPECTED_SECONDS says when that is). ARM_LRO_DEADLINE_SECONDS bounds only the
 * waiting activities of runs started before workflow 2.3.
 */
export const FAULT_SETTINGS = { DNS_DEADLINE_MINUTES: '1', ARM_REQUEST_TIMEOUT_SECONDS: '3', ARM_LRO_DEADLINE_SECONDS: '4', ARM_LRO_POLL_INTERVAL_MS: '2000', LRO_DEADLINE_MINUTES: '2' };
const SLOW_MS = 4_500;

/** A world for one test file, without the Event Grid subscription (runs are started by hand). */
export async function startFaultWorld(prefix: string): Promise<World> {
  const world = await startWorld({ stateDir: mkdtempSync(join(tmpdir(), `rel-${prefix}-`)), hostTimeScale: HOST_TIME_SCALE, simTimeScale: SIM_TIME_SCALE, settings: FAULT_SETTINGS });
  const res = await fetch(`${world.sim.adminUrl}/eventgrid/subscriptions/registry-writes`, { method: 'DELETE' });
  if (!res.ok) throw new Error(`could not remove the registry-writes subscription: ${res.status}`);
  return world;
}

export type FaultName =
  | '429+Retry-After' | '500' | '503' | '409 AnotherOperationInProgress' | 'LRO Failed' | 'connection reset' | '409 persistent'
  | 'LRO never finishes (deadline)' | 'slow response past the client timeout';

export interface Operation {
  name: string;
  method: string;
  /** path regex for the registry named `n` (every registry name in a file has the same length, so no prefix matches another) */
  path: (n: string) => string;
  lro: boolean;
  /** writes: a fault that never goes away must end the run Failed with a stable code */
  write: boolean;
  /** armed only once the run waits for approval (the target's connections are then approved by hand) */
  phase?: 'approval';
  /** one path for every registry (the outcome topic): its cases run one after the other */
  shared?: boolean;
}

export const OPS = {
  registryGet: { name: 'registry GET', method: 'GET', path: (n) => `/Microsoft\\.MachineLearningServices/registries/${n}$`, lro: false, write: false },
  registryPut: { name: 'registry PUT', method: 'PUT', path: (n) => `/Microsoft\\.MachineLearningServices/registries/${n}$`, lro: true, write: true },
  // a storage account PATCH is synchronous (200 with the account), so no LRO faults
  storagePatch: { name: 'storage PATCH', method: 'PATCH', path: (n) => `/Microsoft\\.Storage/storageAccounts/${n}[a-z0-9]*$`, lro: false, write: true },
  acrPatch: { name: 'ACR PATCH', method: 'PATCH', path: (n) => `/Microsoft\\.ContainerRegistry/registries/${n}[a-z0-9]*$`, lro: true, write: true },
  endpointPut: { name: 'endpoint PUT', method: 'PUT', path: (n) => `/privateEndpoints/pe-${n}-[^/]+$`, lro: true, write: true },
  zoneGroupPut: { name: 'zone-group PUT', method: 'PUT', path: (n) => `/privateEndpoints/pe-${n}-[^/]+/privateDnsZoneGroups/[^/]+$`, lro: true, write: true },
  endpointGet: { name: 'endpoint GET', method: 'GET', path: (n) => `/privateEndpoints/pe-${n}-[^/]+$`, lro: false, write: false },
  discoveryGet: { name: 'discovery GET', method: 'GET', path: (n) => `/discovery/[^/]+/registrymanagement/v1\\.0/registries/${n}/discovery`, lro: false, write: false },
  connectionGet: { name: 'connection GET', method: 'GET', path: (n) => `/privateEndpoints/pe-${n}-[^/]+$`, lro: false, write: false, phase: 'approval' },
  outcomePublish: { name: 'outcome publish', method: 'POST', path: () => '/eventgrid/topics/lockdown-outcomes/api/events$', lro: false, write: true, shared: true },
} satisfies Record<string, Operation>;

function faultSpec(op: Operation, fault: FaultName, n: string): Record<string, unknown> {
  const base = { method: op.method, pathPattern: op.path(n) };
  switch (fault) {
    case '429+Retry-After':
      return { ...base, count: 2, kind: 'respond', status: 429, headers: { 'retry-after': '1' }, body: { error: { code: 'TooManyRequests', message: 'The request is being throttled.' } } };
    case '500':
      return { ...base, count: 2, kind: 'respond', status: 500 };
    case '503':
      return { ...base, count: 2, kind: 'respond', status: 503, body: { error: { code: 'ServiceUnavailable', message: 'The service is temporarily unavailable.' } } };
    case '409 AnotherOperationInProgress':
      return { ...base, count: 2, kind: 'conflict' };
    case 'LRO Failed':
      return { ...base, count: 1, kind: 'lroFail', body: { error: { code: 'InternalServerError', message: 'The operation failed (injected).' } } };
    case 'connection reset':
      return { ...base, count: 2, kind: 'reset' };
    case '409 persistent':
      return { ...base, count: 1000, kind: 'conflict' };
    case 'LRO never finishes (deadline)':
      return { ...base, count: 1, kind: 'lroStall' };
    case 'slow response past the client timeout':
      return { ...base, count: 2, kind: 'slow', delayMs: SLOW_MS };
  }
}

async function inject(world: World, spec: Record<string, unknown>): Promise<string> {
  const res = await fetch(`${world.sim.adminUrl}/faults`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(spec) });
  if (!res.ok) throw new Error(`fault not accepted: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { id: string }).id;
}

async function removeFault(world: World, id: string): Promise<void> {
  await fetch(`${world.sim.adminUrl}/faults/${id}`, { method: 'DELETE' });
}

/** Whether the fault hit at least one request (a rule that is gone was used up). */
async function faultFired(world: World, id: string, count: number): Promise<boolean> {
  const rules = (await (await fetch(`${world.sim.adminUrl}/faults`)).json()) as Array<{ id: string; remaining: number }>;
  const rule = rules.find((r) => r.id === id);
  return rule === undefined || rule.remaining < count;
}

/** Makes the registry's own private link target approve by hand, before the registry exists. */
async function manualApproval(world: World, registryId: string): Promise<void> {
  const res = await fetch(`${world.sim.adminUrl}/approval-mode`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ targetId: registryId, mode: 'manual' }) });
  if (!res.ok) throw new Error(`approval-mode: ${res.status}`);
}

/** Once the run waits for approval: arms the fault, then approves the Pending connections as the registry's owner would. */
async function armDuringApproval(world: World, registryId: string, spec: Record<string, unknown>): Promise<string> {
  await waitUntil('the approval step', () => {
    const steps = (currentRun(world, registryId)?.customStatus as { steps?: Array<{ step: string; state: string }> } | undefined)?.steps;
    return steps?.some((x) => x.step === 'approval' && x.state === 'running') ? true : undefined;
  }, RUN_TIMEOUT_MS);
  const id = await inject(world, spec);
  const api = '?api-version=2025-12-01';
  const list = await arm(world, 'GET', `${registryId}/privateEndpointConnections${api}`);
  // an ML registry names the state registryPrivateLinkServiceConnectionState
  const stateOf = (c: Resource): { status?: string } | undefined => (c.properties?.registryPrivateLinkServiceConnectionState ?? c.properties?.privateLinkServiceConnectionState) as { status?: string } | undefined;
  const pending = ((list.body.value as Resource[] | undefined) ?? []).filter((c) => stateOf(c)?.status === 'Pending');
  if (pending.length === 0) throw new Error(`no Pending connection on ${registryId}: ${JSON.stringify(list.body).slice(0, 300)}`);
  for (const c of pending) {
    const put = await arm(world, 'PUT', `${c.id}${api}`, { properties: { registryPrivateLinkServiceConnectionState: { status: 'Approved', description: 'approved by the test' } } });
    if (put.status >= 300) throw new Error(`approving ${c.id}: ${put.status} ${JSON.stringify(put.body).slice(0, 300)}`);
  }
  return id;
}

const CODE = /\[([A-Z][A-Z0-9_]*(?:\.[A-Z][A-Z0-9_]*)+)\]\s+([^"\\]*)/;

export interface Verdict {
  ended: string;
  problems: string[];
}

interface Resource { id: string; name: string; properties?: Record<string, unknown> }

function targetOf(pe: Resource): string {
  const props = pe.properties ?? {};
  const conns = [...((props.privateLinkServiceConnections as Resource[] | undefined) ?? []), ...((props.manualPrivateLinkServiceConnections as Resource[] | undefined) ?? [])];
  const c = conns[0]?.properties ?? {};
  return `${String(c.privateLinkServiceId ?? '').toLowerCase()}#${((c.groupIds as string[] | undefined) ?? []).join(',')}`;
}

/** The invariants that hold after every run, whatever it reported. */
async function checkResources(world: World, n: string, hardened: boolean): Promise<string[]> {
  const problems: string[] = [];
  const endpoints = (await resources(world, 'Microsoft.Network/privateEndpoints')).filter((e) => e.name.startsWith(`pe-${n}-`));
  const perTarget = new Map<string, number>();
  for (const e of endpoints) perTarget.set(targetOf(e), (perTarget.get(targetOf(e)) ?? 0) + 1);
  for (const [t, count] of perTarget) if (count > 1) problems.push(`${count} endpoints for ${t}`);
  if (!hardened) return problems;
  const groups = (await resources(world, 'Microsoft.Network/privateEndpoints/privateDnsZoneGroups')).map((g) => g.id.toLowerCase());
  for (const e of endpoints) if (!groups.some((g) => g.startsWith(`${e.id.toLowerCase()}/`))) problems.push(`endpoint ${e.name} without a zone group`);
  if (endpoints.length !== 3) problems.push(`expected 3 endpoints, found ${endpoints.length}`);
  const registry = (await resources(world, 'Microsoft.MachineLearningServices/registries')).find((r) => r.name === n);
  const storage = (await resources(world, 'Microsoft.Storage/storageAccounts')).filter((r) => r.name.startsWith(n));
  const acr = (await resources(world, 'Microsoft.ContainerRegistry/registries')).filter((r) => r.name.startsWith(n));
  for (const r of [registry, ...storage, ...acr]) {
    if (r?.properties?.publicNetworkAccess !== 'Disabled') problems.push(`public access of ${r?.name ?? n} is ${String(r?.properties?.publicNetworkAccess)}`);
  }
  return problems;
}

/** Hardened with DNS proven and the invariants held (Completed), or Failed with a stable, actionable code; `problems` says what broke. */
export async function judge(world: World, n: string, run: OrchestrationStatus): Promise<Verdict> {
  if (run.runtimeStatus === 'Completed') {
    const outcome = run.output as Outcome;
    const problems: string[] = [];
    if (outcome.kind !== 'Hardened') problems.push(`outcome ${outcome.kind}`);
    if (outcome.dns.length === 0 || !outcome.dns.every((d) => d.ok)) problems.push('DNS not proven');
    problems.push(...(await checkResources(world, n, true)));
    return { ended: 'Hardened', problems };
  }
  const text = JSON.stringify(run.output);
  const m = CODE.exec(text);
  const problems: string[] = [];
  if (run.runtimeStatus !== 'Failed') problems.push(`ended ${run.runtimeStatus}`);
  if (!m) problems.push(`no stable code in ${text.slice(0, 200)}`);
  else if (m[1] === 'HARDEN.UNEXPECTED') problems.push(`unexpected error: ${text.slice(0, 300)}`);
  else if ((m[2] ?? '').trim().length < 20) problems.push(`message not actionable: ${text.slice(0, 200)}`);
  problems.push(...(await checkResources(world, n, false)));
  return { ended: `Failed ${m?.[1] ?? '?'}`, problems };
}

export interface CaseResult { tried: string; ended: string; problems: string[] }

/**
 * What a case must end as, beyond the invariants `judge` checks for every run:
 * - `Hardened`: the fault is absorbed (retried) and the run hardens the registry;
 * - `Failed`: the run fails with this stable code, and a fault-free re-run then converges;
 * - `either`: Hardened, or Failed with a stable, actionable code and then converges.
 */
export type Expected = { ends: 'Hardened' } | { ends: 'Failed'; code: string } | { ends: 'either' };

export function describeExpected(expected: Expected): string {
  switch (expected.ends) {
    case 'Hardened':
      return 'ends Hardened with DNS proven';
    case 'Failed':
      return `ends Failed ${expected.code} and then converges`;
    case 'either':
      return 'ends Hardened with DNS proven, or Failed with a stable code and then converges';
  }
}

function unmet(expected: Expected, ended: string): string | undefined {
  if (expected.ends === 'Hardened' && ended !== 'Hardened') return `expected Hardened, ended ${ended}`;
  if (expected.ends === 'Failed' && !ended.startsWith(`Failed ${expected.code},`)) return `expected Failed ${expected.code} then a converging re-run, ended ${ended}`;
  return undefined;
}

/**
 * One case: a fresh single-region registry, the fault armed, a run started and awaited (bounded),
 * the invariants checked. A Failed run is then followed by a fault-free run that must converge
 * (Hardened, no duplicate, every endpoint with its zone group). The case must also end as `expected`.
 */
export async function runCase(world: World, n: string, op: Operation, fault: FaultName, expected: Expected): Promise<CaseResult> {
  const tried = `${op.name} × ${fault}`;
  const registryId = `/subscriptions/${world.sim.subscriptionId}/resourceGroups/${DEMO.rg}/providers/Microsoft.MachineLearningServices/registries/${n}`;
  if (op.phase === 'approval') await manualApproval(world, registryId);
  const id = await createRegistry(world.sim, world.user, { name: n, regions: ['westeurope'] });
  const spec = faultSpec(op, fault, n);
  let faultId = op.phase === 'approval' ? '' : await inject(world, spec);
  let verdict: Verdict;
  try {
    const before = lastRunCreated(world, id);
    startRun(world, id, 'apply', FAST);
    if (op.phase === 'approval') faultId = await armDuringApproval(world, id, spec);
    const run = await waitForRun(world, id, { after: before, timeoutMs: RUN_TIMEOUT_MS });
    verdict = await judge(world, n, run);
    if (!(await faultFired(world, faultId, Number(spec.count)))) verdict.problems.push('the fault never hit a request');
    if (verdict.ended.startsWith('Failed')) {
      await removeFault(world, faultId);
      const again = lastRunCreated(world, id);
      startRun(world, id, 'apply', FAST);
      const second = await waitForRun(world, id, { after: again, timeoutMs: RUN_TIMEOUT_MS });
      const converged = await judge(world, n, second);
      verdict = { ended: `${verdict.ended}, then ${converged.ended}`, problems: [...verdict.problems, ...converged.problems.map((p) => `after re-run: ${p}`)] };
      if (converged.ended !== 'Hardened') verdict.problems.push('a fault-free re-run did not converge');
    }
  } catch (e) {
    verdict = { ended: 'hung', problems: [(e as Error).message] };
  } finally {
    if (faultId) await removeFault(world, faultId);
  }
  const miss = unmet(expected, verdict.ended);
  if (miss) verdict.problems.push(miss);
  const result = { tried, ended: verdict.ended, problems: verdict.problems };
  record({ area: 'faults', tried, held: result.problems.length === 0, result: result.ended.replace(/, then Hardened$/, ' → re-run Hardened') });
  return result;
}

export interface Case {
  fault: FaultName;
  expected: Expected;
  /** the registry the case creates (every name in a world has the same length, so none is a prefix of another) */
  registry: string;
}

/** Runs an operation's cases concurrently, each on its own registry (a shared operation's one after the other). */
export async function runCases(world: World, op: Operation, cases: readonly Case[]): Promise<CaseResult[]> {
  if (!op.shared) return Promise.all(cases.map((c) => runCase(world, c.registry, op, c.fault, c.expected)));
  const results: CaseResult[] = [];
  for (const c of cases) results.push(await runCase(world, c.registry, op, c.fault, c.expected));
  return results;
}
