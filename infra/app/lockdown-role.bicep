// The least-privilege custom role: exactly the ARM actions the app performs. The list is NOT
// written here: role-actions.json is generated from src/azure/permissions.ts (`npm run gen:role`)
// and a unit test fails when the two differ. One definition (custom role names are unique per
// tenant, hence the environment name and the resource token in it), assignable in every target subscription, and one
// assignment per target subscription at subscription scope.
targetScope = 'subscription'

param environmentName string
@description('main.bicep\'s resourceToken (subscription, environment, location): two environments of the same name in different subscriptions get different role names.')
param resourceToken string
param principalId string
@description('Subscription ids (not resource ids) where the app hardens registries.')
param targetSubscriptionIds array

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

output roleDefinitionId string = roleDefinition.id
output roleDefinitionGuid string = roleDefinition.name
