import type { AccessToken, TokenCredential } from '@azure/core-auth';
import type { OrchestrationStatus } from '../../local/func-host';
import { randomBytes } from 'node:crypto';
import { PROFILES } from '../../local/azure-sim/profiles';
import { WORLD_SIM_TIME_SCALE, type CallerName, type World } from '../../local/world';
import { applyRunIdFor, instanceIdFor, isRunIdOf, planRunIdFor } from '../../src/shared/instance-id';
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

/**
 * The credential a CLI run of a person with one app role would have: the world's ready user token
 * of that role (issued by the simulator, checked by the host's App Service Authentication), given
 * only for the API's scope.
 */
export function callerCredential(world: World, role: CallerName): TokenCredential {
  return {
    async getToken(scopes: string | string[]): Promise<AccessToken> {
      const asked = Array.isArray(scopes) ? scopes : [scopes];
      if (asked.length !== 1 || asked[0] !== `api://${world.auth.appId}/.default`) throw new Error(`no token for ${asked.join(' ')}: this caller has one for api://${world.auth.appId}/.default only`);
      return { token: world.auth.tokens[role], expiresOnTimestamp: Date.now() + 3_600_000 };
    },
  };
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
 * The registry's current or last apply run: the sub-orchestration its lock (`instanceIdFor`)
 * names, or a run from before the lock at the lock's id itself; undefined when there is none
 * (yet: a lock that has just started has no run for a moment).
 */
export function currentRun(world: World, registryId: string): OrchestrationStatus | undefined {
  const lock = world.host.durable.getStatus(instanceIdFor(registryId));
  if (!lock) return undefined;
  if (lock.name === 'hardenRegistry') return lock;
  const runId = (lock.input as { runId?: unknown } | null)?.runId;
  return typeof runId === 'string' ? world.host.durable.getStatus(runId) : undefined;
}

/** Whether the registry's apply lock goes on (an apply run is going on, or about to start). */
export function applyActive(world: World, registryId: string): boolean {
  return ['Running', 'Pending'].includes(world.host.durable.getStatus(instanceIdFor(registryId))?.runtimeStatus ?? '');
}

/** A marker of the registry's current apply run ('' when none), for `waitForRun`'s `after`: its instance id (every run has its own). */
export function lastRunCreated(world: World, registryId: string): string {
  return currentRun(world, registryId)?.instanceId ?? '';
}

/** Waits for an apply run of the registry other than the one `after` (from lastRunCreated) names to end. */
export async function waitForRun(world: World, registryId: string, options: { after?: string; timeoutMs?: number } = {}): Promise<OrchestrationStatus> {
  const deadline = Date.now() + (options.timeoutMs ?? 60_000);
  while (Date.now() < deadline) {
    const s = currentRun(world, registryId);
    if (s && FINAL.includes(s.runtimeStatus) && (!options.after || s.instanceId !== options.after)) return s;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`no finished apply run of ${registryId} (lock ${instanceIdFor(registryId)}) within the timeout; last: ${JSON.stringify(currentRun(world, registryId)?.customStatus)}`);
}

/** Waits for one instance (a plan run, a run by its id) to end. */
export function waitForInstance(world: World, instanceId: string, timeoutMs = 60_000): Promise<OrchestrationStatus> {
  return world.host.durable.waitForStatus(instanceId, (s) => FINAL.includes(s.runtimeStatus), timeoutMs);
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

/**
 * Starts a run directly on the host's durable engine, as the starter does: an apply run through
 * the registry's lock (as its sub-orchestration), a plan run with an id of its own. Answers the
 * run's instance id.
 */
export function startRun(world: World, registryId: string, mode: 'apply' | 'plan', options: Record<string, unknown>): string {
  const nonce = randomBytes(2).toString('hex');
  const input = { registryId, mode, trigger: 'test', options };
  if (mode === 'plan') {
    const instanceId = planRunIdFor(registryId, new Date(), nonce);
    world.host.durable.engine.startNew('hardenRegistry', instanceId, input);
    return instanceId;
  }
  const runId = applyRunIdFor(registryId, new Date(), nonce);
  world.host.durable.engine.startNew('hardenRegistryLock', instanceIdFor(registryId), { ...input, runId });
  return runId;
}

/** Every run of the registry the host knows (apply and plan, newest first), for the history. */
export function runsOf(world: World, registryId: string): OrchestrationStatus[] {
  return world.host.durable.engine.list({}).items
    .filter((s) => s.name === 'hardenRegistry' && isRunIdOf(registryId, s.instanceId))
    .sort((a, b) => String(b.createdTime).localeCompare(String(a.createdTime)));
}

/**
 * Waits until a principal listed in a registry's assignedIdentities at its creation is exempt from
 * the managed group's deny assignment (the strict profile's propagation delay, at the world's time scale).
 */
export async function waitOutExemption(simTimeScale = WORLD_SIM_TIME_SCALE): Promise<void> {
  await new Promise((r) => setTimeout(r, PROFILES.strict.flags.assignedIdentityPropagationMs * simTimeScale + 500));
}
