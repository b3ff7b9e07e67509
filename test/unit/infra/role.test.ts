import { allActions, builtInRoleGrants, PERMISSIONS, customRoleActions, ROLE_PARTS, actionsFor, roleActions, roleActionsDocument, type ArmCall, type RolePart, type ScopeKind } from '../../../src/azure/permissions';
import { read, stripComments } from './bicep-text';

const SUB = '/subscriptions/00000000-0000-0000-0000-000000000001';
const PE = `${SUB}/resourceGroups/rg-net/providers/Microsoft.Network/privateEndpoints/pe-reg-blob-westeurope`;

describe('the custom role is generated from the one permission list', () => {
  const json = JSON.parse(read('infra/app/role-actions.json')) as ReturnType<typeof roleActionsDocument>;

  it('infra/app/role-actions.json is what `npm run gen:role` writes from src/azure/permissions.ts', () => {
    expect(json).toEqual(roleActionsDocument());
    expect(read('infra/app/role-actions.json')).toBe(`${JSON.stringify(roleActionsDocument(), null, 2)}\n`);
  });

  it('the roles\' actions plus the built-in role grants are exactly allActions(); `actions` is their union', () => {
    const granted = [...json.actions, ...json.dataActions, ...Object.values(json.builtInRoles).flat()].sort((a, b) => a.localeCompare(b));
    expect(granted).toEqual(allActions());
    expect(json.actions).toEqual(customRoleActions());
    expect([...new Set(Object.values(json.roles).flatMap((r) => r.actions))].sort((a, b) => a.localeCompare(b))).toEqual(customRoleActions());
    expect(json.builtInRoles).toEqual({ 'EventGrid Data Sender': ['Microsoft.EventGrid/events/send/action'] });
  });

  it('the templates take their actions from role-actions.json and list no action of their own', () => {
    for (const path of ['infra/app/lockdown-role.bicep', 'infra/management-group/main.bicep']) {
      const bicep = stripComments(read(path));
      expect(bicep).toMatch(/loadJsonContent\('(\.\.\/app\/)?role-actions\.json'\)/);
      expect(bicep).toMatch(/actions:\s*(union\()?permissions\.roles\.hardening\.actions/);
      expect(bicep).not.toMatch(/'Microsoft\.[A-Za-z]+\/[^'@]*\/(read|write|action|delete)'/);
      expect(bicep).toMatch(/type:\s*'CustomRole'/);
    }
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
    ]) expect(customRoleActions()).toContain(a);
    for (const a of allActions()) {
      expect(a).toMatch(/^Microsoft\.[A-Za-z]+(\/[A-Za-z]+)+$/);
      expect(a).not.toContain('*');
      expect(a).not.toMatch(/\/delete$/);
    }
  });

  it('every entry says why and which calls need it; data actions come from a built-in role, control-plane ones from custom roles', () => {
    const parts = Object.keys(ROLE_PARTS);
    for (const p of PERMISSIONS) {
      expect(p.why.length).toBeGreaterThan(10);
      expect(p.calls.length).toBeGreaterThan(0);
      expect(p.grantedBy.length).toBeGreaterThan(0);
      if (p.kind === 'dataAction') expect([p.action, p.grantedBy]).toEqual([p.action, ['EventGrid Data Sender']]);
      else expect([p.action, p.grantedBy.filter((g) => !parts.includes(g))]).toEqual([p.action, []]);
    }
    expect(new Set(PERMISSIONS.map((p) => p.action)).size).toBe(PERMISSIONS.length);
    expect(Object.keys(builtInRoleGrants())).toEqual(['EventGrid Data Sender']);
  });
});

/** The kinds of scope a call's resource lies at or below (an assignment there can grant the call). */
function reachableFrom(call: ArmCall): ScopeKind[] {
  // discovery authorizes the ARM token against the registry; the permissions API answers at any scope
  if (call.host === 'registry-discovery' || typeof call.pathPattern !== 'string') return ['managementGroup', 'subscription', 'resourceGroup'];
  const path = call.pathPattern;
  if (/^\/subscriptions\/\*\/resourceGroups\/\*(\/|$)/i.test(path)) return ['managementGroup', 'subscription', 'resourceGroup'];
  if (/^\/subscriptions\/\*(\/|$)/i.test(path)) return ['managementGroup', 'subscription'];
  return ['managementGroup'];
}

