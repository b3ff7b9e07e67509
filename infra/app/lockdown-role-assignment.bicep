// Assigns one of the custom roles (lockdown-role.bicep) to the app's identity on one subscription.
targetScope = 'subscription'

param principalId string
@description('The name (GUID) of the custom role definition; custom roles are tenant-wide.')
param roleDefinitionGuid string
@description('What the assignment is for, shown in the portal.')
param description string

resource assignment 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(subscription().id, principalId, roleDefinitionGuid)
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roleDefinitionGuid)
    principalId: principalId
    principalType: 'ServicePrincipal'
    description: description
  }
}

output id string = assignment.id
