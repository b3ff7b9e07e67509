import { ContainerRegistryManagementClient } from '@azure/arm-containerregistry';
import { NetworkManagementClient } from '@azure/arm-network';
import { ResourceManagementClient, type GenericResource } from '@azure/arm-resources';
import { StorageManagementClient } from '@azure/arm-storage';
import type { AzureSim } from '../../../local/azure-sim/server';
import { armFetch, fastPoll, sdkOptions, simAdmin, simCredential, startSim } from '../../integration/helpers/sim';

const ML_API = '2025-12-01';

interface RegistryProps {
  publicNetworkAccess?: string;
  discoveryUrl?: string;
  mlFlowRegistryUri?: string;
  managedResourceGroup?: { resourceId?: string };
  regionDetails?: {
    location: string;
    acrDetails: { systemCreatedAcrAccount: { acrAccountName: string; acrAccountSku: string; armResourceId: { resourceId: string } } }[];
    storageAccountDetails: { systemCreatedStorageAccount: { storageAccountName: string; armResourceId: { resourceId: string } } }[];
  }[];
  registryPrivateEndpointConnections?: unknown[];
}

describe('local Azure: ML registries 2025-12-01 through @azure/arm-resources', () => {
  let sim: AzureSim;
  let rm: ResourceManagementClient;
  let registryId: string;

  beforeAll(async () => {
    sim = await startSim({ pageSize: 1 });
    rm = new ResourceManagementClient(simCredential(sim), sim.subscriptionId, sdkOptions(sim));
    await rm.resourceGroups.createOrUpdate('rg-ml', { location: 'eastus' });
    registryId = `/subscriptions/${sim.subscriptionId}/resourceGroups/rg-ml/providers/Microsoft.MachineLearningServices/registries/reg1`;
  });
  afterAll(async () => {
    await sim.stop();
  });

  it('PUT answers 202 with no body, Azure-AsyncOperation and Location (the real quirk)', async () => {
    const r = await armFetch(sim, 'PUT', `${registryId.replace('reg1', 'rawreg')}?api-version=${ML_API}`, {
      body: { location: 'eastus', properties: { regionDetails: [{ location: 'eastus' }] } },
    });
    expect(r.status).toBe(202);
    expect(r.text).toBe('');
    expect(r.headers['azure-asyncoperation']).toContain('/providers/Microsoft.MachineLearningServices/locations/eastus/mfeOperationsStatus/');
    expect(r.headers['location']).toContain('/mfeOperationResults/');
    expect(r.headers['retry-after']).toBe('0');
  });

  it('creates a 2-region registry with createOrUpdateById, provisioning the managed RG, storage per region and one geo-replicated Premium ACR', async () => {
    const body: GenericResource = {
      location: 'eastus',
      tags: { team: 'ml' },
      identity: { type: 'SystemAssigned' },
      sku: { name: 'P3', tier: 'Basic' },
      properties: {
        regionDetails: [
          { location: 'eastus', acrDetails: [{ systemCreatedAcrAccount: { acrAccountSku: 'Premium' } }], storageAccountDetails: [{ systemCreatedStorageAccount: { storageAccountType: 'Standard_LRS' } }] },
          { location: 'westeurope', acrDetails: [{ systemCreatedAcrAccount: { acrAccountSku: 'Premium' } }], storageAccountDetails: [{ systemCreatedStorageAccount: { storageAccountType: 'Standard_LRS' } }] },
        ],
      },
    };
    const created = await rm.resources.createOrUpdateById(registryId, ML_API, body, fastPoll);
    expect(created.id).toBe(registryId);
    const props = created.properties as RegistryProps;
    expect(props.publicNetworkAccess).toBe('Enabled');
    expect(props.managedResourceGroup?.resourceId).toMatch(new RegExp(`/resourceGroups/azureml-rg-reg1_[0-9a-f-]{36}$`));
    expect(props.discoveryUrl).toBe(`${sim.discoveryUrlTemplate.replace('{region}', 'eastus')}/registrymanagement/v1.0/registries/reg1/discovery`);
    expect(props.mlFlowRegistryUri).toContain('azureml://eastus.api.azureml.ms/mlflow/v1.0/subscriptions/');
    expect(props.regionDetails?.map((d) => d.location)).toEqual(['eastus', 'westeurope']);
    const acrIds = new Set(props.regionDetails?.map((d) => d.acrDetails[0]?.systemCreatedAcrAccount.armResourceId.resourceId));
    expect(acrIds.size).toBe(1);
    const storageIds = props.regionDetails?.map((d) => d.storageAccountDetails[0]?.systemCreatedStorageAccount.armResourceId.resourceId) ?? [];
    expect(new Set(storageIds).size).toBe(2);
    for (const d of props.regionDetails ?? []) expect(d.storageAccountDetails[0]?.systemCreatedStorageAccount.storageAccountName).toMatch(/^[a-z0-9]{3,24}$/);

    // the managed resources exist and are readable with their own SDKs
    const mrg = props.managedResourceGroup?.resourceId ?? '';
    const mrgName = mrg.split('/').pop() ?? '';
    const acrId = [...acrIds][0] ?? '';
    const acrName = acrId.split('/').pop() ?? '';
    const cr = new ContainerRegistryManagementClient(simCredential(sim), sim.subscriptionId, sdkOptions(sim));
    const acr = await cr.registries.get(mrgName, acrName);
    expect(acr.sku.name).toBe('Premium');
    const replicas: string[] = [];
    for await (const rep of cr.replications.list(mrgName, acrName)) replicas.push(rep.location);
    expect(replicas).toEqual(['westeurope']);
    const st = new StorageManagementClient(simCredential(sim), sim.subscriptionId, sdkOptions(sim));
    const account = await st.storageAccounts.getProperties(mrgName, storageIds[1]?.split('/').pop() ?? '');
    expect(account.kind).toBe('StorageV2');
    expect(account.location).toBe('westeurope');
    const rg = await rm.resourceGroups.get(mrgName);
    expect(rg.managedBy).toBe(registryId);
  });

  it('emits a ResourceWriteSuccess-shaped write record for a registry PATCH', async () => {
    const writes: { operationName: string; resourceId: string; claims: Record<string, unknown> }[] = [];
    const off = sim.store.onWrite((w) => writes.push(w));
    try {
      await rm.resources.updateById(registryId, ML_API, { tags: { team: 'ml2' } }, fastPoll);
    } finally {
      off();
    }
    expect(writes).toHaveLength(1);
    expect(writes[0]).toMatchObject({ operationName: 'Microsoft.MachineLearningServices/registries/write', resourceId: registryId, claims: { oid: sim.principal.oid } });
  });

  it('lists registries by resource group and subscription with nextLink paging', async () => {
    await rm.resources.createOrUpdateById(registryId.replace('reg1', 'reg2'), ML_API, { location: 'eastus', properties: {} }, fastPoll);
    const page1 = await armFetch(sim, 'GET', `/subscriptions/${sim.subscriptionId}/resourceGroups/rg-ml/providers/Microsoft.MachineLearningServices/registries?api-version=${ML_API}`);
    const b = page1.body as { value: { name: string }[]; nextLink?: string };
    expect(b.value).toHaveLength(1);
    expect(b.nextLink).toContain('$skipToken=1');
    const names: string[] = [];
    let next: string | undefined = `/subscriptions/${sim.subscriptionId}/providers/Microsoft.MachineLearningServices/registries?api-version=${ML_API}`;
    while (next) {
      const page: { body: unknown } = await armFetch(sim, 'GET', next);
      const pb = page.body as { value: { name: string }[]; nextLink?: string };
      names.push(...pb.value.map((v) => v.name));
      next = pb.nextLink;
    }
    expect(names.sort()).toEqual(['rawreg', 'reg1', 'reg2']);
  });

  it('serves registry discovery at properties.discoveryUrl on the ARM https server', async () => {
    const reg = await rm.resources.getById(registryId, ML_API);
    const url = (reg.properties as RegistryProps).discoveryUrl ?? '';
    const r = await armFetch(sim, 'GET', url);
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ registryName: 'reg1', primaryRegion: 'eastus', subscriptionId: sim.subscriptionId, resourceGroup: 'rg-ml' });
    expect(Object.keys((r.body as { registryFqdns: Record<string, unknown> }).registryFqdns).sort()).toEqual(['eastus', 'westeurope']);
    expect((await armFetch(sim, 'GET', url, { token: null })).status).toBe(401);
  });

  it('PATCH changes tags/sku/identity only; properties are ignored like Azure', async () => {
    const r = await armFetch(sim, 'PATCH', `${registryId}?api-version=${ML_API}`, { body: { tags: { a: 'b' }, properties: { publicNetworkAccess: 'Disabled' } } });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ tags: { a: 'b' }, properties: { publicNetworkAccess: 'Enabled' } });
  });

  it('a full-object PUT (GET, change, PUT) disables public network access and keeps the managed resources', async () => {
    const current = await rm.resources.getById(registryId, ML_API);
    const props = current.properties as RegistryProps;
    const poller = rm.resources.createOrUpdateById(registryId, ML_API, { ...current, properties: { ...props, publicNetworkAccess: 'Disabled' } }, fastPoll);
    const updated = await poller;
    expect((updated.properties as RegistryProps).publicNetworkAccess).toBe('Disabled');
    expect((updated.properties as RegistryProps).managedResourceGroup?.resourceId).toBe(props.managedResourceGroup?.resourceId);
    const again = await rm.resources.getById(registryId, ML_API);
    expect((again.properties as RegistryProps).publicNetworkAccess).toBe('Disabled');
  });

  it('the managed resource group is locked (strict): creating resources is denied; PATCHing storage/ACR and approving on them only for assignedIdentities, once it has propagated; reads pass', async () => {
    const reg = await rm.resources.getById(registryId, ML_API);
    const props = reg.properties as RegistryProps;
    const mrgName = props.managedResourceGroup?.resourceId?.split('/').pop() ?? '';
    const net = new NetworkManagementClient(simCredential(sim), sim.subscriptionId, sdkOptions(sim));
    await expect(net.virtualNetworks.createOrUpdate(mrgName, 'vnet-x', { location: 'eastus', addressSpace: { addressPrefixes: ['10.9.0.0/16'] } }, fastPoll)).rejects.toMatchObject({
      statusCode: 403,
      code: 'DenyAssignmentAuthorizationFailed',
    });
    const st = new StorageManagementClient(simCredential(sim), sim.subscriptionId, sdkOptions(sim));
    await expect(st.storageAccounts.create(mrgName, 'newaccount1', { location: 'eastus', sku: { name: 'Standard_LRS' }, kind: 'StorageV2' }, fastPoll)).rejects.toMatchObject({
      statusCode: 403,
      code: 'DenyAssignmentAuthorizationFailed',
    });
    const accountName = props.regionDetails?.[0]?.storageAccountDetails[0]?.systemCreatedStorageAccount.storageAccountName ?? '';
    const accountId = props.regionDetails?.[0]?.storageAccountDetails[0]?.systemCreatedStorageAccount.armResourceId.resourceId ?? '';
    const acrName = props.regionDetails?.[0]?.acrDetails[0]?.systemCreatedAcrAccount.acrAccountName ?? '';
    const cr = new ContainerRegistryManagementClient(simCredential(sim), sim.subscriptionId, sdkOptions(sim));

    // not listed: ARM's message names the action, the scope and the deny assignment; reads pass
    const denied = await armFetch(sim, 'PATCH', `${accountId}?api-version=2026-09-01`, { body: { properties: { publicNetworkAccess: 'Disabled' } } });
    expect(denied.status).toBe(403);
    const message = (denied.body as { error: { code: string; message: string } }).error;
    expect(message.code).toBe('DenyAssignmentAuthorizationFailed');
    expect(message.message).toMatch(new RegExp(`^The client '${sim.principal.oid}' with object id '${sim.principal.oid}' has permission to perform action 'Microsoft\\.Storage/storageAccounts/write' on scope '${accountId.replace(/[.]/g, '\\.')}'; however, the access is denied because of the deny assignment with name '[^']+' and Id '[0-9a-f-]{36}' at scope '/subscriptions/${sim.subscriptionId}/resourceGroups/${mrgName}'\\.$`));
    await expect(cr.registries.update(mrgName, acrName, { publicNetworkAccess: 'Disabled' }, fastPoll)).rejects.toMatchObject({ statusCode: 403, code: 'DenyAssignmentAuthorizationFailed' });
    expect((await st.storageAccounts.getProperties(mrgName, accountName)).publicNetworkAccess).toBe('Enabled');

    // listed by a registry PUT: exempt once the propagation delay (5 min simulated × 0.001) has passed
    const current = await rm.resources.getById(registryId, ML_API);
    await rm.resources.createOrUpdateById(registryId, ML_API, { ...current, properties: { ...(current.properties as object), managedResourceGroupSettings: { assignedIdentities: [{ principalId: sim.principal.oid }] } } }, fastPoll);
    const listed = (await rm.resources.getById(registryId, ML_API)).properties as { managedResourceGroupSettings?: unknown };
    expect(listed.managedResourceGroupSettings).toEqual({ assignedIdentities: [{ principalId: sim.principal.oid }] });
    const early = await armFetch(sim, 'PATCH', `${accountId}?api-version=2026-09-01`, { body: { properties: { publicNetworkAccess: 'Enabled' } } });
    expect(early.status).toBe(403); // not yet in effect
    await new Promise((r) => setTimeout(r, 350));
    const updated = await st.storageAccounts.update(mrgName, accountName, {
      publicNetworkAccess: 'Enabled',
      networkRuleSet: { defaultAction: 'Deny', bypass: 'AzureServices', resourceAccessRules: [{ tenantId: sim.tenantId, resourceId: registryId }] },
    });
    expect(updated.networkRuleSet?.resourceAccessRules?.[0]?.resourceId).toBe(registryId);
    const raw = await armFetch(sim, 'PATCH', `${accountId}?api-version=2026-09-01`, { body: { properties: { networkAcls: { bypass: 'AzureServices' } } } });
    expect(raw.status).toBe(400);
    expect(raw.body).toMatchObject({ error: { code: 'InvalidRequestContent' } });
    await simAdmin.clearRequests(sim);
    const acr = await cr.registries.update(mrgName, acrName, { publicNetworkAccess: 'Disabled' }, fastPoll);
    expect(acr.publicNetworkAccess).toBe('Disabled');
    const log = await simAdmin.requests(sim);
    expect(log.some((e) => e.path.includes('/operationStatuses/'))).toBe(true);

    // a PUT without the entry removes the exemption at once; a principalId that is no GUID is refused
    const again = await rm.resources.getById(registryId, ML_API);
    await rm.resources.createOrUpdateById(registryId, ML_API, { ...again, properties: { ...(again.properties as object), managedResourceGroupSettings: { assignedIdentities: [] } } }, fastPoll);
    expect((await armFetch(sim, 'PATCH', `${accountId}?api-version=2026-09-01`, { body: { properties: { publicNetworkAccess: 'Disabled' } } })).status).toBe(403);
    const bad = await armFetch(sim, 'PUT', `${registryId}?api-version=${ML_API}`, { body: { location: 'eastus', properties: { managedResourceGroupSettings: { assignedIdentities: [{ principalId: 'me' }] } } } });
    expect(bad.status).toBe(400);
  });

  it('profiles: GET/PUT /profile switches them; lenient lets storage PATCHes through as before issue 14', async () => {
    const admin = sim.adminUrl;
    expect(((await (await fetch(`${admin}/profile`)).json()) as { name: string }).name).toBe('strict');
    expect((await fetch(`${admin}/profile`, { method: 'PUT', body: JSON.stringify({ name: 'nope' }) })).status).toBe(400);
    const set = await fetch(`${admin}/profile`, { method: 'PUT', body: JSON.stringify({ name: 'lenient' }) });
    expect(((await set.json()) as { flags: { managedRgDenyAssignment: boolean } }).flags.managedRgDenyAssignment).toBe(false);
    try {
      const props = (await rm.resources.getById(registryId, ML_API)).properties as RegistryProps;
      const accountId = props.regionDetails?.[0]?.storageAccountDetails[0]?.systemCreatedStorageAccount.armResourceId.resourceId ?? '';
      expect((await armFetch(sim, 'PATCH', `${accountId}?api-version=2026-09-01`, { body: { properties: { publicNetworkAccess: 'Enabled' } } })).status).toBe(200);
    } finally {
      await fetch(`${admin}/profile`, { method: 'PUT', body: JSON.stringify({ name: 'strict' }) });
    }
  });

  it('an injected lroFail makes the registry PUT end Failed and the SDK raise the error', async () => {
    await simAdmin.fault(sim, { method: 'PUT', pathPattern: '/registries/regfail$', kind: 'lroFail', body: { error: { code: 'QuotaExceeded', message: 'No quota.' } } });
    await expect(rm.resources.createOrUpdateById(registryId.replace('reg1', 'regfail'), ML_API, { location: 'eastus', properties: {} }, fastPoll)).rejects.toThrow(/No quota|QuotaExceeded/);
    const after = await armFetch(sim, 'GET', `${registryId.replace('reg1', 'regfail')}?api-version=${ML_API}`);
    expect(after.status).toBe(404);
    expect(after.body).toMatchObject({ error: { code: 'ResourceNotFound' } });
  });

  it('DELETE is an LRO (202 + Location) that removes the registry and its managed resource group', async () => {
    const reg2 = registryId.replace('reg1', 'reg2');
    const before = await rm.resources.getById(reg2, ML_API);
    const mrg = (before.properties as RegistryProps).managedResourceGroup?.resourceId ?? '';
    const r = await armFetch(sim, 'DELETE', `${reg2}?api-version=${ML_API}`);
    expect(r.status).toBe(202);
    expect(r.headers['location']).toContain('/mfeOperationResults/');
    await rm.resources.deleteById(registryId.replace('reg1', 'rawreg'), ML_API, fastPoll);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect((await armFetch(sim, 'GET', `${reg2}?api-version=${ML_API}`)).status).toBe(404);
    expect((await rm.resourceGroups.checkExistence(mrg.split('/').pop() ?? '')).body).toBe(false);
  });
});
