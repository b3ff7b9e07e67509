import { execFile, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRegistry, layOutNetwork, NET, userCredential, DEMO } from '../../../local/world';
import type { AzureSim } from '../../../local/azure-sim/server';
import { armFetch, startSim } from '../../integration/helpers/sim';

/**
 * A real client nobody here wrote: the Azure CLI (`az`, Debian's azure-cli 2.45 in CI, installed
 * by .ci/run) against the simulator, set up as docs/azure-cli.md tells users: a custom cloud
 * registered from /metadata/endpoints, the simulator's CA in REQUESTS_CA_BUNDLE, login with the
 * App Service identity protocol (MSI_ENDPOINT/MSI_SECRET), and Debian's network SDK gap closed by
 * a sitecustomize.py shim this test writes into its temp dir (docs/azure-cli.md explains it).
 * Everything the CLI keeps (config, token cache) lives in that temp dir.
 */
const HAS_AZ = spawnSync('sh', ['-c', 'command -v az'], { encoding: 'utf8' }).status === 0;

/**
 * Debian's azure-mgmt-network lacks the v2022_01_01 module the CLI's network commands load (every
 * `az network …` then fails with "'NoneType' object has no attribute 'standard_medium'"): serve
 * v2022_07_01 under that name, lazily, for the package and its submodules.
 */
export const SITECUSTOMIZE = `import importlib, importlib.abc, importlib.util, sys

_OLD, _NEW = 'azure.mgmt.network.v2022_01_01', 'azure.mgmt.network.v2022_07_01'


class _AliasLoader(importlib.abc.Loader):
    def create_module(self, spec):
        return importlib.import_module(_NEW + spec.name[len(_OLD):])

    def exec_module(self, module):
        pass


class _AliasFinder(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path, target=None):
        if name != _OLD and not name.startswith(_OLD + '.'):
            return None
        if importlib.util.find_spec(_NEW) is None:
            return None
        return importlib.util.spec_from_loader(name, _AliasLoader())


sys.meta_path.insert(0, _AliasFinder())
`;

