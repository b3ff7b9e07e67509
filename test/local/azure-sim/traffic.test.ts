import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AzureSim } from '../../../local/azure-sim/server';
import type { TrafficRecord } from '../../../local/azure-sim/traffic';
import { armFetch, startSim } from '../../integration/helpers/sim';

describe('local Azure: traffic recording in oav live-traffic format', () => {
  let sim: AzureSim;
  const dir = mkdtempSync(join(tmpdir(), 'sim-traffic-unit-'));
  const records = (): TrafficRecord[] => readdirSync(dir).sort().map((f) => JSON.parse(readFileSync(join(dir, f), 'utf8')) as TrafficRecord);

  beforeAll(async () => {
    sim = await startSim({ trafficDir: dir });
  });
  afterAll(async () => {
    await sim.stop();
  });

  it('writes one file per call with both bodies, the status as a string, headers and no token', async () => {
    const path = `/subscriptions/${sim.subscriptionId}/resourcegroups/rg-traffic?api-version=2024-03-01`;
    const put = await armFetch(sim, 'PUT', path, { body: { location: 'westeurope', tags: { a: 'b' } } });
    expect(put.status).toBeLessThan(300);
    const missing = await armFetch(sim, 'GET', `//subscriptions/${sim.subscriptionId}/resourcegroups/rg-none?api-version=2024-03-01`);
    expect(missing.status).toBe(404);
    await new Promise((r) => setTimeout(r, 50));
    const got = records();
    expect(got).toHaveLength(2);
    const [first, second] = got as [TrafficRecord, TrafficRecord];
    expect(first.liveRequest).toMatchObject({ method: 'PUT', url: `${sim.armEndpoint}${path}`, body: { location: 'westeurope', tags: { a: 'b' } } });
    expect(first.liveRequest.headers.authorization).toBe('<redacted>');
    expect(first.liveResponse.statusCode).toBe(String(put.status));
    expect(first.liveResponse.headers['content-type']).toMatch(/^application\/json/);
    expect(first.liveResponse.body).toEqual(put.body);
    // a doubled leading slash is a path, as the router reads it
    expect(new URL(second.liveRequest.url).pathname).toBe(`/subscriptions/${sim.subscriptionId}/resourcegroups/rg-none`);
    expect(second.liveResponse).toMatchObject({ statusCode: '404', body: { error: { code: 'ResourceGroupNotFound' } } });
    expect(second.liveRequest.body).toBeUndefined();
  });
});
