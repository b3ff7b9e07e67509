import type { World } from '../../local/world';
import { OPS, runMatrix, startFaultWorld } from './fault-harness';
import { flushUnreported } from './summary';

describe('fault matrix: endpoint PUT/GET and zone-group PUT', () => {
  let world: World;
  beforeAll(async () => {
    world = await startFaultWorld('faults-endpoints');
  }, 90_000);
  afterAll(async () => {
    await world?.stop();
    flushUnreported();
  });

  it(`${OPS.endpointPut.name}: every fault ends Hardened with DNS proven, or Failed with a stable code and then converges`, async () => {
    const results = await runMatrix(world, OPS.endpointPut, 'rea');
    expect(results.filter((r) => r.problems.length > 0)).toEqual([]);
  }, 180_000);

  it(`${OPS.endpointGet.name}: every fault ends Hardened with DNS proven, or Failed with a stable code and then converges`, async () => {
    const results = await runMatrix(world, OPS.endpointGet, 'rfa');
    expect(results.filter((r) => r.problems.length > 0)).toEqual([]);
  }, 180_000);

  it(`${OPS.zoneGroupPut.name}: every fault ends Hardened with DNS proven, or Failed with a stable code and then converges`, async () => {
    const results = await runMatrix(world, OPS.zoneGroupPut, 'rza');
    expect(results.filter((r) => r.problems.length > 0)).toEqual([]);
  }, 180_000);
});
