import { NetworkManagementClient } from '@azure/arm-network';
import { PrivateDnsManagementClient } from '@azure/arm-privatedns';
import { ResourceManagementClient } from '@azure/arm-resources';
import { SIM_DEFAULT_TIME_SCALE, type AzureSim } from '../../../local/azure-sim/server';
import { armFetch, fastPoll, sdkOptions, simCredential, startSim } from '../../integration/helpers/sim';
import { errorsOf, SwaggerValidator } from '../../integration/helpers/swagger';
import { waitOutExemption } from '../../helpers/world-helpers';

const ML = 'machinelearningservices/resource-manager/Microsoft.MachineLearningServices/stable/2025-12-01/registries.json';
const PE = 'network/resource-manager/Microsoft.Network/stable/2024-01-01/privateEndpoint.json';
const NIC = 'network/resource-manager/Microsoft.Network/stable/2024-01-01/networkInterface.json';
const STORAGE = 'storage/resource-manager/Microsoft.Storage/stable/2023-05-01/storage.json';
const ACR = 'containerregistry/resource-manager/Microsoft.ContainerRegistry/stable/2023-07-01/containerregistry.json';
const DNS = 'privatedns/resource-manager/Microsoft.Network/PrivateDns/stable/2024-06-01/privatedns.json';
const RES = 'resources/resource-manager/Microsoft.Resources/stable/2024-03-01/resources.json';

const P = {
  registry: '/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/Microsoft.MachineLearningServices/registries/{registryName}',
  registries: '/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/Microsoft.MachineLearningServices/registries',
  pe: '/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/Microsoft.Network/privateEndpoints/{privateEndpointName}',
  zoneGroup: '/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/Microsoft.Network/privateEndpoints/{privateEndpointName}/privateDnsZoneGroups/{privateDnsZoneGroupName}',
  nic: '/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/Microsoft.Network/networkInterfaces/{networkInterfaceName}',
  storage: '/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/Microsoft.Storage/storageAccounts/{accountName}',
  acr: '/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/Microsoft.ContainerRegistry/registries/{registryName}',
  zone: '/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/Microsoft.Network/privateDnsZones/{privateZoneName}',
  record: '/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/Microsoft.Network/privateDnsZones/{privateZoneName}/{recordType}/{relativeRecordSetName}',
  rg: '/subscriptions/{subscriptionId}/resourcegroups/{resourceGroupName}',
};

interface RegistryProps {
  regionDetails?: { acrDetails: { systemCreatedAcrAccount: { armResourceId: { resourceId: string } } }[]; storageAccountDetails: { systemCreatedStorageAccount: { armResourceId: { resourceId: string } } }[] }[];
}

