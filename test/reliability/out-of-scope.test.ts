/**
 * The target scope at the wire (issue 15 item 3): the app's targets are the world's subscription
 * plus the members of one management group; the simulator also holds a subscription outside them,
 * with a registry in it. Forged and out-of-scope events and requests must not make a single ARM
 * call outside the targets (the simulator's request log, the app's principal), and a run started
 * behind every check fails in its first activity.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRegistry, DEMO, startWorld, type World } from '../../local/world';
import { managementGroupFixture } from '../../local/azure-sim/arm/providers/management-groups';
import { DEFAULT_HARDEN_OPTIONS } from '../../src/hardening/domain/harden-input';
import { arm, clearRequestLog, requestLog, waitUntil, type RequestLogEntry } from '../helpers/world-helpers';
import { simAdmin } from '../integration/helpers/sim';
import { flushUnreported, record } from './summary';

const OUTSIDE = '00000000-0000-0000-0000-0000000000e1';
/** in the target scope through TARGET_MANAGEMENT_GROUP only */
const MEMBER = '00000000-0000-0000-0000-0000000000e2';
const GROUP = 'mg-lockdown-targets';

describe('the target scope: nothing outside TARGET_SUBSCRIPTION_IDS + TARGET_MANAGEMENT_GROUP is touched', () => {
  let world: World;
  let webhook: string;
  const hostLines: string[] = [];
  const capture = (line: string): void => {
    hostLines.push(line);
  };
  const registryIn = (sub: string, name: string): string => `/subscriptions/${sub}/resourceGroups/${DEMO.rg}/providers/Microsoft.MachineLearningServices/registries/${name}`;

  beforeAll(async () => {
    world = await startWorld({
      stateDir: mkdtempSync(join(tmpdir(), 'rel-scope-')), hostTimeScale: 0.05,
      sim: { otherSubscriptionIds: [OUTSIDE, MEMBER] },
      settings: { DNS_DEADLINE_MINUTES: '1', TARGET_MANAGEMENT_GROUP: GROUP },
      hostLogger: { debug: capture, info: capture, warn: capture, error: capture },
    });
    webhook = `${world.host.baseUrl}/runtime/webhooks/eventgrid?functionName=onRegistryWrite&code=${encodeURIComponent(world.host.keys.systemKeys.eventgrid_extension ?? '')}`;
    const loaded = await simAdmin.fixtures(world.sim, managementGroupFixture({ groupId: GROUP, tenantId: world.sim.tenantId, subscriptionIds: [MEMBER] }));
    expect(loaded.rejected).toEqual([]);
    for (const sub of [OUTSIDE, MEMBER]) {
      expect((await arm(world, 'PUT', `/subscriptions/${sub}/resourcegroups/${DEMO.rg}?api-version=2021-04-01`, { location: 'westeurope' })).status).toBeLessThan(300);
    }
  }, 120_000);
  afterAll(async () => {
    await world?.stop();
    flushUnreported();
  });

  /** The app's own ARM calls into a subscription, from the simulator's request log. */
  function appCallsInto(log: RequestLogEntry[], sub: string): RequestLogEntry[] {
    return log.filter((r) => r.principal === world.sim.principal.oid && r.path.toLowerCase().startsWith(`/subscriptions/${sub}`));
  }

  function registryWrite(subject: string, topic: string | undefined): Record<string, unknown> {
    return {
      id: randomUUID(), eventType: 'Microsoft.Resources.ResourceWriteSuccess', subject, eventTime: new Date().toISOString(), dataVersion: '2', metadataVersion: '1',
      ...(topic !== undefined ? { topic } : {}),
      data: { operationName: 'Microsoft.MachineLearningServices/registries/write', status: 'Succeeded', resourceUri: subject },
    };
  }

  async function deliver(events: unknown[]): Promise<number> {
    const res = await fetch(webhook, { method: 'POST', headers: { 'content-type': 'application/json', 'aeg-event-type': 'Notification' }, body: JSON.stringify(events) });
    await res.arrayBuffer();
    return res.status;
  }

  it("a registry created in a subscription outside the targets: its real event is ignored with a log line, the app makes no call there", async () => {
    await clearRequestLog(world);
    const from = hostLines.length;
    const id = await createRegistry(world.sim, world.user, { subscriptionId: OUTSIDE, name: 'outsidereg', regions: ['westeurope'] });
    const line = await waitUntil('the ignored event', () => hostLines.slice(from).find((l) => l.includes('outside the app\'s target scope') && l.toLowerCase().includes(id.toLowerCase())));
    const calls = appCallsInto(await requestLog(world), OUTSIDE);
    record({ area: 'scope', tried: 'real creation event, registry outside the targets', held: calls.length === 0, result: `${calls.length} app calls outside` });
    expect(line).toMatch(/ignored event \(acknowledged, no run started\)/);
    expect(calls).toEqual([]);
  });

  it.each<[string, () => unknown[]]>([
    ['a registry outside, topic outside', () => [registryWrite(registryIn(OUTSIDE, 'outsidereg'), `/subscriptions/${OUTSIDE}`)]],
    ["a registry outside, delivered as the target subscription's event", () => [registryWrite(registryIn(OUTSIDE, 'outsidereg'), `/subscriptions/${world.sim.subscriptionId}`)]],
    ["a target registry, delivered as another subscription's event", () => [registryWrite(registryIn(world.sim.subscriptionId, 'forgedtopic'), `/subscriptions/${OUTSIDE}`)]],
    ['a registry outside, no topic', () => [registryWrite(registryIn(OUTSIDE, 'outsidereg'), undefined)]],
    ['a registry outside, a resource group topic', () => [registryWrite(registryIn(OUTSIDE, 'outsidereg'), `/subscriptions/${OUTSIDE}/resourceGroups/${DEMO.rg}`)]],
    ['a registry outside as a CloudEvent', () => [{ specversion: '1.0', id: randomUUID(), type: 'Microsoft.Resources.ResourceWriteSuccess', source: `/subscriptions/${OUTSIDE}`, subject: registryIn(OUTSIDE, 'outsidereg'), time: new Date().toISOString(), data: { operationName: 'Microsoft.MachineLearningServices/registries/write', status: 'Succeeded' } }]],
  ])('forged event, %s: acknowledged, no run, no ARM call outside the targets', async (tried, events) => {
    await clearRequestLog(world);
    const before = world.host.durable.engine.list({}).items.length;
    const status = await deliver(events());
    // the trigger answers after deciding: an instance it would start exists by now
    const started = world.host.durable.engine.list({}).items.length - before;
    const calls = appCallsInto(await requestLog(world), OUTSIDE);
    record({ area: 'scope', tried: `forged event: ${tried}`, held: status < 300 && started === 0 && calls.length === 0, result: `${status}, ${started} runs, ${calls.length} calls outside` });
    expect(status).toBeLessThan(300);
    expect(started).toBe(0);
    expect(calls).toEqual([]);
  });

  describe('requests naming a subscription outside the targets: 403 REQUEST.OUT_OF_SCOPE, nothing called', () => {
    const sub = (): string => world.sim.subscriptionId;
    const workspaceIn = (s: string): string => `workspaces/${s}/${DEMO.rg}/ws1`;
    const subnetIn = (s: string): string => encodeURIComponent(`/subscriptions/${s}/resourceGroups/rg-network/providers/Microsoft.Network/virtualNetworks/vnet-ml/subnets/snet-pe`);
    const cases: Array<[string, string, () => string]> = [
      ['POST', 'harden', () => `registries/${OUTSIDE}/${DEMO.rg}/outsidereg/harden`],
      ['POST', 'harden (plan)', () => `registries/${OUTSIDE}/${DEMO.rg}/outsidereg/harden?mode=plan`],
      ['GET', 'status', () => `registries/${OUTSIDE}/${DEMO.rg}/outsidereg/harden`],
      ['POST', 'approve', () => `registries/${OUTSIDE}/${DEMO.rg}/outsidereg/harden/approve`],
      ['DELETE', 'terminate', () => `registries/${OUTSIDE}/${DEMO.rg}/outsidereg/harden`],
      ['POST', 'share-with, registry outside', () => `${workspaceIn(sub())}/share-with?registryId=${encodeURIComponent(registryIn(OUTSIDE, 'outsidereg'))}&force=true`],
      ['POST', 'share-with, workspace outside', () => `${workspaceIn(OUTSIDE)}/share-with?registryId=${encodeURIComponent(registryIn(sub(), 'demoreg'))}`],
      ['GET', 'deployments audit', () => `${workspaceIn(OUTSIDE)}/deployments-audit`],
      ['GET', 'egress check, subnet outside', () => `${workspaceIn(sub())}/registry-egress?subnetId=${subnetIn(OUTSIDE)}`],
      ['POST', 'egress fix, subnet outside', () => `${workspaceIn(sub())}/registry-egress?fix=true&subnetId=${subnetIn(OUTSIDE)}`],
      ['GET', 'exfiltration check', () => `subnets/exfiltration?subnetId=${subnetIn(OUTSIDE)}`],
      ['POST', 'exfiltration apply', () => `subnets/exfiltration?subnetId=${subnetIn(OUTSIDE)}`],
    ];

    it.each(cases)('%s %s', async (method, tried, path) => {
      await clearRequestLog(world);
      // as a network admin, who may call every route: the target scope is the only check that refuses
      const res = await fetch(`${world.host.baseUrl}/api/${path()}`, { method, headers: world.auth.headers('networkAdmin') });
      const body = (await res.json()) as { error?: { code?: string; message?: string } };
      const log = await requestLog(world);
      const calls = log.filter((r) => r.principal === world.sim.principal.oid);
      record({ area: 'scope', tried: `${method} ${tried}`, held: res.status === 403 && calls.length === 0, result: `${res.status} ${body.error?.code ?? ''}, ${calls.length} ARM calls` });
      expect(res.status).toBe(403);
      expect(body.error?.code).toBe('REQUEST.OUT_OF_SCOPE');
      expect(body.error?.message).not.toContain(OUTSIDE);
      expect(calls).toEqual([]);
    });
  });

  it('a run started behind every check (straight on the durable engine) fails in its first activity: REQUEST.OUT_OF_SCOPE, no call outside', async () => {
    await clearRequestLog(world);
    const registryId = registryIn(OUTSIDE, 'outsidereg');
    const instanceId = `behind-the-checks-${randomUUID()}`;
    world.host.durable.engine.startNew('hardenRegistry', instanceId, { registryId, mode: 'apply', trigger: 'test', options: DEFAULT_HARDEN_OPTIONS });
    const run = await world.host.durable.waitForStatus(instanceId, (s) => ['Completed', 'Failed', 'Terminated'].includes(s.runtimeStatus), 60_000);
    const calls = appCallsInto(await requestLog(world), OUTSIDE);
    record({ area: 'scope', tried: 'run started past the trigger and the API', held: run.runtimeStatus === 'Failed' && calls.length === 0, result: `${run.runtimeStatus}, ${calls.length} calls outside` });
    expect(run.runtimeStatus).toBe('Failed');
    expect(JSON.stringify(run.output)).toMatch(/\[REQUEST\.OUT_OF_SCOPE\]/);
    expect(calls).toEqual([]);
  });

  it('a subscription under TARGET_MANAGEMENT_GROUP is in scope: its registry is planned, and nothing outside is touched', async () => {
    await clearRequestLog(world);
    const id = await createRegistry(world.sim, world.user, { subscriptionId: MEMBER, name: 'memberreg', regions: ['westeurope'] });
    const res = await fetch(`${world.host.baseUrl}/api/registries/${MEMBER}/${DEMO.rg}/memberreg/harden?mode=plan`, { method: 'POST', headers: world.auth.headers('reader') });
    expect(res.status).toBe(202);
    const { instanceId } = (await res.json()) as { instanceId: string };
    const run = await world.host.durable.waitForStatus(instanceId, (s) => ['Completed', 'Failed', 'Terminated'].includes(s.runtimeStatus), 60_000);
    expect(run.runtimeStatus).toBe('Completed');
    expect(run.output).toMatchObject({ kind: 'Planned' });
    const log = await requestLog(world);
    expect(appCallsInto(log, MEMBER).length).toBeGreaterThan(0);
    expect(appCallsInto(log, OUTSIDE)).toEqual([]);
    // the plan read the member's registry through ARM
    expect(log.some((r) => r.principal === world.sim.principal.oid && r.method === 'GET' && r.path.toLowerCase().startsWith(id.toLowerCase()))).toBe(true);
  });
});
