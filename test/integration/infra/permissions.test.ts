import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRegistry, startWorld, type World } from '../../../local/world';
import { actionsFor, allActions, customRoleActions } from '../../../src/azure/permissions';
import { DEFAULT_HARDEN_OPTIONS } from '../../../src/hardening/domain/harden-input';
import { clearRequestLog, lastRunCreated, outcomeOf, requestLog, startRun, waitForRun, waitUntil, type RequestLogEntry } from '../../helpers/world-helpers';
import { instanceIdFor } from '../../../src/shared/instance-id';

/**
 * The permission list (src/azure/permissions.ts, which generates the deployment's custom role)
 * must cover every request the app makes. This runs a real hardening on the local Azure and maps
 * each request the app's principal sent to the actions it needs: a new ARM call without its
 * permission fails here. A second run on the hardened registry adds the reads only a re-run makes
 * (the endpoints' list, their zone groups).
 */
describe('the app\'s ARM calls are all covered by its permission list', () => {
  let world: World;
  let appRequests: RequestLogEntry[] = [];

  beforeAll(async () => {
    world = await startWorld({ stateDir: mkdtempSync(join(tmpdir(), 'permissions-')), hostTimeScale: 0.05, settings: { DNS_DEADLINE_MINUTES: '1' } });
    await clearRequestLog(world);
    const id = await createRegistry(world.sim, world.user, { name: 'permreg' });
    const run = await waitForRun(world, id);
    expect(outcomeOf(run).kind).toBe('Hardened');
    await waitUntil('no active run', () => (['Running', 'Pending'].includes(world.host.durable.getStatus(instanceIdFor(id))?.runtimeStatus ?? '') ? undefined : true));
    const before = lastRunCreated(world, id);
    startRun(world, id, 'apply', { ...DEFAULT_HARDEN_OPTIONS, dnsDeadlineMinutes: 1 });
    expect(outcomeOf(await waitForRun(world, id, { after: before })).kind).toBe('Hardened');
    appRequests = (await requestLog(world)).filter(
      (r) => r.principal === world.sim.principal.oid && !r.path.startsWith('/discovery/') && !r.path.includes('/eventgrid/'),
    );
  });
  afterAll(async () => {
    await world?.stop();
  });

  it('the run made reads, writes and long-running-operation polls as the app', () => {
    const methods = new Set(appRequests.map((r) => r.method));
    expect(methods).toEqual(new Set(['GET', 'PUT', 'PATCH']));
    expect(appRequests.some((r) => /\/operations\/|operationStatuses|mfeOperationsStatus/i.test(r.path))).toBe(true);
  });

  it('every request maps to at least one action of the list', () => {
    const unmapped = appRequests.filter((r) => actionsFor(r.method, r.path).length === 0).map((r) => `${r.method} ${r.path}`);
    expect([...new Set(unmapped)]).toEqual([]);
  });

  it('the run needs the endpoint, subnet, DNS zone, approval and read actions the role grants', () => {
    const needed = new Set(appRequests.flatMap((r) => actionsFor(r.method, r.path)));
    for (const a of [
      'Microsoft.MachineLearningServices/registries/write',
      'Microsoft.Network/privateEndpoints/write',
      'Microsoft.Network/virtualNetworks/subnets/join/action',
      'Microsoft.Network/privateEndpoints/privateDnsZoneGroups/write',
      'Microsoft.Network/privateDnsZones/join/action',
      'Microsoft.Storage/storageAccounts/write',
      'Microsoft.ContainerRegistry/registries/write',
      'Microsoft.Storage/storageAccounts/privateEndpointConnectionsApproval/action',
      'Microsoft.ContainerRegistry/registries/privateEndpointConnectionsApproval/action',
      'Microsoft.MachineLearningServices/registries/privateEndpointConnectionsApproval/action',
      // and the reads the run depends on
      'Microsoft.MachineLearningServices/registries/read',
      'Microsoft.Network/privateEndpoints/read',
      'Microsoft.Network/privateEndpoints/privateDnsZoneGroups/read',
      // the NICs are read through the endpoint GET with $expand=networkInterfaces (verify-dns still GETs them: the role keeps networkInterfaces/read)
      'Microsoft.Network/virtualNetworks/read',
      'Microsoft.Storage/storageAccounts/read',
      'Microsoft.ContainerRegistry/registries/read',
    ]) expect(needed).toContain(a);
    for (const a of needed) expect(customRoleActions()).toContain(a);
  });

  it('the outcome topic publish maps to the Event Grid data action (granted by EventGrid Data Sender)', () => {
    expect(actionsFor('POST', new URL(world.outcomeTopic).pathname)).toEqual(['Microsoft.EventGrid/events/send/action']);
    expect(allActions()).toContain('Microsoft.EventGrid/events/send/action');
    expect(customRoleActions()).not.toContain('Microsoft.EventGrid/events/send/action');
  });
});
