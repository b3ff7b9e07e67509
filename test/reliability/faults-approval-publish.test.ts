import type { World } from '../../local/world';
import { OPS, runMatrix, startFaultWorld } from './fault-harness';
import { flushUnreported } from './summary';

describe('fault matrix: connection GET while waiting for approval, outcome publish', () => {
  let world: World;
  beforeAll(async () => {
    world = await startFaultWorld('faults-approval-publish');
  }, 90_000);
  afterAll(async () => {
    await world?.stop();
    flushUnreported();
  });

  it(`${OPS.connectionGet.name}: every fault ends Hardened with DNS proven, or Failed with a stable code and then converges`, async () => {
    const results = await runMatrix(world, OPS.connectionGet, 'rna');
    expect(results.filter((r) => r.problems.length > 0)).toEqual([]);
  }, 180_000);

  it(`${OPS.outcomePublish.name}: every fault ends Hardened with DNS proven, or Failed with a stable code and then converges`, async () => {
    const results = await runMatrix(world, OPS.outcomePublish, 'roa');
    expect(results.filter((r) => r.problems.length > 0)).toEqual([]);
  }, 240_000);
});
