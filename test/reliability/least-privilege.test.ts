import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { OrchestrationStatus } from '../../local/func-host';
import { createRegistry, type World } from '../../local/world';
import type { Outcome, StepName, StepStatus } from '../../src/hardening/domain/hardening';
import type { HardenStatus } from '../../src/hardening/domain/progress';
import { clearRequestLog, lastRunCreated, outcomeOf, requestLog, resources, startRun, waitForRun, waitOutExemption, type RequestLogEntry } from '../helpers/world-helpers';
import { FAST, RUN_TIMEOUT_MS, SIM_TIME_SCALE, startFaultWorld } from './fault-harness';
import { flushUnreported, record } from './summary';

/**
 * Least privilege, enforced by the local Azure (its own mapping of requests to actions, as ARM
 * does — not src's permission list): with exactly the custom role (infra/app/role-actions.json) a
 * hardening succeeds; without any one action the run used (and ACCESS_PROPAGATION_MINUTES=0: no wait
 * for a role assignment that may still be propagating), it fails fast at the step that needed it, with an [ARM.FORBIDDEN] error naming the action, and nothing after that step was changed.
 */

const ROLE: string[] = (JSON.parse(readFileSync(join(__dirname, '../../infra/app/role-actions.json'), 'utf8')) as { actions: string[] }).actions;

/** The order a run goes through its steps (LOCKDOWN_ORDER=lockdown-first, the default). */
const RUN_ORDER: readonly StepName[] = ['read', 'resolve', 'plan', 'lockdown', 'endpoints', 'approval', 'dns', 'publish'];

/**
 * The step that needs each action (this file's expectation, checked against where runs fail): a
 * run without the action must fail there. An action the simulator checks that is not listed here
 * fails the test: say which step needs it.
 */
const NEEDED_AT: Readonly<Record<string, StepName>> = Object.fromEntries(
  Object.entries({
    read: ['Microsoft.MachineLearningServices/registries/read'],
    resolve: ['Microsoft.Storage/storageAccounts/read', 'Microsoft.ContainerRegistry/registries/read', 'Microsoft.Network/virtualNetworks/read'],
    lockdown: [
      'Microsoft.MachineLearningServices/registries/write',
      'Microsoft.MachineLearningServices/locations/mfeOperationsStatus/read',
      'Microsoft.Storage/storageAccounts/write',
      'Microsoft.ContainerRegistry/registries/write',
      'Microsoft.ContainerRegistry/registries/operationStatuses/read',
    ],
    endpoints: [
      'Microsoft.Network/privateEndpoints/write',
      'Microsoft.Network/virtualNetworks/subnets/join/action',
      'Microsoft.MachineLearningServices/registries/privateEndpointConnectionsApproval/action',
      'Microsoft.Storage/storageAccounts/privateEndpointConnectionsApproval/action',
      'Microsoft.ContainerRegistry/registries/privateEndpointConnectionsApproval/action',
      'Microsoft.Network/locations/operations/read',
      'Microsoft.Network/privateEndpoints/privateDnsZoneGroups/read',
      'Microsoft.Network/privateEndpoints/privateDnsZoneGroups/write',
      'Microsoft.Network/privateDnsZones/join/action',
    ],
    // from 2.3 a fresh registry's endpoints are first read for the DNS proof (one GET each, its NIC
    // expanded): with no connection yet, the inspection lists none and the creation GETs none
    dns: ['Microsoft.Network/privateEndpoints/read', 'Microsoft.Network/networkInterfaces/read'],
  }).flatMap(([step, actions]) => actions.map((a) => [a.toLowerCase(), step as StepName])),
);

/** Which step makes a write (the app's successful PUT/PATCH), by path. */
function stepOfWrite(path: string): StepName {
  return /\/privateEndpoints\//i.test(path) ? 'endpoints' : 'lockdown';
}

const lower = (a: string): string => a.toLowerCase();

async function assignRole(world: World, actions: string[]): Promise<void> {
  const res = await fetch(`${world.sim.adminUrl}/role-assignments/${world.sim.principal.oid}`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ actions }),
  });
  if (!res.ok) throw new Error(`role assignment not accepted: ${res.status} ${await res.text()}`);
}

async function removeRole(world: World): Promise<void> {
  await fetch(`${world.sim.adminUrl}/role-assignments/${world.sim.principal.oid}`, { method: 'DELETE' });
}

/** The app's routed ARM requests (its principal; discovery and Event Grid are not ARM). */
async function appRequests(world: World): Promise<RequestLogEntry[]> {
  return (await requestLog(world)).filter((r) => r.principal === world.sim.principal.oid && r.action !== undefined);
}

