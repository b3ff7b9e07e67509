jest.mock('@azure/functions-core', () => jest.requireActual('../../helpers/functions-core-mock').createFunctionsCoreMock(), { virtual: true });

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as df from 'durable-functions';
import { WORKFLOW_VERSION } from '../../../src/shared/version';
import type { PermissionNeed } from '../../../src/hardening/domain/permission-check';
import type { DiscoveryCheck, DnsCheck, DnsExpectation, EndpointInfo, EndpointPlan, HardenInput, Outcome, StepStatus, Target } from '../../../src/hardening/domain/hardening';
import type { HardenStatus } from '../../../src/hardening/domain/progress';
import { Activities, Events, Orchestrators } from '../../../src/shared/names';
import { hardenRegistryOrchestrator } from '../../../src/hardening/harden.durable';
import { DurableHistory, registeredOrchestration, type Episode, type OrchestrationTriggerHandler, type ScheduledTask } from '../../helpers/durable-history';
import type { FunctionsCoreMock } from '../../helpers/functions-core-mock';
import { endpoint, freshStates, input, PLACEMENT, readyReading, REGISTRY_ID, TARGETS } from '../../helpers/hardening-fixtures';

let handler: OrchestrationTriggerHandler;

beforeAll(() => {
  df.app.orchestration(Orchestrators.hardenRegistry, hardenRegistryOrchestrator);
  handler = registeredOrchestration(jest.requireMock<FunctionsCoreMock>('@azure/functions-core'), Orchestrators.hardenRegistry);
});

/* ---------- helpers ---------- */

const names = (e: Episode): string[] => e.scheduled.map((t) => t.name);
const status = (e: Episode): HardenStatus => e.state.customStatus as HardenStatus;
const stepOf = (e: Episode, step: StepStatus['step']): StepStatus => status(e).steps.find((s) => s.step === step) as StepStatus;
const states = (e: Episode): Record<string, string> => Object.fromEntries(status(e).steps.map((s) => [s.step, s.state]));

function created(plan: EndpointPlan, connectionStatus: EndpointInfo['connectionStatus'] = 'Approved'): EndpointInfo {
  return { ...endpoint(plan.target, plan.name, { connectionStatus, zoneGroups: [] }), id: plan.endpointId };
}

function expectations(ids: string[]): DnsExpectation[] {
  return ids.map((endpointId, i) => ({ fqdn: `name${i}.example`, expectedIp: `10.0.0.${i + 4}`, endpointId, kind: TARGETS[i]?.kind ?? 'storage' }));
}

function proofs(list: DnsExpectation[], failing: string[] = []): DnsCheck[] {
  return list.map((e) =>
    failing.includes(e.fqdn) ? { ...e, ok: false, answered: ['52.1.2.3'], chain: [] } : { ...e, ok: true, answered: [e.expectedIp], chain: [] },
  );
}

const DISCOVERY_OK: DiscoveryCheck = { ok: true, regions: ['eastus', 'westeurope'], missingRegions: [] };

/** start → readRegistry → inspectTargets (fresh registry); returns the episode after inspectTargets completed. */
async function throughPlan(h: DurableHistory): Promise<Episode> {
  const first = await h.start();
  expect(names(first)).toEqual([Activities.readRegistry]);
  expect(first.scheduled[0]?.input).toEqual({ registryId: REGISTRY_ID });
  h.complete(Activities.readRegistry, readyReading());
  const second = await h.next();
  expect(names(second)).toEqual([Activities.inspectTargets]);
  expect(second.scheduled[0]?.input).toEqual({ targets: TARGETS });
  h.complete(Activities.inspectTargets, { placement: PLACEMENT, states: freshStates() });
  return h.next();
}

function completeEndpoints(h: DurableHistory, status: (plan: EndpointPlan) => EndpointInfo['connectionStatus'] = () => 'Approved'): void {
  h.completeAll(Activities.ensurePrivateEndpoint, (i) => {
    const plan = (i as { plan: EndpointPlan }).plan;
    return created(plan, status(plan));
  });
}

function completeDisables(h: DurableHistory): void {
  h.completeAll(Activities.disablePublicAccess, () => ({ changed: true, at: h.now.toISOString() }));
}

