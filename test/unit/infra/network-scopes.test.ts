import { NETWORK_ROLE_ACTIONS, ROLE_ACTIONS } from '../../../src/azure/permissions';
import { read, stripComments } from './bicep-text';

/**
 * Scopes in more than one subscription: the endpoint subnet and the private DNS zones often live
 * in a hub subscription outside the target subscriptions. The network part of the role is
 * assigned on their resource groups wherever they are; the rest stays on each target subscription.
 */
describe('infra: the role where the app writes, in every subscription', () => {
  const main = stripComments(read('infra/main.bicep'));
  const role = stripComments(read('infra/app/lockdown-role.bicep'));
  const rgAssignment = stripComments(read('infra/app/lockdown-role-rg-assignment.bicep'));

  it('the network part is the Microsoft.Network actions of the generated role, with the joins of subnet and zones', () => {
    expect(NETWORK_ROLE_ACTIONS.length).toBeGreaterThan(0);
    expect(NETWORK_ROLE_ACTIONS.every((a) => a.startsWith('Microsoft.Network/') && ROLE_ACTIONS.includes(a))).toBe(true);
    expect(NETWORK_ROLE_ACTIONS).toEqual(expect.arrayContaining(['Microsoft.Network/virtualNetworks/subnets/join/action', 'Microsoft.Network/privateDnsZones/join/action', 'Microsoft.Network/privateEndpoints/write']));
    expect(role).toMatch(/actions:\s*permissions\.networkActions/);
  });

  it('main.bicep derives the network scopes from the endpoint subnet, the endpoint group and each zone id (their own subscriptions)', () => {
    expect(main).toMatch(/var peSubnetScope = empty\(privateEndpointSubnetId\)[^\n]*split\(privateEndpointSubnetId, '\/'\)\[2\][^\n]*split\(privateEndpointSubnetId, '\/'\)\[4\]/);
    expect(main).toMatch(/var peGroupScope = \{ subscriptionId: peSubnetScope\.subscriptionId, resourceGroup: empty\(privateEndpointResourceGroup\)/);
    expect(main).toMatch(/map\(\[privateDnsZoneIdApiAzureml, privateDnsZoneIdBlob, privateDnsZoneIdAcr\], z => \{ subscriptionId: split\(z, '\/'\)\[2\], resourceGroup: split\(z, '\/'\)\[4\] \}\)/);
    expect(main).toMatch(/networkScopes: networkScopes/);
  });

  it('lockdown-role.bicep assigns the network role on each of those resource groups and keeps the target role on each target subscription', () => {
    expect(role).toMatch(/module networkAssignments 'lockdown-role-rg-assignment\.bicep' = \[for \(s, i\) in networkScopes:/);
    expect(role).toMatch(/scope: resourceGroup\(s\.subscriptionId, s\.resourceGroup\)/);
    expect(role).toMatch(/assignableScopes: union\(\[subscription\(\)\.id\], map\(networkScopes, s => '\/subscriptions\/\$\{s\.subscriptionId\}\/resourceGroups\/\$\{s\.resourceGroup\}'\)\)/);
    expect(role).toMatch(/module assignments 'lockdown-role-assignment\.bicep' = \[for \(sub, i\) in targetSubscriptionIds:/);
    expect(rgAssignment).toMatch(/targetScope = 'resourceGroup'/);
    expect(rgAssignment).toMatch(/name: guid\(resourceGroup\(\)\.id, principalId, roleDefinitionGuid\)/);
  });
});