(HAS_AZ ? describe : describe.skip)(`the Azure CLI against the simulator${HAS_AZ ? '' : ' (skipped: az is not installed; .ci/run installs Debian\'s azure-cli)'}`, () => {
  let sim: AzureSim;
  let env: NodeJS.ProcessEnv;
  let network: { subnetId: string; zoneIds: string[] };
  let managedRg = '';
  let acrName = '';
  let storageId = '';
  const mine = (): string => `/subscriptions/${sim.subscriptionId}/resourceGroups/${DEMO.rg}/providers/Microsoft.Storage/storageAccounts/stclitest`;

  function az(...args: string[]): Promise<unknown> {
    return new Promise((resolve, reject) => {
      execFile('az', [...args, '-o', 'json'], { env, timeout: 120_000, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
        if (error) return reject(new Error(`az ${args.join(' ')} failed: ${stderr || error.message}`));
        try {
          resolve(stdout.trim() ? (JSON.parse(stdout) as unknown) : undefined);
        } catch {
          reject(new Error(`az ${args.join(' ')} did not answer JSON: ${stdout.slice(0, 300)}`));
        }
      });
    });
  }

  beforeAll(async () => {
    // Retry-After 1 s on long-running operations: without it the CLI's pollers wait their own 30 s
    sim = await startSim({ lroRetryAfterSeconds: 1 });
    network = await layOutNetwork(sim, userCredential(sim));
    const registryId = await createRegistry(sim, userCredential(sim), { regions: ['westeurope'] });
    const registry = (await armFetch(sim, 'GET', `${registryId}?api-version=2025-12-01`)).body as { properties: { managedResourceGroup: { resourceId: string }; regionDetails: { acrDetails: { systemCreatedAcrAccount: { armResourceId: { resourceId: string } } }[]; storageAccountDetails: { systemCreatedStorageAccount: { armResourceId: { resourceId: string } } }[] }[] } };
    managedRg = registry.properties.managedResourceGroup.resourceId.split('/').pop() ?? '';
    acrName = registry.properties.regionDetails[0]?.acrDetails[0]?.systemCreatedAcrAccount.armResourceId.resourceId.split('/').pop() ?? '';
    storageId = registry.properties.regionDetails[0]?.storageAccountDetails[0]?.systemCreatedStorageAccount.armResourceId.resourceId ?? '';
    // an account of the user's own (outside the registry's managed group) for the public-access change
    expect((await armFetch(sim, 'PUT', `${mine()}?api-version=2023-05-01`, { body: { location: NET.location, sku: { name: 'Standard_LRS' }, kind: 'StorageV2' } })).status).toBe(202);

    const dir = mkdtempSync(join(tmpdir(), 'azure-cli-'));
    writeFileSync(join(dir, 'sitecustomize.py'), SITECUSTOMIZE);
    writeFileSync(join(dir, 'ca.pem'), sim.caCertPem);
    env = {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      HOME: dir,
      AZURE_CONFIG_DIR: join(dir, 'azure'),
      AZURE_CORE_COLLECT_TELEMETRY: 'false',
      AZURE_CORE_NO_COLOR: 'true',
      AZURE_CORE_ONLY_SHOW_ERRORS: 'true',
      REQUESTS_CA_BUNDLE: join(dir, 'ca.pem'),
      NO_PROXY: '127.0.0.1,localhost',
      PYTHONPATH: dir,
      // App Service's identity protocol 2017-09-01, the one az 2.45 speaks
      MSI_ENDPOINT: sim.identityEndpoint,
      MSI_SECRET: sim.identityHeader,
      APPSETTING_WEBSITE_SITE_NAME: 'aml-lockdown-local',
    };
    // the other endpoints come from the simulator's /metadata/endpoints; the ACR suffix is not in its 2015-01-01 answer
    await az('cloud', 'register', '--name', 'SimCloud', '--endpoint-resource-manager', `${sim.armEndpoint}/`, '--suffix-acr-login-server-endpoint', '.azurecr.io');
    await az('cloud', 'set', '--name', 'SimCloud');
    await az('login', '--identity');
  }, 240_000);
  afterAll(async () => {
    await sim?.stop();
  });

  it('logs in with the managed identity and sees the subscription', async () => {
    const account = (await az('account', 'show')) as { id: string; tenantId: string; user: { type: string } };
    expect(account).toMatchObject({ id: sim.subscriptionId, tenantId: sim.tenantId });
  }, 120_000);

  it('lists and shows the VNet and its subnet', async () => {
    const vnets = (await az('network', 'vnet', 'list', '-g', NET.rg)) as { name: string }[];
    expect(vnets.map((v) => v.name)).toEqual([NET.vnet]);
    const subnet = (await az('network', 'vnet', 'subnet', 'show', '-g', NET.rg, '--vnet-name', NET.vnet, '-n', NET.subnet)) as { id: string; addressPrefix: string };
    expect(subnet.id.toLowerCase()).toBe(network.subnetId.toLowerCase());
    expect(subnet.addressPrefix).toBe(NET.subnetPrefix);
    expect(((await az('network', 'vnet', 'subnet', 'list', '-g', NET.rg, '--vnet-name', NET.vnet)) as unknown[]).length).toBe(1);
  }, 120_000);

  it('lists and shows the registry\'s storage and its ACR (also without a resource group)', async () => {
    const accounts = (await az('storage', 'account', 'list', '-g', managedRg)) as { id: string }[];
    expect(accounts.map((a) => a.id.toLowerCase())).toEqual([storageId.toLowerCase()]);
    const acr = (await az('acr', 'show', '-n', acrName)) as { name: string; sku: { name: string } };
    expect(acr).toMatchObject({ name: acrName, sku: { name: 'Premium' } });
    expect(((await az('acr', 'list', '-g', managedRg)) as unknown[]).length).toBe(1);
    const generic = (await az('resource', 'show', '--ids', storageId)) as { type: string };
    expect(generic.type).toBe('Microsoft.Storage/storageAccounts');
  }, 180_000);

  it('creates an endpoint to the storage account with its zone group, then lists and shows both', async () => {
    const blobZone = network.zoneIds[1] ?? '';
    // a manual request: approving automatically is an action on the storage account, which the
    // registry's managed group refuses to anyone not in its assignedIdentities (the strict profile)
    const created = (await az('network', 'private-endpoint', 'create', '-g', NET.rg, '-n', 'pe-cli-blob', '-l', NET.location, '--manual-request', 'true',
      '--vnet-name', NET.vnet, '--subnet', NET.subnet, '--private-connection-resource-id', storageId, '--group-id', 'blob', '--connection-name', 'cli-blob')) as { provisioningState: string };
    expect(created.provisioningState).toBe('Succeeded');
    const group = (await az('network', 'private-endpoint', 'dns-zone-group', 'create', '-g', NET.rg, '--endpoint-name', 'pe-cli-blob', '-n', 'default',
      '--private-dns-zone', blobZone, '--zone-name', 'blob')) as { provisioningState: string };
    expect(group.provisioningState).toBe('Succeeded');

    const endpoints = (await az('network', 'private-endpoint', 'list', '-g', NET.rg)) as { name: string }[];
    expect(endpoints.map((e) => e.name)).toEqual(['pe-cli-blob']);
    const shown = (await az('network', 'private-endpoint', 'show', '-g', NET.rg, '-n', 'pe-cli-blob')) as { manualPrivateLinkServiceConnections: { privateLinkServiceId: string; groupIds: string[]; privateLinkServiceConnectionState: { status: string } }[] };
    expect(shown.manualPrivateLinkServiceConnections[0]).toMatchObject({ groupIds: ['blob'], privateLinkServiceConnectionState: { status: 'Pending' } });
    expect(shown.manualPrivateLinkServiceConnections[0]?.privateLinkServiceId.toLowerCase()).toBe(storageId.toLowerCase());
    const groups = (await az('network', 'private-endpoint', 'dns-zone-group', 'list', '-g', NET.rg, '--endpoint-name', 'pe-cli-blob')) as { name: string }[];
    expect(groups.map((g) => g.name)).toEqual(['default']);
    const one = (await az('network', 'private-endpoint', 'dns-zone-group', 'show', '-g', NET.rg, '--endpoint-name', 'pe-cli-blob', '-n', 'default')) as { privateDnsZoneConfigs: { privateDnsZoneId: string; recordSets: unknown[] }[] };
    expect(one.privateDnsZoneConfigs[0]?.privateDnsZoneId.toLowerCase()).toBe(blobZone.toLowerCase());
    expect(one.privateDnsZoneConfigs[0]?.recordSets.length).toBeGreaterThan(0);
  }, 240_000);

  it('turns a storage account\'s public network access off', async () => {
    const updated = (await az('storage', 'account', 'update', '-g', DEMO.rg, '-n', 'stclitest', '--public-network-access', 'Disabled')) as { publicNetworkAccess: string };
    expect(updated.publicNetworkAccess).toBe('Disabled');
    expect((await armFetch(sim, 'GET', `${mine()}?api-version=2023-05-01`)).body).toMatchObject({ properties: { publicNetworkAccess: 'Disabled' } });
  }, 120_000);
});