/** collectDnsExpectations → proveDns + checkDiscovery (all ok) → publishOutcome → done. */
async function throughDns(h: DurableHistory, episode: Episode): Promise<{ outcome: Outcome; publish: Episode; done: Episode }> {
  expect(names(episode)).toEqual([Activities.collectDnsExpectations]);
  const ids = (episode.scheduled[0]?.input as { endpointIds: string[] }).endpointIds;
  const exp = expectations(ids);
  h.complete(Activities.collectDnsExpectations, exp);
  const prove = await h.next();
  expect(names(prove)).toEqual([Activities.proveDns, Activities.checkDiscovery]);
  // discovery's hosts are proven against the same names the proof resolves
  const proved = (prove.scheduled[0]?.input as { expectations: unknown[] }).expectations;
  expect(proved.length).toBeGreaterThan(0);
  expect(prove.scheduled[1]?.input).toEqual({ registryId: REGISTRY_ID, regions: ['eastus', 'westeurope'], expectations: proved });
  h.complete(Activities.proveDns, proofs(exp));
  h.complete(Activities.checkDiscovery, DISCOVERY_OK);
  const publish = await h.next();
  expect(names(publish)).toEqual([Activities.publishOutcome]);
  const outcome = publish.scheduled[0]?.input as Outcome;
  h.complete(Activities.publishOutcome);
  const done = await h.next();
  return { outcome, publish, done };
}

/* ---------- the paths ---------- */

