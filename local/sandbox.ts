/**
 * `npm start`: the sandbox. A local Azure (local/azure-sim) and the app in the local Functions
 * host (local/func-host), wired purely through settings; a "secured workspace" network; then a
 * two-region demo registry created through ARM and hardened live. `--once` exits 0 when the demo
 * registry is hardened with its DNS proven, non-zero with the reason otherwise.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { AccessToken, TokenCredential } from '@azure/core-auth';
import { NetworkManagementClient } from '@azure/arm-network';
import { PrivateDnsManagementClient } from '@azure/arm-privatedns';
import { ResourceManagementClient } from '@azure/arm-resources';
import { loadOrCreateDevCa } from './azure-sim/ca';
import { DEFAULT_DEV_CA_DIR } from './azure-sim/dev-ca';
import { startAzureSim, type AzureSim } from './azure-sim/server';
import { startFuncHost, type FuncHost, type OrchestrationStatus } from './func-host';

const ROOT = resolve(__dirname, '..', '..');
const SANDBOX = join(ROOT, '.sandbox');
const REGISTRY_API = '2025-12-01';
const DEMO = { rg: 'rg-ml-demo', registry: 'demoreg', regions: ['westeurope', 'northeurope'] };
const NET = { rg: 'rg-network', vnet: 'vnet-ml', subnet: 'snet-pe', prefix: '10.20.0.0/16', subnetPrefix: '10.20.1.0/24', location: 'westeurope' };
const ZONES = ['privatelink.api.azureml.ms', 'privatelink.blob.core.windows.net', 'privatelink.azurecr.io'] as const;

interface Args { once: boolean; port: number; timeoutSeconds: number; }

function parseArgs(argv: string[]): Args {
  const args: Args = { once: false, port: 7071, timeoutSeconds: 180 };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--once') args.once = true;
    else if (a === '--port') args.port = Number(argv[++i]);
    else if (a === '--timeout') args.timeoutSeconds = Number(argv[++i]);
    else throw new Error(`unknown argument ${a ?? ''} (use --once, --port N, --timeout SECONDS)`);
  }
  return args;
}

/** The demo user: a person, not the app's identity, so events carry their claims. */
function userCredential(sim: AzureSim): TokenCredential {
  return {
    async getToken(): Promise<AccessToken> {
      const { token, claims } = sim.tokens.issue('https://management.azure.com/', 3600, { oid: '00000000-0000-0000-0000-00000000d001', appid: '04b07795-8ddb-461a-bbee-02f9e1bf7b46', idtyp: 'user', name: 'Demo User' });
      return { token, expiresOnTimestamp: claims.exp * 1000 };
    },
  };
}

async function layOutNetwork(sim: AzureSim, cred: TokenCredential): Promise<{ subnetId: string; zoneIds: string[] }> {
  const sub = sim.subscriptionId;
  const opts = { endpoint: sim.armEndpoint };
  const resources = new ResourceManagementClient(cred, sub, opts);
  const network = new NetworkManagementClient(cred, sub, opts);
  const dns = new PrivateDnsManagementClient(cred, sub, opts);
  for (const rg of [NET.rg, DEMO.rg]) await resources.resourceGroups.createOrUpdate(rg, { location: NET.location });
  const vnet = await network.virtualNetworks.createOrUpdate(NET.rg, NET.vnet, {
    location: NET.location,
    addressSpace: { addressPrefixes: [NET.prefix] },
    subnets: [{ name: NET.subnet, addressPrefix: NET.subnetPrefix }],
  });
  const subnetId = `${vnet.id ?? ''}/subnets/${NET.subnet}`;
  const zoneIds: string[] = [];
  for (const zone of ZONES) {
    const z = await dns.privateZones.createOrUpdate(NET.rg, zone, { location: 'global' });
    await dns.virtualNetworkLinks.createOrUpdate(NET.rg, zone, `link-${NET.vnet}`, { location: 'global', virtualNetwork: { id: vnet.id }, registrationEnabled: false });
    zoneIds.push(z.id ?? '');
  }
  return { subnetId, zoneIds };
}

async function createDemoRegistry(sim: AzureSim, cred: TokenCredential): Promise<string> {
  const resources = new ResourceManagementClient(cred, sim.subscriptionId, { endpoint: sim.armEndpoint });
  const id = `/subscriptions/${sim.subscriptionId}/resourceGroups/${DEMO.rg}/providers/Microsoft.MachineLearningServices/registries/${DEMO.registry}`;
  await resources.resources.createOrUpdateById(id, REGISTRY_API, {
    location: DEMO.regions[0],
    tags: { purpose: 'sandbox demo' },
    identity: { type: 'SystemAssigned' },
    properties: {
      publicNetworkAccess: 'Enabled',
      regionDetails: DEMO.regions.map((location) => ({
        location,
        acrDetails: [{ systemCreatedAcrAccount: { acrAccountSku: 'Premium' } }],
        storageAccountDetails: [{ systemCreatedStorageAccount: { storageAccountType: 'Standard_LRS', storageAccountHnsEnabled: false, allowBlobPublicAccess: false } }],
      })),
    },
  } as Parameters<typeof resources.resources.createOrUpdateById>[2]);
  return id;
}

