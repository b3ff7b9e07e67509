/** POST /api/sweep with TARGET_SUBSCRIPTION_IDS unset (its own file: the app's config is cached per process). */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startWorld, type World } from '../../../local/world';

describe('sweep without target subscriptions', () => {
  let world: World;
  beforeAll(async () => {
    world = await startWorld({ stateDir: mkdtempSync(join(tmpdir(), 'sweep-none-')) });
  });
  afterAll(async () => {
    await world?.stop();
  });

  it('POST /api/sweep answers 409 SWEEP.NO_SUBSCRIPTIONS and starts nothing', async () => {
    const res = await fetch(`${world.host.baseUrl}/api/sweep`, { method: 'POST', headers: world.auth.headers('operator') });
    expect(res.status).toBe(409);
    expect(await res.json()).toMatchObject({ error: { code: 'SWEEP.NO_SUBSCRIPTIONS', message: expect.stringMatching(/TARGET_SUBSCRIPTION_IDS/) as unknown as string } });
    expect((await fetch(`${world.host.baseUrl}/api/sweep`, { headers: world.auth.headers('reader') })).status).toBe(404);
  });
});
