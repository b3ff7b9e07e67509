import { ContainerRegistryManagementClient } from '@azure/arm-containerregistry';
import { NetworkManagementClient } from '@azure/arm-network';
import { PrivateDnsManagementClient } from '@azure/arm-privatedns';
import { ResourceManagementClient } from '@azure/arm-resources';
import { StorageManagementClient } from '@azure/arm-storage';
import { registryGuidOf } from '../../../local/azure-sim/registry-guid';
import { SIM_DEFAULT_TIME_SCALE, type AzureSim } from '../../../local/azure-sim/server';
import { armFetch, fastPoll, sdkOptions, simAdmin, simCredential, startSim } from '../../integration/helpers/sim';
import { waitOutExemption } from '../../helpers/world-helpers';

const ML_API = '2025-12-01';

interface RegistryProps {
  managedResourceGroup?: { resourceId?: string };
  regionDetails?: {
    location: string;
    acrDetails: { systemCreatedAcrAccount: { acrAccountName: string; armResourceId: { resourceId: string } } }[];
    storageAccountDetails: { systemCreatedStorageAccount: { storageAccountName: string; armResourceId: { resourceId: string } } }[];
  }[];
  registryPrivateEndpointConnections?: { properties: { registryPrivateLinkServiceConnectionState: { status: string }; privateEndpoint: { id: string; subnetArmId: string } } }[];
}

