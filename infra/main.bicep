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
@description('Comma-separated ids of the subscriptions whose registries are hardened (empty: this subscription). Each gets the custom role assignment and an Event Grid system topic.')
param targetSubscriptionIds string = ''

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
@description('Create the three private DNS zones in the app\'s resource group and link them to the app and endpoint VNets. false: pass the ids of existing zones (e.g. from a landing zone).')
param createPrivateDnsZones bool = true
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
param approvalDeadlineMinutes int = 1440
param dnsDeadlineMinutes int = 15
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
param maximumInstanceCount int = 40

var abbrs = loadJsonContent('abbreviations.json')
var resourceToken = toLower(uniqueString(subscription().id, environmentName, location))
var tags = { 'azd-env-name': environmentName }

var parsedTargets = filter(map(split(targetSubscriptionIds, ','), s => trim(s)), s => !empty(s))
var targets = empty(parsedTargets) ? [subscription().subscriptionId] : parsedTargets

resource rg 'Microsoft.Resources/resourceGroups@2022-09-01' = {
  name: !empty(resourceGroupName) ? resourceGroupName : '${abbrs.resourcesResourceGroups}${environmentName}'
  location: location
  tags: tags
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

module network 'app/network.bicep' = if (empty(appSubnetId)) {
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

var effectiveAppSubnetId = empty(appSubnetId) ? network.outputs.appSubnetId : appSubnetId
var effectivePeSubnetId = !empty(privateEndpointSubnetId) ? privateEndpointSubnetId : network.outputs.privateEndpointSubnetId
var effectivePeResourceGroup = !empty(privateEndpointResourceGroup) ? privateEndpointResourceGroup : split(effectivePeSubnetId, '/')[4]
// VNets that must resolve the zones: the app's (for the DNS proof) and the endpoints' (for clients there).
var appVnetId = substring(effectiveAppSubnetId, 0, indexOf(toLower(effectiveAppSubnetId), '/subnets/'))
var peVnetId = substring(effectivePeSubnetId, 0, indexOf(toLower(effectivePeSubnetId), '/subnets/'))
var vnetIdsToLink = union([toLower(appVnetId)], [toLower(peVnetId)])

module dnsZones 'app/dns-zones.bicep' = if (createPrivateDnsZones) {
  name: 'private-dns-zones'
  scope: rg
  params: {
    tags: tags
    zoneNames: [privateDnsZoneNameApiAzureml, 'privatelink.blob.${environment().suffixes.storage}', privateDnsZoneNameAcr]
    virtualNetworkIds: vnetIdsToLink
  }
}

var zoneIdApi = createPrivateDnsZones ? dnsZones.outputs.zoneIds[0] : privateDnsZoneIdApiAzureml
var zoneIdBlob = createPrivateDnsZones ? dnsZones.outputs.zoneIds[1] : privateDnsZoneIdBlob
var zoneIdAcr = createPrivateDnsZones ? dnsZones.outputs.zoneIds[2] : privateDnsZoneIdAcr

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
// pinning down). A unit test compares these keys with the config schema.
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
  LOCKDOWN_ACR: string(lockdownAcr)
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
    storageAccountName: storage.outputs.name
    storageBlobEndpoint: storage.outputs.primaryBlobEndpoint
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
    principalId: identity.outputs.principalId
    targetSubscriptionIds: targets
    networkScopes: networkScopes
  }
}

// An Event Grid system topic on each target subscription's resource writes; the subscription to
// the function once the code is deployed (deployEventSubscriptions, set by the postdeploy hook).
module events 'app/target-subscription-events.bicep' = [for (sub, i) in targets: {
  name: 'events-${i}-${take(uniqueString(sub), 6)}'
  scope: subscription(sub)
  params: {
    location: location
    tags: tags
    createResourceGroup: sub != subscription().subscriptionId
    resourceGroupName: sub == subscription().subscriptionId ? rg.name : (!empty(eventsResourceGroupName) ? eventsResourceGroupName : '${abbrs.resourcesResourceGroups}${environmentName}-events')
    systemTopicName: '${abbrs.eventGridSystemTopics}${environmentName}-${take(uniqueString(sub), 6)}'
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
