import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEMO, createRegistry, startWorld, type World } from '../../../local/world';
import type { ProfileName } from '../../../local/azure-sim/profiles';
import { appWrites, arm, clearRequestLog, lastRunCreated, outcomeOf, registryPath, requestLog, resources, waitForRun } from '../../helpers/world-helpers';

/**
 * Issue 14, items 1 and 3 on the simulator: the registry's managed resource group behind its deny
 * assignment (strict, the default), the service propagating public access itself (`propagating`),
 * a registry that answers 404 until its creation is done (`eventual`), and the app with
 * MANAGED_RG_ASSIGN_APP_IDENTITY off. Every run here is started by the registry's write event.
 */
const API = '?api-version=2025-12-01';
const MANAGED_WRITE = /\/providers\/Microsoft\.(Storage\/storageAccounts|ContainerRegistry\/registries)\/[^/]+$/;

async function setProfile(world: World, name: ProfileName): Promise<void> {
  const res = await fetch(`${world.sim.adminUrl}/profile`, { method: 'PUT', body: JSON.stringify({ name }) });
  if (!res.ok) throw new Error(`profile ${name} refused: ${res.status}`);
}

function stateDir(name: string): string {
  return mkdtempSync(join(tmpdir(), `${name}-`));
}

describe('the managed resource group behind its deny assignment, with the app exempting itself (default settings)', () => {
  let world: World;
  beforeAll(async () => {
    world = await startWorld({ stateDir: stateDir('mrg-on'), hostTimeScale: 0.05, settings: { DNS_DEADLINE_MINUTES: '1' } });
  });
  afterAll(async () => {
    await world?.stop();
  });

  it('strict: ends Hardened with no manual step; the registry lists the app; storage/ACR writes refused while the exemption propagated were sent again', async () => {
    await setProfile(world, 'strict');
    await clearRequestLog(world);
    const id = await createRegistry(world.sim, world.user, { name: 'strictreg' });
    const outcome = outcomeOf(await waitForRun(world, id, { timeoutMs: 90_000 }));
    expect(outcome.kind).toBe('Hardened');
    expect(outcome.changes).toContain("added the app's principal to the registry's managedResourceGroupSettings.assignedIdentities (exempt from the managed resource group's deny assignment)");
    const reg = await arm(world, 'GET', `${id}${API}`);
    expect((reg.body.properties as Record<string, unknown>).managedResourceGroupSettings).toEqual({ assignedIdentities: [{ principalId: world.sim.principal.oid }] });
    const writes = appWrites(await requestLog(world), world);
    expect(writes.filter((w) => w.status >= 400).every((w) => w.status === 403 && MANAGED_WRITE.test(w.path))).toBe(true);
    expect(writes.filter((w) => w.status < 400 && MANAGED_WRITE.test(w.path))).toHaveLength(3);
    const conns = await resources(world, 'Microsoft.Network/privateEndpoints');
    expect(conns.filter((e) => e.name.startsWith('pe-strictreg-')).map((e) => (e.properties?.manualPrivateLinkServiceConnections as unknown[] | undefined)?.length ?? 0)).toEqual([0, 0, 0, 0]);
  });

  it('propagating: the service disables storage and ACR itself; the app re-reads and makes 0 storage/ACR writes', async () => {
    await setProfile(world, 'propagating');
    await clearRequestLog(world);
    const id = await createRegistry(world.sim, world.user, { name: 'propreg' });
    const outcome = outcomeOf(await waitForRun(world, id, { timeoutMs: 90_000 }));
    expect(outcome.kind).toBe('Hardened');
    const accepted = appWrites(await requestLog(world), world).filter((w) => w.status < 400);
    expect(accepted.filter((w) => MANAGED_WRITE.test(w.path))).toEqual([]);
    for (const type of ['Microsoft.Storage/storageAccounts', 'Microsoft.ContainerRegistry/registries']) {
      const mine = (await resources(world, type)).filter((r) => r.name.startsWith('propreg'));
      expect(mine.length).toBeGreaterThan(0);
      expect(mine.every((r) => r.properties?.publicNetworkAccess === 'Disabled')).toBe(true);
    }
    expect(outcome.alreadyCompliant.filter((l) => /^public network access of (storage account|container registry)/.test(l))).toHaveLength(3);
  });

  it('eventual: the registry answers 404 until (and just after) its creation; the event-started run waits and ends Hardened', async () => {
    await setProfile(world, 'eventual');
    await clearRequestLog(world);
    const id = registryPath(world, DEMO.rg, 'eventualreg');
    await createRegistry(world.sim, world.user, { name: 'eventualreg', regions: ['westeurope'] });
    const outcome = outcomeOf(await waitForRun(world, id, { timeoutMs: 90_000 }));
    expect(outcome.kind).toBe('Hardened');
    const appReads = (await requestLog(world)).filter((r) => r.principal === world.sim.principal.oid && r.method === 'GET' && r.path.toLowerCase() === id.toLowerCase());
    expect(appReads[0]?.status).toBe(404);
    expect(appReads.some((r) => r.status === 200)).toBe(true);
  });
});

