/**
 * `npm start`: the sandbox. Starts the local world (local/world.ts), creates a two-region demo
 * registry through ARM as `az ml registry create` would, and shows the hardening live, then a
 * summary. `--once` exits 0 when the demo registry is hardened with its DNS proven, non-zero
 * with the reason otherwise; without it the sandbox keeps serving until Ctrl-C.
 */
import { existsSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createRequire } from 'node:module';
import type { OrchestrationStatus } from './func-host';
import { CALLERS, createRegistry, DEMO, SANDBOX_DIR, startWorld, type World } from './world';

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
  if (tty) {
    // a terminal: the block is redrawn in place
    if (last.text) process.stdout.write(`\x1b[${last.text.split('\n').length}A\x1b[J`);
    process.stdout.write(`${text}\n`);
  } else {
    // piped (a log, CI): only the lines that changed, each once
    const before = new Set(last.text.split('\n'));
    process.stdout.write(lines.filter((l) => !before.has(l)).map((l) => `${l}\n`).join(''));
  }
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
  const world = await startWorld({ port: args.port, stateDir, writeEndpoints: true });
  const { sim, host } = world;
  const cred = world.user;
  process.stdout.write(`local Azure: ARM ${sim.armEndpoint}, DNS ${sim.dnsServer.host}:${sim.dnsServer.port}, admin ${sim.adminUrl}\nFunctions host: ${host.baseUrl} (endpoints in .sandbox/endpoints.json)\n`);
  const shutdown = () => world.stop();

  process.stdout.write(`creating registry ${DEMO.registry} in ${DEMO.regions.join(' + ')} through ARM…\n`);
  const registryId = await createRegistry(sim, cred);
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
    process.stdout.write(await resourceTable(world, registryId));
    if (final.runtimeStatus !== 'Completed' || outcome.kind !== 'Hardened') code = 1;
  }

  if (args.once) {
    await shutdown();
    return code;
  }
  const base = host.baseUrl;
  const instanceId = final?.instanceId ?? '<instanceId>';
  const durableKey = host.keys.systemKeys.durabletask_extension ?? '';
  const harden = `${base}/api/registries/${sim.subscriptionId}/${DEMO.rg}/${DEMO.registry}/harden`;
  // the ready tokens are in .sandbox/endpoints.json; the lines read them from there
  const token = (role: string) => `-H "Authorization: Bearer $(node -p 'require("./.sandbox/endpoints.json").tokens.${role}')"`;
  const reader = token('reader');
  const operator = token('operator');
  process.stdout.write(`
Serving on ${base} (Ctrl-C to stop). Endpoints and ready tokens: .sandbox/endpoints.json. Try:
  run status:  curl -s ${reader} ${harden}
  plan again:  curl -s -X POST ${reader} "${harden}?mode=plan"
  apply again: curl -s -X POST ${operator} ${harden}
  discovery:   curl -s ${reader} ${base}/api/discovery/${DEMO.regions[0] ?? 'westeurope'}/${DEMO.registry}
  recent runs: curl -s ${reader} "${base}/api/runs?top=5"
  API spec:    curl -s ${reader} ${base}/api/openapi.json
  no token:    curl -s -i ${harden}   (401 from App Service Authentication; a function key alone gets the same)
  durable API: curl -s ${reader} "${base}/runtime/webhooks/durabletask/instances/${instanceId}?code=${durableKey}"
  DNS proof:   dig @${sim.dnsServer.host} -p ${sim.dnsServer.port} +short ${outcome.dns?.[0]?.fqdn ?? 'demo.privatelink.api.azureml.ms'}
  ARM calls:   curl -s ${sim.adminUrl}/requests
  outcomes:    curl -s ${sim.adminUrl}/eventgrid/topics/lockdown-outcomes/events
  the CLI:     IDENTITY_ENDPOINT=${sim.identityEndpoint} IDENTITY_HEADER=${sim.identityHeader} AZURE_CLIENT_ID=${CALLERS.reader.identity.clientId} AUTH_APP_ID=${world.auth.appId} \\
               node dist/src/cli/main.js status ${registryId} --api ${base}
  (tokens: reader, operator, networkAdmin — each with one app role; a token of your own: POST ${sim.adminUrl}/tokens/user)
`);
  await new Promise<void>((resolveStop) => {
    const stop = () => resolveStop();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
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
