import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TokenCredential } from '@azure/core-auth';
import { loadOrCreateDevCa } from '../../../local/azure-sim/ca';
import { DEFAULT_DEV_CA_DIR } from '../../../local/azure-sim/dev-ca';
import { startAzureSim, type AzureSim } from '../../../local/azure-sim/server';
import { layOutNetwork, outcomeTopicOf, ROOT, userCredential, worldSettings } from '../../../local/world';

/**
 * The simulator and the "secured workspace" network, without the Functions host and without an
 * Event Grid subscription: nothing hardens a registry unless the CLI under test does.
 */
export interface CliWorld {
  sim: AzureSim;
  user: TokenCredential;
  subnetId: string;
  outcomeTopic: string;
  /** the app settings the CLI reads, pointing at the simulator */
  settings: Record<string, string>;
  stop(): Promise<void>;
}

export const CLI_MAIN = join(ROOT, 'dist', 'src', 'cli', 'main.js');

export async function startCliWorld(): Promise<CliWorld> {
  const ca = loadOrCreateDevCa(DEFAULT_DEV_CA_DIR);
  const sim = await startAzureSim({ ca, stateDir: mkdtempSync(join(tmpdir(), 'cli-sim-')), timeScale: 0.01 });
  try {
    const user = userCredential(sim);
    const network = await layOutNetwork(sim, user);
    const settings = { ...worldSettings(sim, network), DNS_DEADLINE_MINUTES: '1' };
    return { sim, user, subnetId: network.subnetId, outcomeTopic: outcomeTopicOf(sim), settings, stop: () => sim.stop() };
  } catch (e) {
    await sim.stop();
    throw e;
  }
}

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs the built CLI as a child process, as an operator would, with only the given environment
 * (plus PATH, HOME and the dev CA): no settings leak in from the test process.
 */
export function runCli(args: string[], env: Record<string, string> = {}, timeoutMs = 90_000): Promise<CliResult> {
  const base: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? tmpdir(),
    NODE_EXTRA_CA_CERTS: join(DEFAULT_DEV_CA_DIR, 'ca.pem'),
  };
  return new Promise((resolvePromise) => {
    execFile(process.execPath, [CLI_MAIN, ...args], { env: { ...base, ...env }, timeout: timeoutMs, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      const code = error === null ? 0 : typeof error.code === 'number' ? error.code : -1;
      resolvePromise({ code, stdout, stderr });
    });
  });
}

export interface RequestLogEntry {
  method: string;
  path: string;
  status: number;
  time?: string;
  principal?: string;
}

export async function requestLog(sim: AzureSim): Promise<RequestLogEntry[]> {
  return (await (await fetch(`${sim.adminUrl}/requests`)).json()) as RequestLogEntry[];
}

export async function clearRequestLog(sim: AzureSim): Promise<void> {
  await fetch(`${sim.adminUrl}/requests`, { method: 'DELETE' });
}

/** ARM writes made by the app's identity (the CLI runs as it here), from the simulator's request log. */
export function appWrites(log: RequestLogEntry[], sim: AzureSim): RequestLogEntry[] {
  return log.filter((r) => ['PUT', 'PATCH', 'POST', 'DELETE'].includes(r.method) && r.principal === sim.principal.oid && !r.path.startsWith('/discovery/') && !r.path.includes('/eventgrid/'));
}

export async function resources(sim: AzureSim, type: string): Promise<Array<{ id: string; name: string; properties?: Record<string, unknown> }>> {
  return (await (await fetch(`${sim.adminUrl}/resources?type=${encodeURIComponent(type)}`)).json()) as Array<{ id: string; name: string; properties?: Record<string, unknown> }>;
}

export async function admin(sim: AzureSim, method: string, path: string, body?: unknown): Promise<Response> {
  return fetch(`${sim.adminUrl}${path}`, { method, headers: { 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
}
