// Per target subscription: the Event Grid system topic on its resource writes and, once the
// function exists, the event subscription to onRegistryWrite. Event Grid allows ONE system topic
// per source: when the subscription already has one (existingSystemTopicId), it is shared — the
// app adds its identity to it (for dead-lettering) and its own event subscription, and creates no
// topic and no resource group. Otherwise the topic is created in resourceGroupName (created here
// unless it is the app's own group).
targetScope = 'subscription'

param location string
param tags object
param createResourceGroup bool
param resourceGroupName string
param systemTopicName string
@description('Resource id of the subscription\'s existing Microsoft.Resources.Subscriptions system topic (empty: create one).')
param existingSystemTopicId string = ''
@description('Name of the event subscription on a shared topic: unique per environment, since other apps (or environments) subscribe to the same topic.')
param sharedEventSubscriptionName string
param identityId string
param functionAppId string
param deployEventSubscription bool
param deadLetterStorageAccountId string
param deadLetterContainerName string

var shared = !empty(existingSystemTopicId)
var topicGroup = shared ? split(existingSystemTopicId, '/')[4] : resourceGroupName
var topicName = shared ? last(split(existingSystemTopicId, '/')) : systemTopicName

resource eventsGroup 'Microsoft.Resources/resourceGroups@2022-09-01' = if (createResourceGroup && !shared) {
  name: resourceGroupName
  location: location
  tags: tags
}

// The shared topic as it is now: its identities and tags are kept when the app adds its identity.
module existingTopic 'system-topic-existing.bicep' = if (shared) {
  name: 'existing-topic-${take(uniqueString(existingSystemTopicId), 6)}'
  scope: resourceGroup(topicGroup)
  params: {
    name: topicName
  }
}

module eventGrid 'eventgrid.bicep' = {
  name: 'eventgrid-${take(uniqueString(subscription().id), 6)}'
  scope: resourceGroup(topicGroup)
  params: {
    tags: shared ? existingTopic.outputs.tags : tags
    systemTopicName: topicName
    existingIdentity: shared ? existingTopic.outputs.identity : {}
    eventSubscriptionName: shared ? sharedEventSubscriptionName : 'aml-registry-writes'
    identityId: identityId
    functionAppId: functionAppId
    deployEventSubscription: deployEventSubscription
    deadLetterStorageAccountId: deadLetterStorageAccountId
    deadLetterContainerName: deadLetterContainerName
  }
  dependsOn: [eventsGroup]
}

output systemTopicId string = eventGrid.outputs.systemTopicId
output shared bool = shared
