import { roleActions } from '../../../src/azure/permissions';
import { evaluate, type Value } from './bicep-eval';
import { read } from './bicep-text';
import { contextFor, instancesOf, LZ, LZ_APP_SUBNET, LZ_PE_SUBNET, moduleContext, moduleParams, template, THIS_SUB, ZONE_IDS } from './deployment';

/**
 * Where each custom role is assigned, for chosen parameters: main.bicep's network scopes and the
 * role module (lockdown-role.bicep) evaluated with the parameters main.bicep gives it, and the
 * management-group template evaluated on its own.
 */
const HUB = '99999999-0000-0000-0000-000000000009';
const OTHER = 'aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee';
const ROLE = template('infra/app/lockdown-role.bicep');
const GUIDS = { roleDefinition: { name: 'guid-hardening' }, networkRoleDefinition: { name: 'guid-network' }, networkOperationsRoleDefinition: { name: 'guid-network-ops' } };

interface Assigned { definition: Record<string, Value>; assignedAt: string[] }

/** What lockdown-role.bicep deploys for these main.bicep parameters: each role definition and where it is assigned. */
function roles(values: Record<string, Value>): Record<string, Assigned | undefined> {
  const ctx = moduleContext(ROLE, moduleParams('lockdownRole', values), GUIDS);
  const definition = (symbol: string): Record<string, Value> | undefined => instancesOf(ROLE, symbol, ctx, ['properties'])[0]?.properties as Record<string, Value> | undefined;
  // the scope of each instance of an assignment loop: its loop item
  const at = (symbol: string, scope: (item: Value) => string): string[] => {
    const loop = ROLE.resources[symbol]?.loop;
    if (!loop) throw new Error(`${symbol} is not a loop`);
    return (evaluate(loop.list, ctx) as Value[]).map(scope);
  };
  const sub = (x: Value): string => `/subscriptions/${String(x)}`;
  const rg = (x: Value): string => { const s = x as { subscriptionId: string; resourceGroup: string }; return `/subscriptions/${s.subscriptionId}/resourceGroups/${s.resourceGroup}`; };
  const pair = (def: string, assignments: string, scope: (item: Value) => string): Assigned | undefined => {
    const d = definition(def);
    return d ? { definition: d, assignedAt: at(assignments, scope) } : undefined;
  };
  return {
    hardening: pair('roleDefinition', 'assignments', sub),
    network: pair('networkRoleDefinition', 'networkAssignments', rg),
    networkOperations: pair('networkOperationsRoleDefinition', 'networkOperationsAssignments', sub),
    networkWrites: pair('networkWritesRoleDefinition', 'networkWritesAssignments', sub),
  };
}

const actionsOf = (a: Assigned | undefined): Value => ((a?.definition.permissions as Array<Record<string, Value>> | undefined)?.[0]?.actions ?? null);
const hubBrought = { appSubnetId: LZ_APP_SUBNET, privateEndpointSubnetId: LZ_PE_SUBNET, ...ZONE_IDS };

