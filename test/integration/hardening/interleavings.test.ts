/**
 * A registry write that comes while a run goes on is never dropped (issue 15 item 1): a plan run
 * takes no lock, and an event that finds an apply run going on queues a follow-up that starts the
 * next apply run once that one has ended. Each interleaving — during a plan run, during an apply
 * run before and after its lockdown step, during a run being terminated — ends with the registry's
 * publicNetworkAccess Disabled, on the local Azure through the local Functions host; the writes
 * are the user's own ARM calls, whose events the simulator's Event Grid delivers.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRegistry, DEMO, startWorld, type World } from '../../../local/world';
import { followUpIdFor, instanceIdFor } from '../../../src/shared/instance-id';
import type { Outcome } from '../../../src/hardening/domain/hardening';
import { adminGet, arm, currentRun, registryPath, runsOf, waitForInstance, waitUntil } from '../../helpers/world-helpers';

const API = '?api-version=2025-12-01';

describe('interleavings: an event while a run goes on is never dropped', () => {
  let world: World;

  beforeAll(async () => {
    world = await startWorld({ stateDir: mkdtempSync(join(tmpdir(), 'interleavings-')), hostTimeScale: 0.05, settings: { DNS_DEADLINE_MINUTES: '1' } });
  });
  afterAll(async () => {
    await world?.stop();
  });

  const operator = (): Record<string, string> => world.auth.headers('operator');
  const hardenUrl = (name: string): string => `${world.host.baseUrl}/api/registries/${world.sim.subscriptionId}/${DEMO.rg}/${name}/harden`;

  async function publicAccess(id: string): Promise<unknown> {
    return ((await arm(world, 'GET', `${id}${API}`)).body.properties as Record<string, unknown> | undefined)?.publicNetworkAccess;
  }

  /** The user writes the registry (a full PUT of what GET returned, with changes): ARM raises the event. */
  async function userWrites(id: string, change: { publicNetworkAccess?: string; tag?: string }): Promise<void> {
    const current = await arm(world, 'GET', `${id}${API}`);
    const body = {
      location: current.body.location, identity: current.body.identity,
      tags: { ...(current.body.tags as Record<string, string>), ...(change.tag ? { note: change.tag } : {}) },
      properties: { ...(current.body.properties as object), ...(change.publicNetworkAccess ? { publicNetworkAccess: change.publicNetworkAccess } : {}) },
    };
    expect((await arm(world, 'PUT', `${id}${API}`, body)).status).toBeLessThan(300);
  }

  async function manualApproval(id: string): Promise<void> {
    const r = await fetch(`${world.sim.adminUrl}/approval-mode`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ targetId: id, mode: 'manual' }) });
    expect(r.status).toBe(200);
  }

  /** Approves the registry's Pending connections as its owner would, then raises `approve` through the API. */
  async function approve(id: string, name: string): Promise<void> {
    const conns = await arm(world, 'GET', `${id}/privateEndpointConnections${API}`);
    for (const c of (conns.body.value as Array<{ id: string; properties: Record<string, unknown> }> | undefined) ?? []) {
      const state = c.properties.registryPrivateLinkServiceConnectionState as { status?: string } | undefined;
      if (state?.status !== 'Pending') continue;
      const r = await arm(world, 'PUT', `${c.id}${API}`, { properties: { ...c.properties, registryPrivateLinkServiceConnectionState: { status: 'Approved', description: 'approved by the owner' } } });
      expect(r.status).toBe(200);
    }
    expect((await fetch(`${hardenUrl(name)}/approve`, { method: 'POST', headers: operator() })).status).toBe(202);
  }

  function stepOf(runId: string, step: string): string | undefined {
    const steps = (world.host.durable.getStatus(runId)?.customStatus as { steps?: Array<{ step: string; state: string }> } | undefined)?.steps ?? [];
    return steps.find((s) => s.step === step)?.state;
  }

  /** The registry's first apply run, started by its creation event. */
  async function firstRun(id: string): Promise<string> {
    return waitUntil('the creation event\'s run', () => currentRun(world, id)?.instanceId);
  }

  /** The apply run after `runId` (another id at the lock), once it has ended. */
  async function nextRunAfter(id: string, runId: string): Promise<{ instanceId: string; outcome: Outcome; trigger: unknown }> {
    const next = await waitUntil('the next apply run', () => {
      const s = currentRun(world, id);
      return s && s.instanceId !== runId && ['Completed', 'Failed', 'Terminated'].includes(s.runtimeStatus) ? s : undefined;
    }, 90_000);
    return { instanceId: next.instanceId, outcome: next.output as Outcome, trigger: (next.input as { trigger?: unknown }).trigger };
  }

  async function inject(spec: Record<string, unknown>): Promise<string> {
    const res = await fetch(`${world.sim.adminUrl}/faults`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(spec) });
    expect(res.ok).toBe(true);
    return ((await res.json()) as { id: string }).id;
  }

  async function consumed(faultId: string): Promise<true> {
    return waitUntil('the fault to be hit', async () => {
      const left = (await adminGet<Array<{ id: string; remaining: number }>>(world, '/faults')).find((f) => f.id === faultId)?.remaining ?? 0;
      return left === 0 ? true : undefined;
    });
  }

  it('during an apply run, before its lockdown step: the event queues a follow-up, which runs after it (zero writes), and the registry ends Disabled', async () => {
    const name = 'ilbefore';
    const id = registryPath(world, DEMO.rg, name);
    // the run's first storage read (in its resolve step, before the lockdown) takes 3 s
    const hold = await inject({ method: 'GET', pathPattern: '/providers/Microsoft\\.Storage/storageAccounts/[^/]+$', count: 1, kind: 'slow', delayMs: 3000 });
    await createRegistry(world.sim, world.user, { name, regions: ['westeurope'] });
    const first = await firstRun(id);
    await consumed(hold);
    expect(stepOf(first, 'lockdown')).toBe('pending');
    await userWrites(id, { tag: 'changed while the run resolved' });
    const followUp = await waitUntil('the follow-up', () => world.host.durable.getStatus(followUpIdFor(first)));
    expect(followUp.name).toBe('hardenFollowUp');
    const firstOutcome = (await waitForInstance(world, first)).output as Outcome;
    expect(firstOutcome.kind).toBe('Hardened');
    const next = await nextRunAfter(id, first);
    expect(next).toMatchObject({ trigger: 'follow-up', outcome: { kind: 'Hardened', changes: [] } });
    expect(await publicAccess(id)).toBe('Disabled');
    // the follow-up ended with the run it started; nothing waits any more
    expect((await waitForInstance(world, followUpIdFor(first))).output).toMatchObject({ state: 'started', instanceId: next.instanceId });
  });

  it('during an apply run, after its lockdown step: a user turns public access back on; the follow-up turns it off again', async () => {
    const name = 'ilafter';
    const id = registryPath(world, DEMO.rg, name);
    await manualApproval(id);
    await createRegistry(world.sim, world.user, { name, regions: ['westeurope'] });
    const first = await firstRun(id);
    await waitUntil('the run to wait for approval, after its lockdown', () => (stepOf(first, 'approval') === 'running' ? true : undefined));
    expect(stepOf(first, 'lockdown')).toBe('done');
    expect(await publicAccess(id)).toBe('Disabled');

    await userWrites(id, { publicNetworkAccess: 'Enabled' });
    await waitUntil('the follow-up', () => world.host.durable.getStatus(followUpIdFor(first)));
    await approve(id, name);
    const firstStatus = await waitForInstance(world, first);
    expect((firstStatus.output as Outcome).kind).toBe('Hardened');
    const next = await nextRunAfter(id, first);
    expect(next.trigger).toBe('follow-up');
    expect(next.outcome.kind).toBe('Hardened');
    expect(next.outcome.changes.some((c) => /disabled public network access of registry/.test(c))).toBe(true);
    expect(await publicAccess(id)).toBe('Disabled');

    // every run keeps its outcome: both apply runs are listed, each with its own status
    const res = await fetch(`${world.host.baseUrl}/api/runs?top=100`, { headers: operator() });
    const items = ((await res.json()) as { items: Array<{ instanceId: string; runtimeStatus: string; trigger?: string; statusUrl?: string }> }).items;
    expect(items.filter((i) => i.instanceId === first || i.instanceId === next.instanceId).map((i) => [i.instanceId, i.runtimeStatus]).sort()).toEqual([[first, 'Completed'], [next.instanceId, 'Completed']].sort());
    const firstView = await fetch(items.find((i) => i.instanceId === first)?.statusUrl ?? '', { headers: operator() });
    expect(await firstView.json()).toMatchObject({ instanceId: first, trigger: 'eventgrid', output: { kind: 'Hardened' } });
  });

  it('during a run being terminated: the event that came first still has its run, and the registry ends Disabled', async () => {
    const name = 'ilterm';
    const id = registryPath(world, DEMO.rg, name);
    await manualApproval(id);
    await createRegistry(world.sim, world.user, { name, regions: ['westeurope'] });
    const first = await firstRun(id);
    await waitUntil('the run to wait for approval', () => (stepOf(first, 'approval') === 'running' ? true : undefined));
    await userWrites(id, { publicNetworkAccess: 'Enabled' });
    await waitUntil('the follow-up', () => world.host.durable.getStatus(followUpIdFor(first)));

    const term = await fetch(`${hardenUrl(name)}?reason=${encodeURIComponent('operator stops it')}`, { method: 'DELETE', headers: operator() });
    expect(term.status).toBe(202);
    expect((await waitForInstance(world, first)).runtimeStatus).toBe('Terminated');
    // the follow-up's run locks the registry down again, then waits for the approval the terminated run never got
    await waitUntil('public access off again', async () => ((await publicAccess(id)) === 'Disabled' ? true : undefined), 60_000);
    const second = currentRun(world, id);
    expect(second?.instanceId).not.toBe(first);
    expect((second?.input as { trigger?: string }).trigger).toBe('follow-up');
    await approve(id, name);
    expect(((await waitForInstance(world, second?.instanceId ?? '')).output as Outcome).kind).toBe('Hardened');
    expect(await publicAccess(id)).toBe('Disabled');
  });

  it('during a run being terminated, raced: the write and the termination at once, either order, end Disabled', async () => {
    const name = 'ilrace';
    const id = registryPath(world, DEMO.rg, name);
    await manualApproval(id);
    await createRegistry(world.sim, world.user, { name, regions: ['westeurope'] });
    const first = await firstRun(id);
    await waitUntil('the run to wait for approval', () => (stepOf(first, 'approval') === 'running' ? true : undefined));
    const [term] = await Promise.all([
      fetch(hardenUrl(name), { method: 'DELETE', headers: operator() }),
      userWrites(id, { publicNetworkAccess: 'Enabled' }),
    ]);
    expect(term.status).toBe(202);
    await waitUntil('public access off again', async () => ((await publicAccess(id)) === 'Disabled' && currentRun(world, id)?.instanceId !== first ? true : undefined), 60_000);
    expect((await waitForInstance(world, first)).runtimeStatus).toBe('Terminated');
    await approve(id, name);
    await waitUntil('the last run to end', () => (['Completed'].includes(currentRun(world, id)?.runtimeStatus ?? '') ? true : undefined), 60_000);
    expect(await publicAccess(id)).toBe('Disabled');
  });

  it('during a plan run: the plan takes no lock, the creation event\'s apply run starts at once and locks the registry down', async () => {
    const name = 'ilplan';
    const id = registryPath(world, DEMO.rg, name);
    // the creation event is delivered by hand below, while the plan run goes on
    await fetch(`${world.sim.adminUrl}/eventgrid/subscriptions/registry-writes`, { method: 'DELETE' });
    await createRegistry(world.sim, world.user, { name, regions: ['westeurope'] });
    // the plan's permission check (plan runs only) takes 4 s
    const hold = await inject({ method: 'GET', pathPattern: '/providers/Microsoft\\.Authorization/permissions', count: 1, kind: 'slow', delayMs: 4000 });
    const started = await fetch(`${hardenUrl(name)}?mode=plan`, { method: 'POST', headers: operator() });
    expect(started.status).toBe(202);
    const plan = ((await started.json()) as { instanceId: string }).instanceId;
    expect(plan).toMatch(/^plan-ilplan-/);
    await consumed(hold);

    const webhook = `${world.host.baseUrl}/runtime/webhooks/eventgrid?functionName=onRegistryWrite&code=${encodeURIComponent(world.host.keys.systemKeys.eventgrid_extension ?? '')}`;
    const event = {
      id: randomUUID(), eventType: 'Microsoft.Resources.ResourceWriteSuccess', subject: id, eventTime: new Date().toISOString(), dataVersion: '2', metadataVersion: '1',
      topic: `/subscriptions/${world.sim.subscriptionId}`,
      data: { operationName: 'Microsoft.MachineLearningServices/registries/write', status: 'Succeeded', resourceUri: id },
    };
    const delivered = await fetch(webhook, { method: 'POST', headers: { 'content-type': 'application/json', 'aeg-event-type': 'Notification' }, body: JSON.stringify([event]) });
    expect(delivered.status).toBeLessThan(300);
    // the event started the apply run while the plan still went on
    expect(world.host.durable.getStatus(plan)?.runtimeStatus).toBe('Running');
    expect(world.host.durable.getStatus(instanceIdFor(id))?.name).toBe('hardenRegistryLock');

    const apply = await waitUntil('the apply run', () => currentRun(world, id)?.instanceId);
    expect(((await waitForInstance(world, apply)).output as Outcome).kind).toBe('Hardened');
    expect(((await waitForInstance(world, plan)).output as Outcome).kind).toBe('Planned');
    expect(await publicAccess(id)).toBe('Disabled');
    // both runs are the registry's, each with its own outcome
    expect(runsOf(world, id).map((r) => [r.instanceId, (r.output as Outcome).kind]).sort()).toEqual([[apply, 'Hardened'], [plan, 'Planned']].sort());
  });
});
