// An Event Grid system topic on this subscription's resource writes (Microsoft.Resources.Subscriptions)
// and the event subscription that delivers registry writes to the onRegistryWrite function.
//  - endpoint type AzureFunction: Event Grid calls the function through its resource id, so no
//    system key is ever handled;
//  - filters: ResourceWriteSuccess, data.operationName = registries/write, data.status = Succeeded
//    (the trigger filters again; our own writes also raise events and are no-ops for a compliant registry);
//  - retries as Event Grid's maximum (30 attempts within 24 h), then dead-lettering to a blob
//    container, written with the user-assigned identity (the storage account has shared keys off).
// On a shared (pre-existing) topic the identity is ADDED: its other user-assigned identities and a
// system-assigned one are kept, and the event subscription has a per-environment name.
param tags object
param systemTopicName string
@description('The identity block of the existing topic when it is shared ({} when the topic is created here).')
param existingIdentity object = {}
param eventSubscriptionName string = 'aml-registry-writes'
param identityId string
param functionAppId string
@description('false until the function exists: Event Grid validates an AzureFunction endpoint when the subscription is created.')
param deployEventSubscription bool
param deadLetterStorageAccountId string
param deadLetterContainerName string
param functionName string = 'onRegistryWrite'

var keptUserIdentities = existingIdentity.?userAssignedIdentities ?? {}
var keepsSystemIdentity = contains(toLower(string(existingIdentity.?type ?? 'None')), 'systemassigned')

resource systemTopic 'Microsoft.EventGrid/systemTopics@2022-06-15' = {
  name: systemTopicName
  location: 'global'
  tags: tags
  identity: {
    type: keepsSystemIdentity ? 'SystemAssigned, UserAssigned' : 'UserAssigned'
    userAssignedIdentities: union(toObject(objectKeys(keptUserIdentities), k => k, k => {}), { '${identityId}': {} })
  }
  properties: {
    source: subscription().id
    topicType: 'Microsoft.Resources.Subscriptions'
  }
}

resource registryWrites 'Microsoft.EventGrid/systemTopics/eventSubscriptions@2022-06-15' = if (deployEventSubscription) {
  parent: systemTopic
  name: eventSubscriptionName
  properties: {
    destination: {
      endpointType: 'AzureFunction'
      properties: {
        resourceId: '${functionAppId}/functions/${functionName}'
        maxEventsPerBatch: 1
        preferredBatchSizeInKilobytes: 64
      }
    }
    eventDeliverySchema: 'EventGridSchema'
    filter: {
      includedEventTypes: ['Microsoft.Resources.ResourceWriteSuccess']
      enableAdvancedFilteringOnArrays: true
      advancedFilters: [
        {
          operatorType: 'StringIn'
          key: 'data.operationName'
          values: ['Microsoft.MachineLearningServices/registries/write']
        }
        {
          operatorType: 'StringIn'
          key: 'data.status'
          values: ['Succeeded']
        }
      ]
    }
    retryPolicy: {
      maxDeliveryAttempts: 30
      eventTimeToLiveInMinutes: 1440
    }
    deadLetterWithResourceIdentity: {
      identity: {
        type: 'UserAssigned'
        userAssignedIdentity: identityId
      }
      deadLetterDestination: {
        endpointType: 'StorageBlob'
        properties: {
          resourceId: deadLetterStorageAccountId
          blobContainerName: deadLetterContainerName
        }
      }
    }
  }
}

output systemTopicId string = systemTopic.id
