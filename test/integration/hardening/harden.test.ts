import { DEMO, createRegistry, startWorld, type World } from '../../../local/world';
import { DEFAULT_HARDEN_OPTIONS } from '../../../src/hardening/domain/harden-input';
import { errorCodeOf } from '../../../src/shared/errors';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  adminGet, appWrites, applyActive, arm, clearRequestLog, lastRunCreated, outcomeOf, registryPath, requestLog, resources, startRun, waitForInstance, waitForRun, waitUntil,
} from '../../helpers/world-helpers';

const API = '?api-version=2025-12-01';
const FAST = { ...DEFAULT_HARDEN_OPTIONS, approvalPollSeconds: 5, dnsRetrySeconds: 5, provisioningPollSeconds: 5, dnsDeadlineMinutes: 1 };

describe('hardening end to end on the local Azure, through the local Functions host', () => {
  let world: World;
  let demoId: string;

  beforeAll(async () => {
    world = await startWorld({ stateDir: mkdtempSync(join(tmpdir(), 'harden-e2e-')), hostTimeScale: 0.05, settings: { DNS_DEADLINE_MINUTES: '1' } });
  });
  afterAll(async () => {
    await world?.stop();
  });

  it('hardens a two-region registry created through ARM: 4 endpoints, public access off, DNS proven, outcome published', async () => {
    await clearRequestLog(world);
    demoId = await createRegistry(world.sim, world.user);
    const run = await waitForRun(world, demoId);
    // the minimum: 4 endpoint PUTs + 4 zone-group PUTs + 1 registry PUT (carrying the app into assignedIdentities) + 2 storage PATCHes + 1 ACR PATCH;
    // strict profile: a storage/ACR PATCH (or an endpoint PUT asking them for automatic approval) sent while the app's exemption
    // still propagates is refused by the deny assignment, and sent again later
    const log = appWrites(await requestLog(world), world);
    const refused = log.filter((w) => w.status >= 400);
    expect(refused.every((w) => w.status === 403 && /Microsoft\.(Storage|ContainerRegistry)\/|Microsoft\.Network\/privateEndpoints\//.test(w.path))).toBe(true);
    const writes = log.filter((w) => w.status < 400).map((w) => `${w.method} ${w.path.split('/providers/')[1]?.split('/').slice(0, 2).join('/') ?? w.path}`);
    // under `propagating` the service turns storage and ACR off itself: 3 writes fewer
    expect(writes).toHaveLength(process.env.SIM_PROFILE === 'propagating' ? 9 : 12);
    expect(writes.filter((w) => w.startsWith('PUT Microsoft.Network/privateEndpoints'))).toHaveLength(8);
    expect(run.runtimeStatus).toBe('Completed');
    const outcome = outcomeOf(run);
    expect(outcome.kind).toBe('Hardened');

    const endpoints = await resources(world, 'Microsoft.Network/privateEndpoints');
    expect(endpoints.map((e) => e.name).sort()).toEqual([
      'pe-demoreg-acr-westeurope', 'pe-demoreg-amlregistry-westeurope', 'pe-demoreg-blob-northeurope', 'pe-demoreg-blob-westeurope',
    ]);
    const reg = await arm(world, 'GET', `${demoId}${API}`);
    expect((reg.body.properties as Record<string, unknown>).publicNetworkAccess).toBe('Disabled');
    for (const type of ['Microsoft.Storage/storageAccounts', 'Microsoft.ContainerRegistry/registries']) {
      for (const r of await resources(world, type)) expect(r.properties?.publicNetworkAccess).toBe('Disabled');
    }
    // every name of every endpoint resolved to its private IP, incl. one private FQDN per registry region
    expect(outcome.dns.length).toBeGreaterThanOrEqual(10);
    expect(outcome.dns.every((d) => d.ok)).toBe(true);
    expect(outcome.dns.filter((d) => /\.registry\.(westeurope|northeurope)\.privatelink\.api\.azureml\.ms$/.test(d.fqdn))).toHaveLength(2);
    // the NICs report registry names in public form, which has no answer: the proof resolved their privatelink form
    const registryNames = outcome.dns.filter((d) => d.kind === 'registry');
    expect(registryNames.every((d) => d.fqdn.endsWith('.privatelink.api.azureml.ms') && d.reportedAs?.endsWith('.api.azureml.ms') === true)).toBe(true);
    expect(outcome.dns.some((d) => /\.registry\.[a-z0-9]+\.api\.azureml\.ms$/.test(d.fqdn))).toBe(false);
    expect(outcome.discovery?.missingRegions).toEqual([]);
    // the hosts of discovery's registryFqdns URIs resolve privately too
    expect(outcome.discovery?.hosts?.map((h) => [h.region, h.ok, h.fqdn.endsWith('.privatelink.api.azureml.ms')])).toEqual([['northeurope', true, true], ['westeurope', true, true]]);
    expect(outcome.exposureWindowMs).toBeGreaterThan(0);

    const events = await waitUntil('the outcome event', async () => {
      const got = await adminGet<Array<{ type: string; subject: string }>>(world, '/eventgrid/topics/lockdown-outcomes/events');
      return got.find((e) => e.subject.toLowerCase() === demoId.toLowerCase() && e.type.endsWith('.Hardened')) ? got : undefined;
    });
    expect(events.length).toBeGreaterThan(0);
  });

  it('a second run on the hardened registry makes zero ARM writes', async () => {
    await waitUntil('no active run', () => (applyActive(world, demoId) ? undefined : true));
    await clearRequestLog(world);
    const before = lastRunCreated(world, demoId);
    startRun(world, demoId, 'apply', FAST);
    const run = await waitForRun(world, demoId, { after: before });
    expect(run.runtimeStatus).toBe('Completed');
    expect(outcomeOf(run).changes).toEqual([]);
    const log = await requestLog(world);
    expect(log.filter((r) => r.method === 'GET').length).toBeGreaterThan(0);
    expect(appWrites(log, world)).toEqual([]);
  });

  it('re-hardens when a user turns public access back on (the write raises the event)', async () => {
    await waitUntil('no active run', () => (applyActive(world, demoId) ? undefined : true));
    const current = await arm(world, 'GET', `${demoId}${API}`);
    const before = lastRunCreated(world, demoId);
    const body = { location: current.body.location, tags: current.body.tags, identity: current.body.identity, properties: { ...(current.body.properties as object), publicNetworkAccess: 'Enabled' } };
    expect((await arm(world, 'PUT', `${demoId}${API}`, body)).status).toBeLessThan(300);
    const run = await waitForRun(world, demoId, { after: before });
    expect(((await arm(world, 'GET', `${demoId}${API}`)).body.properties as Record<string, unknown>).publicNetworkAccess).toBe('Disabled');
    expect(outcomeOf(run).changes.some((c) => /disabled public network access of registry/.test(c))).toBe(true);
  });

  it('leaves an exempt registry alone: outcome Exempt, no endpoint, public access unchanged', async () => {
    const id = await createRegistry(world.sim, world.user, { name: 'exemptreg', regions: ['westeurope'], tags: { 'aml-registry-lockdown': 'exempt' } });
    const run = await waitForRun(world, id);
    expect(outcomeOf(run).kind).toBe('Exempt');
    const endpoints = await resources(world, 'Microsoft.Network/privateEndpoints');
    expect(endpoints.some((e) => e.name.includes('exemptreg'))).toBe(false);
    expect(((await arm(world, 'GET', `${id}${API}`)).body.properties as Record<string, unknown>).publicNetworkAccess).toBe('Enabled');
  });

  describe('without the Event Grid subscription (runs started by hand)', () => {
    beforeAll(async () => {
      await fetch(`${world.sim.adminUrl}/eventgrid/subscriptions/registry-writes`, { method: 'DELETE' });
    });

    it('plan mode returns the plan and makes zero writes', async () => {
      const id = await createRegistry(world.sim, world.user, { name: 'planreg' });
      await clearRequestLog(world);
      const run = await waitForInstance(world, startRun(world, id, 'plan', FAST));
      const outcome = outcomeOf(run);
      expect(outcome.kind).toBe('Planned');
      expect(outcome.plan?.writes).toBe(12);
      expect(outcome.plan?.endpoints.map((e) => e.action)).toEqual(['create', 'create', 'create', 'create']);
      expect(appWrites(await requestLog(world), world)).toEqual([]);
      // the permission check read the app's permissions at each scope an apply writes: endpoint group, subnet, 3 zones, 4 targets
      expect(outcome.permissions?.scopes).toHaveLength(9);
      expect(outcome.permissions?.missing).toEqual([]);
      expect((await requestLog(world)).filter((r) => /\/providers\/Microsoft\.Authorization\/permissions$/i.test(r.path) && r.status === 200)).toHaveLength(9);
    });

    it('plan mode lists the permissions an apply would miss: the role on the target subscription only, none on the zones\' group', async () => {
      const id = await createRegistry(world.sim, world.user, { name: 'planperm' });
      const assign = await fetch(`${world.sim.adminUrl}/role-assignments/${world.sim.principal.oid}`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ assignments: [{ scope: `/subscriptions/${world.sim.subscriptionId}`, actions: ['*'], notActions: ['Microsoft.Network/privateDnsZones/join/action'] }] }),
      });
      expect(assign.status).toBe(200);
      try {
        const outcome = outcomeOf(await waitForInstance(world, startRun(world, id, 'plan', FAST)));
        expect(outcome.kind).toBe('Planned');
        expect(outcome.permissions?.missing.map((m) => [m.scope.toLowerCase(), m.action])).toEqual(
          [world.zoneIds.api, world.zoneIds.blob, world.zoneIds.acr].map((z) => [z.toLowerCase(), 'Microsoft.Network/privateDnsZones/join/action']),
        );
        expect(outcome.warnings.filter((w) => w.startsWith('missing permission'))).toHaveLength(3);
      } finally {
        await fetch(`${world.sim.adminUrl}/role-assignments/${world.sim.principal.oid}`, { method: 'DELETE' });
      }
    });

    it('waits for a Pending connection and continues when it is approved and the approve event is raised', async () => {
      const name = 'approvereg';
      const id = registryPath(world, DEMO.rg, name);
      const mode = await fetch(`${world.sim.adminUrl}/approval-mode`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ targetId: id, mode: 'manual' }) });
      expect(mode.status).toBe(200);
      await createRegistry(world.sim, world.user, { name, regions: ['westeurope'] });
      const before = lastRunCreated(world, id);
      const instanceId = startRun(world, id, 'apply', { ...FAST, approvalPollSeconds: 3600 });
      await waitUntil('the approval step to wait', () => {
        const steps = (world.host.durable.getStatus(instanceId)?.customStatus as { steps?: Array<{ step: string; state: string }> } | undefined)?.steps ?? [];
        return steps.find((s) => s.step === 'approval' && s.state === 'running') ? true : undefined;
      });
      const conns = await arm(world, 'GET', `${id}/privateEndpointConnections${API}`);
      const conn = (conns.body.value as Array<{ id: string; properties: Record<string, unknown> }>)[0];
      expect(conn).toBeDefined();
      const approved = await arm(world, 'PUT', `${conn?.id ?? ''}${API}`, { properties: { ...conn?.properties, registryPrivateLinkServiceConnectionState: { status: 'Approved', description: 'approved by the network team' } } });
      expect(approved.status).toBe(200);
      world.host.durable.engine.raiseEvent(instanceId, 'approve', { approvedBy: 'test' });
      const run = await waitForRun(world, id, { after: before });
      expect(run.runtimeStatus).toBe('Completed');
      expect(outcomeOf(run).kind).toBe('Hardened');
    });

    it('fails the DNS proof with a per-name diagnosis when a zone is not linked to the VNet', async () => {
      const links = await resources(world, 'Microsoft.Network/privateDnsZones/virtualNetworkLinks');
      const blobLink = links.find((l) => l.id.toLowerCase().includes('privatelink.blob.core.windows.net'));
      expect(blobLink).toBeDefined();
      expect((await arm(world, 'DELETE', `${blobLink?.id ?? ''}?api-version=2024-06-01`)).status).toBeLessThan(300);
      const id = await createRegistry(world.sim, world.user, { name: 'nolinkreg', regions: ['westeurope'] });
      const before = lastRunCreated(world, id);
      startRun(world, id, 'apply', FAST);
      const run = await waitForRun(world, id, { after: before, timeoutMs: 90_000 });
      expect(run.runtimeStatus).toBe('Failed');
      const message = JSON.stringify(run.output);
      expect(errorCodeOf(message.replace(/^"|"$/g, '').replace(/^.*?(\[HARDEN\.)/, '$1'))).toBe('HARDEN.DNS_PROOF_FAILED');
      expect(message).toMatch(/nolinkreg[a-z0-9]*\.blob\.core\.windows\.net/);
      const failed = await adminGet<Array<{ type: string; subject: string; data: { dns: Array<{ fqdn: string; ok: boolean; answered: string[]; expectedIp: string }> } }>>(world, '/eventgrid/topics/lockdown-outcomes/events');
      const event = failed.find((e) => e.subject.toLowerCase() === id.toLowerCase() && e.type.endsWith('.Failed'));
      expect(event).toBeDefined();
      const bad = event?.data.dns.filter((d) => !d.ok) ?? [];
      expect(bad.length).toBeGreaterThan(0);
      expect(bad.every((d) => d.fqdn.includes('blob.core.windows.net') && !d.answered.includes(d.expectedIp))).toBe(true);
    });
  });
});
