/**
 * The backfill and drift sweep end to end: the app in the local Functions host on the local
 * Azure, started over HTTP, with one real and one unknown target subscription.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CALLERS, createRegistry, DEMO, startWorld, type World } from '../../../local/world';
import type { SweepReport } from '../../../src/sweep/domain/sweep';
import { sweepAcceptedSchema, sweepStatusSchema } from '../../../src/sweep/http-schemas';
import { runStatusSchema } from '../../../src/http/schemas';
import { arm, waitUntil } from '../../helpers/world-helpers';

const SIM_SUB = '00000000-0000-0000-0000-0000000000a1';
const MISSING_SUB = '00000000-0000-0000-0000-0000000000b2';
const API = '?api-version=2025-12-01';

describe('sweep through the local Functions host', () => {
  let world: World;
  const idOf = (name: string) => `/subscriptions/${SIM_SUB}/resourceGroups/${DEMO.rg}/providers/Microsoft.MachineLearningServices/registries/${name}`;
  const hardenPath = (name: string) => `/api/registries/${SIM_SUB}/${DEMO.rg}/${name}/harden`;

  async function call(method: string, path: string): Promise<{ status: number; body: unknown; headers: Headers }> {
    // the operator: starts the sweep and runs, reads their status
    const res = await fetch(`${world.host.baseUrl}${path}`, { method, headers: world.auth.headers('operator') });
    const text = await res.text();
    return { status: res.status, body: text ? (JSON.parse(text) as unknown) : undefined, headers: res.headers };
  }

  async function sweepDone(): Promise<SweepReport> {
    const status = await waitUntil('the sweep', async () => {
      const r = await call('GET', '/api/sweep');
      if (r.status !== 200) return undefined;
      const s = sweepStatusSchema.parse(r.body);
      return ['Completed', 'Failed', 'Terminated'].includes(s.runtimeStatus) ? s : undefined;
    }, 60_000);
    expect(status.runtimeStatus).toBe('Completed');
    return status.report as SweepReport;
  }

  async function runDone(name: string): Promise<ReturnType<typeof runStatusSchema.parse>> {
    return waitUntil(`the run of ${name}`, async () => {
      const r = await call('GET', hardenPath(name));
      if (r.status !== 200) return undefined;
      const s = runStatusSchema.parse(r.body);
      return ['Completed', 'Failed', 'Terminated'].includes(s.runtimeStatus) ? s : undefined;
    }, 90_000);
  }

  beforeAll(async () => {
    world = await startWorld({
      stateDir: mkdtempSync(join(tmpdir(), 'sweep-')),
      hostTimeScale: 0.05,
      settings: { DNS_DEADLINE_MINUTES: '1', TARGET_SUBSCRIPTION_IDS: `${SIM_SUB},${MISSING_SUB}` },
    });
    expect(world.sim.subscriptionId).toBe(SIM_SUB);
    // nothing hardens a registry unless the test (or the sweep) asks for it
    expect((await fetch(`${world.sim.adminUrl}/eventgrid/subscriptions/registry-writes`, { method: 'DELETE' })).ok).toBe(true);
    await createRegistry(world.sim, world.user, { name: 'sweepdone', regions: ['westeurope'] });
    await createRegistry(world.sim, world.user, { name: 'sweepopen', regions: ['westeurope'] });
  });
  afterAll(async () => {
    await world?.stop();
  });

  it('GET /api/sweep is 404 before the first sweep', async () => {
    const r = await call('GET', '/api/sweep');
    expect(r.status).toBe(404);
    expect(r.body).toMatchObject({ error: { code: 'RUN.NOT_FOUND' } });
  });

  it('reports one compliant registry, starts a run for the other, and reports the unknown subscription as failed', async () => {
    expect((await call('POST', hardenPath('sweepdone'))).status).toBe(202);
    expect((await runDone('sweepdone')).output).toMatchObject({ kind: 'Hardened' });

    const started = await call('POST', '/api/sweep');
    expect(started.status).toBe(202);
    const accepted = sweepAcceptedSchema.parse(started.body);
    expect(accepted).toMatchObject({ mode: 'apply', subscriptionIds: [SIM_SUB, MISSING_SUB] });
    expect(started.headers.get('location')).toBe(`${world.host.baseUrl}/api/sweep`);

    const report = await sweepDone();
    expect(report.subscriptions).toEqual([
      { subscriptionId: SIM_SUB, ok: true, registries: 2 },
      { subscriptionId: MISSING_SUB, ok: false, registries: 0, error: { code: expect.stringMatching(/^ARM\./) as unknown as string, message: expect.stringMatching(/could not be found/) as unknown as string } },
    ]);
    expect(report.registries.map((r) => [r.registryId, r.result])).toEqual([[idOf('sweepdone'), 'compliant'], [idOf('sweepopen'), 'started']]);
    expect(report.registries[1]?.writes).toBeGreaterThan(0);
    expect(report.totals).toMatchObject({ compliant: 1, started: 1, failed: 0 });
    expect(report.failures).toBe(1);

    const run = await runDone('sweepopen');
    expect(run.output).toMatchObject({ kind: 'Hardened' });
    // the audit trail: the run the sweep started names who started the sweep
    expect(run.output).toMatchObject({ caller: { upn: CALLERS.operator.upn, roles: ['Lockdown.Operator'] } });
    expect(((await arm(world, 'GET', `${idOf('sweepopen')}${API}`)).body.properties as Record<string, unknown>).publicNetworkAccess).toBe('Disabled');
  });

  it('?mode=plan afterwards: both registries compliant, nothing started', async () => {
    const r = await call('POST', '/api/sweep?mode=plan');
    expect(r.status).toBe(202);
    expect(sweepAcceptedSchema.parse(r.body)).toMatchObject({ mode: 'plan', previousRuntimeStatus: 'Completed' });
    const report = await sweepDone();
    expect(report.mode).toBe('plan');
    expect(report.registries.map((l) => l.result)).toEqual(['compliant', 'compliant']);
  });

  it('a reader may not start a sweep (403), not even a plan', async () => {
    for (const q of ['', '?mode=plan']) {
      const res = await fetch(`${world.host.baseUrl}/api/sweep${q}`, { method: 'POST', headers: world.auth.headers('reader') });
      expect([q, res.status]).toEqual([q, 403]);
    }
  });

  it('rejects a bad mode with 400', async () => {
    const r = await call('POST', '/api/sweep?mode=yolo');
    expect(r.status).toBe(400);
    expect(r.body).toMatchObject({ error: { code: 'REQUEST.INVALID_PARAMETER' } });
  });
});
