// AML Registry Lockdown — everything `azd up` provisions.
// Subscription scope: one resource group for the app, plus, in every target subscription, the
// custom role assignment and an Event Grid system topic on the subscription's resource writes.
// Written by hand: no Bicep compiler was available where this was written (see docs/deploy.md, "What was not verified against Azure").
targetScope = 'subscription'

// ── azd ────────────────────────────────────────────────────────────────────────────────────────
@minLength(1)
@maxLength(64)
@description('Name of the azd environment; seeds resource names and the azd-env-name tag.')
param environmentName string

@minLength(1)
@description('Region of the app and its resources.')
@metadata({ azd: { type: 'location' } })
param location string

// ── overridable names (empty: derived from abbreviations.json + resourceToken) ─────────────────
param resourceGroupName string = ''
param functionAppName string = ''
param appServicePlanName string = ''
param storageAccountName string = ''
param identityName string = ''
param logAnalyticsName string = ''
param applicationInsightsName string = ''
param vnetName string = ''
param outcomeTopicName string = ''

// ── what to watch ──────────────────────────────────────────────────────────────────────────────
@description('Comma-separated ids of the subscriptions whose registries are hardened (empty: this subscription). Each gets the custom role assignment and an Event Grid system topic. Compared lower-cased and trimmed.')
param targetSubscriptionIds string = ''

@description('Comma-separated resource ids of EXISTING Microsoft.Resources.Subscriptions system topics, at most one per target subscription (Event Grid allows one system topic per source). The event subscription is attached to that topic (shared: the app adds its identity to the topic and its own event subscription), and no topic is created there. Empty: a topic is created in every target subscription.')
param existingSystemTopicIds string = ''

@description('Name of the resource group created in each OTHER target subscription for its Event Grid system topic.')
param eventsResourceGroupName string = ''

@description('Create the Event Grid subscriptions to the function. false on the first provision (the function does not exist before the code is deployed); the postdeploy hook sets it to true and provisions again.')
param deployEventSubscriptions bool = false

// ── network ────────────────────────────────────────────────────────────────────────────────────
@description('Existing subnet delegated to Microsoft.App/environments for the app\'s VNet integration, in a VNet that resolves the private DNS zones (empty: create a VNet).')
param appSubnetId string = ''

@description('Address space of the VNet created when appSubnetId is empty.')
param vnetAddressPrefix string = '10.90.0.0/24'
param appSubnetPrefix string = '10.90.0.0/26'
param privateEndpointSubnetPrefix string = '10.90.0.64/26'

@description('Subnet for the registries\' private endpoints; Microsoft recommends the subnet of the workspace\'s private endpoint (empty: the created VNet\'s endpoint subnet).')
param privateEndpointSubnetId string = ''

@description('Resource group for the private endpoints, in the subnet\'s subscription (empty: the subnet\'s group).')
param privateEndpointResourceGroup string = ''

// ── private DNS ────────────────────────────────────────────────────────────────────────────────
@description('\'true\': create the three private DNS zones in the app\'s resource group and link them to the app and endpoint VNets. \'false\': pass the ids of existing zones (e.g. from a landing zone). Empty: create them unless the network is brought (appSubnetId set), since a landing-zone VNet is usually linked to zones of the same names already, and a VNet cannot be linked to two zones with the same name.')
@allowed(['', 'true', 'false'])
param createPrivateDnsZones string = ''
param privateDnsZoneIdApiAzureml string = ''
param privateDnsZoneIdBlob string = ''
param privateDnsZoneIdAcr string = ''
@description('Zone names when createPrivateDnsZones is true (public cloud defaults; blob follows the cloud\'s storage suffix).')
param privateDnsZoneNameApiAzureml string = 'privatelink.api.azureml.ms'
param privateDnsZoneNameAcr string = 'privatelink.azurecr.io'

