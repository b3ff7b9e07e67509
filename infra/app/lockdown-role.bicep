// The least-privilege custom roles: exactly the ARM actions the app performs, split by where it
// performs them. The lists are NOT written here: role-actions.json is generated from
// src/azure/permissions.ts (`npm run gen:role`) and a unit test fails when the two differ. Custom
// role names are unique per tenant, hence the environment name and the resource token in them.
//  - hardening (roles.hardening): registries, their storage and ACR, approvals of their endpoint
//    connections, the reads of the workspace reports; assigned on each target subscription;
//  - network (roles.network): endpoints, zone groups, subnet and zone joins; assigned on the
//    endpoint subnet's, the endpoints' and the private DNS zones' resource groups, wherever they
//    are (often a hub subscription outside the targets);
//  - network operations (roles.networkOperations): the status of long-running network operations,
//    a subscription-level resource that a resource-group assignment does not reach; assigned on the
//    subscription of each of those resource groups;
//  - network writes (roles.networkWrites), only with grantNetworkWrites: NSG rules (egress fix),
//    subnet and service endpoint policy (exfiltration protection); assigned on each target subscription.
// Management-group mode (listing the subscriptions of TARGET_MANAGEMENT_GROUP) is the separate
// template infra/management-group/main.bicep: a subscription-scope deployment cannot assign there.
targetScope = 'subscription'

param environmentName string
@description('main.bicep\'s resourceToken (subscription, environment, location): two environments of the same name in different subscriptions get different role names.')
param resourceToken string
param principalId string
@description('Subscription ids (not resource ids) where the app hardens registries.')
param targetSubscriptionIds array
@description('Resource groups that get the network role: [{ subscriptionId, resourceGroup }] (the endpoint subnet\'s, the endpoints\' and the zones\' groups; lower-cased, duplicates removed by the caller).')
param networkScopes array
@description('Grant the opt-in network-writes role on the target subscriptions (egress fix, exfiltration protection).')
param grantNetworkWrites bool = false

var permissions = loadJsonContent('role-actions.json')
var networkSubscriptionIds = union(map(networkScopes, s => s.subscriptionId), [])
// The opt-in definition's name, known whether or not it is deployed (its assignments depend on it explicitly).
var networkWritesRoleGuid = guid(subscription().id, environmentName, 'aml-registry-lockdown-network-writes')

resource roleDefinition 'Microsoft.Authorization/roleDefinitions@2022-04-01' = {
  name: guid(subscription().id, environmentName, 'aml-registry-lockdown')
  properties: {
    roleName: 'AML Registry Lockdown (${environmentName}, ${resourceToken})'
    description: 'Network-isolates Azure ML registries in the target subscriptions: read/write registries, approve their endpoint connections, turn off public access on the registry storage and ACR; the reads of the workspace reports. Generated from src/azure/permissions.ts.'
    type: 'CustomRole'
    permissions: [
      {
        actions: permissions.roles.hardening.actions
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
    description: 'AML Registry Lockdown: harden the Azure ML registries of this subscription.'
  }
}]

resource networkRoleDefinition 'Microsoft.Authorization/roleDefinitions@2022-04-01' = {
  name: guid(subscription().id, environmentName, 'aml-registry-lockdown-network')
  properties: {
    roleName: 'AML Registry Lockdown network (${environmentName}, ${resourceToken})'
    description: 'The network part of AML Registry Lockdown, for the endpoint subnet, endpoint and private DNS zone resource groups: create private endpoints and zone groups, join the subnet and the zones, read NICs. Generated from src/azure/permissions.ts.'
    type: 'CustomRole'
    permissions: [
      {
        actions: permissions.roles.network.actions
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

resource networkOperationsRoleDefinition 'Microsoft.Authorization/roleDefinitions@2022-04-01' = {
  name: guid(subscription().id, environmentName, 'aml-registry-lockdown-network-operations')
  properties: {
    roleName: 'AML Registry Lockdown network operations (${environmentName}, ${resourceToken})'
    description: 'Read the status of long-running Microsoft.Network operations (subscription-level resources), in the subscriptions of the endpoint and zone resource groups. Generated from src/azure/permissions.ts.'
    type: 'CustomRole'
    permissions: [
      {
        actions: permissions.roles.networkOperations.actions
        notActions: []
        dataActions: []
        notDataActions: []
      }
    ]
    assignableScopes: union([subscription().id], map(networkSubscriptionIds, s => '/subscriptions/${s}'))
  }
}

module networkOperationsAssignments 'lockdown-role-assignment.bicep' = [for (sub, i) in networkSubscriptionIds: {
  name: 'lockdown-network-ops-${i}-${take(uniqueString(sub), 6)}'
  scope: subscription(sub)
  params: {
    principalId: principalId
    roleDefinitionGuid: networkOperationsRoleDefinition.name
    description: 'AML Registry Lockdown: poll the private endpoint and zone group operations of this subscription.'
  }
}]

resource networkWritesRoleDefinition 'Microsoft.Authorization/roleDefinitions@2022-04-01' = if (grantNetworkWrites) {
  name: networkWritesRoleGuid
  properties: {
    roleName: 'AML Registry Lockdown network writes (${environmentName}, ${resourceToken})'
    description: 'Opt-in: add outbound NSG rules (egress fix) and put the Azure ML service endpoint policy on workspace subnets (exfiltration protection) in the target subscriptions. Generated from src/azure/permissions.ts.'
    type: 'CustomRole'
    permissions: [
      {
        actions: permissions.roles.networkWrites.actions
        notActions: []
        dataActions: []
        notDataActions: []
      }
    ]
    assignableScopes: union([subscription().id], map(targetSubscriptionIds, s => '/subscriptions/${s}'))
  }
}

module networkWritesAssignments 'lockdown-role-assignment.bicep' = [for (sub, i) in (grantNetworkWrites ? targetSubscriptionIds : []): {
  name: 'lockdown-network-writes-${i}-${take(uniqueString(sub), 6)}'
  scope: subscription(sub)
  params: {
    principalId: principalId
    roleDefinitionGuid: networkWritesRoleGuid
    description: 'AML Registry Lockdown: egress fix and exfiltration protection on the workspace subnets of this subscription (opt-in).'
  }
  dependsOn: [networkWritesRoleDefinition]
}]

output roleDefinitionId string = roleDefinition.id
output roleDefinitionGuid string = roleDefinition.name
output networkRoleDefinitionId string = networkRoleDefinition.id
output networkOperationsRoleDefinitionId string = networkOperationsRoleDefinition.id
output networkWritesRoleDefinitionId string = grantNetworkWrites ? networkWritesRoleDefinition.id : ''