/** One run on the registry, awaited; with the app's requests of that run. */
async function run(world: World, id: string, options: Partial<typeof FAST> = {}): Promise<{ status: OrchestrationStatus; log: RequestLogEntry[] }> {
  await clearRequestLog(world);
  const before = lastRunCreated(world, id);
  startRun(world, id, 'apply', { ...FAST, ...options });
  const status = await waitForRun(world, id, { after: before, timeoutMs: RUN_TIMEOUT_MS });
  return { status, log: await appRequests(world) };
}

/** What the run left behind for registry `n`: its endpoints, their zone groups, public access per resource. */
async function leftBehind(world: World, n: string): Promise<string> {
  const endpoints = (await resources(world, 'Microsoft.Network/privateEndpoints')).filter((e) => e.name.startsWith(`pe-${n}-`));
  const groups = (await resources(world, 'Microsoft.Network/privateEndpoints/privateDnsZoneGroups')).map((g) => g.id.toLowerCase());
  const bare = endpoints.filter((e) => !groups.some((g) => g.startsWith(`${e.id.toLowerCase()}/`))).length;
  const targets = [
    ...(await resources(world, 'Microsoft.MachineLearningServices/registries')).filter((r) => r.name === n),
    ...(await resources(world, 'Microsoft.Storage/storageAccounts')).filter((r) => r.name.startsWith(n)),
    ...(await resources(world, 'Microsoft.ContainerRegistry/registries')).filter((r) => r.name.startsWith(n)),
  ];
  const off = targets.filter((r) => r.properties?.publicNetworkAccess === 'Disabled').length;
  return `${endpoints.length} endpoint(s)${bare ? ` (${bare} without zone group)` : ''}, public access off ${off}/${targets.length}`;
}

