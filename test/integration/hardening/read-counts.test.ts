/**
 * The fewest reads (docs/benchmarks.md, "Every ARM read of a run"): the ARM calls of one
 * registry's run, counted from the simulator's request log — counts, not timings. Goals per
 * registry: a fresh one-region registry at most 2× its writes (18 for its 9), a re-run on the
 * hardened registry at most 8 reads and no write, a three-region registry at most 2× its writes.
 *
 * The registries list the app in assignedIdentities from their creation and the runs start once
 * that exemption holds (no run waits for access), by hand (no creation event), so each log holds
 * exactly one run. The world's ARM_LRO_EXPECTED_SECONDS matches the simulator's latencies with a
 * margin: each operation is done when the run first looks at it.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRegistry, startWorld, type World } from '../../../local/world';
import { DEFAULT_HARDEN_OPTIONS } from '../../../src/hardening/domain/harden-input';
import { appReads, appWrites, clearRequestLog, describeCalls, lastRunCreated, outcomeOf, requestLog, startRun, waitForRun, waitOutExemption } from '../../helpers/world-helpers';

const HOST_TIME_SCALE = 0.05;
const FAST = { ...DEFAULT_HARDEN_OPTIONS, approvalPollSeconds: 5, dnsRetrySeconds: 5, provisioningPollSeconds: 5, dnsDeadlineMinutes: 1 };

interface Counted {
  reads: number;
  writes: number;
  polls: number;
  detail: string;
}

const POLL = /\/(operations|operationStatuses|mfeOperationsStatus|operationResults|mfeOperationResults)\/[^/]+$/i;

async function countRun(world: World, registryId: string): Promise<Counted> {
  await clearRequestLog(world);
  const before = lastRunCreated(world, registryId);
  startRun(world, registryId, 'apply', FAST);
  const run = await waitForRun(world, registryId, { after: before, timeoutMs: 120_000 });
  expect(outcomeOf(run).kind).toBe('Hardened');
  const log = await requestLog(world);
  const reads = appReads(log, world);
  const writes = appWrites(log, world);
  return { reads: reads.length, writes: writes.length, polls: reads.filter((r) => POLL.test(r.path)).length, detail: describeCalls([...reads, ...writes]) };
}

/** 'within the goal', or the calls that went past it (so a failure says which reads there were). */
function within(reads: number, goal: number, run: Counted): string {
  return reads <= goal ? 'within the goal' : `${reads} reads, goal ${goal}:\n${run.detail}`;
}

describe('the fewest reads: ARM calls of one registry, from the request log', () => {
  let world: World;

  beforeAll(async () => {
    world = await startWorld({ stateDir: mkdtempSync(join(tmpdir(), 'read-counts-')), hostTimeScale: HOST_TIME_SCALE, sim: { throttling: false }, settings: { DNS_DEADLINE_MINUTES: '1' } });
    const res = await fetch(`${world.sim.adminUrl}/eventgrid/subscriptions/registry-writes`, { method: 'DELETE' });
    if (!res.ok) throw new Error(`could not remove the registry-writes subscription: ${res.status}`);
  }, 90_000);
  afterAll(async () => {
    await world?.stop();
  });

  it('fresh, one region: 9 writes and at most 18 reads (one poll per operation); a re-run: at most 8 reads and no write', async () => {
    const id = await createRegistry(world.sim, world.user, { name: 'rc1reg', regions: ['westeurope'], assignedIdentities: [world.sim.principal.oid] });
    await waitOutExemption();
    const fresh = await countRun(world, id);
    // 3 endpoints, 3 zone groups, registry PUT, storage PATCH, ACR PATCH
    expect({ writes: fresh.writes, detail: fresh.detail }).toEqual({ writes: 9, detail: fresh.detail });
    // 8 operations (the storage PATCH is synchronous), each found done at its first look
    expect({ polls: fresh.polls, detail: fresh.detail }).toEqual({ polls: 8, detail: fresh.detail });
    expect(within(fresh.reads, 2 * fresh.writes, fresh)).toBe('within the goal');

    const again = await countRun(world, id);
    expect({ writes: again.writes, detail: again.detail }).toEqual({ writes: 0, detail: again.detail });
    expect(within(again.reads, 8, again)).toBe('within the goal');
  }, 180_000);

  it('fresh, three regions: at most 2× its writes', async () => {
    const id = await createRegistry(world.sim, world.user, { name: 'rc3reg', regions: ['westeurope', 'northeurope', 'francecentral'], assignedIdentities: [world.sim.principal.oid] });
    await waitOutExemption();
    const fresh = await countRun(world, id);
    // 5 endpoints (registry, 3 blobs, ACR), 5 zone groups, registry PUT, 3 storage PATCHes, ACR PATCH
    expect({ writes: fresh.writes, detail: fresh.detail }).toEqual({ writes: 15, detail: fresh.detail });
    expect(within(fresh.reads, 2 * fresh.writes, fresh)).toBe('within the goal');
  }, 180_000);
});
