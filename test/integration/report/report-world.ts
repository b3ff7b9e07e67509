/**
 * The sandbox world with registries in four of the states the fleet page knows: the demo registry
 * (two regions) and `driftreg` hardened by their creation events, `driftreg` then made public
 * again by its owner (Drifted), `exemptreg` carrying the exemption tag (Exempt), and `quietreg`
 * created once the app no longer hears registry writes (Never run).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRegistry, DEMO, startWorld, type World } from '../../../local/world';
import { arm, outcomeOf, waitForRun, waitUntil } from '../../helpers/world-helpers';

export const SIM_SUB = '00000000-0000-0000-0000-0000000000a1';
const API = '?api-version=2025-12-01';

export interface ReportWorld {
  world: World;
  demo: string;
  drifted: string;
  exempt: string;
  quiet: string;
  /** GET on the app with a reader's token */
  get(path: string, accept?: string): Promise<Response>;
}

export async function startReportWorld(prefix: string): Promise<ReportWorld> {
  const world = await startWorld({ stateDir: mkdtempSync(join(tmpdir(), prefix)), settings: { TARGET_SUBSCRIPTION_IDS: SIM_SUB } });
  try {
    const [demo, drifted, exempt] = await Promise.all([
      createRegistry(world.sim, world.user),
      createRegistry(world.sim, world.user, { name: 'driftreg', regions: ['westeurope'] }),
      createRegistry(world.sim, world.user, { name: 'exemptreg', regions: ['northeurope'], tags: { 'aml-registry-lockdown': 'exempt' } }),
    ]);
    const runs = await Promise.all([demo, drifted, exempt].map((id) => waitForRun(world, id, { timeoutMs: 150_000 })));
    if (outcomeOf(runs[0]!).kind !== 'Hardened' || outcomeOf(runs[1]!).kind !== 'Hardened' || outcomeOf(runs[2]!).kind !== 'Exempt') {
      throw new Error(`unexpected outcomes: ${runs.map((r) => (r.output as { kind?: string } | null)?.kind).join(', ')}`);
    }
    // from here on the app hears no registry writes: what follows stays as it is made
    const unsubscribed = await fetch(`${world.sim.adminUrl}/eventgrid/subscriptions/registry-writes`, { method: 'DELETE' });
    if (!unsubscribed.ok) throw new Error(`could not unsubscribe the app: ${unsubscribed.status}`);
    const quiet = await createRegistry(world.sim, world.user, { name: 'quietreg', regions: ['westeurope'] });
    // the owner opens driftreg again (a PUT of the whole registry, as the portal does)
    const current = await arm(world, 'GET', `${drifted}${API}`);
    const body = { ...current.body, properties: { ...(current.body.properties as Record<string, unknown>), publicNetworkAccess: 'Enabled' } };
    const put = await arm(world, 'PUT', `${drifted}${API}`, body);
    if (put.status >= 300) throw new Error(`could not open driftreg: ${put.status} ${JSON.stringify(put.body)}`);
    await waitUntil('driftreg public again', async () => ((await arm(world, 'GET', `${drifted}${API}`)).body.properties as { publicNetworkAccess?: string }).publicNetworkAccess === 'Enabled' || undefined, 30_000);
    return {
      world, demo, drifted, exempt, quiet,
      get: (path, accept) => fetch(`${world.host.baseUrl}${path}`, { headers: { ...world.auth.headers('reader'), ...(accept ? { accept } : {}) } }),
    };
  } catch (e) {
    await world.stop();
    throw e;
  }
}

/** `/api/registries/{sub}/{rg}/{name}/report` of a registry of the world. */
export function reportPathOf(name: string, rg = DEMO.rg): string {
  return `/api/registries/${SIM_SUB}/${rg}/${name}/report`;
}
