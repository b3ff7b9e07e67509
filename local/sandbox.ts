/**
 * `npm start`: the sandbox. Starts the local world (local/world.ts) with two target
 * subscriptions, lays out a secured workspace and a public registry (local/world-workspace.ts),
 * creates a two-region demo registry through ARM as `az ml registry create` would, and shows the
 * hardening live, then a summary and a menu of copy-pasteable commands for every feature
 * (local/sandbox-menu.ts). Every registry write event the app receives is one console line with
 * what the app decided. `--once` exits 0 when the demo registry is hardened with its DNS proven,
 * non-zero with the reason otherwise; without it the sandbox keeps serving until Ctrl-C.
 */
import { existsSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { createRequire } from 'node:module';
import type { OrchestrationStatus } from './func-host';
import { DEFAULT_SUBSCRIPTION_ID } from './azure-sim/server';
import { DEFAULT_DEV_CA_DIR } from './azure-sim/dev-ca';
import { CALLERS, createRegistry, DEMO, SANDBOX_DIR, startWorld, worldSettings, type World } from './world';
import { layOutWorkspaceWorld, SECOND_SUBSCRIPTION_ID, WORKSPACE } from './world-workspace';
import { menuSections, menuText } from './sandbox-menu';
import { Console, endedRunLines, hostLogger } from './sandbox-console';

interface Args { once: boolean; port: number; timeoutSeconds: number; }

interface SandboxArgsModule {
  parseSandboxArgs(argv: string[]): Args;
  portInUseMessage(port: number): string;
  SandboxUsageError: new (message: string) => Error;
}

/** scripts/sandbox-args.cjs (plain JavaScript: `npm start` checks the arguments with it before the build). */
function sandboxArgs(): SandboxArgsModule {
  for (let dir = __dirname; ; dir = dirname(dir)) {
    const file = join(dir, 'scripts', 'sandbox-args.cjs');
    if (existsSync(file)) return createRequire(__filename)(file) as SandboxArgsModule;
    if (dirname(dir) === dir) throw new Error('scripts/sandbox-args.cjs not found above local/');
  }
}

/** A path as the printed commands name it: relative to the project folder (the current one) when inside it. */
function shown(path: string): string {
  const rel = relative(process.cwd(), path);
  return rel !== '' && !rel.startsWith('..') && !rel.startsWith(sep) ? `./${rel.split(sep).join('/')}` : path;
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

interface Res { id: string; name: string; type: string; properties?: Record<string, unknown> }

/** What ARM says now: every endpoint with its NIC's IPs, and public access per resource. */
async function resourceTable(world: World, registryId: string): Promise<string> {
  const list = async (type: string): Promise<Res[]> => (await (await fetch(`${world.sim.adminUrl}/resources?type=${encodeURIComponent(type)}`)).json()) as Res[];
  const nics = await list('Microsoft.Network/networkInterfaces');
  const rows: string[] = ['', '  Private endpoints (as ARM reports them)'];
  for (const pe of await list('Microsoft.Network/privateEndpoints')) {
    const conn = ((pe.properties?.privateLinkServiceConnections as Array<{ properties?: { privateLinkServiceId?: string; groupIds?: string[] } }> | undefined) ?? [])[0];
    const nicIds = ((pe.properties?.networkInterfaces as Array<{ id?: string }> | undefined) ?? []).map((n) => (n.id ?? '').toLowerCase());
    const ips = nics.filter((n) => nicIds.includes(n.id.toLowerCase()))
      .flatMap((n) => ((n.properties?.ipConfigurations as Array<{ properties?: { privateIPAddress?: string } }> | undefined) ?? []).map((c) => c.properties?.privateIPAddress ?? ''));
    rows.push(`    ${pe.name.padEnd(36)} ${(conn?.properties?.groupIds ?? []).join(',').padEnd(12)} ${ips.join(', ')}`);
  }
  rows.push('', '  Public network access');
  const targets = [
    ...(await list('Microsoft.MachineLearningServices/registries')).filter((r) => r.id.toLowerCase() === registryId.toLowerCase()),
    ...(await list('Microsoft.Storage/storageAccounts')),
    ...(await list('Microsoft.ContainerRegistry/registries')),
  ];
  for (const t of targets) rows.push(`    ${t.type.split('/').slice(-2).join('/').padEnd(40)} ${t.name.padEnd(42)} ${String(t.properties?.publicNetworkAccess ?? 'Enabled')}`);
  return `${rows.join('\n')}\n`;
}

async function main(): Promise<number> {
  const { parseSandboxArgs, portInUseMessage, SandboxUsageError } = sandboxArgs();
  let args: Args;
  try {
    args = parseSandboxArgs(process.argv.slice(2));
  } catch (e) {
    if (!(e instanceof SandboxUsageError)) throw e;
    process.stderr.write(`sandbox: ${e.message}\n`);
    return 2;
  }
  busyPortMessage = portInUseMessage(args.port);
  const stateDir = join(SANDBOX_DIR, 'sandbox');
  rmSync(stateDir, { recursive: true, force: true });
  const out = new Console(process.stdout.isTTY === true);
  const subscriptionIds: [string, string] = [DEFAULT_SUBSCRIPTION_ID, SECOND_SUBSCRIPTION_ID];
  // two target subscriptions: the simulator's and a second one, both in the app's target scope (the fleet pages list both)
  const world = await startWorld({
    port: args.port, stateDir,
    sim: { subscriptionId: subscriptionIds[0], otherSubscriptionIds: [SECOND_SUBSCRIPTION_ID] },
    settings: { TARGET_SUBSCRIPTION_IDS: subscriptionIds.join(',') },
    hostLogger: hostLogger(out),
  });
  const { sim, host } = world;
  const cred = world.user;
  const endpointsFile = join(SANDBOX_DIR, 'endpoints.json');
  const settingsFile = join(SANDBOX_DIR, 'settings.json');
  process.stdout.write(`local Azure: ARM ${sim.armEndpoint}, DNS ${sim.dnsServer.host}:${sim.dnsServer.port}, admin ${sim.adminUrl}\nFunctions host: ${host.baseUrl}\n`);
  const shutdown = () => world.stop();

  process.stdout.write(`laying out the secured workspace ${WORKSPACE.name} (computes in ${WORKSPACE.subnet}, NSG ${WORKSPACE.nsg}) and the public registry of subscription ${SECOND_SUBSCRIPTION_ID} through ARM…\n`);
  const layout = await layOutWorkspaceWorld(sim, cred);
  writeFileSync(endpointsFile, `${JSON.stringify({ ...world.endpoints, subscriptionIds, workspaceId: layout.workspaceId, computeSubnetId: layout.computeSubnetId, publicRegistryId: layout.publicRegistryId, settingsFile }, null, 2)}\n`);
  // the CLI's settings: the app's, as a managed identity of its own (the operator's) would run it, plus where the app's HTTP API is
  const network = { subnetId: world.subnetId, zoneIds: [world.zoneIds.api, world.zoneIds.blob, world.zoneIds.acr] };
  const cliValues = {
    ...worldSettings(sim, network),
    AZURE_CLIENT_ID: CALLERS.operator.identity.clientId,
    APP_PRINCIPAL_ID: CALLERS.operator.identity.principalId,
    TARGET_SUBSCRIPTION_IDS: subscriptionIds.join(','),
    DNS_DEADLINE_MINUTES: '5',
    LOCKDOWN_API_URL: host.baseUrl,
  };
  writeFileSync(settingsFile, `${JSON.stringify({ IsEncrypted: false, Values: cliValues }, null, 2)}\n`);

  process.stdout.write(`creating registry ${DEMO.registry} in ${DEMO.regions.join(' + ')} through ARM…\n`);
  const registryId = await createRegistry(sim, cred);
  // every other run that ends is one line (the demo run has its block)
  const ended = new Set<string>();
  const isDemo = (s: OrchestrationStatus): boolean => (s.input as { registryId?: string } | undefined)?.registryId?.toLowerCase() === registryId.toLowerCase();
  let demoShown = false;
  const watch = setInterval(() => {
    const items = world.host.durable.engine.list({}).items.filter((s) => !isDemo(s) || demoShown);
    for (const line of endedRunLines(items, ended)) out.line(line);
  }, 1000);
  watch.unref();
  const deadline = Date.now() + args.timeoutSeconds * 1000;
  let final: OrchestrationStatus | undefined;
  while (Date.now() < deadline) {
    // the registry's runs (its apply lock and any follow-up carry the registry id too, but no steps)
    const items = host.durable.engine.list({}).items.filter((s) => s.name === 'hardenRegistry' && (s.input as { registryId?: string } | undefined)?.registryId?.toLowerCase() === registryId.toLowerCase());
    const status = items.sort((a, b) => b.createdTime.localeCompare(a.createdTime))[0];
    if (status) out.render(host.durable.getStatus(status.instanceId));
    if (status && ['Completed', 'Failed', 'Terminated'].includes(status.runtimeStatus)) {
      final = host.durable.getStatus(status.instanceId);
      break;
    }
    await new Promise((r) => setTimeout(r, 150));
  }
  out.release();
  // the demo run's end is in its block: later runs of it get their line like any other
  for (const s of host.durable.engine.list({}).items.filter(isDemo)) endedRunLines([s], ended);
  demoShown = true;
  const outcome = (final?.output ?? {}) as OutcomeView;
  let code = 0;
  if (!final) {
    process.stdout.write(`\nthe demo registry was not hardened within ${args.timeoutSeconds} s\n`);
    code = 1;
  } else {
    printSummary(final.runtimeStatus === 'Completed' ? outcome : { kind: 'Failed', error: { code: final.runtimeStatus, message: String((final.output as unknown) ?? '') } });
    process.stdout.write(await resourceTable(world, registryId));
    if (final.runtimeStatus !== 'Completed' || outcome.kind !== 'Hardened') code = 1;
  }

  if (args.once) {
    clearInterval(watch);
    await shutdown();
    return code;
  }
  const base = host.baseUrl;
  const demoPath = `registries/${sim.subscriptionId}/${DEMO.rg}/${DEMO.registry}`;
  const workspacePath = layout.workspaceId.replace(/^\/subscriptions\/([^/]+)\/resourceGroups\/([^/]+)\/providers\/Microsoft\.MachineLearningServices\/workspaces\/([^/]+)$/i, 'workspaces/$1/$2/$3');
  const menu = menuSections({
    base,
    subscriptionIds,
    demo: { id: registryId, path: demoPath, regions: DEMO.regions },
    publicRegistryId: layout.publicRegistryId,
    workspace: { id: layout.workspaceId, path: workspacePath, computeSubnetId: layout.computeSubnetId },
    adminUrl: sim.adminUrl,
    dns: { host: sim.dnsServer.host, port: sim.dnsServer.port, name: outcome.dns?.[0]?.fqdn ?? 'demoreg.privatelink.api.azureml.ms' },
    files: { endpoints: shown(endpointsFile), settings: shown(settingsFile), ca: shown(join(DEFAULT_DEV_CA_DIR, 'ca.pem')), dir: shown(SANDBOX_DIR) },
    durable: { instanceId: final?.instanceId ?? '<instanceId>', key: host.keys.systemKeys.durabletask_extension ?? '' },
  });
  process.stdout.write(`
Isolation report of ${DEMO.registry}: ${base}/api/${demoPath}/report
Fleet overview (both subscriptions): ${base}/api/fleet/report
(pages for a browser that sends a Lockdown.Reader token, as a portal does; here, save them with
 the "report page" and "fleet page" lines below and open the files)

The world: subscriptions ${subscriptionIds.join(' and ')} (both targets); workspace ${layout.workspaceId}
with its computes in ${layout.computeSubnetId} (NSG ${WORKSPACE.nsg}); the private registry
${registryId} and the public one ${layout.publicRegistryId} (exempt by tag).
Endpoints and a ready token per role (reader, operator, networkAdmin; a token of your own:
POST ${sim.adminUrl}/tokens/user): ${shown(endpointsFile)}; the CLI's settings: ${shown(settingsFile)}.

Serving on ${base}. Try (from this folder, each line as it is):
${menuText(menu)}
Ctrl-C stops the sandbox.
`);
  await new Promise<void>((resolveStop) => {
    const stop = () => resolveStop();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  clearInterval(watch);
  await shutdown();
  return code;
}

/** what to say when the port turns out to be taken after all (between the check and the listen) */
let busyPortMessage = '';

main().then((code) => process.exit(code), (e: unknown) => {
  if ((e as { code?: unknown }).code === 'EADDRINUSE' && busyPortMessage) process.stderr.write(`sandbox: ${busyPortMessage}\n`);
  else process.stderr.write(`sandbox failed: ${e instanceof Error ? e.stack ?? e.message : String(e)}\n`);
  process.exit(e && (e as { code?: unknown }).code === 'EADDRINUSE' ? 2 : 1);
});
