// Reads a subscription's existing Event Grid system topic (shared with other apps), so that
// eventgrid.bicep can add the app's identity without dropping the identities and tags it has.
param name string

resource topic 'Microsoft.EventGrid/systemTopics@2022-06-15' existing = {
  name: name
}

output identity object = topic.?identity ?? {}
output tags object = topic.?tags ?? {}
output topicType string = topic.properties.topicType