describe('hardenRegistry orchestrator (history replay through the registered handler)', () => {
  it('apply, lockdown-first: disables public access first (in parallel), then endpoints, zone groups, DNS, outcome', async () => {
    const h = new DurableHistory(handler, input());
    const lockdown = await throughPlan(h);

    expect(names(lockdown)).toEqual(Array(4).fill(Activities.disablePublicAccess));
    expect(lockdown.scheduled.map((t) => (t.input as { target: Target }).target.id)).toEqual(TARGETS.map((t) => t.id));
    expect(lockdown.scheduled.every((t) => t.retry !== undefined && t.retry.maxNumberOfAttempts > 1)).toBe(true);
    expect(states(lockdown)).toMatchObject({ read: 'done', resolve: 'done', plan: 'done', lockdown: 'running', endpoints: 'pending' });
    expect(stepOf(lockdown, 'plan').detail).toContain('12 write(s)');
    expect(status(lockdown)).toMatchObject({ registryId: REGISTRY_ID, mode: 'apply' });

    completeDisables(h);
    const pes = await h.next();
    expect(names(pes)).toEqual(Array(4).fill(Activities.ensurePrivateEndpoint));
    const plans = pes.scheduled.map((t) => (t.input as { plan: EndpointPlan }).plan);
    expect(plans.map((p) => p.name)).toEqual(['pe-reg1-amlregistry-eastus', 'pe-reg1-blob-eastus', 'pe-reg1-blob-westeurope', 'pe-reg1-acr-eastus']);
    expect(pes.scheduled.every((t) => JSON.stringify((t.input as { placement: unknown }).placement) === JSON.stringify(PLACEMENT))).toBe(true);
    expect(states(pes)).toMatchObject({ lockdown: 'done', endpoints: 'running' });

    completeEndpoints(h);
    const zones = await h.next();
    expect(names(zones)).toEqual(Array(4).fill(Activities.ensureZoneGroup));
    expect(zones.scheduled[1]?.input).toEqual({ endpointId: plans[1]?.endpointId, name: 'default', zoneId: PLACEMENT.zoneIds.blob });

    h.completeAll(Activities.ensureZoneGroup, () => ({ changed: true }));
    const dns = await h.next();
    expect(states(dns)).toMatchObject({ endpoints: 'done', approval: 'done', dns: 'running' });
    expect((dns.scheduled[0]?.input as { endpointIds: string[] }).endpointIds).toEqual(plans.map((p) => p.endpointId));

    const { outcome, done } = await throughDns(h, dns);
    expect(outcome.kind).toBe('Hardened');
    expect(outcome.changes).toHaveLength(12);
    expect(outcome.changes).toContain("disabled public network access of storage account 'streg1westeurope' (westeurope) (was Enabled)");
    expect(outcome.exposureWindowMs).toBe(60_000); // triggered 09:59, written at 10:00
    expect(outcome.dns).toHaveLength(4);
    expect(done.finished).toBe(true);
    expect(done.failed).toBe(false);
    expect(done.state.output).toEqual(outcome);
    expect(Object.values(states(done))).toEqual(Array(8).fill('done'));
  });

  it('apply, endpoints-first: endpoints and zone groups before the public-access writes', async () => {
    const h = new DurableHistory(handler, input({}, { order: 'endpoints-first' }));
    const pes = await throughPlan(h);
    expect(names(pes)).toEqual(Array(4).fill(Activities.ensurePrivateEndpoint));
    completeEndpoints(h);
    const zones = await h.next();
    expect(names(zones)).toEqual(Array(4).fill(Activities.ensureZoneGroup));
    h.completeAll(Activities.ensureZoneGroup, () => ({ changed: true }));
    const lockdown = await h.next();
    expect(names(lockdown)).toEqual(Array(4).fill(Activities.disablePublicAccess));
    expect(states(lockdown)).toMatchObject({ endpoints: 'done', approval: 'done', lockdown: 'running' });
    completeDisables(h);
    const { outcome } = await throughDns(h, await h.next());
    expect(outcome.kind).toBe('Hardened');
  });

  it('plan mode: only reads, then publishes Planned and returns the plan', async () => {
    const h = new DurableHistory(handler, input({ mode: 'plan' }));
    const publish = await throughPlan(h);
    expect(names(publish)).toEqual([Activities.publishOutcome]);
    const outcome = publish.scheduled[0]?.input as Outcome;
    expect(outcome).toMatchObject({ kind: 'Planned', mode: 'plan', registryId: REGISTRY_ID });
    expect(outcome.plan?.writes).toBe(12);
    expect(outcome.changes[0]).toMatch(/^would create private endpoint 'pe-reg1-amlregistry-eastus'/);
    expect(states(publish)).toMatchObject({ plan: 'done', endpoints: 'skipped', approval: 'skipped', lockdown: 'skipped', dns: 'skipped', publish: 'running' });
    h.complete(Activities.publishOutcome);
    const done = await h.next();
    expect(done.state.isDone).toBe(true);
    expect(done.state.output).toEqual(outcome);
    const all = h.tasks.map((t) => t.name);
    expect(all).toEqual([Activities.readRegistry, Activities.inspectTargets, Activities.publishOutcome]);
  });

  it('2.1 plan mode: checks the app\'s permissions at every scope an apply writes, lists what is missing, writes nothing', async () => {
    const h = new DurableHistory(handler, input({ mode: 'plan' }), { version: '2.1' });
    const check = await throughPlan(h);
    expect(names(check)).toEqual([Activities.checkPermissions]);
    const needs = (check.scheduled[0]?.input as { needs: PermissionNeed[] }).needs;
    const scopes = new Set(needs.map((n) => n.scope.toLowerCase()));
    expect(scopes).toEqual(new Set([
      `/subscriptions/${PLACEMENT.subscriptionId}/resourcegroups/${PLACEMENT.resourceGroup}`.toLowerCase(),
      PLACEMENT.subnetId.toLowerCase(),
      ...Object.values(PLACEMENT.zoneIds).map((z) => z.toLowerCase()),
      ...TARGETS.map((t) => t.id.toLowerCase()),
    ]));
    expect(needs).toEqual(expect.arrayContaining([
      expect.objectContaining({ scope: PLACEMENT.subnetId, action: 'Microsoft.Network/virtualNetworks/subnets/join/action' }),
      expect.objectContaining({ scope: PLACEMENT.zoneIds.blob, action: 'Microsoft.Network/privateDnsZones/join/action' }),
    ]));
    // what the activity answers: each (scope, action) once
    const missing = needs.filter((n) => n.scope === PLACEMENT.subnetId).slice(0, 1);
    h.complete(Activities.checkPermissions, { scopes: [...scopes], missing });
    const publish = await h.next();
    expect(names(publish)).toEqual([Activities.publishOutcome]);
    const outcome = publish.scheduled[0]?.input as Outcome;
    expect(outcome.kind).toBe('Planned');
    expect(outcome.permissions?.missing).toEqual(missing);
    expect(outcome.warnings).toContain(`missing permission 'Microsoft.Network/virtualNetworks/subnets/join/action' at scope '${PLACEMENT.subnetId}' (needed to place 'pe-reg1-amlregistry-eastus' in the endpoint subnet): assign the AML Registry Lockdown role there`);
    expect(stepOf(publish, 'plan').detail).toContain('the app lacks 1 permission(s) at 1 of');
    h.complete(Activities.publishOutcome);
    await h.next();
    expect(h.tasks.map((t) => t.name)).toEqual([Activities.readRegistry, Activities.inspectTargets, Activities.checkPermissions, Activities.publishOutcome]);
  });

  it('exempt: publishes Exempt after the read and writes nothing', async () => {
    const h = new DurableHistory(handler, input());
    await h.start();
    h.complete(Activities.readRegistry, readyReading({ exempt: true }));
    const publish = await h.next();
    expect(names(publish)).toEqual([Activities.publishOutcome]);
    expect(publish.scheduled[0]?.input).toMatchObject({ kind: 'Exempt', changes: [] });
    expect(states(publish)).toMatchObject({ read: 'done', resolve: 'skipped', plan: 'skipped', lockdown: 'skipped' });
    h.complete(Activities.publishOutcome);
    const done = await h.next();
    expect((done.state.output as Outcome).kind).toBe('Exempt');
  });

  it('not found: publishes NotFound', async () => {
    const h = new DurableHistory(handler, input());
    await h.start();
    h.complete(Activities.readRegistry, { status: 'notFound', registryId: REGISTRY_ID });
    const publish = await h.next();
    expect(publish.scheduled[0]?.input).toMatchObject({ kind: 'NotFound' });
  });

  it('waits for a registry that is still provisioning with a durable timer', async () => {
    const h = new DurableHistory(handler, input({}, { provisioningPollSeconds: 20 }));
    await h.start();
    h.complete(Activities.readRegistry, { status: 'provisioning', registryId: REGISTRY_ID, provisioningState: 'Creating' });
    const wait = await h.next();
    expect(names(wait)).toEqual(['timer']);
    expect(wait.scheduled[0]?.fireAt).toBe('2026-03-01T10:00:20.000Z');
    expect(stepOf(wait, 'read').detail).toContain("'Creating'");
    expect(status(wait).waits).toEqual([{ step: 'read', kind: 'provisioning', startedAt: '2026-03-01T10:00:00.000Z', count: 1 }]);
    h.fireTimer();
    const again = await h.next();
    expect(names(again)).toEqual([Activities.readRegistry]);
    expect(status(again).waits).toEqual([{ step: 'read', kind: 'provisioning', startedAt: '2026-03-01T10:00:00.000Z', endedAt: '2026-03-01T10:00:20.000Z', count: 1 }]);
  });

  it('approval: a Pending connection waits for the approve event (or a poll), then re-reads and goes on', async () => {
    const h = new DurableHistory(handler, input({}, { order: 'endpoints-first' }));
    await throughPlan(h);
    completeEndpoints(h, (p) => (p.groupId === 'amlregistry' ? 'Pending' : 'Approved'));
    await h.next();
    h.completeAll(Activities.ensureZoneGroup, () => ({ changed: true }));
    const waiting = await h.next();
    expect(names(waiting)).toEqual(['timer']);
    expect(waiting.waitingFor).toEqual([Events.approve]);
    expect(waiting.scheduled[0]?.fireAt).toBe('2026-03-01T10:01:00.000Z');
    expect(stepOf(waiting, 'approval')).toMatchObject({ state: 'running' });
    expect(stepOf(waiting, 'approval').detail).toContain("'pe-reg1-amlregistry-eastus'");
    // the wait is in the status, open while the run waits
    expect(status(waiting).waits).toEqual([{ step: 'approval', kind: 'approval', startedAt: '2026-03-01T10:00:00.000Z', count: 1 }]);

    h.advance(5_000).raise(Events.approve, { approvedBy: 'someone' });
    const reread = await h.next();
    expect(names(reread)).toEqual([Activities.readEndpoint]);
    // ended when the event came, not at the poll's time
    expect(status(reread).waits).toEqual([{ step: 'approval', kind: 'approval', startedAt: '2026-03-01T10:00:00.000Z', endedAt: '2026-03-01T10:00:05.000Z', count: 1 }]);
    expect(reread.scheduled[0]?.input).toEqual({ endpointId: expect.stringMatching(/pe-reg1-amlregistry-eastus$/) });
    expect(h.tasks.find((t) => t.name === 'timer')?.state).toBe('canceled');

    h.complete(Activities.readEndpoint, { ...endpoint(TARGETS[0] as Target, 'pe-reg1-amlregistry-eastus'), connectionStatus: 'Approved' });
    const lockdown = await h.next();
    expect(names(lockdown)).toEqual(Array(4).fill(Activities.disablePublicAccess));
    expect(stepOf(lockdown, 'approval').state).toBe('done');
    completeDisables(h);
    const { outcome, done } = await throughDns(h, await h.next());
    expect(outcome.changes).toContain("connection of 'pe-reg1-amlregistry-eastus' approved");
    expect(done.state.isDone).toBe(true);
  });

  it('approval: a connection rejected while waiting fails the run with HARDEN.APPROVAL_REJECTED and the reason', async () => {
    const h = new DurableHistory(handler, input({}, { order: 'endpoints-first' }));
    await throughPlan(h);
    completeEndpoints(h, (p) => (p.groupId === 'blob' ? 'Pending' : 'Approved'));
    await h.next();
    h.completeAll(Activities.ensureZoneGroup, () => ({ changed: true }));
    await h.next();
    h.fireTimer();
    const reread = await h.next();
    expect(names(reread)).toEqual([Activities.readEndpoint, Activities.readEndpoint]);
    h.completeAll(Activities.readEndpoint, (i, n) => ({
      ...endpoint(TARGETS[n + 1] as Target, 'x'),
      id: (i as { endpointId: string }).endpointId,
      connectionStatus: n === 0 ? 'Rejected' : 'Pending',
      connectionDescription: 'not in our tenant',
    }));
    const publish = await h.next();
    const outcome = publish.scheduled[0]?.input as Outcome;
    expect(outcome).toMatchObject({ kind: 'Failed', error: { code: 'HARDEN.APPROVAL_REJECTED' } });
    expect(outcome.error?.message).toContain('not in our tenant');
    expect(stepOf(publish, 'approval').state).toBe('failed');
    h.complete(Activities.publishOutcome);
    const done = await h.next();
    expect(done.failed).toBe(true);
    expect(done.state.error).toMatch(/^\[HARDEN\.APPROVAL_REJECTED\]/);
  });

  it('DNS retry: a failed proof waits with a durable timer, re-collects and proves again', async () => {
    const h = new DurableHistory(handler, input());
    await throughPlan(h);
    completeDisables(h);
    await h.next();
    completeEndpoints(h);
    await h.next();
    h.completeAll(Activities.ensureZoneGroup, () => ({ changed: false }));
    const collect = await h.next();
    const exp = expectations((collect.scheduled[0]?.input as { endpointIds: string[] }).endpointIds);
    h.complete(Activities.collectDnsExpectations, exp);
    await h.next();
    h.complete(Activities.proveDns, proofs(exp, ['name1.example']));
    h.complete(Activities.checkDiscovery, DISCOVERY_OK);
    const wait = await h.next();
    expect(names(wait)).toEqual(['timer']);
    expect(wait.scheduled[0]?.fireAt).toBe('2026-03-01T10:00:30.000Z');
    expect(stepOf(wait, 'dns')).toMatchObject({ state: 'running' });
    expect(stepOf(wait, 'dns').detail).toMatch(/^attempt 1: 1 of 4 name\(s\) not private yet/);
    expect(status(wait).waits).toEqual([{ step: 'dns', kind: 'dns', startedAt: '2026-03-01T10:00:00.000Z', count: 1 }]);

    h.fireTimer();
    const { outcome, done } = await throughDns(h, await h.next());
    expect(status(done).waits).toEqual([{ step: 'dns', kind: 'dns', startedAt: '2026-03-01T10:00:00.000Z', endedAt: '2026-03-01T10:00:30.000Z', count: 1 }]);
    expect(outcome.kind).toBe('Hardened');
    expect(outcome.changes.filter((c) => c.startsWith('created private DNS zone group'))).toEqual([]);
    expect(done.state.isDone).toBe(true);
    expect(stepOf(done, 'dns').state).toBe('done');
  });

  it('DNS deadline: fails with HARDEN.DNS_PROOF_FAILED naming what each failing name resolved to', async () => {
    const h = new DurableHistory(handler, input({}, { dnsDeadlineMinutes: 1, dnsRetrySeconds: 45 }));
    await throughPlan(h);
    completeDisables(h);
    await h.next();
    completeEndpoints(h);
    await h.next();
    h.completeAll(Activities.ensureZoneGroup, () => ({ changed: true }));
    let episode = await h.next();
    for (let round = 0; round < 3; round++) {
      expect(names(episode)).toEqual([Activities.collectDnsExpectations]);
      const exp = expectations((episode.scheduled[0]?.input as { endpointIds: string[] }).endpointIds);
      h.complete(Activities.collectDnsExpectations, exp);
      await h.next();
      h.complete(Activities.proveDns, proofs(exp, ['name2.example']));
      h.complete(Activities.checkDiscovery, { ok: false, regions: ['eastus'], missingRegions: ['westeurope'] });
      episode = await h.next();
      if (names(episode)[0] === Activities.publishOutcome) break;
      expect(names(episode)).toEqual(['timer']);
      h.fireTimer();
      episode = await h.next();
    }
    expect(h.tasks.filter((t) => t.name === 'timer').map((t) => t.fireAt)).toEqual(['2026-03-01T10:00:45.000Z', '2026-03-01T10:01:00.000Z']);
    const outcome = episode.scheduled[0]?.input as Outcome;
    expect(outcome.error?.code).toBe('HARDEN.DNS_PROOF_FAILED');
    expect(outcome.error?.message).toContain('name2.example resolved to 52.1.2.3; expected 10.0.0.6');
    expect(outcome.error?.message).toContain('westeurope');
    h.complete(Activities.publishOutcome);
    const done = await h.next();
    expect(done.failed).toBe(true);
    expect(done.state.error).toMatch(/^\[HARDEN\.DNS_PROOF_FAILED\]/);
  });

  it('failure: an activity failing with [ARM.FORBIDDEN] (after its retries) publishes Failed and fails the run with the code', async () => {
    const h = new DurableHistory(handler, input());
    await throughPlan(h);
    const disables = h.open(Activities.disablePublicAccess);
    expect(disables).toHaveLength(4);
    const [first, second, third, fourth] = disables as [ScheduledTask, ScheduledTask, ScheduledTask, ScheduledTask];
    for (const t of [first, second, fourth]) h.complete(t, { changed: true, at: h.now.toISOString() });
    // as the extension reports an activity's error: its message, and its stack as the details
    const stack = "LockdownError: [ARM.FORBIDDEN] The client has no authorization\n    at StorageAdapter.patch (dist/src/azure/storage-accounts.js:40:11)";
    h.fail(third, "[ARM.FORBIDDEN] The client has no authorization to perform 'Microsoft.Storage/storageAccounts/write'.", { details: stack });
    const publish = await h.next();
    expect(names(publish)).toEqual([Activities.publishOutcome]);
    const outcome = publish.scheduled[0]?.input as Outcome;
    expect(outcome).toMatchObject({ kind: 'Failed', error: { code: 'ARM.FORBIDDEN' } });
    expect(outcome.error?.message).toContain('no authorization');
    expect(stepOf(publish, 'lockdown')).toMatchObject({ state: 'failed' });
    expect(stepOf(publish, 'lockdown').detail).toMatch(/^\[ARM\.FORBIDDEN\]/);
    expect(states(publish)).toMatchObject({ endpoints: 'skipped', dns: 'skipped', publish: 'running' });

    h.complete(Activities.publishOutcome);
    const done = await h.next();
    expect(done.failed).toBe(true);
    // the run fails with the coded message alone: no stack in its failure (nor in the host's log of it)
    expect(done.state.error).toBe("[ARM.FORBIDDEN] The client has no authorization to perform 'Microsoft.Storage/storageAccounts/write'.");
    expect(stepOf(done, 'publish').state).toBe('done');
  });

  it('a refusal (an activity answering a missing permission instead of throwing) fails the run at once: no retry, Failed published with ARM.FORBIDDEN', async () => {
    const h = new DurableHistory(handler, input());
    await throughPlan(h);
    const disables = h.open(Activities.disablePublicAccess);
    const [first, ...rest] = disables as [ScheduledTask, ...ScheduledTask[]];
    for (const t of rest) h.complete(t, { changed: true, at: h.now.toISOString() });
    h.complete(first, { refused: "[ARM.FORBIDDEN] missing permission 'Microsoft.Storage/storageAccounts/write' on scope '/x': PATCH /x was refused with 403 AuthorizationFailed." });
    const publish = await h.next();
    expect(h.tasks.filter((t) => t.name === 'timer')).toEqual([]);
    expect(names(publish)).toEqual([Activities.publishOutcome]);
    expect(publish.scheduled[0]?.input).toMatchObject({ kind: 'Failed', error: { code: 'ARM.FORBIDDEN' } });
    expect(stepOf(publish, 'lockdown').detail).toMatch(/^\[ARM\.FORBIDDEN\] missing permission 'Microsoft\.Storage\/storageAccounts\/write'/);
    h.complete(Activities.publishOutcome);
    const done = await h.next();
    expect(done.failed).toBe(true);
    expect(done.state.error).toMatch(/^\[ARM\.FORBIDDEN\] missing permission/);
  });

  it('throttling: a throttled answer is waited out with a durable timer (at least the Retry-After), then the same call is made again', async () => {
    const h = new DurableHistory(handler, input());
    await h.start();
    const first = h.open(Activities.readRegistry)[0] as ScheduledTask;
    h.complete(first, { throttled: "[ARM.THROTTLED] GET /x answered 429 SubscriptionRequestsThrottled: Number of 'read' requests exceeded.", retryAfterMs: 30_000 });
    const waiting = await h.next();
    expect(names(waiting)).toEqual(['timer']);
    const waitMs = Date.parse(waiting.scheduled[0]?.fireAt ?? '') - h.now.getTime();
    expect(waitMs).toBeGreaterThanOrEqual(30_000);
    expect(waitMs).toBeLessThanOrEqual(45_000);
    expect(stepOf(waiting, 'read')).toMatchObject({ state: 'running' });
    expect(stepOf(waiting, 'read').detail).toContain(`ARM is throttling ${Activities.readRegistry}`);
    expect(status(waiting).waits).toEqual([{ step: 'read', kind: 'throttling', startedAt: h.now.toISOString(), count: 1 }]);

    h.fireTimer();
    const again = await h.next();
    expect(status(again).waits).toEqual([{ step: 'read', kind: 'throttling', startedAt: expect.any(String) as unknown as string, endedAt: waiting.scheduled[0]?.fireAt, count: 1 }]);
    expect(names(again)).toEqual([Activities.readRegistry]);
    expect(again.scheduled[0]?.input).toEqual(first.input);
    h.complete(Activities.readRegistry, readyReading({ exempt: true }));
    const publish = await h.next();
    expect(names(publish)).toEqual([Activities.publishOutcome]);
    expect(publish.scheduled[0]?.input).toMatchObject({ kind: 'Exempt' });
  });

  it('throttling in parallel work: only the throttled calls are made again, the others keep their answers', async () => {
    const h = new DurableHistory(handler, input());
    await throughPlan(h);
    const [a, b, c, d] = h.open(Activities.disablePublicAccess) as [ScheduledTask, ScheduledTask, ScheduledTask, ScheduledTask];
    for (const t of [a, d]) h.complete(t, { changed: true, at: h.now.toISOString() });
    for (const t of [b, c]) h.complete(t, { throttled: '[ARM.THROTTLED] PATCH /x answered 429', retryAfterMs: 0 });
    const waiting = await h.next();
    expect(names(waiting)).toEqual(['timer']);
    expect(Date.parse(waiting.scheduled[0]?.fireAt ?? '') - h.now.getTime()).toBeGreaterThanOrEqual(10_000); // the floor when ARM gave no Retry-After
    h.fireTimer();
    const again = await h.next();
    expect(names(again)).toEqual([Activities.disablePublicAccess, Activities.disablePublicAccess]);
    expect(again.scheduled.map((t) => t.input)).toEqual([b.input, c.input]);
    completeDisables(h);
    const pes = await h.next();
    expect(names(pes)).toEqual(Array(4).fill(Activities.ensurePrivateEndpoint));
    expect(stepOf(pes, 'lockdown')).toMatchObject({ state: 'done' });
  });

  it('throttling past the patience fails the run with ARM.THROTTLED, saying what to do, and publishes Failed', async () => {
    const h = new DurableHistory(handler, input({}, { throttlePatienceMinutes: 1 }));
    await h.start();
    const throttled = { throttled: '[ARM.THROTTLED] GET /x answered 429 SubscriptionRequestsThrottled', retryAfterMs: 25_000 };
    h.complete(Activities.readRegistry, throttled);
    let episode = await h.next();
    let waits = 0;
    while (names(episode).includes('timer')) {
      waits++;
      h.fireTimer();
      episode = await h.next();
      expect(names(episode)).toEqual([Activities.readRegistry]);
      h.complete(Activities.readRegistry, throttled);
      episode = await h.next();
    }
    expect(waits).toBeGreaterThanOrEqual(1);
    expect(waits).toBeLessThanOrEqual(2); // each wait is ≥ 25 s, the patience 60 s
    expect(names(episode)).toEqual([Activities.publishOutcome]);
    const outcome = episode.scheduled[0]?.input as Outcome;
    expect(outcome).toMatchObject({ kind: 'Failed', error: { code: 'ARM.THROTTLED' } });
    expect(outcome.error?.message).toContain('THROTTLE_PATIENCE_MINUTES=1');
    expect(stepOf(episode, 'read')).toMatchObject({ state: 'failed' });
    h.complete(Activities.publishOutcome);
    const done = await h.next();
    expect(done.failed).toBe(true);
    expect(done.state.error).toMatch(/^\[ARM\.THROTTLED\] ARM kept throttling readRegistry/);
  });

  it('a retried activity that succeeds on its second attempt does not disturb the run', async () => {
    const h = new DurableHistory(handler, input());
    await h.start();
    h.fail(Activities.readRegistry, '[ARM.THROTTLED] too many requests', { attempts: 1 });
    const retry = await h.next();
    expect(retry.scheduled).toEqual([]);
    h.complete(Activities.readRegistry, readyReading({ exempt: true }));
    const publish = await h.next();
    expect(names(publish)).toEqual([Activities.publishOutcome]);
  });

  it('logs each transition once, not again on replay', async () => {
    const logs: string[] = [];
    const h = new DurableHistory(handler, input({ mode: 'plan' }), { logs });
    await throughPlan(h);
    h.complete(Activities.publishOutcome);
    await h.next();
    expect(logs.filter((l) => l.includes('hardenRegistry: read running'))).toHaveLength(1);
    expect(logs.filter((l) => l.includes('hardenRegistry: plan done'))).toHaveLength(1);
  });

  it('rejects invalid input with HARDEN.INPUT_INVALID before doing anything', async () => {
    const h = new DurableHistory(handler, { ...input(), registryId: '/subscriptions/x/whatever' } as HardenInput);
    const first = await h.start();
    expect(first.failed).toBe(true);
    expect(first.scheduled).toEqual([]);
    expect(first.state.error).toMatch(/^\[HARDEN\.INPUT_INVALID\]/);
  });
});

