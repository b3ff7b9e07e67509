import type { World } from '../../local/world';
import { OPS, runMatrix, startFaultWorld } from './fault-harness';
import { flushUnreported } from './summary';

describe('fault matrix: registry GET/PUT and discovery GET', () => {
  let world: World;
  beforeAll(async () => {
    world = await startFaultWorld('faults-registry');
  }, 90_000);
  afterAll(async () => {
    await world?.stop();
    flushUnreported();
  });

  it(`${OPS.registryGet.name}: every fault ends Hardened with DNS proven, or Failed with a stable code and then converges`, async () => {
    const results = await runMatrix(world, OPS.registryGet, 'rga');
    expect(results.filter((r) => r.problems.length > 0)).toEqual([]);
  }, 180_000);

  it(`${OPS.registryPut.name}: every fault ends Hardened with DNS proven, or Failed with a stable code and then converges`, async () => {
    const results = await runMatrix(world, OPS.registryPut, 'rpa');
    expect(results.filter((r) => r.problems.length > 0)).toEqual([]);
  }, 180_000);

  it(`${OPS.discoveryGet.name}: every fault ends Hardened with DNS proven, or Failed with a stable code and then converges`, async () => {
    const results = await runMatrix(world, OPS.discoveryGet, 'rda');
    expect(results.filter((r) => r.problems.length > 0)).toEqual([]);
  }, 180_000);
});
