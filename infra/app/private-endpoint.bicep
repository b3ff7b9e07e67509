// One private endpoint of the app's own resources (host storage blob/queue/table, a private outcome
// topic) with its zone group, so the name resolves to the endpoint inside the linked VNets.
param name string
param location string
param tags object
param subnetId string
@description('Resource id of the target (storage account, Event Grid topic).')
param targetId string
@description('Sub-resource: blob, queue, table or topic.')
param groupId string
param privateDnsZoneId string

resource endpoint 'Microsoft.Network/privateEndpoints@2024-05-01' = {
  name: name
  location: location
  tags: tags
  properties: {
    subnet: { id: subnetId }
    privateLinkServiceConnections: [
      {
        name: name
        properties: {
          privateLinkServiceId: targetId
          groupIds: [groupId]
        }
      }
    ]
  }
}

resource zoneGroup 'Microsoft.Network/privateEndpoints/privateDnsZoneGroups@2024-05-01' = {
  parent: endpoint
  name: 'default'
  properties: {
    privateDnsZoneConfigs: [
      {
        name: replace(last(split(privateDnsZoneId, '/')), '.', '-')
        properties: { privateDnsZoneId: privateDnsZoneId }
      }
    ]
  }
}

output id string = endpoint.id
