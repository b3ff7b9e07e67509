import type { OrchestrationStatus } from '../../local/func-host';
import { PROFILES } from '../../local/azure-sim/profiles';
import { WORLD_SIM_TIME_SCALE, type World } from '../../local/world';
import { instanceIdFor } from '../../src/shared/instance-id';
import type { Outcome } from '../../src/hardening/domain/hardening';

export interface ArmAnswer {
  status: number;
  body: Record<string, unknown>;
}

/** Calls the simulator's ARM as the demo user, over https, like any client would. */
export async function arm(world: World, method: string, pathWithQuery: string, body?: unknown): Promise<ArmAnswer> {
  const token = await world.user.getToken('https://management.azure.com/.default');
  const res = await fetch(`${world.sim.armEndpoint}${pathWithQuery}`, {
    method,
    headers: { authorization: `Bearer ${token?.token ?? ''}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}

export interface RequestLogEntry {
  method: string;
  path: string;
  status: number;
  principal?: string;
  /** what ARM authorized the request against, and the linked checks of its body (routed ARM requests) */
  action?: string;
  linkedActions?: string[];
  /** the checks the caller's role assignment did not cover */
  denied?: string[];
  /** a 429's origin: ARM's bucket or a resource provider's own limit */
  throttledBy?: 'arm' | 'network' | 'dns';
}

export async function requestLog(world: World): Promise<RequestLogEntry[]> {
  return (await (await fetch(`${world.sim.adminUrl}/requests`)).json()) as RequestLogEntry[];
}

export async function clearRequestLog(world: World): Promise<void> {
  await fetch(`${world.sim.adminUrl}/requests`, { method: 'DELETE' });
}

/** ARM writes the app made (its own principal), from the simulator's request log. */
export function appWrites(log: RequestLogEntry[], world: World): RequestLogEntry[] {
  return log.filter((r) => ['PUT', 'PATCH', 'POST', 'DELETE'].includes(r.method) && r.principal === world.sim.principal.oid && !r.path.startsWith('/discovery/') && !r.path.includes('/eventgrid/'));
}

/** ARM reads the app made (its own principal's GETs; neither discovery nor Event Grid, which are not ARM), LRO status polls included. */
export function appReads(log: RequestLogEntry[], world: World): RequestLogEntry[] {
  return log.filter((r) => r.method === 'GET' && r.principal === world.sim.principal.oid && !r.path.startsWith('/discovery/') && !r.path.includes('/eventgrid/'));
}

/** `GET Microsoft.Network/privateEndpoints/…`-style lines of calls, for a failure message that says which calls they were. */
export function describeCalls(calls: RequestLogEntry[]): string {
  return calls.map((c) => `${c.method} ${c.path.replace(/^\/subscriptions\/[^/]+/, '')} → ${c.status}`).join('\n');
}

export async function adminGet<T>(world: World, path: string): Promise<T> {
  return (await (await fetch(`${world.sim.adminUrl}${path}`)).json()) as T;
}

export async function resources(world: World, type: string): Promise<Array<{ id: string; name: string; properties?: Record<string, unknown> }>> {
  return adminGet(world, `/resources?type=${encodeURIComponent(type)}`);
}

const FINAL = ['Completed', 'Failed', 'Terminated'];

/**
 * A marker of the registry's current run ('' when none), for `waitForRun`'s `after`. createdTime
 * has whole seconds (as the real extension reports it), so the run's output is part of it.
 */
export function lastRunCreated(world: World, registryId: string): string {
  const s = world.host.durable.getStatus(instanceIdFor(registryId));
  return s ? runMarker(s) : '';
}

function runMarker(s: OrchestrationStatus): string {
  return `${s.createdTime} ${s.runtimeStatus} ${JSON.stringify(s.output ?? null)}`;
}

/** Waits for a run of the registry other than the one `after` (from lastRunCreated) names to end. */
export async function waitForRun(world: World, registryId: string, options: { after?: string; timeoutMs?: number } = {}): Promise<OrchestrationStatus> {
  const instanceId = instanceIdFor(registryId);
  const deadline = Date.now() + (options.timeoutMs ?? 60_000);
  while (Date.now() < deadline) {
    const s = world.host.durable.getStatus(instanceId);
    if (s && FINAL.includes(s.runtimeStatus) && (!options.after || runMarker(s) !== options.after)) return s;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`no finished run of ${registryId} (${instanceId}) within the timeout; last: ${JSON.stringify(world.host.durable.getStatus(instanceId)?.customStatus)}`);
}

export async function waitUntil<T>(what: string, probe: () => Promise<T | undefined> | T | undefined, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const v = await probe();
    if (v !== undefined) return v;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** The outcome of a completed run; a failed run fails the test with its error. */
export function outcomeOf(status: OrchestrationStatus): Outcome {
  if (status.runtimeStatus !== 'Completed') throw new Error(`run ${status.instanceId} ended ${status.runtimeStatus}: ${JSON.stringify(status.output)}`);
  return status.output as Outcome;
}

export function registryPath(world: World, rg: string, name: string): string {
  return `/subscriptions/${world.sim.subscriptionId}/resourceGroups/${rg}/providers/Microsoft.MachineLearningServices/registries/${name}`;
}

/** Starts a run directly on the host's durable engine, as the HTTP starter will. */
export function startRun(world: World, registryId: string, mode: 'apply' | 'plan', options: Record<string, unknown>): string {
  const instanceId = instanceIdFor(registryId);
  world.host.durable.engine.startNew('hardenRegistry', instanceId, { registryId, mode, trigger: 'test', options });
  return instanceId;
}

/**
 * Waits until a principal listed in a registry's assignedIdentities at its creation is exempt from
 * the managed group's deny assignment (the strict profile's propagation delay, at the world's time scale).
 */
export async function waitOutExemption(simTimeScale = WORLD_SIM_TIME_SCALE): Promise<void> {
  await new Promise((r) => setTimeout(r, PROFILES.strict.flags.assignedIdentityPropagationMs * simTimeScale + 500));
}
