/**
 * Every host is a fresh worker process for the app: a second host in the same process (jest runs
 * several suites per worker) must not inherit module state from the first. The app's credential
 * is the case that bit: MSAL keeps the managed-identity source (with its endpoint) in a static
 * field, so a second world's first token request for a new audience went to the first, stopped,
 * simulator's identity endpoint and the run failed with "ChainedTokenCredential authentication failed".
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRegistry, startWorld, type World } from '../../../local/world';
import { outcomeOf, waitForRun } from '../../helpers/world-helpers';

function newWorld(label: string): Promise<World> {
  return startWorld({ stateDir: mkdtempSync(join(tmpdir(), `fresh-${label}-`)), hostTimeScale: 0.05 });
}

describe('a host started after another one stopped, in the same process', () => {
  it('gets its tokens from its own identity endpoint: the second world hardens a registry', async () => {
    // the first app asks its identity endpoint once (discovery audience), then the world stops
    const first = await newWorld('a');
    try {
      const res = await fetch(`${first.host.baseUrl}/api/discovery/westeurope/nosuchregistry`, { headers: first.auth.headers('reader') });
      expect(res.status).toBe(404);
    } finally {
      await first.stop();
    }
    // the second app needs ARM and Event Grid tokens it never had: they must come from its own simulator
    const second = await newWorld('b');
    try {
      const id = await createRegistry(second.sim, second.user); // its write event starts the run
      const run = await waitForRun(second, id);
      expect(run.runtimeStatus).toBe('Completed');
      expect(outcomeOf(run).kind).toBe('Hardened');
    } finally {
      await second.stop();
    }
  });
});
