import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AccessToken } from '@azure/core-auth';
import { runCli } from '../../../src/cli/app';
import { HARDENING_SETTINGS } from '../../../src/config';

class Sink {
  text = '';
  readonly isTTY = false;
  write(t: string): void {
    this.text += t;
  }
}

const SUB = '00000000-0000-0000-0000-000000000001';
const REG = `/subscriptions/${SUB}/resourceGroups/rg-ml/providers/Microsoft.MachineLearningServices/registries/reg1`;
const SUBNET = `/subscriptions/${SUB}/resourceGroups/rg-net/providers/Microsoft.Network/virtualNetworks/vnet/subnets/snet`;
const WORKSPACE = `/subscriptions/${SUB}/resourceGroups/rg-ws/providers/Microsoft.MachineLearningServices/workspaces/ws1`;
const APP_ID = '00000000-0000-0000-0000-0000000000e1';

/** Runs a command with settings that lack every hardening setting and carry one malformed one (stops before any call). */
async function withoutHardeningSettings(argv: string[]): Promise<{ code: number; stderr: string }> {
  const stderr = new Sink();
  const code = await runCli(argv, { stdout: new Sink(), stderr, environment: () => ({ ARM_ENDPOINT: 'http://not-https.example' }) });
  return { code, stderr: stderr.text };
}

describe('each command asks only for the settings it reads', () => {
  it.each([
    [['discovery', 'westeurope', 'reg1']],
    [['egress-check', SUBNET]],
    [['egress-check', '--all']],
    [['exfiltration', SUBNET]],
    [['exfiltration', '--all']],
    [['audit-deployments', WORKSPACE]],
    [['audit-deployments', '--all']],
    [['allow-sharing', WORKSPACE, REG]],
  ])('%j: names the malformed setting, and no hardening setting', async (argv) => {
    const r = await withoutHardeningSettings(argv);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('ARM_ENDPOINT is malformed');
    for (const name of HARDENING_SETTINGS) expect(r.stderr).not.toContain(name);
  });

  it.each([[['plan', REG]], [['apply', REG]], [['verify-dns', REG]], [['sweep']]])('%j: hardening needs the endpoint subnet and the zones', async (argv) => {
    const r = await withoutHardeningSettings(argv);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('PRIVATE_ENDPOINT_SUBNET_ID is required');
    expect(r.stderr).toContain('PRIVATE_DNS_ZONE_ID_API_AZUREML is required');
  });
});

describe('status and report from a settings file', () => {
  const cleanup: string[] = [];
  afterEach(() => {
    for (const name of cleanup.splice(0)) delete process.env[name];
  });

  it('--settings supplies the API (LOCKDOWN_API_URL) and the app registration (AUTH_APP_ID); its Values reach the process environment', async () => {
    const seen: IncomingMessage[] = [];
    const app = createServer((req, res) => {
      seen.push(req);
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ instanceId: 'i1', runtimeStatus: 'Completed', output: { kind: 'Hardened' } }));
    });
    await new Promise<void>((r) => app.listen(0, '127.0.0.1', r));
    try {
      const base = `http://127.0.0.1:${(app.address() as AddressInfo).port}`;
      const file = join(mkdtempSync(join(tmpdir(), 'cli-settings-')), 'settings.json');
      const marker = 'CLI_SETTINGS_TEST_VALUE';
      for (const name of ['LOCKDOWN_API_URL', 'AUTH_APP_ID', marker]) if (process.env[name] === undefined) cleanup.push(name);
      writeFileSync(file, JSON.stringify({ IsEncrypted: false, Values: { LOCKDOWN_API_URL: base, AUTH_APP_ID: APP_ID, [marker]: 'from-file' } }));
      const scopes: string[] = [];
      const credential = () => ({
        async getToken(scope: string | string[]): Promise<AccessToken> {
          scopes.push([scope].flat().join(' '));
          return { token: 'the-token', expiresOnTimestamp: Date.now() + 60_000 };
        },
      });
      const stdout = new Sink();
      const stderr = new Sink();
      const code = await runCli(['status', REG, '--settings', file, '--json'], { stdout, stderr, credential });
      expect(stderr.text).toBe('');
      expect(code).toBe(0);
      expect(scopes).toEqual([`api://${APP_ID}/.default`]);
      expect(seen[0]?.url).toBe(`/api/registries/${SUB}/rg-ml/reg1/harden`);
      expect(seen[0]?.headers.authorization).toBe('Bearer the-token');
      expect(process.env[marker]).toBe('from-file');
    } finally {
      await new Promise((r) => app.close(r));
    }
  });
});
