import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRegistry, startWorld, type World } from '../../../local/world';
import { outcomeOf, resources, waitForRun } from '../../helpers/world-helpers';

describe('with LOCKDOWN_ACR=false', () => {
  let world: World;

  beforeAll(async () => {
    world = await startWorld({ stateDir: mkdtempSync(join(tmpdir(), 'harden-acr-off-')), hostTimeScale: 0.05, settings: { LOCKDOWN_ACR: 'false' } });
  });
  afterAll(async () => {
    await world?.stop();
  });

  it('hardens everything but keeps the ACR public, and says why in the outcome', async () => {
    const id = await createRegistry(world.sim, world.user, { name: 'acrpublic', regions: ['westeurope'] });
    const run = await waitForRun(world, id);
    const outcome = outcomeOf(run);
    expect(outcome.kind).toBe('Hardened');
    expect(outcome.warnings.join(' ')).toMatch(/environment assets cannot be created in a registry whose ACR is private/);
    const [acr] = await resources(world, 'Microsoft.ContainerRegistry/registries');
    // under profile `propagating` the service itself applies the registry's Disabled to its ACR: the app cannot keep it public
    expect(acr?.properties?.publicNetworkAccess).toBe(process.env.SIM_PROFILE === 'propagating' ? 'Disabled' : 'Enabled');
    for (const s of await resources(world, 'Microsoft.Storage/storageAccounts')) expect(s.properties?.publicNetworkAccess).toBe('Disabled');
    // the ACR still gets its private endpoint, and its names are proven
    const endpoints = await resources(world, 'Microsoft.Network/privateEndpoints');
    expect(endpoints.map((e) => e.name)).toContain('pe-acrpublic-acr-westeurope');
    expect(outcome.dns.filter((d) => d.kind === 'acr').every((d) => d.ok)).toBe(true);
  });
});
