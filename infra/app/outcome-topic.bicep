// The outcome custom topic: one CloudEvent per hardening run (AmlRegistryLockdown.Registry.*).
// Local (key/SAS) auth is off: publishers need Entra and the EventGrid Data Sender role (rbac.bicep).
param location string
param tags object
param name string

resource topic 'Microsoft.EventGrid/topics@2022-06-15' = {
  name: name
  location: location
  tags: tags
  properties: {
    inputSchema: 'CloudEventSchemaV1_0'
    disableLocalAuth: true
    publicNetworkAccess: 'Enabled'
  }
}

output id string = topic.id
output name string = topic.name
output endpoint string = topic.properties.endpoint
