import { ALL_ACTIONS, BUILT_IN_ROLE_GRANTS, PERMISSIONS, ROLE_ACTIONS, actionsFor, roleActionsDocument } from '../../../src/azure/permissions';
import { read, stripComments } from './bicep-text';

const SUB = '/subscriptions/00000000-0000-0000-0000-000000000001';
const PE = `${SUB}/resourceGroups/rg-net/providers/Microsoft.Network/privateEndpoints/pe-reg-blob-westeurope`;

describe('the custom role is generated from the one permission list', () => {
  const json = JSON.parse(read('infra/app/role-actions.json')) as ReturnType<typeof roleActionsDocument>;

  it('infra/app/role-actions.json is what `npm run gen:role` writes from src/azure/permissions.ts', () => {
    expect(json).toEqual(roleActionsDocument());
    expect(read('infra/app/role-actions.json')).toBe(`${JSON.stringify(roleActionsDocument(), null, 2)}\n`);
  });

  it('the role\'s actions plus the built-in role grants are exactly ALL_ACTIONS', () => {
    const granted = [...json.actions, ...json.dataActions, ...Object.values(json.builtInRoles).flat()].sort((a, b) => a.localeCompare(b));
    expect(granted).toEqual([...ALL_ACTIONS]);
    expect(json.actions).toEqual([...ROLE_ACTIONS]);
    expect(json.builtInRoles).toEqual({ 'EventGrid Data Sender': ['Microsoft.EventGrid/events/send/action'] });
  });

  it('lockdown-role.bicep takes its permissions from role-actions.json and lists no action of its own', () => {
    const bicep = stripComments(read('infra/app/lockdown-role.bicep'));
    expect(bicep).toMatch(/loadJsonContent\('role-actions\.json'\)/);
    expect(bicep).toMatch(/actions:\s*permissions\.actions/);
    expect(bicep).toMatch(/dataActions:\s*permissions\.dataActions/);
    expect(bicep).not.toMatch(/'Microsoft\.[A-Za-z]+\/[^'@]*\/(read|write|action|delete)'/);
    expect(bicep).toMatch(/type:\s*'CustomRole'/);
    expect(bicep).toMatch(/scope:\s*subscription\(sub\)/);
  });

  it('the role covers what the issue asks for, and nothing broad', () => {
    for (const a of [
      'Microsoft.MachineLearningServices/registries/read',
      'Microsoft.MachineLearningServices/registries/write',
      'Microsoft.MachineLearningServices/registries/privateEndpointConnectionsApproval/action',
      'Microsoft.Storage/storageAccounts/privateEndpointConnectionsApproval/action',
      'Microsoft.ContainerRegistry/registries/privateEndpointConnectionsApproval/action',
      'Microsoft.Network/privateEndpoints/write',
      'Microsoft.Network/privateEndpoints/privateDnsZoneGroups/write',
      'Microsoft.Network/virtualNetworks/subnets/join/action',
      'Microsoft.Network/privateDnsZones/join/action',
      'Microsoft.Storage/storageAccounts/write',
      'Microsoft.ContainerRegistry/registries/write',
      'Microsoft.Resources/subscriptions/resourceGroups/read',
      'Microsoft.Network/networkInterfaces/read',
      'Microsoft.Network/virtualNetworks/read',
    ]) expect(ROLE_ACTIONS).toContain(a);
    for (const a of ALL_ACTIONS) {
      expect(a).toMatch(/^Microsoft\.[A-Za-z]+(\/[A-Za-z]+)+$/);
      expect(a).not.toContain('*');
      expect(a).not.toMatch(/\/delete$/);
    }
  });

  it('every entry says why and which calls need it; data actions come from a built-in role', () => {
    for (const p of PERMISSIONS) {
      expect(p.why.length).toBeGreaterThan(10);
      expect(p.calls.length).toBeGreaterThan(0);
      if (p.kind === 'dataAction') expect(p.grantedBy).not.toBe('custom-role');
      else expect(p.grantedBy).toBe('custom-role');
    }
    expect(new Set(PERMISSIONS.map((p) => p.action)).size).toBe(PERMISSIONS.length);
    expect(Object.keys(BUILT_IN_ROLE_GRANTS)).toEqual(['EventGrid Data Sender']);
  });
});