describe('orchestration versions: a run keeps the shape of the version it started under', () => {
  /** through lockdown, endpoints and zone groups (all approved) up to the first DNS episode */
  async function toDns(h: DurableHistory): Promise<{ dns: Episode; plans: EndpointPlan[] }> {
    await throughPlan(h);
    completeDisables(h);
    let pes = await h.next();
    // from 2.1 the registry goes first, then storage and ACR
    if (names(pes).includes(Activities.disablePublicAccess)) {
      completeDisables(h);
      pes = await h.next();
    }
    const plans = pes.scheduled.map((t) => (t.input as { plan: EndpointPlan }).plan);
    completeEndpoints(h);
    await h.next();
    h.completeAll(Activities.ensureZoneGroup, () => ({ changed: true }));
    return { dns: await h.next(), plans };
  }

  it('host.json defaultVersion is the workflows\' current version', () => {
    const host = JSON.parse(readFileSync(join(__dirname, '..', '..', '..', 'host.json'), 'utf8')) as { extensions: { durableTask: { defaultVersion?: string; versionMatchStrategy?: string; versionFailureStrategy?: string } } };
    expect(host.extensions.durableTask.defaultVersion).toBe(WORKFLOW_VERSION);
    expect(host.extensions.durableTask.versionMatchStrategy).toBe('CurrentOrOlder');
    expect(host.extensions.durableTask.versionFailureStrategy).toBe('Fail');
  });

  it('2.0 to 2.2: the DNS names are collected one call per endpoint, merged (each name once, sorted) for the proof', async () => {
    const h = new DurableHistory(handler, input(), { version: '2.2' });
    const { dns, plans } = await toDns(h);
    expect(names(dns)).toEqual(Array(4).fill(Activities.collectDnsExpectations));
    expect(dns.scheduled.map((t) => t.input)).toEqual(plans.map((p) => ({ endpointIds: [p.endpointId] })));
    const shared = { fqdn: 'shared.example', expectedIp: '10.0.0.9', endpointId: plans[0]?.endpointId ?? '', kind: 'registry' as const };
    const tasks = h.open(Activities.collectDnsExpectations);
    tasks.forEach((t, i) => h.complete(t, [...expectations([plans[i]?.endpointId ?? '']).map((e) => ({ ...e, fqdn: `z${i}.example` })), { ...shared, endpointId: plans[i]?.endpointId ?? '' }]));
    const prove = await h.next();
    expect(names(prove)).toEqual([Activities.proveDns, Activities.checkDiscovery]);
    const sent = (prove.scheduled[0]?.input as { expectations: DnsExpectation[] }).expectations;
    expect(sent.map((e) => e.fqdn)).toEqual(['shared.example', 'z0.example', 'z1.example', 'z2.example', 'z3.example']);
    expect(sent[0]?.endpointId).toBe(plans[0]?.endpointId);
  });

  it('2.0 to 2.2: a throttled endpoint\'s names are collected again on their own, the others keep their answers', async () => {
    const h = new DurableHistory(handler, input(), { version: '2.2' });
    const { plans } = await toDns(h);
    const [a, b, c, d] = h.open(Activities.collectDnsExpectations) as [ScheduledTask, ScheduledTask, ScheduledTask, ScheduledTask];
    for (const [t, i] of [[a, 0], [c, 2], [d, 3]] as const) h.complete(t, expectations([plans[i]?.endpointId ?? '']).map((e) => ({ ...e, fqdn: `n${i}.example` })));
    h.complete(b, { throttled: '[ARM.THROTTLED] GET /x answered 429', retryAfterMs: 1_000 });
    const waiting = await h.next();
    expect(names(waiting)).toEqual(['timer']);
    h.fireTimer();
    const again = await h.next();
    expect(names(again)).toEqual([Activities.collectDnsExpectations]);
    expect(again.scheduled[0]?.input).toEqual(b.input);
  });

  it('a run from before versioning (no version) keeps its single collectDnsExpectations call after a deploy', async () => {
    const h = new DurableHistory(handler, input());
    const { dns, plans } = await toDns(h);
    expect(names(dns)).toEqual([Activities.collectDnsExpectations]);
    expect(dns.scheduled[0]?.input).toEqual({ endpointIds: plans.map((p) => p.endpointId) });
    const { outcome } = await throughDns(h, dns);
    expect(outcome.kind).toBe('Hardened');
  });
});
