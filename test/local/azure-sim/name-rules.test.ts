import { NetworkManagementClient } from '@azure/arm-network';
import { ResourceManagementClient } from '@azure/arm-resources';
import { isValidNetworkName, NETWORK_NAME_RULES } from '../../../local/azure-sim/arm/providers/name-rules';
import { SIM_DEFAULT_TIME_SCALE, type AzureSim } from '../../../local/azure-sim/server';
import { armFetch, fastPoll, sdkOptions, simCredential, startSim } from '../../integration/helpers/sim';
import { waitOutExemption } from '../../helpers/world-helpers';

const NET_API = '2024-05-01';
const ML_API = '2025-12-01';

interface ArmErrorBody {
  error: { code: string; message: string };
}

describe("local Azure: Azure's naming rules for the network resources it creates (400 InvalidResourceName)", () => {
  let sim: AzureSim;
  let net: NetworkManagementClient;
  let subnetId: string;
  let storageId: string;
  const rg = (): string => `/subscriptions/${sim.subscriptionId}/resourceGroups/rg-net`;
  const put = (path: string, body: unknown) => armFetch(sim, 'PUT', `${rg()}/providers/Microsoft.Network/${path}?api-version=${NET_API}`, { body });
  const peBody = (extra: Record<string, unknown> = {}) => ({
    location: 'eastus',
    properties: { subnet: { id: subnetId }, privateLinkServiceConnections: [{ name: 'c', properties: { privateLinkServiceId: storageId, groupIds: ['blob'] } }], ...extra },
  });
  const expectInvalidName = (res: { status: number; body: unknown }, name: string, max: number): void => {
    expect(res.status).toBe(400);
    expect((res.body as ArmErrorBody).error).toEqual({
      code: 'InvalidResourceName',
      message: `Resource name ${name} is invalid. The name can be up to ${max} characters long. It must begin with a word character, and it must end with a word character or with '_'. The name may contain word characters or '.', '-', '_'.`,
    });
  };

  beforeAll(async () => {
    sim = await startSim();
    const cred = simCredential(sim);
    const rm = new ResourceManagementClient(cred, sim.subscriptionId, sdkOptions(sim));
    net = new NetworkManagementClient(cred, sim.subscriptionId, sdkOptions(sim));
    await rm.resourceGroups.createOrUpdate('rg-ml', { location: 'eastus' });
    await rm.resourceGroups.createOrUpdate('rg-net', { location: 'eastus' });
    const vnet = await net.virtualNetworks.beginCreateOrUpdateAndWait('rg-net', 'vnet1', { location: 'eastus', addressSpace: { addressPrefixes: ['10.0.0.0/16'] }, subnets: [{ name: 'pe', addressPrefix: '10.0.1.0/24' }] }, fastPoll);
    subnetId = vnet.subnets?.[0]?.id ?? '';
    const reg = await rm.resources.createOrUpdateById(
      `/subscriptions/${sim.subscriptionId}/resourceGroups/rg-ml/providers/Microsoft.MachineLearningServices/registries/reg1`,
      ML_API,
      // the caller is exempt from the managed group's deny assignment (strict profile), as it must be for its endpoints on the registry's storage to be approved
      { location: 'eastus', properties: { managedResourceGroupSettings: { assignedIdentities: [{ principalId: sim.principal.oid }] }, regionDetails: [{ location: 'eastus' }] } },
      fastPoll,
    );
    await waitOutExemption(SIM_DEFAULT_TIME_SCALE); // the exemption's propagation
    const details = (reg.properties as { regionDetails: { storageAccountDetails: { systemCreatedStorageAccount: { armResourceId: { resourceId: string } } }[] }[] }).regionDetails;
    storageId = details[0]?.storageAccountDetails[0]?.systemCreatedStorageAccount.armResourceId.resourceId ?? '';
  });
  afterAll(async () => {
    await sim.stop();
  });

  it('the rule: alphanumerics, _ . -; starts alphanumeric; ends alphanumeric or _; per-type lengths', () => {
    const pe = NETWORK_NAME_RULES.privateEndpoints;
    expect(isValidNetworkName('pe', pe)).toBe(true);
    expect(isValidNetworkName('p', pe)).toBe(false);
    expect(isValidNetworkName('a'.repeat(64), pe)).toBe(true);
    expect(isValidNetworkName('a'.repeat(65), pe)).toBe(false);
    expect(isValidNetworkName('pe_', pe)).toBe(true);
    for (const bad of ['pe-', 'pe.', '-pe', '_pe', 'p e', 'pé']) expect(isValidNetworkName(bad, pe)).toBe(false);
    expect(isValidNetworkName('a'.repeat(80), NETWORK_NAME_RULES.networkInterfaces)).toBe(true);
    expect(isValidNetworkName('a'.repeat(81), NETWORK_NAME_RULES.securityRules)).toBe(false);
    expect(isValidNetworkName('x', NETWORK_NAME_RULES.securityRules)).toBe(true);
  });

  it('private endpoints: 2–64 characters; 64 is created, 65 is refused, as is a name ending in -', async () => {
    const ok = `pe-${'a'.repeat(61)}`;
    expect((await put(`privateEndpoints/${ok}`, peBody())).status).toBe(201);
    const long = `pe-${'a'.repeat(62)}`;
    expectInvalidName(await put(`privateEndpoints/${long}`, peBody()), long, 64);
    expectInvalidName(await put('privateEndpoints/pe-bad-', peBody()), 'pe-bad-', 64);
    expect((await armFetch(sim, 'GET', `${rg()}/providers/Microsoft.Network/privateEndpoints/${long}?api-version=${NET_API}`)).status).toBe(404);
  });

  it('a custom NIC name follows the NIC rule (1–80)', async () => {
    const nic = `nic-${'n'.repeat(77)}`;
    expectInvalidName(await put('privateEndpoints/pe-customnic', peBody({ customNetworkInterfaceName: nic })), nic, 80);
    expect((await put('privateEndpoints/pe-customnic', peBody({ customNetworkInterfaceName: 'pe-customnic-nic' }))).status).toBe(201);
  });

  it('zone groups and their zone configs: 1–80 (the Network rule; not listed by the docs)', async () => {
    // the endpoint exists from the test above
    const pe = `pe-${'a'.repeat(61)}`;
    const zone = `/subscriptions/${sim.subscriptionId}/resourceGroups/rg-net/providers/Microsoft.Network/privateDnsZones/privatelink.blob.core.windows.net`;
    expect((await armFetch(sim, 'PUT', `${zone}?api-version=2024-06-01`, { body: { location: 'global' } })).status).toBeLessThan(300);
    const body = (configName: string) => ({ properties: { privateDnsZoneConfigs: [{ name: configName, properties: { privateDnsZoneId: zone } }] } });
    expectInvalidName(await put(`privateEndpoints/${pe}/privateDnsZoneGroups/default.`, body('blob')), 'default.', 80);
    expectInvalidName(await put(`privateEndpoints/${pe}/privateDnsZoneGroups/default`, body('-blob')), '-blob', 80);
    expect((await put(`privateEndpoints/${pe}/privateDnsZoneGroups/default`, body('privatelink.blob.core.windows.net'))).status).toBeLessThan(300);
  });

  it('NSGs, their security rules (inline and as child PUT), service endpoint policies and their definitions, subnets', async () => {
    const rule = (name: string, priority = 200) => ({ name, properties: { protocol: 'Tcp', access: 'Allow', direction: 'Outbound', priority, sourceAddressPrefix: '*', sourcePortRange: '*', destinationAddressPrefix: 'Storage', destinationPortRange: '443' } });
    expectInvalidName(await put('networkSecurityGroups/nsg-', { location: 'eastus' }), 'nsg-', 80);
    const longRule = `r${'x'.repeat(80)}`;
    expectInvalidName(await put('networkSecurityGroups/nsg1', { location: 'eastus', properties: { securityRules: [rule(longRule)] } }), longRule, 80);
    expect((await put('networkSecurityGroups/nsg1', { location: 'eastus', properties: { securityRules: [rule('allow-storage')] } })).status).toBeLessThan(300);
    expectInvalidName(await put('networkSecurityGroups/nsg1/securityRules/allow.storage.', { properties: rule('x').properties }), 'allow.storage.', 80);
    expect((await put('networkSecurityGroups/nsg1/securityRules/allow_storage_', { properties: rule('x', 300).properties })).status).toBeLessThan(300);
    expectInvalidName(await put('serviceEndpointPolicies/.sep', { location: 'eastus' }), '.sep', 80);
    const def = (name: string) => ({ location: 'eastus', properties: { serviceEndpointPolicyDefinitions: [{ name, properties: { service: 'Microsoft.Storage', serviceResources: [] } }] } });
    expectInvalidName(await put('serviceEndpointPolicies/sep1', def('def-')), 'def-', 80);
    expect((await put('serviceEndpointPolicies/sep1', def('def1'))).status).toBeLessThan(300);
    expectInvalidName(await put('virtualNetworks/vnet1/subnets/snet-', { properties: { addressPrefix: '10.0.2.0/24' } }), 'snet-', 80);
  });
});