describe('actionsFor maps a request to the actions it needs', () => {
  it('an endpoint PUT needs the endpoint write, the subnet join and the target approvals', () => {
    expect(actionsFor('PUT', PE)).toEqual([
      'Microsoft.ContainerRegistry/registries/privateEndpointConnectionsApproval/action',
      'Microsoft.MachineLearningServices/registries/privateEndpointConnectionsApproval/action',
      'Microsoft.Network/privateEndpoints/write',
      'Microsoft.Network/virtualNetworks/subnets/join/action',
      'Microsoft.Storage/storageAccounts/privateEndpointConnectionsApproval/action',
    ]);
  });

  it('a zone-group PUT needs the zone-group write and the DNS zone join', () => {
    expect(actionsFor('PUT', `${PE}/privateDnsZoneGroups/default`)).toEqual([
      'Microsoft.Network/privateDnsZones/join/action',
      'Microsoft.Network/privateEndpoints/privateDnsZoneGroups/write',
    ]);
  });

  it('ignores case and the query string, and matches whole segments only', () => {
    const reg = `${SUB}/resourcegroups/RG-ML/providers/microsoft.machinelearningservices/registries/demoreg`;
    expect(actionsFor('get', `${reg}?api-version=2025-12-01`)).toEqual(['Microsoft.MachineLearningServices/registries/read']);
    // the registry PUT carries its identity: ARM's linked check on each user-assigned identity
    expect(actionsFor('PUT', reg)).toEqual(['Microsoft.MachineLearningServices/registries/write', 'Microsoft.ManagedIdentity/userAssignedIdentities/assign/action']);
    expect(actionsFor('PATCH', reg)).toEqual([]);
    expect(actionsFor('GET', `${reg}/extra`)).toEqual([]);
    expect(actionsFor('DELETE', PE)).toEqual([]);
  });

  it('storage and ACR: GET reads, PATCH writes, LRO polls read their operation', () => {
    const st = `${SUB}/resourceGroups/azureml-rg-demoreg_1/providers/Microsoft.Storage/storageAccounts/st1`;
    const acr = `${SUB}/resourceGroups/azureml-rg-demoreg_1/providers/Microsoft.ContainerRegistry/registries/acr1`;
    expect(actionsFor('GET', st)).toEqual(['Microsoft.Storage/storageAccounts/read']);
    expect(actionsFor('PATCH', st)).toEqual(['Microsoft.Storage/storageAccounts/write']);
    expect(actionsFor('PATCH', acr)).toEqual(['Microsoft.ContainerRegistry/registries/write']);
    expect(actionsFor('GET', `${acr}/operationStatuses/op1`)).toEqual(['Microsoft.ContainerRegistry/registries/operationStatuses/read']);
    expect(actionsFor('GET', `${SUB}/providers/Microsoft.Network/locations/westeurope/operations/op1`)).toEqual(['Microsoft.Network/locations/operations/read']);
    expect(actionsFor('GET', `${SUB}/providers/Microsoft.MachineLearningServices/locations/westeurope/mfeOperationsStatus/op1`))
      .toEqual(['Microsoft.MachineLearningServices/locations/mfeOperationsStatus/read']);
  });

  it('resource groups, discovery and the outcome topic', () => {
    expect(actionsFor('GET', `${SUB}/resourcegroups`)).toEqual(['Microsoft.Resources/subscriptions/resourceGroups/read']);
    expect(actionsFor('GET', `${SUB}/resourceGroups/azureml-rg-x_1/resources`)).toEqual(['Microsoft.Resources/subscriptions/resourceGroups/resources/read']);
    expect(actionsFor('GET', '/registrymanagement/v1.0/registries/demoreg/discovery')).toEqual(['Microsoft.MachineLearningServices/registries/read']);
    expect(actionsFor('POST', '/api/events')).toEqual(['Microsoft.EventGrid/events/send/action']);
  });
});