// ── app behaviour (app settings; meanings in docs/settings.md) ────────────────────────────────
@allowed(['lockdown-first', 'endpoints-first'])
param lockdownOrder string = 'lockdown-first'
param lockdownAcr bool = true
param exemptionTag string = 'aml-registry-lockdown=exempt'
@minValue(1)
@maxValue(10080)
param approvalDeadlineMinutes int = 1440
@minValue(1)
@maxValue(1440)
param dnsDeadlineMinutes int = 15
@minValue(1)
@maxValue(1440)
param provisioningDeadlineMinutes int = 60
@description('Resolvers for the DNS proof, comma-separated (empty: the VNet-integrated app\'s own resolver).')
param dnsServers string = ''
@allowed(['AzurePublicCloud', 'AzureUSGovernment', 'AzureChinaCloud'])
param azureCloud string = 'AzurePublicCloud'
param discoveryUrlTemplate string = 'https://{region}.api.azureml.ms'
@description('NCRONTAB schedule (6 fields, UTC) of the backfill and drift sweep over the target subscriptions; empty: no sweep timer.')
param sweepSchedule string = ''

@description('Management group whose subscriptions the sweep also covers (listed at each sweep); empty: only targetSubscriptionIds. The app needs Microsoft.Management/managementGroups/descendants/read at the group (a role assignment at the group, made outside this subscription-scoped deployment).')
param targetManagementGroup string = ''

@description('Flex Consumption scale-out limit.')
@minValue(1)
@maxValue(1000)
param maximumInstanceCount int = 40

var abbrs = loadJsonContent('abbreviations.json')
var resourceToken = toLower(uniqueString(subscription().id, environmentName, location))
var tags = { 'azd-env-name': environmentName }

// Subscription ids are compared lower-cased and trimmed (ARM answers them lower-case; people paste them in any case).
var thisSubscription = toLower(trim(subscription().subscriptionId))
var parsedTargets = filter(map(split(targetSubscriptionIds, ','), s => toLower(trim(s))), s => !empty(s))
var targets = empty(parsedTargets) ? [thisSubscription] : union(parsedTargets, [])

// Existing system topics (one per source is all Event Grid allows), matched to targets by the subscription in their id.
var existingTopicIds = filter(map(split(existingSystemTopicIds, ','), s => trim(s)), s => !empty(s))
var wellFormedTopicIds = filter(existingTopicIds, t => length(split(t, '/')) == 9 && startsWith(t, '/subscriptions/') && contains(toLower(t), '/providers/microsoft.eventgrid/systemtopics/'))
var topicSubscriptions = map(wellFormedTopicIds, t => toLower(split(t, '/')[2]))

// Bring-your-own network: appSubnetId set means no VNet is created here.
var bringsNetwork = !empty(appSubnetId)
var createZones = empty(createPrivateDnsZones) ? !bringsNetwork : createPrivateDnsZones == 'true'

// Combinations refused before anything is created: the resource group, the first resource, takes
// its tags through fail() when this list is not empty (fail() needs Bicep 0.34 or later).
var setupProblems = filter([
  bringsNetwork && empty(privateEndpointSubnetId) ? 'PRIVATE_ENDPOINT_SUBNET_ID is required when APP_SUBNET_ID is set: no VNet is created, so there is no endpoint subnet to default to (use the subnet of the workspaces\' private endpoints, not the delegated app subnet).' : ''
  !createZones && (empty(privateDnsZoneIdApiAzureml) || empty(privateDnsZoneIdBlob) || empty(privateDnsZoneIdAcr)) ? 'PRIVATE_DNS_ZONE_ID_API_AZUREML, PRIVATE_DNS_ZONE_ID_BLOB and PRIVATE_DNS_ZONE_ID_ACR are required when the zones are not created (CREATE_PRIVATE_DNS_ZONES=false, or APP_SUBNET_ID set without CREATE_PRIVATE_DNS_ZONES=true).' : ''
  length(wellFormedTopicIds) != length(existingTopicIds) ? 'EXISTING_SYSTEM_TOPIC_IDS must be resource ids of Microsoft.EventGrid/systemTopics (/subscriptions/<id>/resourceGroups/<group>/providers/Microsoft.EventGrid/systemTopics/<name>), comma-separated.' : ''
  length(filter(topicSubscriptions, s => !contains(targets, s))) > 0 ? 'EXISTING_SYSTEM_TOPIC_IDS names a system topic outside the target subscriptions (TARGET_SUBSCRIPTION_IDS, or this subscription when it is empty).' : ''
  length(union(topicSubscriptions, [])) != length(topicSubscriptions) ? 'EXISTING_SYSTEM_TOPIC_IDS names two system topics in one subscription; Event Grid allows one per subscription.' : ''
], p => !empty(p))

