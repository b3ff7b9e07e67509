// Per target subscription: the resource group that holds its Event Grid system topic (created
// unless it is the app's own group), then the topic and, once the function exists, its subscription.
targetScope = 'subscription'

param location string
param tags object
param createResourceGroup bool
param resourceGroupName string
param systemTopicName string
param identityId string
param functionAppId string
param deployEventSubscription bool
param deadLetterStorageAccountId string
param deadLetterContainerName string

resource eventsGroup 'Microsoft.Resources/resourceGroups@2022-09-01' = if (createResourceGroup) {
  name: resourceGroupName
  location: location
  tags: tags
}

module eventGrid 'eventgrid.bicep' = {
  name: 'eventgrid-${take(uniqueString(subscription().id), 6)}'
  scope: resourceGroup(resourceGroupName)
  params: {
    tags: tags
    systemTopicName: systemTopicName
    identityId: identityId
    functionAppId: functionAppId
    deployEventSubscription: deployEventSubscription
    deadLetterStorageAccountId: deadLetterStorageAccountId
    deadLetterContainerName: deadLetterContainerName
  }
  dependsOn: [eventsGroup]
}

output systemTopicId string = eventGrid.outputs.systemTopicId
