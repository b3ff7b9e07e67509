// The least-privilege custom role: exactly the ARM actions the app performs. The list is NOT
// written here: role-actions.json is generated from src/azure/permissions.ts (`npm run gen:role`)
// and a unit test fails when the two differ. One definition (custom role names are unique per
// tenant, hence the environment name and the resource token in it), assignable in every target subscription, and one
// assignment per target subscription at subscription scope: the registry, storage and ACR part
// (and the network actions the workspace features need in those subscriptions).
// A second definition holds only the network part (role-actions.json `networkActions`); it is
// assigned on the endpoint subnet's, the endpoints' and the private DNS zones' resource groups,
// wherever they are — often a hub subscription outside the target subscriptions, where the
// subscription-scope assignment above does not reach.
targetScope = 'subscription'

param environmentName string
@description('main.bicep\'s resourceToken (subscription, environment, location): two environments of the same name in different subscriptions get different role names.')
param resourceToken string
param principalId string
@description('Subscription ids (not resource ids) where the app hardens registries.')
param targetSubscriptionIds array
@description('Resource groups that get the network part of the role: [{ subscriptionId, resourceGroup }] (the endpoint subnet\'s, the endpoints\' and the zones\' groups; duplicates removed by the caller).')
param networkScopes array

var permissions = loadJsonContent('role-actions.json')

resource roleDefinition 'Microsoft.Authorization/roleDefinitions@2022-04-01' = {
  name: guid(subscription().id, environmentName, 'aml-registry-lockdown')
  properties: {
    roleName: 'AML Registry Lockdown (${environmentName}, ${resourceToken})'
    description: 'Network-isolates Azure ML registries: read/write registries, create private endpoints and zone groups, join the subnet and DNS zones, approve endpoint connections, turn off public access on the registry storage and ACR. Generated from src/azure/permissions.ts.'
    type: 'CustomRole'
    permissions: [
      {
        actions: permissions.actions
        notActions: permissions.notActions
        dataActions: permissions.dataActions
        notDataActions: permissions.notDataActions
      }
    ]
    assignableScopes: union([subscription().id], map(targetSubscriptionIds, s => '/subscriptions/${s}'))
  }
}

module assignments 'lockdown-role-assignment.bicep' = [for (sub, i) in targetSubscriptionIds: {
  name: 'lockdown-role-assignment-${i}-${take(uniqueString(sub), 6)}'
  scope: subscription(sub)
  params: {
    principalId: principalId
    roleDefinitionGuid: roleDefinition.name
  }
}]

resource networkRoleDefinition 'Microsoft.Authorization/roleDefinitions@2022-04-01' = {
  name: guid(subscription().id, environmentName, 'aml-registry-lockdown-network')
  properties: {
    roleName: 'AML Registry Lockdown network (${environmentName}, ${resourceToken})'
    description: 'The network part of AML Registry Lockdown, for the endpoint subnet, endpoint and private DNS zone resource groups: create private endpoints and zone groups, join the subnet and the zones, read NICs and poll network operations. Generated from src/azure/permissions.ts.'
    type: 'CustomRole'
    permissions: [
      {
        actions: permissions.networkActions
        notActions: []
        dataActions: []
        notDataActions: []
      }
    ]
    assignableScopes: union([subscription().id], map(networkScopes, s => '/subscriptions/${s.subscriptionId}/resourceGroups/${s.resourceGroup}'))
  }
}

module networkAssignments 'lockdown-role-rg-assignment.bicep' = [for (s, i) in networkScopes: {
  name: 'lockdown-network-role-${i}-${take(uniqueString(s.subscriptionId, s.resourceGroup), 6)}'
  scope: resourceGroup(s.subscriptionId, s.resourceGroup)
  params: {
    principalId: principalId
    roleDefinitionGuid: networkRoleDefinition.name
  }
}]

output roleDefinitionId string = roleDefinition.id
output roleDefinitionGuid string = roleDefinition.name
output networkRoleDefinitionId string = networkRoleDefinition.id