describe('least privilege: the simulator enforces the custom role action by action', () => {
  let world: World;
  /** the actions (own and linked) the simulator checked for the app during the full hardening */
  let used: string[] = [];

  beforeAll(async () => {
    world = await startFaultWorld('least-privilege');
  }, 90_000);
  afterAll(async () => {
    if (world) await removeRole(world);
    await world?.stop();
    flushUnreported();
  });

  it('with exactly the actions of infra/app/role-actions.json, a two-region registry ends Hardened with DNS proven', async () => {
    await assignRole(world, ROLE);
    const { status, log } = await run(world, await createRegistry(world.sim, world.user, { name: 'lpfull00', regions: ['westeurope', 'northeurope'] }));
    const outcome: Outcome = outcomeOf(status);
    expect(outcome.kind).toBe('Hardened');
    expect(outcome.dns.length).toBeGreaterThan(0);
    expect(outcome.dns.every((d) => d.ok)).toBe(true);
    // no role refusal; the only 403s are the managed group's deny assignment while the app's exemption
    // (its entry in assignedIdentities, carried by the registry PUT) takes effect
    expect(log.filter((r) => r.status === 403 && r.denied !== undefined)).toEqual([]);
    const denyAssignment = log.filter((r) => r.status === 403 && r.denied === undefined);
    expect(denyAssignment.filter((r) => r.method !== 'PATCH' || !/\/resourceGroups\/azureml-rg-lpfull00_/i.test(r.path))).toEqual([]);

    const checked = new Map<string, string>();
    for (const r of log) for (const a of [r.action ?? '', ...(r.linkedActions ?? [])]) checked.set(lower(a), a);
    used = [...checked.values()].sort((a, b) => a.localeCompare(b));
    // the run wrote, polled long-running operations and made the linked checks of its endpoints
    expect(used.map(lower)).toEqual(expect.arrayContaining(['microsoft.network/virtualnetworks/subnets/join/action', 'microsoft.network/privatednszones/join/action', 'microsoft.network/locations/operations/read']));
    const role = new Set(ROLE.map(lower));
    expect(used.filter((a) => !role.has(lower(a)))).toEqual([]);
    record({ area: 'least-priv', tried: 'exactly the custom role (2 regions)', held: true, result: `Hardened, DNS proven; ${used.length} actions checked` });

    const unused = ROLE.filter((a) => !checked.has(lower(a)));
    record({ area: 'least-priv', tried: 'role actions a hardening never uses', held: true, result: `${unused.length}: ${unused.join(', ')}` });
  }, 120_000);

  it('without any one of the actions the hardening used, the run fails at once at the step that needs it, naming the action, and nothing later changed', async () => {
    expect(used.length).toBeGreaterThan(10);
    const problems: string[] = [];
    // single-region registries, created up front (by the user, whom no role assignment restricts)
    const names = used.map((_, i) => `lpcase${String(i).padStart(2, '0')}`);
    // the app is listed in each one's assignedIdentities from the start, and its exemption has taken
    // effect before the runs: a refusal can only be the role's, and the runs need not wait for access
    const ids = await Promise.all(names.map((name) => createRegistry(world.sim, world.user, { name, regions: ['westeurope'], assignedIdentities: [world.sim.principal.oid] })));
    await waitOutExemption(SIM_TIME_SCALE);
    for (const [i, action] of used.entries()) {
      const n = names[i] ?? '';
      await assignRole(world, ROLE.filter((a) => lower(a) !== lower(action)));
      const { status, log } = await run(world, ids[i] ?? '', { accessPropagationMinutes: 0 });
      const steps = (status.customStatus as HardenStatus).steps;
      const failed = steps.find((s) => s.state === 'failed');
      const text = JSON.stringify(status.output);
      const mine: string[] = [];
      if (status.runtimeStatus !== 'Failed') mine.push(`ended ${status.runtimeStatus}`);
      if (!text.includes('[ARM.FORBIDDEN]')) mine.push(`no [ARM.FORBIDDEN] in ${text.slice(0, 200)}`);
      if (!lower(text).includes(`missing permission '${lower(action)}'`)) mine.push(`the error does not name the missing permission: ${text.slice(0, 300)}`);
      if (!failed?.detail.startsWith('[ARM.FORBIDDEN]')) mine.push(`no failed step with the code: ${JSON.stringify(steps.map((s: StepStatus) => [s.step, s.state]))}`);
      else if (failed.step !== NEEDED_AT[lower(action)]) mine.push(`failed at ${failed.step}, expected ${NEEDED_AT[lower(action)] ?? '(no expected step listed)'}`);
      // fail fast (ACCESS_PROPAGATION_MINUTES=0): each refused request was sent once (no durable retry of a 403)
      const refused = log.filter((r) => r.status === 403);
      if (refused.length === 0 || !refused.every((r) => (r.denied ?? []).map(lower).includes(lower(action)))) mine.push(`refused requests: ${JSON.stringify(refused)}`);
      const keys = refused.map((r) => `${r.method} ${r.path}`);
      if (new Set(keys).size !== keys.length) mine.push(`a refused request was retried: ${keys.join(', ')}`);
      // nothing changed by a step after the one that failed
      const at = failed ? RUN_ORDER.indexOf(failed.step) : -1;
      const later = log.filter((r) => ['PUT', 'PATCH'].includes(r.method) && r.status < 400 && RUN_ORDER.indexOf(stepOfWrite(r.path)) > at);
      if (later.length > 0) mine.push(`writes after the failed step: ${later.map((r) => `${r.method} ${r.path}`).join(', ')}`);
      const left = await leftBehind(world, n);
      problems.push(...mine.map((p) => `${action}: ${p}`));
      record({ area: 'least-priv', tried: `without ${action}`, held: mine.length === 0, result: `${status.runtimeStatus} at ${failed?.step ?? '?'}; left ${left}` });
    }
    expect(problems).toEqual([]);

    // with the whole role again, every registry converges: what a refused run left is completed, nothing duplicated
    await assignRole(world, ROLE);
    const again = await Promise.all(ids.map(async (id, i) => {
      const before = lastRunCreated(world, id);
      startRun(world, id, 'apply', FAST);
      const status = await waitForRun(world, id, { after: before, timeoutMs: RUN_TIMEOUT_MS });
      return { action: used[i] ?? '', status, left: await leftBehind(world, names[i] ?? '') };
    }));
    const notConverged = again.filter((a) => a.status.runtimeStatus !== 'Completed' || (a.status.output as Outcome).kind !== 'Hardened' || a.left !== '3 endpoint(s), public access off 3/3');
    record({ area: 'least-priv', tried: 'every refused run, re-run with the whole role', held: notConverged.length === 0, result: notConverged.length === 0 ? `${again.length}/${again.length} Hardened, 3 endpoints each with zone group` : notConverged.map((a) => `${a.action}: ${a.status.runtimeStatus} ${a.left}`).join('; ') });
    expect(notConverged.map((a) => `${a.action}: ${a.status.runtimeStatus} ${a.left}`)).toEqual([]);
    await removeRole(world);
  }, 300_000);
});
