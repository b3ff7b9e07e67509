// The outcome custom topic: one CloudEvent per hardening run (AmlRegistryLockdown.Registry.*).
// Local (key/SAS) auth is off: publishers need Entra and the EventGrid Data Sender role (rbac.bicep).
// publicNetworkAccess Disabled: the app publishes through a private endpoint (main.bicep); the
// topic still delivers to its subscribers (outbound).
param location string
param tags object
param name string
@allowed(['Enabled', 'Disabled'])
param publicNetworkAccess string = 'Enabled'

resource topic 'Microsoft.EventGrid/topics@2022-06-15' = {
  name: name
  location: location
  tags: tags
  properties: {
    inputSchema: 'CloudEventSchemaV1_0'
    disableLocalAuth: true
    publicNetworkAccess: publicNetworkAccess
  }
}

output id string = topic.id
output name string = topic.name
output endpoint string = topic.properties.endpoint