interface Step { step: string; state: string; detail?: string; startedAt?: string; endedAt?: string }

const ICON: Record<string, string> = { pending: '·', running: '…', done: '✔', skipped: '–', failed: '✘' };

function render(status: OrchestrationStatus | undefined, tty: boolean, last: { text: string }): void {
  const custom = status?.customStatus as { steps?: Step[] } | undefined;
  const steps = custom?.steps ?? [];
  const lines = [`run ${status?.instanceId ?? '(waiting for the creation event)'}: ${status?.runtimeStatus ?? 'Pending'}`];
  for (const s of steps) {
    const ms = s.startedAt && s.endedAt ? ` (${Date.parse(s.endedAt) - Date.parse(s.startedAt)} ms)` : '';
    lines.push(`  ${ICON[s.state] ?? '?'} ${s.step.padEnd(10)} ${s.state.padEnd(8)} ${s.detail ?? ''}${ms}`);
  }
  const text = lines.join('\n');
  if (text === last.text) return;
  if (tty && last.text) process.stdout.write(`\x1b[${last.text.split('\n').length}A\x1b[J`);
  process.stdout.write(`${text}\n`);
  last.text = text;
}

interface OutcomeView {
  kind?: string;
  changes?: string[];
  alreadyCompliant?: string[];
  warnings?: string[];
  dns?: Array<{ fqdn: string; expectedIp: string; answered: string[]; ok: boolean }>;
  discovery?: { ok: boolean; regions: string[]; missingRegions: string[] };
  exposureWindowMs?: number;
  error?: { code: string; message: string };
}

function printSummary(outcome: OutcomeView): void {
  const out: string[] = ['', `Outcome: ${outcome.kind ?? 'unknown'}`];
  for (const c of outcome.changes ?? []) out.push(`  changed   ${c}`);
  for (const c of outcome.alreadyCompliant ?? []) out.push(`  compliant ${c}`);
  for (const w of outcome.warnings ?? []) out.push(`  warning   ${w}`);
  if (outcome.dns?.length) {
    out.push('', '  DNS proof');
    for (const d of outcome.dns) out.push(`    ${d.ok ? '✔' : '✘'} ${d.fqdn.padEnd(72)} ${d.answered.join(',') || '(nothing)'}  expected ${d.expectedIp}`);
  }
  if (outcome.discovery) out.push(`  discovery registryFqdns: ${outcome.discovery.regions.join(', ')}${outcome.discovery.missingRegions.length ? ` (missing ${outcome.discovery.missingRegions.join(', ')})` : ''}`);
  if (outcome.exposureWindowMs !== undefined) out.push(`  creation event → last public-access write: ${outcome.exposureWindowMs} ms`);
  if (outcome.error) out.push(`  error ${outcome.error.code}: ${outcome.error.message}`);
  process.stdout.write(`${out.join('\n')}\n`);
}