describe('local Azure: network, private endpoints, zone groups and private DNS', () => {
  let sim: AzureSim;
  let net: NetworkManagementClient;
  let dns: PrivateDnsManagementClient;
  let rm: ResourceManagementClient;
  let registryId: string;
  let props: RegistryProps;
  let subnetId: string;
  let mrgName: string;
  let accountId: string;
  let accountName: string;
  let acrId: string;
  let acrName: string;
  const zoneIds: Record<string, string> = {};

  beforeAll(async () => {
    sim = await startSim();
    const cred = simCredential(sim);
    net = new NetworkManagementClient(cred, sim.subscriptionId, sdkOptions(sim));
    dns = new PrivateDnsManagementClient(cred, sim.subscriptionId, sdkOptions(sim));
    rm = new ResourceManagementClient(cred, sim.subscriptionId, sdkOptions(sim));
    await rm.resourceGroups.createOrUpdate('rg-ml', { location: 'eastus' });
    await rm.resourceGroups.createOrUpdate('rg-net', { location: 'eastus' });
    registryId = `/subscriptions/${sim.subscriptionId}/resourceGroups/rg-ml/providers/Microsoft.MachineLearningServices/registries/reg1`;
    const reg = await rm.resources.createOrUpdateById(
      registryId,
      ML_API,
      // the caller is exempt from the managed group's deny assignment (strict profile), as it must be to approve on storage/ACR
      { location: 'eastus', properties: { managedResourceGroupSettings: { assignedIdentities: [{ principalId: sim.principal.oid }] }, regionDetails: [{ location: 'eastus' }, { location: 'westus2' }] } },
      fastPoll,
    );
    await waitOutExemption(SIM_DEFAULT_TIME_SCALE); // the exemption's propagation
    props = reg.properties as RegistryProps;
    mrgName = props.managedResourceGroup?.resourceId?.split('/').pop() ?? '';
    accountId = props.regionDetails?.[0]?.storageAccountDetails[0]?.systemCreatedStorageAccount.armResourceId.resourceId ?? '';
    accountName = accountId.split('/').pop() ?? '';
    acrId = props.regionDetails?.[0]?.acrDetails[0]?.systemCreatedAcrAccount.armResourceId.resourceId ?? '';
    acrName = acrId.split('/').pop() ?? '';
  });
  afterAll(async () => {
    await sim.stop();
  });

  it('creates a VNet with a subnet, an NSG and a service endpoint policy (LROs) and reads them back', async () => {
    const nsg = await net.networkSecurityGroups.createOrUpdate(
      'rg-net',
      'nsg1',
      { location: 'eastus', securityRules: [{ name: 'deny-all-in', protocol: '*', access: 'Deny', direction: 'Inbound', priority: 4000, sourceAddressPrefix: '*', destinationAddressPrefix: '*', sourcePortRange: '*', destinationPortRange: '*' }] },
      fastPoll,
    );
    expect(nsg.provisioningState).toBe('Succeeded');
    expect(nsg.securityRules?.[0]?.name).toBe('deny-all-in');
    expect(nsg.defaultSecurityRules?.length).toBe(6);
    const sep = await net.serviceEndpointPolicies.createOrUpdate(
      'rg-net',
      'sep1',
      { location: 'eastus', serviceEndpointPolicyDefinitions: [{ name: 'storage', service: 'Microsoft.Storage', serviceResources: [accountId] }] },
      fastPoll,
    );
    expect(sep.serviceEndpointPolicyDefinitions?.[0]?.service).toBe('Microsoft.Storage');
    const vnet = await net.virtualNetworks.createOrUpdate(
      'rg-net',
      'vnet1',
      { location: 'eastus', addressSpace: { addressPrefixes: ['10.1.0.0/16'] }, subnets: [{ name: 'pe', addressPrefix: '10.1.1.0/24', networkSecurityGroup: { id: nsg.id } }] },
      fastPoll,
    );
    expect(vnet.provisioningState).toBe('Succeeded');
    const subnet = await net.subnets.get('rg-net', 'vnet1', 'pe');
    subnetId = subnet.id ?? '';
    expect(subnet.addressPrefix).toBe('10.1.1.0/24');
    expect(subnet.networkSecurityGroup?.id).toBe(nsg.id);
    const other = await net.subnets.createOrUpdate('rg-net', 'vnet1', 'apps', { addressPrefix: '10.1.2.0/24' }, fastPoll);
    expect(other.provisioningState).toBe('Succeeded');
    const names: string[] = [];
    for await (const s of net.subnets.list('rg-net', 'vnet1')) names.push(s.name ?? '');
    expect(names.sort()).toEqual(['apps', 'pe']);
    const nsgs: string[] = [];
    for await (const n of net.networkSecurityGroups.list('rg-net')) nsgs.push(n.name ?? '');
    expect(nsgs).toEqual(['nsg1']);
  });

  it('creates private DNS zones and VNet links (LROs) and lists record sets', async () => {
    for (const zone of ['privatelink.api.azureml.ms', 'privatelink.blob.core.windows.net', 'privatelink.azurecr.io']) {
      const z = await dns.privateZones.createOrUpdate('rg-net', zone, { location: 'global' }, fastPoll);
      expect(z.provisioningState).toBe('Succeeded');
      zoneIds[zone] = z.id ?? '';
      const link = await dns.virtualNetworkLinks.createOrUpdate('rg-net', zone, 'link-vnet1', { location: 'global', virtualNetwork: { id: subnetId.split('/subnets/')[0] }, registrationEnabled: false }, fastPoll);
      expect(link.virtualNetworkLinkState).toBe('Completed');
    }
    const sets: string[] = [];
    for await (const rs of dns.recordSets.list('rg-net', 'privatelink.azurecr.io')) sets.push(`${rs.type}:${rs.name}`);
    expect(sets).toEqual(['Microsoft.Network/privateDnsZones/SOA:@']);
  });

  it('a storage endpoint (groupId blob) gets one IP from .4 on, a GET-able NIC with the blob FQDN, and customDnsConfigs', async () => {
    const pe = await net.privateEndpoints.createOrUpdate(
      'rg-net',
      'pe-blob',
      { location: 'eastus', subnet: { id: subnetId }, privateLinkServiceConnections: [{ name: 'blob', privateLinkServiceId: accountId, groupIds: ['blob'] }] },
      fastPoll,
    );
    expect(pe.provisioningState).toBe('Succeeded');
    expect(pe.privateLinkServiceConnections?.[0]?.privateLinkServiceConnectionState?.status).toBe('Approved');
    expect(pe.customDnsConfigs).toEqual([{ fqdn: `${accountName}.blob.core.windows.net`, ipAddresses: ['10.1.1.4'] }]);
    const nicId = pe.networkInterfaces?.[0]?.id ?? '';
    expect(nicId).toMatch(/\/networkInterfaces\/pe-blob\.nic\.[0-9a-f-]{36}$/);
    const nic = await net.networkInterfaces.get('rg-net', nicId.split('/').pop() ?? '');
    expect(nic.ipConfigurations?.[0]?.privateIPAddress).toBe('10.1.1.4');
    expect(nic.ipConfigurations?.[0]?.privateLinkConnectionProperties).toEqual({ groupId: 'blob', requiredMemberName: 'blob', fqdns: [`${accountName}.blob.core.windows.net`] });
    const st = new StorageManagementClient(simCredential(sim), sim.subscriptionId, sdkOptions(sim));
    const account = await st.storageAccounts.getProperties(mrgName, accountName);
    expect(account.privateEndpointConnections?.[0]?.privateEndpoint?.id).toBe(pe.id);
    expect(account.privateEndpointConnections?.[0]?.privateLinkServiceConnectionState?.status).toBe('Approved');
  });

  it('one ACR endpoint covers every replica: login name + one data name per region, one IP each', async () => {
    const pe = await net.privateEndpoints.createOrUpdate(
      'rg-net',
      'pe-acr',
      { location: 'eastus', subnet: { id: subnetId }, privateLinkServiceConnections: [{ name: 'acr', privateLinkServiceId: acrId, groupIds: ['registry'] }] },
      fastPoll,
    );
    const nic = await net.networkInterfaces.get('rg-net', pe.networkInterfaces?.[0]?.id?.split('/').pop() ?? '');
    const members = (nic.ipConfigurations ?? []).map((c) => [c.privateLinkConnectionProperties?.requiredMemberName, c.privateLinkConnectionProperties?.fqdns?.[0], c.privateIPAddress]);
    expect(members).toEqual([
      ['registry', `${acrName}.azurecr.io`, '10.1.1.5'],
      ['registry_data_eastus', `${acrName}.eastus.data.azurecr.io`, '10.1.1.6'],
      ['registry_data_westus2', `${acrName}.westus2.data.azurecr.io`, '10.1.1.7'],
    ]);
    const cr = new ContainerRegistryManagementClient(simCredential(sim), sim.subscriptionId, sdkOptions(sim));
    const acr = await cr.registries.get(mrgName, acrName);
    expect(acr.privateEndpointConnections?.[0]?.privateEndpoint?.id).toBe(pe.id);
  });

  it('GET with $expand=networkInterfaces answers each NIC in full (ipConfigurations, privateLinkConnectionProperties); without it only { id }', async () => {
    // the SDK's model lists every field; the ones the answer had are the defined ones
    const fields = (o: object | undefined): string[] => Object.entries(o ?? {}).filter(([, v]) => v !== undefined).map(([k]) => k);
    const plain = await net.privateEndpoints.get('rg-net', 'pe-acr');
    expect(fields(plain.networkInterfaces?.[0])).toEqual(['id']);
    const expanded = await net.privateEndpoints.get('rg-net', 'pe-acr', { expand: 'networkInterfaces' });
    const nic = expanded.networkInterfaces?.[0];
    expect(nic?.id).toBe(plain.networkInterfaces?.[0]?.id);
    expect(nic?.name).toMatch(/^pe-acr\.nic\./);
    expect((nic?.ipConfigurations ?? []).map((c) => [c.privateLinkConnectionProperties?.fqdns?.[0], c.privateIPAddress])).toEqual([
      [`${acrName}.azurecr.io`, '10.1.1.5'],
      [`${acrName}.eastus.data.azurecr.io`, '10.1.1.6'],
      [`${acrName}.westus2.data.azurecr.io`, '10.1.1.7'],
    ]);
    // the expansion is an answer only: the stored endpoint still references its NIC by id
    expect(fields((await net.privateEndpoints.get('rg-net', 'pe-acr')).networkInterfaces?.[0])).toEqual(['id']);
  });

  it('the registry endpoint (amlregistry) reports <guid>.registry.<region>.api.azureml.ms (public form) per region on its NIC and customDnsConfigs, and shows up on the registry', async () => {
    const pe = await net.privateEndpoints.createOrUpdate(
      'rg-net',
      'pe-reg',
      { location: 'eastus', subnet: { id: subnetId }, privateLinkServiceConnections: [{ name: 'reg', privateLinkServiceId: registryId, groupIds: ['amlregistry'] }] },
      fastPoll,
    );
    const guid = registryGuidOf(registryId);
    const publicNames = [`${guid}.registry.eastus.api.azureml.ms`, `${guid}.registry.westus2.api.azureml.ms`];
    expect((pe.customDnsConfigs ?? []).map((c) => c.fqdn)).toEqual(publicNames);
    const nicId = pe.networkInterfaces?.[0]?.id ?? '';
    const nic = await net.networkInterfaces.get('rg-net', nicId.split('/').pop() ?? '');
    expect((nic.ipConfigurations ?? []).flatMap((c) => c.privateLinkConnectionProperties?.fqdns ?? [])).toEqual(publicNames);
    const reg = await rm.resources.getById(registryId, ML_API);
    const conns = (reg.properties as RegistryProps).registryPrivateEndpointConnections ?? [];
    expect(conns).toHaveLength(1);
    expect(conns[0]?.properties.registryPrivateLinkServiceConnectionState.status).toBe('Approved');
    expect(conns[0]?.properties.privateEndpoint).toEqual({ id: pe.id, subnetArmId: subnetId });
  });

  it('zone groups write the privatelink A records, fill recordSets, empty customDnsConfigs; DELETE removes the records', async () => {
    const zg = await net.privateDnsZoneGroups.createOrUpdate(
      'rg-net',
      'pe-acr',
      'default',
      { privateDnsZoneConfigs: [{ name: 'acr', privateDnsZoneId: zoneIds['privatelink.azurecr.io'] }] },
      fastPoll,
    );
    const recordSets = zg.privateDnsZoneConfigs?.[0]?.recordSets ?? [];
    expect(recordSets.map((r) => [r.recordSetName, r.ipAddresses?.[0]])).toEqual([
      [acrName, '10.1.1.5'],
      [`${acrName}.eastus.data`, '10.1.1.6'],
      [`${acrName}.westus2.data`, '10.1.1.7'],
    ]);
    const a = await dns.recordSets.get('rg-net', 'privatelink.azurecr.io', 'A', `${acrName}.westus2.data`);
    expect(a.aRecords).toEqual([{ ipv4Address: '10.1.1.7' }]);
    expect(a.fqdn).toBe(`${acrName}.westus2.data.privatelink.azurecr.io.`);
    expect((await net.privateEndpoints.get('rg-net', 'pe-acr')).customDnsConfigs).toEqual([]);

    const blobGroup = await net.privateDnsZoneGroups.createOrUpdate('rg-net', 'pe-blob', 'default', { privateDnsZoneConfigs: [{ name: 'blob', privateDnsZoneId: zoneIds['privatelink.blob.core.windows.net'] }] }, fastPoll);
    expect(blobGroup.privateDnsZoneConfigs?.[0]?.recordSets?.[0]).toMatchObject({ recordType: 'A', recordSetName: accountName, fqdn: `${accountName}.privatelink.blob.core.windows.net`, ipAddresses: ['10.1.1.4'] });
    const regGroup = await net.privateDnsZoneGroups.createOrUpdate('rg-net', 'pe-reg', 'default', { privateDnsZoneConfigs: [{ name: 'aml', privateDnsZoneId: zoneIds['privatelink.api.azureml.ms'] }] }, fastPoll);
    const guid = registryGuidOf(registryId);
    expect(regGroup.privateDnsZoneConfigs?.[0]?.recordSets?.map((r) => r.recordSetName)).toEqual([`${guid}.registry.eastus`, `${guid}.registry.westus2`]);

    const byType: string[] = [];
    for await (const rs of dns.recordSets.listByType('rg-net', 'privatelink.api.azureml.ms', 'A')) byType.push(rs.name ?? '');
    expect(byType.sort()).toEqual([`${guid}.registry.eastus`, `${guid}.registry.westus2`]);

    await net.privateDnsZoneGroups.delete('rg-net', 'pe-acr', 'default', fastPoll);
    await expect(dns.recordSets.get('rg-net', 'privatelink.azurecr.io', 'A', acrName)).rejects.toMatchObject({ statusCode: 404 });
    expect((await net.privateEndpoints.get('rg-net', 'pe-acr')).customDnsConfigs?.length).toBe(3);
  });

  it('record sets can be written directly (createOrUpdate/get/delete)', async () => {
    const rs = await dns.recordSets.createOrUpdate('rg-net', 'privatelink.blob.core.windows.net', 'A', 'manual', { ttl: 300, aRecords: [{ ipv4Address: '10.1.1.200' }] });
    expect(rs.fqdn).toBe('manual.privatelink.blob.core.windows.net.');
    expect((await dns.recordSets.get('rg-net', 'privatelink.blob.core.windows.net', 'A', 'manual')).ttl).toBe(300);
    await dns.recordSets.delete('rg-net', 'privatelink.blob.core.windows.net', 'A', 'manual');
    await expect(dns.recordSets.get('rg-net', 'privatelink.blob.core.windows.net', 'A', 'manual')).rejects.toMatchObject({ statusCode: 404 });
  });

  it('validates subnet, location, target and groupId like Azure', async () => {
    const base = { location: 'eastus', subnet: { id: subnetId } };
    await expect(net.privateEndpoints.createOrUpdate('rg-net', 'bad1', { ...base, subnet: { id: `${subnetId}x` }, privateLinkServiceConnections: [{ name: 'c', privateLinkServiceId: accountId, groupIds: ['blob'] }] }, fastPoll)).rejects.toMatchObject({ statusCode: 400, code: 'InvalidResourceReference' });
    await expect(net.privateEndpoints.createOrUpdate('rg-net', 'bad2', { ...base, location: 'westeurope', privateLinkServiceConnections: [{ name: 'c', privateLinkServiceId: accountId, groupIds: ['blob'] }] }, fastPoll)).rejects.toMatchObject({ statusCode: 400 });
    await expect(net.privateEndpoints.createOrUpdate('rg-net', 'bad3', { ...base, privateLinkServiceConnections: [{ name: 'c', privateLinkServiceId: `${accountId}zz`, groupIds: ['blob'] }] }, fastPoll)).rejects.toMatchObject({ statusCode: 400, code: 'InvalidResourceReference' });
    await expect(net.privateEndpoints.createOrUpdate('rg-net', 'bad4', { ...base, privateLinkServiceConnections: [{ name: 'c', privateLinkServiceId: registryId, groupIds: ['blob'] }] }, fastPoll)).rejects.toMatchObject({ statusCode: 400, code: 'PrivateEndpointBadRequest' });
    // endpoints cannot go into the locked managed resource group
    await expect(net.privateEndpoints.createOrUpdate(mrgName, 'pe-in-mrg', { ...base, privateLinkServiceConnections: [{ name: 'c', privateLinkServiceId: accountId, groupIds: ['blob'] }] }, fastPoll)).rejects.toMatchObject({ statusCode: 403, code: 'DenyAssignmentAuthorizationFailed' });
  });

  it('ACR endpoints need Premium; disabling public access on Basic fails with DisablingPublicNetworkAccessNotSupported', async () => {
    const cr = new ContainerRegistryManagementClient(simCredential(sim), sim.subscriptionId, sdkOptions(sim));
    const basic = await cr.registries.create('rg-net', 'basicacr1', { location: 'eastus', sku: { name: 'Basic' } }, fastPoll);
    expect(basic.provisioningState).toBe('Succeeded');
    await expect(net.privateEndpoints.createOrUpdate('rg-net', 'pe-basic', { location: 'eastus', subnet: { id: subnetId }, privateLinkServiceConnections: [{ name: 'c', privateLinkServiceId: basic.id, groupIds: ['registry'] }] }, fastPoll)).rejects.toMatchObject({ statusCode: 400, code: 'PrivateEndpointBadRequest' });
    await expect(cr.registries.update('rg-net', 'basicacr1', { publicNetworkAccess: 'Disabled' }, fastPoll)).rejects.toMatchObject({ statusCode: 400, code: 'DisablingPublicNetworkAccessNotSupported' });
  });

  it('manual approval: Pending until approved through the target privateEndpointConnections API; deny mode answers LinkedAuthorizationFailed', async () => {
    const st = new StorageManagementClient(simCredential(sim), sim.subscriptionId, sdkOptions(sim));
    const second = props.regionDetails?.[1]?.storageAccountDetails[0]?.systemCreatedStorageAccount ?? { storageAccountName: '', armResourceId: { resourceId: '' } };
    await simAdmin.approvalMode(sim, second.armResourceId.resourceId, 'manual');
    const pe = await net.privateEndpoints.createOrUpdate('rg-net', 'pe-blob2', { location: 'eastus', subnet: { id: subnetId }, privateLinkServiceConnections: [{ name: 'c', privateLinkServiceId: second.armResourceId.resourceId, groupIds: ['blob'] }] }, fastPoll);
    expect(pe.privateLinkServiceConnections?.[0]?.privateLinkServiceConnectionState?.status).toBe('Pending');
    const conns: string[] = [];
    for await (const c of st.privateEndpointConnections.list(mrgName, second.storageAccountName)) conns.push(c.name ?? '');
    expect(conns).toHaveLength(1);
    const approved = await st.privateEndpointConnections.put(mrgName, second.storageAccountName, conns[0] ?? '', { privateLinkServiceConnectionState: { status: 'Approved', description: 'ok' } });
    expect(approved.privateLinkServiceConnectionState?.status).toBe('Approved');
    expect((await net.privateEndpoints.get('rg-net', 'pe-blob2')).privateLinkServiceConnections?.[0]?.privateLinkServiceConnectionState?.status).toBe('Approved');

    // registry connections are approved through registries/{name}/privateEndpointConnections/{connection}
    await simAdmin.approvalMode(sim, registryId, 'manual');
    await net.privateEndpoints.createOrUpdate('rg-net', 'pe-reg2', { location: 'eastus', subnet: { id: subnetId }, privateLinkServiceConnections: [{ name: 'r', privateLinkServiceId: registryId, groupIds: ['amlregistry'] }] }, fastPoll);
    const list = await armFetch(sim, 'GET', `${registryId}/privateEndpointConnections?api-version=${ML_API}`);
    const pending = (list.body as { value: { name: string; properties: { registryPrivateLinkServiceConnectionState: { status: string }; privateEndpoint: { id: string } } }[] }).value.find((c) => c.properties.privateEndpoint.id.endsWith('/pe-reg2'));
    expect(pending?.properties.registryPrivateLinkServiceConnectionState.status).toBe('Pending');
    const put = await armFetch(sim, 'PUT', `${registryId}/privateEndpointConnections/${pending?.name ?? ''}?api-version=${ML_API}`, { body: { properties: { registryPrivateLinkServiceConnectionState: { status: 'Approved' } } } });
    expect(put.status).toBe(200);
    expect((await net.privateEndpoints.get('rg-net', 'pe-reg2')).privateLinkServiceConnections?.[0]?.privateLinkServiceConnectionState?.status).toBe('Approved');

    await simAdmin.approvalMode(sim, accountId, 'deny');
    await expect(net.privateEndpoints.createOrUpdate('rg-net', 'pe-denied', { location: 'eastus', subnet: { id: subnetId }, privateLinkServiceConnections: [{ name: 'c', privateLinkServiceId: accountId, groupIds: ['blob'] }] }, fastPoll)).rejects.toMatchObject({ statusCode: 403, code: 'LinkedAuthorizationFailed' });
  });

  it('DELETE of an endpoint is an LRO that removes its NIC, zone group records and the target connection', async () => {
    const pe = await net.privateEndpoints.get('rg-net', 'pe-blob');
    const nicName = pe.networkInterfaces?.[0]?.id?.split('/').pop() ?? '';
    const raw = await armFetch(sim, 'DELETE', `${pe.id ?? ''}?api-version=2026-01-01`);
    expect(raw.status).toBe(202);
    expect(raw.headers['location']).toContain('/providers/Microsoft.Network/locations/eastus/operationResults/');
    expect(raw.headers['azure-asyncoperation']).toContain('/operations/');
    await new Promise((resolve) => setTimeout(resolve, 100));
    await expect(net.privateEndpoints.get('rg-net', 'pe-blob')).rejects.toMatchObject({ statusCode: 404, code: 'ResourceNotFound' });
    await expect(net.networkInterfaces.get('rg-net', nicName)).rejects.toMatchObject({ statusCode: 404 });
    await expect(dns.recordSets.get('rg-net', 'privatelink.blob.core.windows.net', 'A', accountName)).rejects.toMatchObject({ statusCode: 404 });
    const st = new StorageManagementClient(simCredential(sim), sim.subscriptionId, sdkOptions(sim));
    expect((await st.storageAccounts.getProperties(mrgName, accountName)).privateEndpointConnections).toEqual([]);
    await net.privateEndpoints.delete('rg-net', 'pe-acr', fastPoll);
    const left: string[] = [];
    for await (const p of net.privateEndpoints.list('rg-net')) left.push(p.name ?? '');
    expect(left.sort()).toEqual(['pe-blob2', 'pe-reg', 'pe-reg2']);
  });
});
