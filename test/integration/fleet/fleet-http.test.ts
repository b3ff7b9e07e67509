import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startWorld, type World } from '../../../local/world';
import { actionsFor } from '../../../src/azure/permissions';
import type { FleetReport } from '../../../src/fleet/domain/fleet';
import { fleetReportSchema } from '../../../src/fleet/http-schemas';
import { appWrites, clearRequestLog, requestLog } from '../../helpers/world-helpers';
import { unreadableSubscription } from '../workspaces/workspace-fixtures';
import { layOutFleet, OTHER_SUB, type Fleet } from './fleet-fixtures';

/** GET /api/fleet/* through the local host: two target subscriptions, one the app cannot read. */
describe('fleet reports over HTTP', () => {
  let world: World;
  let fleet: Fleet;

  beforeAll(async () => {
    world = await startWorld({ stateDir: mkdtempSync(join(tmpdir(), 'fleet-http-')), settings: { TARGET_SUBSCRIPTION_IDS: `${'00000000-0000-0000-0000-0000000000a1'},${OTHER_SUB}` } });
    fleet = await layOutFleet(world.sim, world.user);
    await unreadableSubscription(world.sim, OTHER_SUB);
  });
  afterAll(async () => {
    await world?.stop();
  });

  async function get(path: string): Promise<{ status: number; body: unknown }> {
    const res = await fetch(`${world.host.baseUrl}${path}`, { headers: world.auth.headers('reader') });
    return { status: res.status, body: (await res.json()) as unknown };
  }
  const line = (report: FleetReport, id: string) => report.workspaces.find((w) => w.workspaceId.toLowerCase() === id.toLowerCase());

  it('needs a token with the reader role; a function key alone is not enough', async () => {
    expect((await fetch(`${world.host.baseUrl}/api/fleet/registry-egress`)).status).toBe(401);
    expect((await fetch(`${world.host.baseUrl}/api/fleet/registry-egress`, { headers: { 'x-functions-key': world.functionKey } })).status).toBe(401);
  });

  it('registry-egress: each workspace\'s compute subnets checked; the unreadable subscription is a failed line; no writes', async () => {
    await clearRequestLog(world);
    const { status, body } = await get('/api/fleet/registry-egress');
    expect(status).toBe(200);
    const report = fleetReportSchema.parse(body) as FleetReport;
    expect(report.subscriptions).toEqual([
      { subscriptionId: world.sim.subscriptionId, ok: true, workspaces: 3 },
      { subscriptionId: OTHER_SUB, ok: false, workspaces: 0, error: { code: 'ARM.FORBIDDEN', message: expect.stringMatching(/AuthorizationFailed/) as unknown as string } },
    ]);
    expect(report.workspaces.map((w) => [w.workspaceId.split('/').pop(), w.result])).toEqual([['ws-fleet-a', 'nonCompliant'], ['ws-fleet-b', 'noSubnet'], ['ws-fleet-c', 'nonCompliant']]);
    const a = line(report, fleet.a);
    expect(a?.subnets?.map((s) => [s.subnetId, s.computes, s.result])).toEqual([
      [fleet.net.sepSubnetId, ['ci-a'], 'nonCompliant'],
      [fleet.net.subnetId, ['cpu-a'], 'nonCompliant'],
    ]);
    expect(a?.subnets?.[1]).toMatchObject({ nsgId: fleet.net.nsgId, counts: { present: 1, missing: 3, shadowed: 3 } });
    expect(a?.subnets?.[1]?.missing).toContain('Storage.westeurope/Tcp/443');
    expect(a?.subnets?.[1]?.shadowed).toContain('AzureMachineLearning/Tcp/443');
    expect(report).toMatchObject({ totals: { compliant: 0, nonCompliant: 2, noSubnet: 1, failed: 0 }, failures: 1, compliant: false });

    const log = await requestLog(world);
    expect(appWrites(log, world)).toEqual([]);
    const app = log.filter((e) => e.principal === world.sim.principal.oid);
    // snet-ws serves ws-fleet-a and ws-fleet-c: read once per report
    expect(app.filter((e) => e.method === 'GET' && e.path.toLowerCase() === fleet.net.subnetId.toLowerCase())).toHaveLength(1);
    const listed = app.filter((e) => e.path.toLowerCase() === `/subscriptions/${world.sim.subscriptionId}/providers/microsoft.machinelearningservices/workspaces`);
    expect(listed).toHaveLength(1);
    expect(actionsFor('GET', listed[0]?.path ?? '')).toEqual(['Microsoft.MachineLearningServices/workspaces/read']);
    const computes = app.find((e) => e.path.endsWith('/computes'));
    expect(actionsFor('GET', computes?.path ?? '')).toEqual(['Microsoft.MachineLearningServices/workspaces/computes/read']);
  });

  it('registryRegions is validated as on the per-workspace route', async () => {
    const { body } = await get('/api/fleet/registry-egress?registryRegions=westeurope,northeurope');
    const report = body as FleetReport;
    expect(line(report, fleet.c)?.subnets?.[0]?.counts).toEqual({ present: 2, missing: 5, shadowed: 3 });
    const bad = await get('/api/fleet/registry-egress?registryRegions=atlantis');
    expect(bad).toMatchObject({ status: 400, body: { error: { code: 'REQUEST.INVALID_PARAMETER' } } });
  });

  it('exfiltration: every compute subnet without the ML-alias policy is reported', async () => {
    const { status, body } = await get('/api/fleet/exfiltration');
    expect(status).toBe(200);
    const report = fleetReportSchema.parse(body) as FleetReport;
    expect(report.capability).toBe('exfiltration');
    expect(line(report, fleet.a)?.subnets?.map((s) => s.result)).toEqual(['nonCompliant', 'nonCompliant']);
    expect(line(report, fleet.b)?.result).toBe('noSubnet');
    expect(report.subscriptions[1]).toMatchObject({ subscriptionId: OTHER_SUB, ok: false });
  });

  it('deployments-audit: the registry model served with public egress is a finding', async () => {
    const { status, body } = await get('/api/fleet/deployments-audit');
    expect(status).toBe(200);
    const report = fleetReportSchema.parse(body) as FleetReport;
    expect(report.workspaces.map((w) => w.result)).toEqual(['nonCompliant', 'compliant', 'compliant']);
    expect(line(report, fleet.a)?.findings).toMatchObject([{ endpointName: 'ep-a', deploymentName: 'blue', registryName: 'sharedreg', egressPublicNetworkAccess: 'Enabled' }]);
    expect(report.failures).toBe(1);
  });

  it('the OpenAPI document lists the fleet routes', async () => {
    const doc = (await (await fetch(`${world.host.baseUrl}/api/openapi.json`, { headers: world.auth.headers('reader') })).json()) as { paths: Record<string, unknown> };
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/api/fleet/registry-egress', '/api/fleet/exfiltration', '/api/fleet/deployments-audit']));
  });
});
