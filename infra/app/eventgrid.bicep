// An Event Grid system topic on this subscription's resource writes (Microsoft.Resources.Subscriptions)
// and the event subscription that delivers registry writes to the onRegistryWrite function.
//  - endpoint type AzureFunction: Event Grid calls the function through its resource id, so no
//    system key is ever handled;
//  - filters: ResourceWriteSuccess, data.operationName = registries/write, data.status = Succeeded
//    (the trigger filters again; our own writes also raise events and are no-ops for a compliant registry);
//  - retries as Event Grid's maximum (30 attempts within 24 h), then dead-lettering to a blob
//    container, written with the user-assigned identity (the storage account has shared keys off).
param tags object
param systemTopicName string
param identityId string
param functionAppId string
@description('false until the function exists: Event Grid validates an AzureFunction endpoint when the subscription is created.')
param deployEventSubscription bool
param deadLetterStorageAccountId string
param deadLetterContainerName string
param functionName string = 'onRegistryWrite'

resource systemTopic 'Microsoft.EventGrid/systemTopics@2022-06-15' = {
  name: systemTopicName
  location: 'global'
  tags: tags
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: { '${identityId}': {} }
  }
  properties: {
    source: subscription().id
    topicType: 'Microsoft.Resources.Subscriptions'
  }
}

resource registryWrites 'Microsoft.EventGrid/systemTopics/eventSubscriptions@2022-06-15' = if (deployEventSubscription) {
  parent: systemTopic
  name: 'aml-registry-writes'
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
