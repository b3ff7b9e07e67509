/**
 * GET …/report and GET /api/fleet/report through the local Functions host on the local Azure,
 * and `aml-lockdown report` against them: what ARM says now, the run, the states, no writes.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../../../src/cli/app';
import { fleetOverviewSchema, registryReportSchema } from '../../../src/report/http-schemas';
import type { FleetOverview, RegistryReport } from '../../../src/report/domain/report';
import { pageCsp } from '../../../src/report/domain/html';
import { appWrites, callerCredential, clearRequestLog, requestLog, resources } from '../../helpers/world-helpers';
import { reportPathOf, startReportWorld, type ReportWorld } from './report-world';

const BROWSER = 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8';

class Sink {
  text = '';
  readonly isTTY = false;
  write(t: string): void {
    this.text += t;
  }
}

describe('the isolation report over HTTP', () => {
  let w: ReportWorld;

  beforeAll(async () => {
    w = await startReportWorld('report-http-');
  }, 240_000);
  afterAll(async () => {
    await w?.world.stop();
  });

  it('needs a token with Lockdown.Reader: none (or a function key alone) is 401 from App Service Authentication', async () => {
    for (const path of [reportPathOf('demoreg'), '/api/fleet/report']) {
      expect((await fetch(`${w.world.host.baseUrl}${path}`)).status).toBe(401);
      expect((await fetch(`${w.world.host.baseUrl}${path}`, { headers: { 'x-functions-key': w.world.functionKey } })).status).toBe(401);
      expect((await fetch(`${w.world.host.baseUrl}${path}`, { headers: w.world.auth.headers('reader') })).status).toBe(200);
    }
  });

  it("the demo registry's report (JSON): endpoints, IPs and public access as ARM says now, names resolving privately, the run; no writes", async () => {
    await clearRequestLog(w.world);
    const res = await w.get(reportPathOf('demoreg'));
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    const report = registryReportSchema.parse(await res.json()) as unknown as RegistryReport;
    expect(report.state).toMatchObject({ state: 'Hardened' });
    expect(report.registry).toMatchObject({ name: 'demoreg', regions: ['westeurope', 'northeurope'], exempt: false });
    expect(report.registry.managedResourceGroupId).toMatch(/\/resourceGroups\/azureml-rg-demoreg_/);

    // every endpoint ARM has for the registry, with its NIC's IPs
    const nics = await resources(w.world, 'Microsoft.Network/networkInterfaces');
    const pes = await resources(w.world, 'Microsoft.Network/privateEndpoints');
    expect(report.endpoints.map((e) => e.name).sort()).toEqual(pes.filter((p) => p.name.startsWith('pe-demoreg-')).map((p) => p.name).sort());
    for (const e of report.endpoints) {
      const pe = pes.find((p) => p.id.toLowerCase() === e.id.toLowerCase());
      const nicIds = ((pe?.properties?.networkInterfaces as Array<{ id: string }> | undefined) ?? []).map((n) => n.id.toLowerCase());
      const ips = nics.filter((n) => nicIds.includes(n.id.toLowerCase())).flatMap((n) => ((n.properties?.ipConfigurations as Array<{ properties: { privateIPAddress: string } }>) ?? []).map((c) => c.properties.privateIPAddress));
      expect(e.privateIps.sort()).toEqual(ips.sort());
      expect(e).toMatchObject({ connectionStatus: 'Approved', inAppSubnet: true, subnetId: w.world.subnetId });
    }
    expect(report.endpoints.map((e) => e.targetKind).sort()).toEqual(['acr', 'registry', 'storage', 'storage']);
    expect(report.publicAccess.map((p) => [p.kind, p.publicNetworkAccess, p.ok])).toEqual([['registry', 'Disabled', true], ['storage', 'Disabled', true], ['storage', 'Disabled', true], ['acr', 'Disabled', true]]);
    expect(report.dns.checks.length).toBeGreaterThanOrEqual(8);
    expect(report.dns.checks.every((c) => c.ok)).toBe(true);
    expect(report.lastRunDns?.checks.length).toBe(report.dns.checks.length);

    // the run: eight steps, the waits it had, the exposure window from its creation event
    expect(report.lastRun?.steps.map((s) => s.state)).toEqual(Array(8).fill('done'));
    expect(report.lastRun?.trigger).toBe('eventgrid');
    expect(report.runs).toHaveLength(1);
    expect(report.exposure?.windowMs).toBeGreaterThan(0);
    expect(report.links.fleet).toBe(`${w.world.host.baseUrl}/api/fleet/report`);

    const log = await requestLog(w.world);
    expect(appWrites(log, w.world)).toEqual([]);
    expect(log.filter((e) => e.principal === w.world.sim.principal.oid).length).toBeGreaterThan(5);
  });

  it('the same report as a page for a browser: self-contained under its CSP, one bar per step', async () => {
    const res = await w.get(reportPathOf('demoreg'), BROWSER);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(res.headers.get('content-security-policy')).toBe(pageCsp());
    expect(res.headers.get('vary')).toBe('Accept');
    const html = await res.text();
    expect(html).toContain('<h1>demoreg</h1>');
    expect(html.match(/<rect class="step-bar step-done" data-step=/g)).toHaveLength(8);
    // ?format= wins over Accept
    const json = await w.get(`${reportPathOf('demoreg')}?format=json`, BROWSER);
    expect(json.headers.get('content-type')).toMatch(/^application\/json/);
    expect(((await json.json()) as RegistryReport).registry.name).toBe('demoreg');
  });

  it('Drifted, Exempt and Never run registries say so; the fleet lists every registry of the target scope with its state', async () => {
    const drifted = (await (await w.get(reportPathOf('driftreg'))).json()) as RegistryReport;
    expect(drifted.state.state).toBe('Drifted');
    expect(drifted.state.detail).toContain("registry 'driftreg'");
    expect(drifted.publicAccess.find((p) => p.kind === 'registry')).toMatchObject({ publicNetworkAccess: 'Enabled', ok: false });
    expect(((await (await w.get(reportPathOf('exemptreg'))).json()) as RegistryReport).state.state).toBe('Exempt');
    const quiet = (await (await w.get(reportPathOf('quietreg'))).json()) as RegistryReport;
    expect(quiet.state).toEqual({ state: 'NeverRun', detail: 'the app has no run of this registry' });
    expect(quiet.runs).toEqual([]);

    await clearRequestLog(w.world);
    const res = await w.get('/api/fleet/report');
    expect(res.status).toBe(200);
    const fleet = fleetOverviewSchema.parse(await res.json()) as FleetOverview;
    expect(fleet.registries.map((r) => [r.name, r.state])).toEqual([['demoreg', 'Hardened'], ['driftreg', 'Drifted'], ['exemptreg', 'Exempt'], ['quietreg', 'NeverRun']]);
    expect(fleet.counts).toEqual({ Hardened: 1, Drifted: 1, Failed: 0, Exempt: 1, NeverRun: 1, Running: 0 });
    expect(fleet.registries[0]).toMatchObject({ subscriptionId: '00000000-0000-0000-0000-0000000000a1', resourceGroup: 'rg-ml-demo', reportUrl: `${w.world.host.baseUrl}${reportPathOf('demoreg')}` });
    expect(fleet.registries[0]?.lastCheckedAt).toBeDefined();
    expect(fleet.subscriptions).toEqual([{ subscriptionId: '00000000-0000-0000-0000-0000000000a1', ok: true, registries: 4 }]);
    expect(appWrites(await requestLog(w.world), w.world)).toEqual([]);
  });

  it('errors: an unknown registry is 404 (as JSON, or a page for a browser); a bad format is 400', async () => {
    const missing = await w.get(reportPathOf('nosuchreg'));
    expect(missing.status).toBe(404);
    expect(await missing.json()).toMatchObject({ error: { code: 'REGISTRY.NOT_FOUND' } });
    const page = await w.get(reportPathOf('nosuchreg'), BROWSER);
    expect(page.status).toBe(404);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(await page.text()).toContain('No report: REGISTRY.NOT_FOUND');
    const bad = await w.get(`${reportPathOf('demoreg')}?format=pdf`);
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ error: { code: 'REQUEST.INVALID_PARAMETER' } });
  });

  it('aml-lockdown report writes the same page to a file, and --json the JSON', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'report-cli-'));
    const out = join(dir, 'report.html');
    const stdout = new Sink();
    const stderr = new Sink();
    const code = await runCli(['report', w.demo, '--api', w.world.host.baseUrl, '--out', out], { stdout, stderr, environment: () => ({ AUTH_APP_ID: w.world.auth.appId }), credential: () => callerCredential(w.world, 'reader') });
    expect(stderr.text).toBe('');
    expect(code).toBe(0);
    expect(stdout.text).toMatch(/^aml-lockdown report: wrote .*report\.html \(HTML, \d+ bytes\)/);
    const html = readFileSync(out, 'utf8');
    expect(html).toMatch(/^<!DOCTYPE html>/);
    expect(html).toContain('<h1>demoreg</h1>');
    expect(html.match(/class="step-bar step-done" data-step=/g)).toHaveLength(8);

    const json = new Sink();
    expect(await runCli(['report', '--all', '--json', '--api', w.world.host.baseUrl, '--app-id', w.world.auth.appId], { stdout: json, stderr, environment: () => ({}), credential: () => callerCredential(w.world, 'reader') })).toBe(0);
    expect((fleetOverviewSchema.parse(JSON.parse(json.text)) as FleetOverview).registries).toHaveLength(4);

    const missing = new Sink();
    expect(await runCli(['report', w.demo.replace('demoreg', 'nosuchreg'), '--api', w.world.host.baseUrl, '--app-id', w.world.auth.appId], { stdout: new Sink(), stderr: missing, environment: () => ({}), credential: () => callerCredential(w.world, 'reader') })).toBe(1);
    expect(missing.text).toMatch(/^aml-lockdown report: REGISTRY\.NOT_FOUND: /);
  });
});
