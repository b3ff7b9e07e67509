// Management-group mode: the app lists the subscriptions of TARGET_MANAGEMENT_GROUP at each sweep
// and hardens their registries, so its identity needs, AT THE GROUP, the hardening role and
// Microsoft.Management/managementGroups/descendants/read (which does nothing in a subscription-
// or resource-group-scope role). main.bicep deploys at subscription scope and cannot assign
// there; deploy this template at the group after `azd provision` (docs/deploy.md,
// "Management-group mode"):
//   az deployment mg create --management-group-id <group> --location <region> \
//     --template-file infra/management-group/main.bicep \
//     --parameters environmentName=<env> principalId=<AZURE_USER_ASSIGNED_IDENTITY_PRINCIPAL_ID>
// The actions come from the same generated list as main.bicep's roles (../app/role-actions.json).
// The network role stays where main.bicep assigns it (the endpoint and zone resource groups).
targetScope = 'managementGroup'

@description('The azd environment name (seeds the role names; custom role names are unique per tenant).')
param environmentName string
@description('Object id of the app\'s user-assigned identity (azd output AZURE_USER_ASSIGNED_IDENTITY_PRINCIPAL_ID).')
param principalId string
@description('Also grant the opt-in network-writes role at the group (egress fix, exfiltration protection), as GRANT_NETWORK_WRITES does on the target subscriptions.')
param grantNetworkWrites bool = false

var permissions = loadJsonContent('../app/role-actions.json')
var token = take(uniqueString(managementGroup().id, environmentName), 6)
var networkWritesRoleGuid = guid(managementGroup().id, environmentName, 'aml-registry-lockdown-mg-network-writes')

resource roleDefinition 'Microsoft.Authorization/roleDefinitions@2022-04-01' = {
  name: guid(managementGroup().id, environmentName, 'aml-registry-lockdown-mg')
  properties: {
    roleName: 'AML Registry Lockdown management group (${environmentName}, ${token})'
    description: 'AML Registry Lockdown across a management group: list its subscriptions, and harden the Azure ML registries in every one of them. Generated from src/azure/permissions.ts.'
    type: 'CustomRole'
    permissions: [
      {
        actions: union(permissions.roles.hardening.actions, permissions.roles.managementGroup.actions)
        notActions: []
        dataActions: []
        notDataActions: []
      }
    ]
    assignableScopes: [managementGroup().id]
  }
}

resource assignment 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(managementGroup().id, principalId, roleDefinition.name)
  properties: {
    roleDefinitionId: roleDefinition.id
    principalId: principalId
    principalType: 'ServicePrincipal'
    description: 'AML Registry Lockdown: list the subscriptions of this management group and harden their registries.'
  }
}

resource networkWritesRoleDefinition 'Microsoft.Authorization/roleDefinitions@2022-04-01' = if (grantNetworkWrites) {
  name: networkWritesRoleGuid
  properties: {
    roleName: 'AML Registry Lockdown management group network writes (${environmentName}, ${token})'
    description: 'Opt-in: egress fix (outbound NSG rules) and exfiltration protection (subnet, service endpoint policy) on workspace subnets under this management group. Generated from src/azure/permissions.ts.'
    type: 'CustomRole'
    permissions: [
      {
        actions: permissions.roles.networkWrites.actions
        notActions: []
        dataActions: []
        notDataActions: []
      }
    ]
    assignableScopes: [managementGroup().id]
  }
}

resource networkWritesAssignment 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (grantNetworkWrites) {
  name: guid(managementGroup().id, principalId, networkWritesRoleGuid)
  properties: {
    roleDefinitionId: networkWritesRoleDefinition.id
    principalId: principalId
    principalType: 'ServicePrincipal'
    description: 'AML Registry Lockdown: egress fix and exfiltration protection under this management group (opt-in).'
  }
}

output roleDefinitionId string = roleDefinition.id
output networkWritesRoleDefinitionId string = grantNetworkWrites ? networkWritesRoleDefinition.id : ''