describe('local Azure: responses validate against the official swagger specs', () => {
  let sim: AzureSim;
  let spec: SwaggerValidator;
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    spec = new SwaggerValidator();
    sim = await startSim();
    const cred = simCredential(sim);
    const rm = new ResourceManagementClient(cred, sim.subscriptionId, sdkOptions(sim));
    const net = new NetworkManagementClient(cred, sim.subscriptionId, sdkOptions(sim));
    const dns = new PrivateDnsManagementClient(cred, sim.subscriptionId, sdkOptions(sim));
    await rm.resourceGroups.createOrUpdate('rg', { location: 'eastus' });
    ids.registry = `/subscriptions/${sim.subscriptionId}/resourceGroups/rg/providers/Microsoft.MachineLearningServices/registries/reg1`;
    const reg = await rm.resources.createOrUpdateById(
      ids.registry,
      '2025-12-01',
      // the caller is exempt from the managed group's deny assignment (strict profile), as it must be to approve on storage/ACR
      { location: 'eastus', tags: { a: 'b' }, identity: { type: 'SystemAssigned' }, properties: { publicNetworkAccess: 'Enabled', managedResourceGroupSettings: { assignedIdentities: [{ principalId: sim.principal.oid }] }, regionDetails: [{ location: 'eastus' }, { location: 'westus2' }] } },
      fastPoll,
    );
    await waitOutExemption(SIM_DEFAULT_TIME_SCALE); // the exemption's propagation
    const props = reg.properties as RegistryProps;
    ids.storage = props.regionDetails?.[0]?.storageAccountDetails[0]?.systemCreatedStorageAccount.armResourceId.resourceId ?? '';
    ids.acr = props.regionDetails?.[0]?.acrDetails[0]?.systemCreatedAcrAccount.armResourceId.resourceId ?? '';
    await net.virtualNetworks.createOrUpdate('rg', 'vnet', { location: 'eastus', addressSpace: { addressPrefixes: ['10.0.0.0/16'] }, subnets: [{ name: 'pe', addressPrefix: '10.0.1.0/24' }] }, fastPoll);
    const zone = await dns.privateZones.createOrUpdate('rg', 'privatelink.api.azureml.ms', { location: 'global' }, fastPoll);
    ids.zone = zone.id ?? '';
    const pe = await net.privateEndpoints.createOrUpdate(
      'rg',
      'pe-reg',
      {
        location: 'eastus',
        subnet: { id: `/subscriptions/${sim.subscriptionId}/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/vnet/subnets/pe` },
        privateLinkServiceConnections: [{ name: 'c', privateLinkServiceId: ids.registry, groupIds: ['amlregistry'] }],
      },
      fastPoll,
    );
    ids.pe = pe.id ?? '';
    ids.nic = pe.networkInterfaces?.[0]?.id ?? '';
    ids.blobPe = (
      await net.privateEndpoints.createOrUpdate(
        'rg',
        'pe-blob',
        { location: 'eastus', subnet: { id: pe.subnet?.id ?? '' }, privateLinkServiceConnections: [{ name: 'c', privateLinkServiceId: ids.storage, groupIds: ['blob'] }] },
        fastPoll,
      )
    ).id ?? '';
    const zg = await net.privateDnsZoneGroups.createOrUpdate('rg', 'pe-reg', 'default', { privateDnsZoneConfigs: [{ name: 'aml', privateDnsZoneId: ids.zone }] }, fastPoll);
    ids.zoneGroup = zg.id ?? '';
    ids.record = `${ids.zone}/A/${zg.privateDnsZoneConfigs?.[0]?.recordSets?.[0]?.recordSetName ?? ''}`;
  });
  afterAll(async () => {
    await sim.stop();
  });

  const cases: [string, string, string, () => string, string][] = [
    ['GET registry', ML, P.registry, () => ids.registry ?? '', '2025-12-01'],
    ['GET private endpoint', PE, P.pe, () => ids.pe ?? '', '2026-01-01'],
    ['GET zone group', PE, P.zoneGroup, () => ids.zoneGroup ?? '', '2026-01-01'],
    ['GET network interface', NIC, P.nic, () => ids.nic ?? '', '2026-01-01'],
    ['GET storage account', STORAGE, P.storage, () => ids.storage ?? '', '2026-09-01'],
    ['GET container registry', ACR, P.acr, () => ids.acr ?? '', '2025-11-01'],
    ['GET private DNS zone', DNS, P.zone, () => ids.zone ?? '', '2024-06-01'],
    ['GET A record set', DNS, P.record, () => ids.record ?? '', '2024-06-01'],
    ['GET resource group', RES, P.rg, () => `/subscriptions/${sim.subscriptionId}/resourcegroups/rg`, '2025-04-01'],
  ];

  it.each(cases)('%s matches its 200 response schema', async (_name, file, template, id, apiVersion) => {
    const validate = spec.response(file, template, 'get', '200');
    const r = await armFetch(sim, 'GET', `${id()}?api-version=${apiVersion}`);
    expect(r.status).toBe(200);
    const ok = validate(r.body);
    expect(errorsOf(validate)).toBe('');
    expect(ok).toBe(true);
  });

  it('the registry list (paged) matches RegistryTrackedResourceArmPaginatedResult', async () => {
    const validate = spec.response(ML, P.registries, 'get', '200');
    const r = await armFetch(sim, 'GET', `/subscriptions/${sim.subscriptionId}/resourceGroups/rg/providers/Microsoft.MachineLearningServices/registries?api-version=2025-12-01`);
    expect(validate(r.body)).toBe(true);
  });

  it('error answers match the specs ErrorResponse / CloudError', async () => {
    const validate = spec.response(ML, P.registry, 'get', 'default');
    const r = await armFetch(sim, 'GET', `${(ids.registry ?? '').replace('reg1', 'nope')}?api-version=2025-12-01`);
    expect(r.status).toBe(404);
    expect(validate(r.body)).toBe(true);
    const peErr = spec.response(PE, P.pe, 'get', 'default');
    const r2 = await armFetch(sim, 'GET', `${(ids.pe ?? '').replace('pe-reg', 'nope')}?api-version=2026-01-01`);
    expect(peErr(r2.body)).toBe(true);
  });

  it('the validator catches a non-conforming body (so the checks above can fail)', () => {
    const validate = spec.response(ML, P.registry, 'get', '200');
    expect(validate({ location: 'eastus', properties: { registryPrivateEndpointConnections: [{ properties: { unknownField: 1 } }] } })).toBe(false);
    const peValidate = spec.response(PE, P.pe, 'get', '200');
    expect(peValidate({ properties: { customDnsConfigs: 'not-an-array' } })).toBe(false);
  });
});
