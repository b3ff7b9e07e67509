// Assigns the custom role (lockdown-role.bicep) to the app's identity on one target subscription.
targetScope = 'subscription'

param principalId string
@description('The name (GUID) of the custom role definition; custom roles are tenant-wide.')
param roleDefinitionGuid string

resource assignment 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(subscription().id, principalId, roleDefinitionGuid)
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roleDefinitionGuid)
    principalId: principalId
    principalType: 'ServicePrincipal'
    description: 'AML Registry Lockdown: harden the Azure ML registries of this subscription.'
  }
}

output id string = assignment.id
