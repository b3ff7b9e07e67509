import type { World } from '../../local/world';
import { OPS, runMatrix, startFaultWorld } from './fault-harness';
import { flushUnreported } from './summary';

describe('fault matrix: storage and ACR PATCH', () => {
  let world: World;
  beforeAll(async () => {
    world = await startFaultWorld('faults-targets');
  }, 90_000);
  afterAll(async () => {
    await world?.stop();
    flushUnreported();
  });

  it(`${OPS.storagePatch.name}: every fault ends Hardened with DNS proven, or Failed with a stable code and then converges`, async () => {
    const results = await runMatrix(world, OPS.storagePatch, 'rsa');
    expect(results.filter((r) => r.problems.length > 0)).toEqual([]);
  }, 180_000);

  it(`${OPS.acrPatch.name}: every fault ends Hardened with DNS proven, or Failed with a stable code and then converges`, async () => {
    const results = await runMatrix(world, OPS.acrPatch, 'rca');
    expect(results.filter((r) => r.problems.length > 0)).toEqual([]);
  }, 180_000);
});