describe('infra: each role where the app acts, in every subscription', () => {
  it('by default (created VNet and zones, this subscription): hardening on the subscription, network on the app\'s group, its operations on the subscription, no network writes', () => {
    expect(evaluate('networkScopes', contextFor({}))).toEqual([{ subscriptionId: THIS_SUB, resourceGroup: 'rg-dev' }]);
    const r = roles({});
    expect(r.hardening?.assignedAt).toEqual([`/subscriptions/${THIS_SUB}`]);
    expect(r.network?.assignedAt).toEqual([`/subscriptions/${THIS_SUB}/resourceGroups/rg-dev`]);
    expect(r.networkOperations?.assignedAt).toEqual([`/subscriptions/${THIS_SUB}`]);
    expect(r.networkWrites).toBeUndefined();
    expect(actionsOf(r.hardening)).toEqual(roleActions('hardening'));
    expect(actionsOf(r.network)).toEqual(roleActions('network'));
    expect(actionsOf(r.networkOperations)).toEqual(roleActions('networkOperations'));
  });

  it('endpoint subnet and zones in a hub subscription: the network role on their groups there, its operations on the hub subscription, hardening only on the targets', () => {
    const values = { ...hubBrought, targetSubscriptionIds: `${THIS_SUB},${OTHER}`, privateEndpointResourceGroup: 'rg-Endpoints' };
    const scopes = evaluate('networkScopes', contextFor(values));
    expect(scopes).toEqual([
      { subscriptionId: HUB, resourceGroup: 'rg-landing-zone' },
      { subscriptionId: HUB, resourceGroup: 'rg-endpoints' },
    ]);
    const r = roles(values);
    expect(r.hardening?.assignedAt).toEqual([`/subscriptions/${THIS_SUB}`, `/subscriptions/${OTHER}`]);
    expect(r.hardening?.definition.assignableScopes).toEqual([`/subscriptions/${THIS_SUB}`, `/subscriptions/${OTHER}`]);
    expect(r.network?.assignedAt).toEqual([`/subscriptions/${HUB}/resourceGroups/rg-landing-zone`, `/subscriptions/${HUB}/resourceGroups/rg-endpoints`]);
    expect(r.network?.definition.assignableScopes).toEqual([`/subscriptions/${THIS_SUB}`, ...(r.network?.assignedAt ?? [])]);
    expect(r.networkOperations?.assignedAt).toEqual([`/subscriptions/${HUB}`]);
    expect(r.networkOperations?.definition.assignableScopes).toEqual([`/subscriptions/${THIS_SUB}`, `/subscriptions/${HUB}`]);
  });

  it('zones created while the network is brought: the zones\' scope is the app\'s group (CREATE_PRIVATE_DNS_ZONES=true)', () => {
    const scopes = evaluate('networkScopes', contextFor({ appSubnetId: LZ_APP_SUBNET, privateEndpointSubnetId: LZ_PE_SUBNET, createPrivateDnsZones: 'true' }));
    expect(scopes).toEqual([{ subscriptionId: HUB, resourceGroup: 'rg-landing-zone' }, { subscriptionId: THIS_SUB, resourceGroup: 'rg-dev' }]);
    expect(LZ).toContain(HUB);
  });

  it('GRANT_NETWORK_WRITES: the network-writes role on every target subscription, with exactly its actions', () => {
    const r = roles({ targetSubscriptionIds: `${THIS_SUB},${OTHER}`, grantNetworkWrites: true });
    expect(r.networkWrites?.assignedAt).toEqual([`/subscriptions/${THIS_SUB}`, `/subscriptions/${OTHER}`]);
    expect(actionsOf(r.networkWrites)).toEqual(roleActions('networkWrites'));
    expect(moduleParams('lockdownRole', { grantNetworkWrites: true }).grantNetworkWrites).toBe(true);
  });

  it('role definitions are custom roles named per environment and token; an assignment is named by a guid() of its scope, principal and role', () => {
    const r = roles({ grantNetworkWrites: true });
    const names = Object.values(r).map((a) => a?.definition.roleName);
    expect(names).toEqual(['AML Registry Lockdown (dev, ', 'AML Registry Lockdown network (dev, ', 'AML Registry Lockdown network operations (dev, ', 'AML Registry Lockdown network writes (dev, '].map((p) => expect.stringMatching(new RegExp(`^${p.replace(/[()]/g, '\\$&')}[a-z0-9]{13}\\)$`))));
    for (const a of Object.values(r)) expect(a?.definition.type).toBe('CustomRole');
    const sub = template('infra/app/lockdown-role-assignment.bicep');
    const ctx = moduleContext(sub, { principalId: 'p', roleDefinitionGuid: 'g', description: 'd' });
    const [one] = instancesOf(sub, 'assignment', ctx, ['name', 'properties']);
    expect(one?.properties).toMatchObject({ principalId: 'p', principalType: 'ServicePrincipal', description: 'd', roleDefinitionId: `/subscriptions/${THIS_SUB}/providers/Microsoft.Authorization/roleDefinitions/g` });
    expect(one?.name).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(instancesOf(sub, 'assignment', moduleContext(sub, { principalId: 'p', roleDefinitionGuid: 'g2', description: 'd' }), ['name'])[0]?.name).not.toBe(one?.name);
  });
});

describe('management-group mode ships its own template', () => {
  const MG = template('infra/management-group/main.bicep');
  const MG_ID = '/providers/Microsoft.Management/managementGroups/mg-platform';
  const standIns = { 'managementGroup()': { id: MG_ID }, roleDefinition: { name: 'guid-mg', id: `${MG_ID}/providers/Microsoft.Authorization/roleDefinitions/guid-mg` }, networkWritesRoleDefinition: { id: 'guid-mg-writes' } };

  it('one role at the group with the hardening actions and the descendants read, assigned to the app\'s identity there', () => {
    const ctx = moduleContext(MG, { environmentName: 'dev', principalId: 'pid' }, standIns);
    const [def] = instancesOf(MG, 'roleDefinition', ctx, ['properties']);
    const props = def?.properties as Record<string, Value>;
    expect((props.permissions as Array<Record<string, Value>>)[0]?.actions).toEqual([...roleActions('hardening'), ...roleActions('managementGroup')]);
    expect(props.assignableScopes).toEqual([MG_ID]);
    expect(instancesOf(MG, 'assignment', ctx, ['properties'])[0]?.properties).toMatchObject({ principalId: 'pid', roleDefinitionId: standIns.roleDefinition.id, principalType: 'ServicePrincipal' });
    expect(instancesOf(MG, 'networkWritesRoleDefinition', ctx, ['properties'])).toEqual([]);
    expect(instancesOf(MG, 'networkWritesAssignment', ctx, ['properties'])).toEqual([]);
    expect(read('infra/management-group/main.bicep')).toMatch(/^targetScope = 'managementGroup'$/m);
  });

  it('network writes at the group only when asked for', () => {
    const ctx = moduleContext(MG, { environmentName: 'dev', principalId: 'pid', grantNetworkWrites: true }, standIns);
    const [def] = instancesOf(MG, 'networkWritesRoleDefinition', ctx, ['properties']);
    expect(((def?.properties as Record<string, Value>).permissions as Array<Record<string, Value>>)[0]?.actions).toEqual(roleActions('networkWrites'));
    expect(instancesOf(MG, 'networkWritesAssignment', ctx, ['properties'])).toHaveLength(1);
  });

  it('main.bicep\'s subscription roles hold no management-group action, and docs/deploy.md says how to deploy the group template', () => {
    for (const part of ['hardening', 'network', 'networkOperations', 'networkWrites'] as const) expect(roleActions(part)).not.toContain('Microsoft.Management/managementGroups/descendants/read');
    expect(read('docs/deploy.md')).toMatch(/az deployment mg create[^\n]*\n?[^\n]*infra\/management-group\/main\.bicep/);
  });
});