resource rg 'Microsoft.Resources/resourceGroups@2022-09-01' = {
  name: !empty(resourceGroupName) ? resourceGroupName : '${abbrs.resourcesResourceGroups}${environmentName}'
  location: location
  tags: empty(setupProblems) ? tags : fail('The deployment was refused before creating anything: ${join(setupProblems, ' ')}')
}

// One user-assigned identity for everything: ARM calls, host storage, Application Insights,
// the outcome topic, Event Grid dead-lettering. Azure Verified Module, pinned.
module identity 'br/public:avm/res/managed-identity/user-assigned-identity:0.4.1' = {
  name: 'identity'
  scope: rg
  params: {
    name: !empty(identityName) ? identityName : '${abbrs.managedIdentityUserAssignedIdentities}${resourceToken}'
    location: location
    tags: tags
  }
}

module monitoring 'app/monitoring.bicep' = {
  name: 'monitoring'
  scope: rg
  params: {
    location: location
    tags: tags
    logAnalyticsName: !empty(logAnalyticsName) ? logAnalyticsName : '${abbrs.operationalInsightsWorkspaces}${resourceToken}'
    applicationInsightsName: !empty(applicationInsightsName) ? applicationInsightsName : '${abbrs.insightsComponents}${resourceToken}'
  }
}

module storage 'app/storage.bicep' = {
  name: 'storage'
  scope: rg
  params: {
    location: location
    tags: tags
    name: !empty(storageAccountName) ? storageAccountName : '${abbrs.storageStorageAccounts}${resourceToken}'
    deploymentContainerName: 'app-package-${take(resourceToken, 7)}'
    deadLetterContainerName: 'eventgrid-deadletter'
  }
}

module network 'app/network.bicep' = if (!bringsNetwork) {
  name: 'network'
  scope: rg
  params: {
    location: location
    tags: tags
    name: !empty(vnetName) ? vnetName : '${abbrs.networkVirtualNetworks}${resourceToken}'
    addressPrefix: vnetAddressPrefix
    appSubnetName: '${abbrs.networkVirtualNetworksSubnets}app'
    appSubnetPrefix: appSubnetPrefix
    privateEndpointSubnetName: '${abbrs.networkVirtualNetworksSubnets}pe'
    privateEndpointSubnetPrefix: privateEndpointSubnetPrefix
  }
}

// Never an output of the network module when it is not deployed (the refused combination is in setupProblems).
var effectiveAppSubnetId = bringsNetwork ? appSubnetId : network.outputs.appSubnetId
var effectivePeSubnetId = !empty(privateEndpointSubnetId) ? privateEndpointSubnetId : (bringsNetwork ? '' : network.outputs.privateEndpointSubnetId)
var effectivePeResourceGroup = !empty(privateEndpointResourceGroup) ? privateEndpointResourceGroup : split(effectivePeSubnetId, '/')[4]
// VNets that must resolve the zones: the app's (for the DNS proof) and the endpoints' (for clients there).
var appVnetId = substring(effectiveAppSubnetId, 0, indexOf(toLower(effectiveAppSubnetId), '/subnets/'))
var peVnetId = substring(effectivePeSubnetId, 0, indexOf(toLower(effectivePeSubnetId), '/subnets/'))
var vnetIdsToLink = union([toLower(appVnetId)], [toLower(peVnetId)])

module dnsZones 'app/dns-zones.bicep' = if (createZones) {
  name: 'private-dns-zones'
  scope: rg
  params: {
    tags: tags
    zoneNames: [privateDnsZoneNameApiAzureml, 'privatelink.blob.${environment().suffixes.storage}', privateDnsZoneNameAcr]
    virtualNetworkIds: vnetIdsToLink
  }
}

var zoneIdApi = createZones ? dnsZones.outputs.zoneIds[0] : privateDnsZoneIdApiAzureml
var zoneIdBlob = createZones ? dnsZones.outputs.zoneIds[1] : privateDnsZoneIdBlob
var zoneIdAcr = createZones ? dnsZones.outputs.zoneIds[2] : privateDnsZoneIdAcr

