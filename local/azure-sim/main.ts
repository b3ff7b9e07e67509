import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { loadOrCreateDevCa } from './ca';
import { DEFAULT_DEV_CA_DIR } from './dev-ca';
import { profileFromEnv } from './profiles';
import { startAzureSim } from './server';

/**
 * `npm run sim`: the local Azure alone. Settings (all optional): SIM_ARM_PORT, SIM_IDENTITY_PORT,
 * SIM_ADMIN_PORT, SIM_DNS_PORT, SIM_TIME_SCALE (default 0.01), SIM_RETRY_AFTER (a fixed LRO Retry-After in seconds, default 1; `providers`: each provider's, time-scaled),
 * SIM_THROTTLING=off, SIM_FIXTURES (comma-separated JSON files), SIM_REGISTRY_ASYNC_BODY=status|bare
 * (what the registry PUT's status URL answers when done; default status), SIM_PROFILE (strict,
 * propagating, eventual, lenient: profiles.ts).
 */
async function main(): Promise<void> {
  const env = process.env;
  const num = (v: string | undefined): number | undefined => (v && /^\d+(\.\d+)?$/.test(v) ? Number(v) : undefined);
  const sandbox = resolve(process.cwd(), '.sandbox');
  mkdirSync(sandbox, { recursive: true });
  const ca = loadOrCreateDevCa(DEFAULT_DEV_CA_DIR);
  const asyncBody = env.SIM_REGISTRY_ASYNC_BODY;
  if (asyncBody !== undefined && asyncBody !== 'status' && asyncBody !== 'bare') throw new Error(`SIM_REGISTRY_ASYNC_BODY must be 'status' or 'bare', not '${asyncBody}'.`);
  const profile = profileFromEnv(env.SIM_PROFILE);
  const sim = await startAzureSim({
    ca,
    stateDir: join(sandbox, 'azure-sim'),
    armPort: num(env.SIM_ARM_PORT) ?? 0,
    identityPort: num(env.SIM_IDENTITY_PORT) ?? 0,
    adminPort: num(env.SIM_ADMIN_PORT) ?? 0,
    dnsPort: num(env.SIM_DNS_PORT) ?? 0,
    timeScale: num(env.SIM_TIME_SCALE) ?? 0.01,
    // the Azure CLI waits 30 s on `Retry-After: 0`, which the providers' waits scale to at 0.01: 1 s unless asked for the providers' own
    ...(env.SIM_RETRY_AFTER === 'providers' ? {} : { lroRetryAfterSeconds: num(env.SIM_RETRY_AFTER) ?? 1 }),
    ...(env.SIM_THROTTLING === 'off' ? { throttling: false as const } : {}),
    ...(profile ? { profile } : {}),
    ...(env.SIM_FIXTURES ? { fixtures: env.SIM_FIXTURES.split(',').filter(Boolean) } : {}),
    ...(asyncBody ? { registryAsyncOperationBody: asyncBody } : {}),
  });
  const endpoints = {
    armEndpoint: sim.armEndpoint,
    caCertFile: sim.caCertFile,
    identityEndpoint: sim.identityEndpoint,
    identityHeader: sim.identityHeader,
    dnsServer: `${sim.dnsServer.host}:${sim.dnsServer.port}`,
    discoveryUrlTemplate: sim.discoveryUrlTemplate,
    adminUrl: sim.adminUrl,
    subscriptionId: sim.subscriptionId,
    tenantId: sim.tenantId,
  };
  writeFileSync(join(sandbox, 'endpoints.json'), JSON.stringify(endpoints, null, 2) + '\n');
  process.stdout.write(`local Azure simulator running (Ctrl-C to stop)\n${Object.entries(endpoints).map(([k, v]) => `  ${k.padEnd(22)} ${v}`).join('\n')}\n  endpoints file         ${join(sandbox, 'endpoints.json')}\n`);

  let stopping = false;
  const stop = (): void => {
    if (stopping) return;
    stopping = true;
    process.stdout.write('\nstopping…\n');
    sim.stop().then(
      () => process.exit(0),
      (e: unknown) => {
        process.stderr.write(`${String(e)}\n`);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((e: unknown) => {
  process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exit(1);
});
