// Assigns the network part of the custom role (lockdown-role.bicep) to the app's identity on one
// resource group: the endpoint subnet's, the endpoints' or the private DNS zones' group.
targetScope = 'resourceGroup'

param principalId string
@description('The name (GUID) of the network role definition; custom roles are tenant-wide.')
param roleDefinitionGuid string

resource assignment 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(resourceGroup().id, principalId, roleDefinitionGuid)
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roleDefinitionGuid)
    principalId: principalId
    principalType: 'ServicePrincipal'
    description: 'AML Registry Lockdown: private endpoints, zone groups, subnet and zone joins in this resource group.'
  }
}

output id string = assignment.id