module outcomeTopic 'app/outcome-topic.bicep' = {
  name: 'outcome-topic'
  scope: rg
  params: {
    location: location
    tags: tags
    name: !empty(outcomeTopicName) ? outcomeTopicName : '${abbrs.eventGridTopics}${resourceToken}'
  }
}

// Every setting src/config/settings.ts reads (the required ones, and the optional ones worth
// pinning down). Unit tests compare these keys with the config schema and run the VALUES they
// produce (for the defaults, both values of every bool, the bounds of every number) through it.
var appSettings = {
  AZURE_CLIENT_ID: identity.outputs.clientId
  APP_PRINCIPAL_ID: identity.outputs.principalId
  ARM_ENDPOINT: environment().resourceManager
  ARM_SCOPE: '${environment().resourceManager}.default'
  AZURE_CLOUD: azureCloud
  PRIVATE_ENDPOINT_SUBNET_ID: effectivePeSubnetId
  PRIVATE_ENDPOINT_RESOURCE_GROUP: effectivePeResourceGroup
  PRIVATE_DNS_ZONE_ID_API_AZUREML: zoneIdApi
  PRIVATE_DNS_ZONE_ID_BLOB: zoneIdBlob
  PRIVATE_DNS_ZONE_ID_ACR: zoneIdAcr
  LOCKDOWN_ORDER: lockdownOrder
  LOCKDOWN_ACR: lockdownAcr ? 'true' : 'false'
  EXEMPTION_TAG: exemptionTag
  APPROVAL_DEADLINE_MINUTES: string(approvalDeadlineMinutes)
  DNS_DEADLINE_MINUTES: string(dnsDeadlineMinutes)
  PROVISIONING_DEADLINE_MINUTES: string(provisioningDeadlineMinutes)
  DNS_SERVERS: dnsServers
  DISCOVERY_URL_TEMPLATE: discoveryUrlTemplate
  OUTCOME_TOPIC_ENDPOINT: outcomeTopic.outputs.endpoint
  TARGET_SUBSCRIPTION_IDS: join(targets, ',')
  SWEEP_SCHEDULE: sweepSchedule
  TARGET_MANAGEMENT_GROUP: targetManagementGroup
}

module functionApp 'app/function-app.bicep' = {
  name: 'function-app'
  scope: rg
  params: {
    location: location
    tags: tags
    name: !empty(functionAppName) ? functionAppName : '${abbrs.webSitesFunctions}${resourceToken}'
    planName: !empty(appServicePlanName) ? appServicePlanName : '${abbrs.webServerFarms}${resourceToken}'
    identityId: identity.outputs.resourceId
    identityClientId: identity.outputs.clientId
    storageBlobEndpoint: storage.outputs.primaryBlobEndpoint
    storageQueueEndpoint: storage.outputs.primaryQueueEndpoint
    storageTableEndpoint: storage.outputs.primaryTableEndpoint
    deploymentContainerName: storage.outputs.deploymentContainerName
    applicationInsightsName: monitoring.outputs.applicationInsightsName
    subnetId: effectiveAppSubnetId
    maximumInstanceCount: maximumInstanceCount
    appSettings: appSettings
  }
  // the host must be able to reach its storage and telemetry as soon as it starts
  dependsOn: [rbac]
}

module rbac 'app/rbac.bicep' = {
  name: 'rbac'
  scope: rg
  params: {
    principalId: identity.outputs.principalId
    storageAccountName: storage.outputs.name
    applicationInsightsName: monitoring.outputs.applicationInsightsName
    outcomeTopicName: outcomeTopic.outputs.name
  }
}

// Where the network part of the role must hold (known when the deployment starts: a created
// subnet or created zones live in the app's resource group): the endpoint subnet's group, the
// endpoints' group (in the subnet's subscription) and each zone's group, often in a hub subscription.
var peSubnetScope = empty(privateEndpointSubnetId) ? { subscriptionId: subscription().subscriptionId, resourceGroup: rg.name } : { subscriptionId: split(privateEndpointSubnetId, '/')[2], resourceGroup: split(privateEndpointSubnetId, '/')[4] }
var peGroupScope = { subscriptionId: peSubnetScope.subscriptionId, resourceGroup: empty(privateEndpointResourceGroup) ? peSubnetScope.resourceGroup : privateEndpointResourceGroup }
var zoneScopes = createPrivateDnsZones ? [{ subscriptionId: subscription().subscriptionId, resourceGroup: rg.name }] : map([privateDnsZoneIdApiAzureml, privateDnsZoneIdBlob, privateDnsZoneIdAcr], z => { subscriptionId: split(z, '/')[2], resourceGroup: split(z, '/')[4] })
var networkScopes = union(map([peSubnetScope, peGroupScope], s => { subscriptionId: toLower(s.subscriptionId), resourceGroup: toLower(s.resourceGroup) }), map(zoneScopes, s => { subscriptionId: toLower(s.subscriptionId), resourceGroup: toLower(s.resourceGroup) }))

