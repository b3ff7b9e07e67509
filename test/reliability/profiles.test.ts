/**
 * The product under every simulator profile (local/azure-sim/README.md, "Profiles"): a registry
 * created by a user through ARM (two regions, the run started by its creation event) ends
 * Hardened with DNS proven by the privatelink names, a re-run makes 0 writes, and under
 * `propagating` the app writes nothing to storage or ACR (the service turned them off itself).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PROFILE_NAMES, type ProfileName } from '../../local/azure-sim/profiles';
import { createRegistry, startWorld, type World } from '../../local/world';
import { DEFAULT_HARDEN_OPTIONS } from '../../src/hardening/domain/harden-input';
import { instanceIdFor } from '../../src/shared/instance-id';
import { appWrites, clearRequestLog, lastRunCreated, outcomeOf, requestLog, startRun, waitForRun, waitUntil } from '../helpers/world-helpers';
import { flushUnreported, record } from './summary';

const FAST = { ...DEFAULT_HARDEN_OPTIONS, approvalPollSeconds: 5, dnsRetrySeconds: 5, provisioningPollSeconds: 5, accessPollSeconds: 5, dnsDeadlineMinutes: 1 };
const STORAGE_OR_ACR = /\/providers\/Microsoft\.(Storage\/storageAccounts|ContainerRegistry\/registries)\/[^/]+$/i;

describe.each(PROFILE_NAMES.map((p) => [p]))('under the simulator profile %s', (profile: ProfileName) => {
  let world: World;
  let registryId = '';

  beforeAll(async () => {
    world = await startWorld({ stateDir: mkdtempSync(join(tmpdir(), `rel-profile-${profile}-`)), hostTimeScale: 0.05, sim: { profile }, settings: { DNS_DEADLINE_MINUTES: '1' } });
  }, 90_000);
  afterAll(async () => {
    await world?.stop();
    flushUnreported();
  });

  it('an event-started two-region registry ends Hardened, DNS proven by the privatelink names', async () => {
    await clearRequestLog(world);
    registryId = await createRegistry(world.sim, world.user, { name: `regprofile${profile}`, regions: ['westeurope', 'northeurope'] });
    const run = await waitForRun(world, registryId, { timeoutMs: 180_000 });
    let result: string = run.runtimeStatus;
    try {
      const outcome = outcomeOf(run);
      result = outcome.kind;
      expect(outcome.kind).toBe('Hardened');
      expect(outcome.dns.length).toBeGreaterThan(0);
      expect(outcome.dns.every((d) => d.ok)).toBe(true);
      // the registry's names are proven in their privatelink form (the NICs report the public one)
      const registryNames = outcome.dns.filter((d) => d.kind === 'registry');
      expect(registryNames.length).toBeGreaterThanOrEqual(2);
      expect(registryNames.every((d) => d.fqdn.endsWith('.privatelink.api.azureml.ms'))).toBe(true);
      const storageOrAcrWrites = appWrites(await requestLog(world), world).filter((w) => STORAGE_OR_ACR.test(w.path) && w.method === 'PATCH' && w.status < 300);
      // under `propagating` the service applies the registry's setting to its storage and ACR itself
      if (profile === 'propagating') expect(storageOrAcrWrites).toEqual([]);
      else expect(storageOrAcrWrites.length).toBe(3);
    } finally {
      record({ area: 'profiles', tried: `${profile}: event-started, 2 regions`, held: result === 'Hardened', result });
    }
  }, 240_000);

  it('a re-run on the hardened registry makes 0 writes', async () => {
    await waitUntil('no active run', () => (['Running', 'Pending'].includes(world.host.durable.getStatus(instanceIdFor(registryId))?.runtimeStatus ?? '') ? undefined : true));
    await clearRequestLog(world);
    const before = lastRunCreated(world, registryId);
    startRun(world, registryId, 'apply', FAST);
    const run = await waitForRun(world, registryId, { after: before, timeoutMs: 120_000 });
    const writes = appWrites(await requestLog(world), world);
    const kind = run.runtimeStatus === 'Completed' ? outcomeOf(run).kind : run.runtimeStatus;
    record({ area: 'profiles', tried: `${profile}: re-run`, held: kind === 'Hardened' && writes.length === 0, result: `${kind}, ${writes.length} write(s)` });
    expect(kind).toBe('Hardened');
    expect(writes).toEqual([]);
  }, 180_000);
});