describe('least scope: the role is split by where the app acts, and no role holds an action it cannot use', () => {
  const json = JSON.parse(read('infra/app/role-actions.json')) as ReturnType<typeof roleActionsDocument>;
  const parts = Object.keys(ROLE_PARTS) as RolePart[];

  it.each(parts)('%s: every action has a call at or below the scope the role is assigned at', (part) => {
    const scope = ROLE_PARTS[part].scope;
    const useless = PERMISSIONS.filter((p) => p.grantedBy.includes(part) && !p.calls.some((c) => reachableFrom(c).includes(scope))).map((p) => p.action);
    expect(useless).toEqual([]);
    expect(json.roles[part]).toEqual({ ...ROLE_PARTS[part], actions: roleActions(part) });
    expect(json.roles[part].actions.length).toBeGreaterThan(0);
  });

  it('listing a management group\'s subscriptions is only in the management-group role (it does nothing in a subscription or resource group)', () => {
    const descendants = 'Microsoft.Management/managementGroups/descendants/read';
    expect(json.roles.managementGroup.actions).toEqual([descendants]);
    for (const part of parts.filter((p) => p !== 'managementGroup')) expect([part, json.roles[part].actions]).not.toEqual([part, expect.arrayContaining([descendants])]);
    // subscription-level operation statuses are out of reach of the resource-group network role
    expect(json.roles.network.actions).not.toContain('Microsoft.Network/locations/operations/read');
    expect(json.roles.networkOperations.actions).toEqual(['Microsoft.Network/locations/operationResults/read', 'Microsoft.Network/locations/operations/read']);
  });

  it('hardening: registries, storage, ACR and the approvals of their endpoint connections, and no network write', () => {
    expect(json.roles.hardening.actions).toEqual(expect.arrayContaining([
      'Microsoft.MachineLearningServices/registries/write',
      'Microsoft.Storage/storageAccounts/write',
      'Microsoft.ContainerRegistry/registries/write',
      'Microsoft.MachineLearningServices/registries/privateEndpointConnectionsApproval/action',
      'Microsoft.Storage/storageAccounts/privateEndpointConnectionsApproval/action',
      'Microsoft.ContainerRegistry/registries/privateEndpointConnectionsApproval/action',
    ]));
    expect(json.roles.hardening.actions.filter((a) => a.startsWith('Microsoft.Network/') && !a.endsWith('/read'))).toEqual([]);
  });

  it('network: endpoints, zone groups, subnet and zone joins, nothing outside Microsoft.Network but the permissions read', () => {
    expect(json.roles.network.actions).toEqual(expect.arrayContaining([
      'Microsoft.Network/privateEndpoints/write', 'Microsoft.Network/privateEndpoints/privateDnsZoneGroups/write',
      'Microsoft.Network/virtualNetworks/subnets/join/action', 'Microsoft.Network/privateDnsZones/join/action',
    ]));
    expect(json.roles.network.actions.filter((a) => !a.startsWith('Microsoft.Network/'))).toEqual(['Microsoft.Authorization/permissions/read']);
  });

  it('the egress and exfiltration writes are only in the opt-in network-writes role', () => {
    const writes = ['Microsoft.Network/networkSecurityGroups/securityRules/write', 'Microsoft.Network/virtualNetworks/subnets/write', 'Microsoft.Network/serviceEndpointPolicies/write', 'Microsoft.Network/serviceEndpointPolicies/join/action'];
    expect(json.roles.networkWrites.actions).toEqual(expect.arrayContaining(writes));
    expect(json.roles.networkWrites.optIn).toBe(true);
    for (const part of parts.filter((p) => p !== 'networkWrites')) expect(json.roles[part].actions.filter((a) => writes.includes(a))).toEqual([]);
  });

  it('a hardening run needs only the hardening, network and network-operations roles (what is assigned by default)', () => {
    const defaults = new Set(parts.filter((p) => !ROLE_PARTS[p].optIn).flatMap((p) => json.roles[p].actions));
    // the calls of a run: registry, storage and ACR reads/writes/polls, endpoint and zone-group PUTs and polls, NIC reads
    const SUB = '/subscriptions/00000000-0000-0000-0000-000000000001';
    const RG = `${SUB}/resourceGroups/rg`;
    const run: Array<[string, string]> = [
      ['GET', `${RG}/providers/Microsoft.MachineLearningServices/registries/r`], ['PUT', `${RG}/providers/Microsoft.MachineLearningServices/registries/r`],
      ['GET', `${SUB}/providers/Microsoft.MachineLearningServices/locations/westeurope/mfeOperationsStatus/op`],
      ['GET', `${RG}/providers/Microsoft.Storage/storageAccounts/s`], ['PATCH', `${RG}/providers/Microsoft.Storage/storageAccounts/s`],
      ['GET', `${RG}/providers/Microsoft.ContainerRegistry/registries/a`], ['PATCH', `${RG}/providers/Microsoft.ContainerRegistry/registries/a`],
      ['GET', `${RG}/providers/Microsoft.Network/virtualNetworks/v`],
      ['PUT', `${RG}/providers/Microsoft.Network/privateEndpoints/pe`], ['GET', `${RG}/providers/Microsoft.Network/privateEndpoints/pe`],
      ['PUT', `${RG}/providers/Microsoft.Network/privateEndpoints/pe/privateDnsZoneGroups/default`],
      ['GET', `${SUB}/providers/Microsoft.Network/locations/westeurope/operations/op`],
      ['GET', `${RG}/providers/Microsoft.Network/networkInterfaces/nic`],
    ];
    const needed = run.flatMap(([m, p]) => actionsFor(m, p));
    expect(needed.length).toBeGreaterThan(run.length);
    expect(needed.filter((a) => !defaults.has(a))).toEqual([]);
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