async function main(): Promise<number> {
  const args = parseArgs(process.argv.slice(2));
  mkdirSync(SANDBOX, { recursive: true });
  const ca = loadOrCreateDevCa(DEFAULT_DEV_CA_DIR);
  if (!process.env.NODE_EXTRA_CA_CERTS) {
    process.stderr.write('NODE_EXTRA_CA_CERTS is not set: start the sandbox with `npm start`.\n');
    return 2;
  }
  const sim = await startAzureSim({ ca, stateDir: join(SANDBOX, 'sim'), timeScale: 0.01 });
  const cred = userCredential(sim);
  process.stdout.write(`local Azure: ARM ${sim.armEndpoint}, DNS ${sim.dnsServer.host}:${sim.dnsServer.port}, admin ${sim.adminUrl}\n`);
  const { subnetId, zoneIds } = await layOutNetwork(sim, cred);
  const [zoneApi, zoneBlob, zoneAcr] = zoneIds as [string, string, string];

  const outcomeTopic = `${sim.armEndpoint}/eventgrid/topics/lockdown-outcomes/api/events`;
  const stateDir = join(SANDBOX, 'host');
  let host: FuncHost;
  try {
    host = await startFuncHost({
      appDir: ROOT,
      port: args.port,
      stateDir,
      timeScale: 1,
      env: {
        IDENTITY_ENDPOINT: sim.identityEndpoint,
        IDENTITY_HEADER: sim.identityHeader,
        ARM_ENDPOINT: sim.armEndpoint,
        DNS_SERVERS: `${sim.dnsServer.host}:${sim.dnsServer.port}`,
        DISCOVERY_URL_TEMPLATE: sim.discoveryUrlTemplate,
        OUTCOME_TOPIC_ENDPOINT: outcomeTopic,
        PRIVATE_ENDPOINT_SUBNET_ID: subnetId,
        PRIVATE_ENDPOINT_RESOURCE_GROUP: NET.rg,
        PRIVATE_DNS_ZONE_ID_API_AZUREML: zoneApi,
        PRIVATE_DNS_ZONE_ID_BLOB: zoneBlob,
        PRIVATE_DNS_ZONE_ID_ACR: zoneAcr,
        DNS_DEADLINE_MINUTES: '5',
      },
    });
  } catch (e) {
    await sim.stop();
    throw e;
  }
  const functionKey = host.keys.functionKeys.default ?? Object.values(host.keys.functionKeys)[0] ?? '';
  const eventGridKey = host.keys.systemKeys.eventgrid_extension ?? '';
  const endpoints = {
    armEndpoint: sim.armEndpoint, caCertFile: ca.certFile, identityEndpoint: sim.identityEndpoint, identityHeader: sim.identityHeader,
    dnsServer: `${sim.dnsServer.host}:${sim.dnsServer.port}`, functionsBaseUrl: host.baseUrl, functionKey,
    subscriptionId: sim.subscriptionId, tenantId: sim.tenantId, discoveryUrlTemplate: sim.discoveryUrlTemplate, adminUrl: sim.adminUrl,
  };
  writeFileSync(join(SANDBOX, 'endpoints.json'), JSON.stringify(endpoints, null, 2));

  const subscribe = await fetch(`${sim.adminUrl}/eventgrid/subscriptions`, {
    method: 'POST', headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      name: 'registry-writes', schema: 'EventGridSchema',
      endpoint: `${host.baseUrl}/runtime/webhooks/eventgrid?functionName=onRegistryWrite&code=${encodeURIComponent(eventGridKey)}`,
      includedEventTypes: ['Microsoft.Resources.ResourceWriteSuccess'],
      advancedFilters: [{ operatorType: 'StringIn', key: 'data.operationName', values: ['Microsoft.MachineLearningServices/registries/write'] }],
    }),
  });
  if (!subscribe.ok) throw new Error(`could not subscribe the app to registry writes: ${subscribe.status} ${await subscribe.text()}`);

  const shutdown = async () => {
    await host.stop();
    await sim.stop();
  };

  process.stdout.write(`creating registry ${DEMO.registry} in ${DEMO.regions.join(' + ')} through ARM…\n`);
  const registryId = await createDemoRegistry(sim, cred);
  const tty = process.stdout.isTTY === true;
  const last = { text: '' };
  const deadline = Date.now() + args.timeoutSeconds * 1000;
  let final: OrchestrationStatus | undefined;
  while (Date.now() < deadline) {
    const items = host.durable.engine.list({}).items.filter((s) => (s.input as { registryId?: string } | undefined)?.registryId?.toLowerCase() === registryId.toLowerCase());
    const status = items.sort((a, b) => b.createdTime.localeCompare(a.createdTime))[0];
    if (status) render(host.durable.getStatus(status.instanceId), tty, last);
    if (status && ['Completed', 'Failed', 'Terminated'].includes(status.runtimeStatus)) {
      final = host.durable.getStatus(status.instanceId);
      break;
    }
    await new Promise((r) => setTimeout(r, 150));
  }
  const outcome = (final?.output ?? {}) as OutcomeView;
  let code = 0;
  if (!final) {
    process.stdout.write(`\nthe demo registry was not hardened within ${args.timeoutSeconds} s\n`);
    code = 1;
  } else {
    printSummary(final.runtimeStatus === 'Completed' ? outcome : { kind: 'Failed', error: { code: final.runtimeStatus, message: String((final.output as unknown) ?? '') } });
    if (final.runtimeStatus !== 'Completed' || outcome.kind !== 'Hardened') code = 1;
  }

  if (args.once) {
    await shutdown();
    return code;
  }
  const base = host.baseUrl;
  const sub = sim.subscriptionId;
  process.stdout.write(`
Serving on ${base} (Ctrl-C to stop). Endpoints: .sandbox/endpoints.json. Try:
  dig @${sim.dnsServer.host} -p ${sim.dnsServer.port} +short ${outcome.dns?.[0]?.fqdn ?? 'demo.privatelink.api.azureml.ms'}
  curl -s -H "x-functions-key: ${functionKey}" ${base}/api/registries/${sub}/${DEMO.rg}/${DEMO.registry}/harden
  curl -s ${sim.adminUrl}/requests | head -c 600
`);
  await new Promise<void>((resolveStop) => {
    const stop = () => resolveStop();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  await shutdown();
  return code;
}

main().then((code) => process.exit(code), (e: unknown) => {
  process.stderr.write(`sandbox failed: ${e instanceof Error ? e.stack ?? e.message : String(e)}\n`);
  process.exit(1);
});