describe('with MANAGED_RG_ASSIGN_APP_IDENTITY=false', () => {
  let world: World;
  beforeAll(async () => {
    // the deny assignment is what this describes: strict whatever SIM_PROFILE says
    world = await startWorld({ stateDir: stateDir('mrg-off'), hostTimeScale: 0.05, settings: { DNS_DEADLINE_MINUTES: '1', MANAGED_RG_ASSIGN_APP_IDENTITY: 'false' }, sim: { profile: 'strict' } });
  });
  afterAll(async () => {
    await world?.stop();
  });

  it('fails ARM.DENY_ASSIGNMENT naming the remedy, the outcome lists what is done and what is not; doing the remedy re-runs it to Hardened', async () => {
    const id = await createRegistry(world.sim, world.user, { name: 'offreg', regions: ['westeurope'] });
    const failed = await waitForRun(world, id, { timeoutMs: 90_000 });
    expect(failed.runtimeStatus).toBe('Failed');
    const events = (await (await fetch(`${world.sim.adminUrl}/eventgrid/topics/lockdown-outcomes/events`)).json()) as Array<{ type: string; subject: string; data: { error?: { code: string; message: string }; changes: string[]; notDone?: string[] } }>;
    const event = events.find((e) => e.subject.toLowerCase() === id.toLowerCase() && e.type.endsWith('.Failed'));
    expect(event?.data.error?.code).toBe('ARM.DENY_ASSIGNMENT');
    expect(event?.data.error?.message).toMatch(/set MANAGED_RG_ASSIGN_APP_IDENTITY=true .*assignedIdentities/);
    expect(event?.data.changes).toContain("disabled public network access of registry 'offreg' (westeurope) (was Enabled)");
    expect(event?.data.notDone).toEqual(expect.arrayContaining([expect.stringMatching(/^public network access of storage account '.*' \(westeurope\) is still Enabled$/), expect.stringMatching(/^public network access of container registry '.*' \(westeurope\) is still Enabled$/), expect.stringMatching(/^private endpoint 'pe-offreg-blob-westeurope' .* not created$/)]));

    // the remedy: someone lists the app's principal (a full registry PUT, which raises the write event and so the re-run)
    const current = await arm(world, 'GET', `${id}${API}`);
    const before = lastRunCreated(world, id);
    const props = { ...(current.body.properties as Record<string, unknown>), managedResourceGroupSettings: { assignedIdentities: [{ principalId: world.sim.principal.oid }] } };
    expect((await arm(world, 'PUT', `${id}${API}`, { location: current.body.location, tags: current.body.tags, identity: current.body.identity, properties: props })).status).toBeLessThan(300);
    const rerun = await waitForRun(world, id, { after: before, timeoutMs: 90_000 });
    expect(outcomeOf(rerun).kind).toBe('Hardened');
  });
});
