// The function host's storage (deployment package, durable task hub = AzureWebJobsStorage) and a
// separate account for the Event Grid dead letters. Shared key access is off on both: everything
// authenticates with the user-assigned identity (roles in rbac.bicep).
//  - host account: public network access off and every network denied; the app reaches its blob,
//    queue and table through private endpoints (main.bicep, private-endpoint.bicep) over its VNet
//    integration;
//  - dead-letter account: Event Grid delivers from outside any VNet and cannot use a private
//    endpoint, so this account keeps its public endpoint closed to every network (defaultAction
//    Deny, no address or VNet rule) except the trusted Azure services (bypass AzureServices), which
//    covers Event Grid writing with a managed identity. It holds nothing but dead letters.
param location string
param tags object
param name string
param deadLetterAccountName string
param deploymentContainerName string
param deadLetterContainerName string

var common = {
  accessTier: 'Hot'
  allowSharedKeyAccess: false
  allowBlobPublicAccess: false
  allowCrossTenantReplication: false
  defaultToOAuthAuthentication: true
  minimumTlsVersion: 'TLS1_2'
  supportsHttpsTrafficOnly: true
}

resource storage 'Microsoft.Storage/storageAccounts@2023-05-01' = {
  name: name
  location: location
  tags: tags
  kind: 'StorageV2'
  sku: { name: 'Standard_LRS' }
  properties: union(common, {
    publicNetworkAccess: 'Disabled'
    networkAcls: {
      defaultAction: 'Deny'
      bypass: 'None'
      ipRules: []
      virtualNetworkRules: []
    }
  })
}

resource blobServices 'Microsoft.Storage/storageAccounts/blobServices@2023-05-01' = {
  parent: storage
  name: 'default'
}

resource deploymentContainer 'Microsoft.Storage/storageAccounts/blobServices/containers@2023-05-01' = {
  parent: blobServices
  name: deploymentContainerName
  properties: { publicAccess: 'None' }
}

resource deadLetterStorage 'Microsoft.Storage/storageAccounts@2023-05-01' = {
  name: deadLetterAccountName
  location: location
  tags: tags
  kind: 'StorageV2'
  sku: { name: 'Standard_LRS' }
  properties: union(common, {
    publicNetworkAccess: 'Enabled'
    networkAcls: {
      defaultAction: 'Deny'
      bypass: 'AzureServices'
      ipRules: []
      virtualNetworkRules: []
    }
  })
}

resource deadLetterBlobServices 'Microsoft.Storage/storageAccounts/blobServices@2023-05-01' = {
  parent: deadLetterStorage
  name: 'default'
}

resource deadLetterContainer 'Microsoft.Storage/storageAccounts/blobServices/containers@2023-05-01' = {
  parent: deadLetterBlobServices
  name: deadLetterContainerName
  properties: { publicAccess: 'None' }
}

output id string = storage.id
output name string = storage.name
output primaryBlobEndpoint string = storage.properties.primaryEndpoints.blob
output primaryQueueEndpoint string = storage.properties.primaryEndpoints.queue
output primaryTableEndpoint string = storage.properties.primaryEndpoints.table
output deploymentContainerName string = deploymentContainer.name
output deadLetterAccountId string = deadLetterStorage.id
output deadLetterAccountName string = deadLetterStorage.name
output deadLetterContainerName string = deadLetterContainer.name
