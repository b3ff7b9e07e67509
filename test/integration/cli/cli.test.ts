import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NetworkManagementClient } from '@azure/arm-network';
import { createRegistry, DEMO, NET } from '../../../local/world';
import type { Outcome } from '../../../src/hardening/domain/hardening';
import { waitOutExemption } from '../../helpers/world-helpers';
import { admin, appWrites, clearRequestLog, requestLog, resources, runCli, startCliWorld, type CliWorld } from './cli-world';

/** `aml-lockdown` end to end: the built CLI as a child process against the local Azure. */
describe('aml-lockdown on the local Azure', () => {
  let world: CliWorld;
  let demoId: string;

  beforeAll(async () => {
    world = await startCliWorld();
    demoId = await createRegistry(world.sim, world.user);
  });
  afterAll(async () => {
    await world?.stop();
  });

  const idOf = (name: string): string => `/subscriptions/${world.sim.subscriptionId}/resourceGroups/${DEMO.rg}/providers/Microsoft.MachineLearningServices/registries/${name}`;

  describe('plan', () => {
    it('--json prints the Planned outcome (12 writes for a two-region registry) and makes no ARM write', async () => {
      await clearRequestLog(world.sim);
      const r = await runCli(['plan', demoId, '--json'], world.settings);
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      const outcome = JSON.parse(r.stdout) as Outcome;
      expect(outcome).toMatchObject({ kind: 'Planned', mode: 'plan', registryId: demoId, dns: [], warnings: [] });
      expect(outcome.instanceId).toMatch(/^cli-harden-demoreg-[0-9a-f]{16}$/);
      expect(outcome.plan?.writes).toBe(12);
      expect(outcome.plan?.endpoints.map((e) => [e.groupId, e.action])).toEqual([
        ['amlregistry', 'create'], ['blob', 'create'], ['blob', 'create'], ['registry', 'create'],
      ]);
      // the 12 writes, and the app's principal into assignedIdentities (carried by the registry's PUT: no write of its own)
      expect(outcome.changes).toHaveLength(13);
      expect(outcome.changes.filter((c) => /^would add the app's principal to the registry's assignedIdentities/.test(c))).toHaveLength(1);
      expect(outcome.changes.every((c) => c.startsWith('would '))).toBe(true);
      expect(Date.parse(outcome.endedAt)).toBeGreaterThanOrEqual(Date.parse(outcome.startedAt));

      const log = await requestLog(world.sim);
      expect(log.filter((e) => e.method === 'GET' && e.principal === world.sim.principal.oid).length).toBeGreaterThan(0);
      expect(appWrites(log, world.sim)).toEqual([]);
      expect(await resources(world.sim, 'Microsoft.Network/privateEndpoints')).toEqual([]);
    });

    it('shows the steps and what would change by default', async () => {
      const r = await runCli(['plan', demoId, '--no-publish'], world.settings);
      expect(r.code).toBe(0);
      expect(r.stdout).toContain(`aml-lockdown plan ${demoId}`);
      expect(r.stdout).toMatch(/✔ read\s+done\s+demoreg: 2 region\(s\) \(westeurope, northeurope\)/);
      expect(r.stdout).toMatch(/✔ plan\s+done\s+12 write\(s\)/);
      expect(r.stdout).toMatch(/– endpoints\s+skipped\s+plan mode/);
      expect(r.stdout).toContain('Outcome: Planned');
      expect(r.stdout).toMatch(/to change would create private endpoint 'pe-demoreg-amlregistry-westeurope'/);
    });
  });

  describe('verify-dns before hardening', () => {
    it('exits 1 and names every missing endpoint', async () => {
      const r = await runCli(['verify-dns', demoId, '--json'], world.settings);
      expect(r.code).toBe(1);
      const result = JSON.parse(r.stdout) as { proven: boolean; missingEndpoints: string[]; checks: unknown[]; diagnosis: string };
      expect(result.proven).toBe(false);
      expect(result.checks).toEqual([]);
      expect(result.missingEndpoints).toHaveLength(4);
      expect(result.diagnosis).toMatch(/no private endpoint \(group amlregistry\) to registry 'demoreg'/);
    });
  });

  describe('apply', () => {
    it('hardens the registry: endpoints, zone groups, public access off, DNS proven, outcome published', async () => {
      await clearRequestLog(world.sim);
      const r = await runCli(['apply', demoId, '--poll-seconds', '1'], world.settings);
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/✔ lockdown\s+done\s+4 disabled/);
      expect(r.stdout).toMatch(/✔ endpoints\s+done\s+4 created, 0 kept; 4 zone group\(s\) ensured/);
      expect(r.stdout).toMatch(/✔ dns\s+done/);
      expect(r.stdout).toMatch(/✔ publish\s+done\s+published AmlRegistryLockdown\.Registry\.Hardened/);
      expect(r.stdout).toContain('Outcome: Hardened');
      expect(r.stdout).toContain('DNS proof');

      const endpoints = await resources(world.sim, 'Microsoft.Network/privateEndpoints');
      expect(endpoints.map((e) => e.name).sort()).toEqual(['pe-demoreg-acr-westeurope', 'pe-demoreg-amlregistry-westeurope', 'pe-demoreg-blob-northeurope', 'pe-demoreg-blob-westeurope']);
      const targets = [
        ...(await resources(world.sim, 'Microsoft.MachineLearningServices/registries')).filter((x) => x.id.toLowerCase() === demoId.toLowerCase()),
        ...(await resources(world.sim, 'Microsoft.Storage/storageAccounts')),
        ...(await resources(world.sim, 'Microsoft.ContainerRegistry/registries')),
      ];
      expect(targets).toHaveLength(4);
      for (const t of targets) expect(t.properties?.publicNetworkAccess).toBe('Disabled');
      expect(appWrites(await requestLog(world.sim), world.sim).length).toBeGreaterThanOrEqual(12);

      const events = (await (await admin(world.sim, 'GET', '/eventgrid/topics/lockdown-outcomes/events')).json()) as Array<{ type: string; subject: string; data: Outcome }>;
      const hardened = events.filter((e) => e.type === 'AmlRegistryLockdown.Registry.Hardened' && e.subject.toLowerCase() === demoId.toLowerCase());
      expect(hardened).toHaveLength(1);
      expect(hardened[0]?.data.dns.length).toBeGreaterThan(0);
    });

    it('a second apply makes zero writes and reports everything as already compliant (--json)', async () => {
      await clearRequestLog(world.sim);
      const r = await runCli(['apply', demoId, '--json', '--no-publish'], world.settings);
      expect(r.code).toBe(0);
      const outcome = JSON.parse(r.stdout) as Outcome;
      expect(outcome.kind).toBe('Hardened');
      expect(outcome.changes).toEqual([]);
      expect(outcome.plan?.writes).toBe(0);
      expect(outcome.alreadyCompliant.length).toBeGreaterThanOrEqual(12);
      expect(outcome.dns.length).toBeGreaterThan(0);
      expect(outcome.dns.every((d) => d.ok)).toBe(true);
      expect(outcome.discovery).toMatchObject({ ok: true, missingRegions: [] });
      expect(appWrites(await requestLog(world.sim), world.sim)).toEqual([]);
    });

    it('exits 1 with a NotFound outcome for a registry that does not exist', async () => {
      const r = await runCli(['apply', idOf('nosuchreg'), '--json', '--no-publish'], world.settings);
      expect(r.code).toBe(1);
      expect((JSON.parse(r.stdout) as Outcome).kind).toBe('NotFound');
    });

    it('exits 1 with a Failed outcome carrying the stable code when ARM refuses a write', async () => {
      // the app is exempt from the managed group's deny assignment before the run: the only refusal is the injected one
      const id = await createRegistry(world.sim, world.user, { name: 'forbiddenreg', regions: ['westeurope'], assignedIdentities: [world.sim.principal.oid] });
      await waitOutExemption();
      const fault = await admin(world.sim, 'POST', '/faults', {
        method: 'PUT', pathPattern: 'privateEndpoints/pe-forbiddenreg', count: 20, status: 403,
        body: { error: { code: 'AuthorizationFailed', message: 'The client does not have authorization to perform action Microsoft.Network/privateEndpoints/write.' } },
      });
      expect(fault.status).toBeLessThan(300);
      try {
        // ACCESS_PROPAGATION_MINUTES=0: no wait for a role assignment that may still be propagating
        const r = await runCli(['apply', id, '--json', '--no-publish'], { ...world.settings, ACCESS_PROPAGATION_MINUTES: '0' });
        expect(r.code).toBe(1);
        const outcome = JSON.parse(r.stdout) as Outcome;
        expect(outcome.kind).toBe('Failed');
        expect(outcome.error?.code).toBe('ARM.FORBIDDEN');
        expect(outcome.error?.message).toMatch(/waiting 0 minute\(s\)/);
        expect(outcome.error?.message).toMatch(/authorization/i);
      } finally {
        await admin(world.sim, 'DELETE', '/faults');
      }
    });
  });

  describe('verify-dns', () => {
    it('proves every private name of the hardened registry (--json shape)', async () => {
      await clearRequestLog(world.sim);
      const r = await runCli(['verify-dns', demoId, '--json'], world.settings);
      expect(r.code).toBe(0);
      const result = JSON.parse(r.stdout) as { registryId: string; proven: boolean; checks: Array<{ fqdn: string; ok: boolean; expectedIp: string; answered: string[]; kind: string }>; discovery: { ok: boolean; regions: string[] }; missingEndpoints: string[]; diagnosis: string };
      expect(Object.keys(result).sort()).toEqual(['checks', 'diagnosis', 'discovery', 'missingEndpoints', 'proven', 'registryId']);
      expect(result).toMatchObject({ registryId: demoId, proven: true, missingEndpoints: [], diagnosis: '' });
      expect(result.checks.every((c) => c.ok && c.answered.includes(c.expectedIp))).toBe(true);
      expect(new Set(result.checks.map((c) => c.kind))).toEqual(new Set(['registry', 'storage', 'acr']));
      expect(result.checks.some((c) => /\.registry\.westeurope\.privatelink\.api\.azureml\.ms$/.test(c.fqdn))).toBe(true);
      expect(result.discovery.regions.sort()).toEqual(['northeurope', 'westeurope']);
      expect(appWrites(await requestLog(world.sim), world.sim)).toEqual([]);
    });

    it('prints a table of names by default', async () => {
      const r = await runCli(['verify-dns', demoId], world.settings);
      expect(r.code).toBe(0);
      expect(r.stdout).toContain('DNS proven');
      expect(r.stdout).toMatch(/✔ demoreg[a-z0-9]*\.blob\.core\.windows\.net\s+10\.20\.1\.\d+/);
    });
  });

  describe('discovery', () => {
    it('--json prints the discovery document', async () => {
      const r = await runCli(['discovery', 'westeurope', DEMO.registry, '--json'], world.settings);
      expect(r.code).toBe(0);
      const doc = JSON.parse(r.stdout) as { registryFqdns?: Record<string, { uri?: string }> };
      expect(Object.keys(doc.registryFqdns ?? {}).sort()).toEqual(['northeurope', 'westeurope']);
    });

    it('prints the registry FQDNs by default', async () => {
      const r = await runCli(['discovery', 'westeurope', DEMO.registry], world.settings);
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/registryFqdns\n\s+westeurope/);
    });

    it('exits 1 for a registry discovery does not know', async () => {
      const r = await runCli(['discovery', 'westeurope', 'unknownreg', '--json'], world.settings);
      expect(r.code).toBe(1);
      expect((JSON.parse(r.stdout) as { error: { code: string } }).error.code).toBe('DISCOVERY.NOT_FOUND');
    });

    it.each([['eastus.evil.example'], ['127.0.0.1:1234'], ['eastus/../x'], ['atlantis']])('exits 2 for the region %s before anything leaves the process', async (region) => {
      await clearRequestLog(world.sim);
      const r = await runCli(['discovery', region, DEMO.registry], world.settings);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain('bad <region>');
      expect(r.stdout).toBe('');
      expect((await requestLog(world.sim)).filter((e) => e.path.startsWith('/discovery/'))).toEqual([]);
    });
  });

  describe('settings', () => {
    it('reads a local.settings.json-style file with --settings', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'cli-settings-'));
      const file = join(dir, 'local.settings.json');
      const { IDENTITY_ENDPOINT, IDENTITY_HEADER, ...appSettings } = world.settings;
      writeFileSync(file, JSON.stringify({ IsEncrypted: false, Values: { FUNCTIONS_WORKER_RUNTIME: 'node', ...appSettings, DNS_DEADLINE_MINUTES: 1 } }));
      // The credential chain reads its own variables (here the managed-identity endpoint) from the environment.
      const r = await runCli(['plan', demoId, '--json', '--no-publish', '--settings', file], { IDENTITY_ENDPOINT: IDENTITY_ENDPOINT ?? '', IDENTITY_HEADER: IDENTITY_HEADER ?? '' });
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      expect((JSON.parse(r.stdout) as Outcome).plan?.writes).toBe(0);
    });

    it('the environment wins over the file', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'cli-settings-'));
      const file = join(dir, 'local.settings.json');
      writeFileSync(file, JSON.stringify({ Values: { ...world.settings, PRIVATE_ENDPOINT_SUBNET_ID: 'not-an-id' } }));
      const r = await runCli(['plan', demoId, '--json', '--no-publish', '--settings', file], { PRIVATE_ENDPOINT_SUBNET_ID: world.subnetId, IDENTITY_ENDPOINT: world.settings.IDENTITY_ENDPOINT ?? '', IDENTITY_HEADER: world.settings.IDENTITY_HEADER ?? '' });
      expect(r.code).toBe(0);
      const bad = await runCli(['plan', demoId, '--settings', file], {});
      expect(bad.code).toBe(2);
      expect(bad.stderr).toContain('PRIVATE_ENDPOINT_SUBNET_ID is malformed');
    });

    it('exits 2 naming the missing settings', async () => {
      const r = await runCli(['plan', demoId], {});
      expect(r.code).toBe(2);
      expect(r.stderr).toContain('PRIVATE_ENDPOINT_SUBNET_ID is required');
    });

    it('exits 2 for a settings file that is not there', async () => {
      const r = await runCli(['plan', demoId, '--settings', join(tmpdir(), 'no-such-dir', 'local.settings.json')], {});
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/cannot read the settings file/);
    });
  });

  describe('bad usage exits 2 with a message naming the problem', () => {
    it.each([
      [[], /a command is required/],
      [['harden', '/x'], /unknown command 'harden'/],
      [['plan'], /'plan' takes <registryId>; got nothing/],
      [['plan', '/subscriptions/not-a-guid/resourceGroups/rg/providers/Microsoft.MachineLearningServices/registries/r1'], /bad <registryId>: .*is not a GUID/],
      [['apply', '/subscriptions/00000000-0000-0000-0000-0000000000a1/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/st1'], /bad <registryId>: .*expected a Microsoft\.MachineLearningServices\/registries id/],
      [['plan', '/subscriptions/00000000-0000-0000-0000-0000000000a1/resourceGroups/rg/providers/Microsoft.MachineLearningServices/registries/r1', '--frobnicate'], /unknown option '--frobnicate'/],
      [['status', '/subscriptions/00000000-0000-0000-0000-0000000000a1/resourceGroups/rg/providers/Microsoft.MachineLearningServices/registries/r1'], /give --api/],
    ])('%j', async (args, message) => {
      const r = await runCli(args, world.settings);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(message);
      expect(r.stderr).toContain("aml-lockdown --help");
      expect(r.stdout).toBe('');
    });

    it('--help prints the usage and exits 0', async () => {
      const r = await runCli(['--help']);
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/^Usage: aml-lockdown <command>/);
    });
  });

  describe('--subnet', () => {
    it('plans endpoints in the overriding subnet (and its resource group), not the configured one', async () => {
      const network = new NetworkManagementClient(world.user, world.sim.subscriptionId, { endpoint: world.sim.armEndpoint });
      const other = await network.subnets.createOrUpdate(NET.rg, NET.vnet, 'snet-pe2', { addressPrefix: '10.20.2.0/24' });
      const r = await runCli(['plan', demoId, '--subnet', other.id ?? '', '--json', '--no-publish'], world.settings);
      expect(r.code).toBe(0);
      const outcome = JSON.parse(r.stdout) as { plan: { endpoints: Array<{ action: string; endpointId: string }> } };
      expect(outcome.plan.endpoints.map((e) => e.action)).toEqual(['create', 'create', 'create', 'create']);
      for (const e of outcome.plan.endpoints) expect(e.endpointId).toContain(`/resourceGroups/${NET.rg}/providers/Microsoft.Network/privateEndpoints/`);
      // the configured subnet already has all four endpoints: without the override nothing is planned
      const same = await runCli(['plan', demoId, '--json', '--no-publish'], world.settings);
      expect((JSON.parse(same.stdout) as { plan: { writes: number } }).plan.writes).toBe(0);
    });
  });

  describe('after a zone link is removed', () => {
    it('verify-dns exits 1 and says which names resolved to what', async () => {
      const links = await resources(world.sim, 'Microsoft.Network/privateDnsZones/virtualNetworkLinks');
      const blobLink = links.find((l) => l.id.toLowerCase().includes('privatelink.blob.core.windows.net'));
      expect(blobLink).toBeDefined();
      const token = await world.user.getToken('https://management.azure.com/.default');
      const del = await fetch(`${world.sim.armEndpoint}${blobLink?.id ?? ''}?api-version=2024-06-01`, { method: 'DELETE', headers: { authorization: `Bearer ${token?.token ?? ''}` } });
      expect(del.status).toBeLessThan(300);
      await new Promise((r) => setTimeout(r, 500));
      const r = await runCli(['verify-dns', demoId], world.settings);
      expect(r.code).toBe(1);
      expect(r.stdout).toContain('DNS NOT proven');
      expect(r.stdout).toMatch(/✘ demoreg[a-z0-9]*\.blob\.core\.windows\.net/);
      expect(r.stdout).toMatch(/What is wrong:\n\s+demoreg[a-z0-9]*\.blob\.core\.windows\.net resolved to .*; expected 10\.20\.1\.\d+/);
    });
  });
});
