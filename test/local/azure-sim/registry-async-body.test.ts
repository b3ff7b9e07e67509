import { createAzureClients } from '../../../src/azure/client-factory';
import { parseRegistry } from '../../../src/azure/registry-schema';
import type { AzureSim } from '../../../local/azure-sim/server';
import { armFetch, simCredential, startSim } from '../../integration/helpers/sim';

/**
 * The registry PUT's Azure-AsyncOperation answer once done, under both simulator options
 * (registryAsyncOperationBody): 'status' (default) answers an operation status, 'bare' the
 * registry itself. The product's registries adapter ends with the registry under both.
 */
const API = '2025-12-01';

async function waitDone(sim: AzureSim, statusUrl: string): Promise<{ body: unknown }> {
  for (let i = 0; i < 200; i++) {
    const r = await armFetch(sim, 'GET', statusUrl);
    const status = (r.body as { status?: string } | undefined)?.status;
    if (status !== 'InProgress') return r;
    await new Promise((res) => setTimeout(res, 20));
  }
  throw new Error('the operation never finished');
}

describe.each([
  ['status', undefined, (body: unknown) => expect(body).toMatchObject({ status: 'Succeeded' })],
  ['bare', 'bare' as const, (body: unknown) => expect(body).toMatchObject({ type: 'Microsoft.MachineLearningServices/registries', properties: { publicNetworkAccess: 'Enabled' } })],
])('registry async-operation body: %s', (_name, option, expectDone) => {
  let sim: AzureSim;
  const rg = (): string => `/subscriptions/${sim.subscriptionId}/resourceGroups/rg-ml`;

  beforeAll(async () => {
    sim = await startSim(option ? { registryAsyncOperationBody: option } : {});
    expect((await armFetch(sim, 'PUT', `${rg()}?api-version=2021-04-01`, { body: { location: 'westeurope' } })).status).toBe(201);
  });
  afterAll(async () => {
    await sim.stop();
  });

  it('the status URL ends with the configured body, and the adapter\'s PUT ends with the registry either way', async () => {
    const id = `${rg()}/providers/Microsoft.MachineLearningServices/registries/reg${_name}`;
    const put = await armFetch(sim, 'PUT', `${id}?api-version=${API}`, { body: { location: 'westeurope', properties: { regionDetails: [{ location: 'westeurope' }] } } });
    expect(put.status).toBe(202);
    expectDone((await waitDone(sim, put.headers['azure-asyncoperation'] ?? '')).body);

    const clients = createAzureClients(
      { AZURE_CLIENT_ID: undefined, ARM_ENDPOINT: sim.armEndpoint, ARM_SCOPE: 'https://management.azure.com/.default', ARM_MAX_RETRIES: 2, ARM_MAX_RETRY_AFTER_SECONDS: 5, ARM_LRO_POLL_INTERVAL_MS: 10 },
      simCredential(sim),
    );
    const current = parseRegistry((await armFetch(sim, 'GET', `${id}?api-version=${API}`)).body, id);
    const after = await clients.registries().createOrUpdate({ ...current, properties: { ...current.properties, publicNetworkAccess: 'Disabled' } });
    expect(after.id.toLowerCase()).toBe(id.toLowerCase());
    expect(after.properties.publicNetworkAccess).toBe('Disabled');
  });
});