// The least-privilege custom role, generated from src/azure/permissions.ts: assigned in every target
// subscription, and its network part on every network scope above (wherever it is).
module lockdownRole 'app/lockdown-role.bicep' = {
  name: 'lockdown-role'
  params: {
    environmentName: environmentName
    resourceToken: resourceToken
    principalId: identity.outputs.principalId
    targetSubscriptionIds: targets
    networkScopes: networkScopes
  }
}

// An Event Grid system topic on each target subscription's resource writes (or the existing one
// named in existingSystemTopicIds, shared); the subscription to the function once the code is
// deployed (deployEventSubscriptions, set by the postdeploy hook).
// System topic names allow letters, digits and hyphens only: '_' and '.' of the azd environment name become '-'.
var topicNameStem = replace(replace(environmentName, '_', '-'), '.', '-')
module events 'app/target-subscription-events.bicep' = [for (sub, i) in targets: {
  name: 'events-${i}-${take(uniqueString(sub), 6)}'
  scope: subscription(sub)
  params: {
    location: location
    tags: tags
    createResourceGroup: sub != thisSubscription && !contains(topicSubscriptions, sub)
    resourceGroupName: sub == thisSubscription ? rg.name : (!empty(eventsResourceGroupName) ? eventsResourceGroupName : '${abbrs.resourcesResourceGroups}${environmentName}-events')
    systemTopicName: '${abbrs.eventGridSystemTopics}${topicNameStem}-${take(uniqueString(sub), 6)}'
    existingSystemTopicId: join(filter(wellFormedTopicIds, t => toLower(split(t, '/')[2]) == sub), '')
    sharedEventSubscriptionName: 'aml-registry-writes-${resourceToken}'
    identityId: identity.outputs.resourceId
    functionAppId: functionApp.outputs.id
    deployEventSubscription: deployEventSubscriptions
    deadLetterStorageAccountId: storage.outputs.id
    deadLetterContainerName: storage.outputs.deadLetterContainerName
  }
}]

// ── outputs (UPPER_SNAKE, no secrets; azd stores them in .azure/<env>/.env) ──────────────────────
output AZURE_LOCATION string = location
output AZURE_TENANT_ID string = tenant().tenantId
output AZURE_RESOURCE_GROUP string = rg.name
output AZURE_FUNCTION_APP_NAME string = functionApp.outputs.name
output AZURE_FUNCTION_APP_URL string = functionApp.outputs.url
output AZURE_USER_ASSIGNED_IDENTITY_CLIENT_ID string = identity.outputs.clientId
output AZURE_USER_ASSIGNED_IDENTITY_PRINCIPAL_ID string = identity.outputs.principalId
output AZURE_STORAGE_ACCOUNT_NAME string = storage.outputs.name
output AZURE_OUTCOME_TOPIC_ENDPOINT string = outcomeTopic.outputs.endpoint
output AZURE_LOCKDOWN_ROLE_DEFINITION_ID string = lockdownRole.outputs.roleDefinitionId
output AZURE_TARGET_SUBSCRIPTION_IDS string = join(targets, ',')
output AZURE_PE_SUBNET_ID string = effectivePeSubnetId
output AZURE_PE_RESOURCE_GROUP string = effectivePeResourceGroup
output AZURE_DNS_ZONE_ID_API_AZUREML string = zoneIdApi
output AZURE_DNS_ZONE_ID_BLOB string = zoneIdBlob
output AZURE_DNS_ZONE_ID_ACR string = zoneIdAcr
output AZURE_EVENT_SUBSCRIPTIONS_DEPLOYED bool = deployEventSubscriptions
