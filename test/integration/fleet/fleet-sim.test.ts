import { layOutNetwork, userCredential, worldSettings } from '../../../local/world';
import type { AzureSim } from '../../../local/azure-sim/server';
import { createPorts } from '../../../src/main';
import { loadConfig } from '../../../src/config';
import type { WorkspacesPort } from '../../../src/workspaces/domain/ports';
import { armFetch, simCredential, startSim } from '../helpers/sim';
import { armAs, createCompute, createStorage, createWorkspace, ensureResourceGroup, WS_API } from '../workspaces/workspace-fixtures';

/**
 * The simulator's workspaces list by subscription and computes (Compute_List / CreateOrUpdate)
 * with nextLink paging (page size 2 here), read through the app's workspace adapter.
 */
describe('workspaces by subscription and computes on the local Azure', () => {
  let sim: AzureSim;
  let subnetId: string;
  let workspaces: WorkspacesPort;
  let first: string;

  beforeAll(async () => {
    sim = await startSim({ pageSize: 2 });
    const user = userCredential(sim);
    const network = await layOutNetwork(sim, user);
    subnetId = network.subnetId;
    workspaces = createPorts(loadConfig(worldSettings(sim, network)), simCredential(sim)).workspace.workspaces;
    await ensureResourceGroup(sim, user);
    const storage = await createStorage(sim, user, 'stpaging', {});
    const ids: string[] = [];
    for (const n of ['ws-page-1', 'ws-page-2', 'ws-page-3']) ids.push(await createWorkspace(sim, user, n, storage));
    first = ids[0] as string;
    await createCompute(sim, user, first, 'cluster-1', 'AmlCompute', subnetId);
    await createCompute(sim, user, first, 'instance-1', 'ComputeInstance', subnetId);
    // a compute without a subnet of the customer's: not listed as a compute subnet
    expect((await armAs(sim, user, 'PUT', `${first}/computes/aks-1`, WS_API, { location: 'westeurope', properties: { computeType: 'Kubernetes', properties: {} } })).status).toBe(201);
  });
  afterAll(async () => {
    await sim?.stop();
  });

  it('list by subscription pages with nextLink; the adapter follows every page', async () => {
    const page1 = await armFetch(sim, 'GET', `/subscriptions/${sim.subscriptionId}/providers/Microsoft.MachineLearningServices/workspaces?api-version=${WS_API}`);
    expect(page1.status).toBe(200);
    const body = page1.body as { value: Array<{ name: string }>; nextLink?: string };
    expect(body.value.map((w) => w.name)).toEqual(['ws-page-1', 'ws-page-2']);
    expect(body.nextLink).toMatch(/\$skipToken=2/);
    const page2 = (await armFetch(sim, 'GET', body.nextLink ?? '')).body as { value: Array<{ name: string }>; nextLink?: string };
    expect(page2.value.map((w) => w.name)).toEqual(['ws-page-3']);
    expect(page2.nextLink).toBeUndefined();
    expect((await workspaces.listBySubscription(sim.subscriptionId)).map((w) => w.name)).toEqual(['ws-page-1', 'ws-page-2', 'ws-page-3']);
    await expect(workspaces.listBySubscription('00000000-0000-0000-0000-0000000000e9')).rejects.toThrow(/ARM\.NOT_FOUND.*SubscriptionNotFound|could not be found/);
  });

  it('the compute subnets of a workspace, over every page of its computes', async () => {
    expect(await workspaces.listComputeSubnets(first)).toEqual([
      { computeName: 'cluster-1', computeType: 'AmlCompute', subnetId },
      { computeName: 'instance-1', computeType: 'ComputeInstance', subnetId },
    ]);
  });

  it('a compute PUT checks its type and subnet', async () => {
    const user = userCredential(sim);
    const put = (name: string, properties: unknown) => armAs(sim, user, 'PUT', `${first}/computes/${name}`, WS_API, { location: 'westeurope', properties });
    expect(await put('bad-type', { computeType: 'Mainframe' })).toMatchObject({ status: 400, body: { error: { code: 'UserError' } } });
    expect(await put('bad-subnet', { computeType: 'AmlCompute', properties: { subnet: { id: first } } })).toMatchObject({ status: 400, body: { error: { message: expect.stringMatching(/subnets resource/) as unknown as string } } });
    expect(await put('no-subnet', { computeType: 'AmlCompute', properties: { subnet: { id: `${subnetId}-nope` } } })).toMatchObject({ status: 400, body: { error: { message: expect.stringMatching(/was not found/) as unknown as string } } });
    const got = await armAs(sim, user, 'GET', `${first}/computes/cluster-1`, WS_API);
    expect(got.body).toMatchObject({ type: 'Microsoft.MachineLearningServices/workspaces/computes', properties: { computeType: 'AmlCompute', provisioningState: 'Succeeded', properties: { subnet: { id: subnetId } } } });
  });
});
