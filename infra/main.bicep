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

// ── who may call the HTTP API ──────────────────────────────────────────────────────────────────
@description('Client (application) id of the Entra app registration whose tokens App Service Authentication accepts (audience api://<id>), with the app roles Lockdown.Reader, Lockdown.Operator and Lockdown.NetworkAdmin. The preprovision hook (infra/scripts/preprovision.sh) creates one when it is empty.')
param authAppId string = ''

@description('Comma-separated address ranges (CIDR) that may reach the HTTP API; Event Grid (the AzureEventGrid service tag) always may. Empty: nobody else (the API is closed to the internet).')
param operatorIpRanges string = ''

@description('Grant the opt-in network-writes role (NSG rules for the egress fix, subnet and service endpoint policy for exfiltration protection) on the target subscriptions. Without it those routes answer 403 from ARM.')
param grantNetworkWrites bool = false

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

@description('Subnet for the private endpoints of the app\'s OWN storage (blob, queue, table) and, when private, its outcome topic; the app must reach it through its VNet integration (empty: the created VNet\'s endpoint subnet, or PRIVATE_ENDPOINT_SUBNET_ID when the network is brought).')
param appPrivateEndpointSubnetId string = ''

// ── private DNS ────────────────────────────────────────────────────────────────────────────────
@description('\'true\': create the three private DNS zones in the app\'s resource group and link them to the app and endpoint VNets. \'false\': pass the ids of existing zones (e.g. from a landing zone). Empty: create them unless the network is brought (appSubnetId set), since a landing-zone VNet is usually linked to zones of the same names already, and a VNet cannot be linked to two zones with the same name.')
@allowed(['', 'true', 'false'])
param createPrivateDnsZones string = ''
param privateDnsZoneIdApiAzureml string = ''
param privateDnsZoneIdBlob string = ''
param privateDnsZoneIdAcr string = ''
@description('Zones of the app\'s own storage (queue, table; blob is privateDnsZoneIdBlob) and, when the outcome topic is private, of Event Grid: ids of existing zones when the zones are not created.')
param privateDnsZoneIdQueue string = ''
param privateDnsZoneIdTable string = ''
param privateDnsZoneIdEventGrid string = ''
@description('Zone names when createPrivateDnsZones is true (public cloud defaults; blob follows the cloud\'s storage suffix).')
param privateDnsZoneNameApiAzureml string = 'privatelink.api.azureml.ms'
param privateDnsZoneNameAcr string = 'privatelink.azurecr.io'
param privateDnsZoneNameEventGrid string = 'privatelink.eventgrid.azure.net'

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
@description('NCRONTAB schedule (6 fields, seconds first, UTC) of the backfill and drift sweep over the target subscriptions (default: daily at 03:00 UTC); empty: no sweep timer.')
param sweepSchedule string = '0 0 3 * * *'

@description('Management group whose subscriptions the sweep also covers (listed at each sweep); empty: only targetSubscriptionIds. The app needs the management-group role at the group: deploy infra/management-group/main.bicep there (a subscription-scoped deployment cannot assign at a group).')
param targetManagementGroup string = ''

@description('Public network access of the outcome topic. Disabled: the app publishes through a private endpoint in the app\'s endpoint subnet (zone privatelink.eventgrid.azure.net); delivery to the topic\'s subscribers is unaffected.')
@allowed(['Enabled', 'Disabled'])
param outcomeTopicPublicNetworkAccess string = 'Enabled'

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
var outcomeTopicPrivate = outcomeTopicPublicNetworkAccess == 'Disabled'
var operatorRanges = filter(map(split(operatorIpRanges, ','), r => trim(r)), r => !empty(r))
var sweepFields = filter(split(trim(sweepSchedule), ' '), f => !empty(f))
// Known when the deployment starts (module scopes below cannot wait for the resource group).
var rgName = !empty(resourceGroupName) ? resourceGroupName : '${abbrs.resourcesResourceGroups}${environmentName}'

// Combinations refused before anything is created: the resource group, the first resource, takes
// its tags through fail() when this list is not empty (fail() needs Bicep 0.34 or later).
var setupProblems = filter([
  bringsNetwork && empty(privateEndpointSubnetId) ? 'PRIVATE_ENDPOINT_SUBNET_ID is required when APP_SUBNET_ID is set: no VNet is created, so there is no endpoint subnet to default to (use the subnet of the workspaces\' private endpoints, not the delegated app subnet).' : ''
  !createZones && (empty(privateDnsZoneIdApiAzureml) || empty(privateDnsZoneIdBlob) || empty(privateDnsZoneIdAcr)) ? 'PRIVATE_DNS_ZONE_ID_API_AZUREML, PRIVATE_DNS_ZONE_ID_BLOB and PRIVATE_DNS_ZONE_ID_ACR are required when the zones are not created (CREATE_PRIVATE_DNS_ZONES=false, or APP_SUBNET_ID set without CREATE_PRIVATE_DNS_ZONES=true).' : ''
  length(wellFormedTopicIds) != length(existingTopicIds) ? 'EXISTING_SYSTEM_TOPIC_IDS must be resource ids of Microsoft.EventGrid/systemTopics (/subscriptions/<id>/resourceGroups/<group>/providers/Microsoft.EventGrid/systemTopics/<name>), comma-separated.' : ''
  length(filter(topicSubscriptions, s => !contains(targets, s))) > 0 ? 'EXISTING_SYSTEM_TOPIC_IDS names a system topic outside the target subscriptions (TARGET_SUBSCRIPTION_IDS, or this subscription when it is empty).' : ''
  length(union(topicSubscriptions, [])) != length(topicSubscriptions) ? 'EXISTING_SYSTEM_TOPIC_IDS names two system topics in one subscription; Event Grid allows one per subscription.' : ''
  !createZones && (empty(privateDnsZoneIdQueue) || empty(privateDnsZoneIdTable)) ? 'PRIVATE_DNS_ZONE_ID_QUEUE and PRIVATE_DNS_ZONE_ID_TABLE are required when the zones are not created: the app\'s own storage is reached through private endpoints only.' : ''
  !createZones && outcomeTopicPrivate && empty(privateDnsZoneIdEventGrid) ? 'PRIVATE_DNS_ZONE_ID_EVENTGRID is required when OUTCOME_TOPIC_PUBLIC_NETWORK_ACCESS is Disabled and the zones are not created.' : ''
  length(split(trim(authAppId), '-')) != 5 || length(trim(authAppId)) != 36 ? 'AUTH_APP_ID must be the client id (a GUID) of the Entra app registration of the HTTP API: the preprovision hook creates one (infra/scripts/preprovision.sh), or set it to an existing registration\'s (docs/deploy.md, "Who may call the API").' : ''
  !empty(sweepSchedule) && length(sweepFields) != 6 ? 'SWEEP_SCHEDULE must be an NCRONTAB expression with 6 fields (second minute hour day month day-of-week), e.g. 0 0 3 * * *; empty turns the sweep off.' : ''
  length(filter(operatorRanges, r => length(split(r, '/')) != 2)) > 0 ? 'OPERATOR_IP_RANGES must be address ranges in CIDR notation (e.g. 203.0.113.0/24 or 198.51.100.7/32), comma-separated.' : ''
  !empty(appPrivateEndpointSubnetId) && !contains(toLower(appPrivateEndpointSubnetId), '/subnets/') ? 'APP_PRIVATE_ENDPOINT_SUBNET_ID must be the resource id of a subnet (/subscriptions/…/virtualNetworks/<vnet>/subnets/<subnet>).' : ''
], p => !empty(p))

resource rg 'Microsoft.Resources/resourceGroups@2022-09-01' = {
  name: rgName
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
    deadLetterAccountName: '${abbrs.storageStorageAccounts}dl${resourceToken}'
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

// The registries' three zones, then the app's own storage (queue, table; blob is shared) and, when private, the outcome topic's.
var zoneNames = union([privateDnsZoneNameApiAzureml, 'privatelink.blob.${environment().suffixes.storage}', privateDnsZoneNameAcr, 'privatelink.queue.${environment().suffixes.storage}', 'privatelink.table.${environment().suffixes.storage}'], outcomeTopicPrivate ? [privateDnsZoneNameEventGrid] : [])

module dnsZones 'app/dns-zones.bicep' = if (createZones) {
  name: 'private-dns-zones'
  scope: rg
  params: {
    tags: tags
    zoneNames: zoneNames
    virtualNetworkIds: vnetIdsToLink
  }
}

var zoneIdApi = createZones ? dnsZones.outputs.zoneIds[0] : privateDnsZoneIdApiAzureml
var zoneIdBlob = createZones ? dnsZones.outputs.zoneIds[1] : privateDnsZoneIdBlob
var zoneIdAcr = createZones ? dnsZones.outputs.zoneIds[2] : privateDnsZoneIdAcr
var zoneIdQueue = createZones ? dnsZones.outputs.zoneIds[3] : privateDnsZoneIdQueue
var zoneIdTable = createZones ? dnsZones.outputs.zoneIds[4] : privateDnsZoneIdTable
var zoneIdEventGrid = !outcomeTopicPrivate ? '' : (createZones ? dnsZones.outputs.zoneIds[5] : privateDnsZoneIdEventGrid)

module outcomeTopic 'app/outcome-topic.bicep' = {
  name: 'outcome-topic'
  scope: rg
  params: {
    location: location
    tags: tags
    name: !empty(outcomeTopicName) ? outcomeTopicName : '${abbrs.eventGridTopics}${resourceToken}'
    publicNetworkAccess: outcomeTopicPublicNetworkAccess
  }
}

// The app's own storage has public network access off: its blob, queue and table (and a private
// outcome topic) are reached through private endpoints in a subnet the app reaches through its VNet
// integration. A private endpoint lives in its subnet's subscription: in the app's group when that
// is this subscription, else in the subnet's group.
var appPeSubnetGiven = !empty(appPrivateEndpointSubnetId) ? appPrivateEndpointSubnetId : (bringsNetwork ? privateEndpointSubnetId : '')
var appPeSubnetId = !empty(appPeSubnetGiven) ? appPeSubnetGiven : network.outputs.privateEndpointSubnetId
var appPeSubscription = empty(appPeSubnetGiven) ? thisSubscription : toLower(split(appPeSubnetGiven, '/')[2])
var appPeScope = appPeSubscription == thisSubscription ? { subscriptionId: subscription().subscriptionId, resourceGroup: rgName } : { subscriptionId: appPeSubscription, resourceGroup: split(appPeSubnetGiven, '/')[4] }
var appEndpointKinds = union(['blob', 'queue', 'table'], outcomeTopicPrivate ? ['topic'] : [])

module appEndpoints 'app/private-endpoint.bicep' = [for kind in appEndpointKinds: {
  name: 'app-endpoint-${kind}'
  scope: resourceGroup(appPeScope.subscriptionId, appPeScope.resourceGroup)
  params: {
    name: '${abbrs.networkPrivateEndpoints}${kind}-${resourceToken}'
    location: location
    tags: tags
    subnetId: appPeSubnetId
    targetId: kind == 'topic' ? outcomeTopic.outputs.id : storage.outputs.id
    groupId: kind
    privateDnsZoneId: kind == 'blob' ? zoneIdBlob : (kind == 'queue' ? zoneIdQueue : (kind == 'table' ? zoneIdTable : zoneIdEventGrid))
  }
  dependsOn: [rg]
}]

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
  SWEEP_SCHEDULE: trim(sweepSchedule)
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
    authClientId: trim(authAppId)
    authTenantId: tenant().tenantId
    operatorIpRanges: operatorRanges
  }
  // the host must be able to reach its storage (private endpoints) and telemetry as soon as it starts
  dependsOn: [rbac, appEndpoints]
}

module rbac 'app/rbac.bicep' = {
  name: 'rbac'
  scope: rg
  params: {
    principalId: identity.outputs.principalId
    storageAccountName: storage.outputs.name
    deadLetterAccountName: storage.outputs.deadLetterAccountName
    applicationInsightsName: monitoring.outputs.applicationInsightsName
    outcomeTopicName: outcomeTopic.outputs.name
  }
}

// Where the network part of the role must hold (known when the deployment starts: a created
// subnet or created zones live in the app's resource group): the endpoint subnet's group, the
// endpoints' group (in the subnet's subscription) and each zone's group, often in a hub subscription.
// Only the registries' zones: the app joins those at run time (the deployment joins its own storage's).
var peSubnetScope = empty(privateEndpointSubnetId) ? { subscriptionId: subscription().subscriptionId, resourceGroup: rgName } : { subscriptionId: split(privateEndpointSubnetId, '/')[2], resourceGroup: split(privateEndpointSubnetId, '/')[4] }
var peGroupScope = { subscriptionId: peSubnetScope.subscriptionId, resourceGroup: empty(privateEndpointResourceGroup) ? peSubnetScope.resourceGroup : privateEndpointResourceGroup }
var zoneScopes = createZones ? [{ subscriptionId: subscription().subscriptionId, resourceGroup: rgName }] : map([privateDnsZoneIdApiAzureml, privateDnsZoneIdBlob, privateDnsZoneIdAcr], z => { subscriptionId: split(z, '/')[2], resourceGroup: split(z, '/')[4] })
var networkScopes = union(map([peSubnetScope, peGroupScope], s => { subscriptionId: toLower(s.subscriptionId), resourceGroup: toLower(s.resourceGroup) }), map(zoneScopes, s => { subscriptionId: toLower(s.subscriptionId), resourceGroup: toLower(s.resourceGroup) }))

// The least-privilege custom roles, generated from src/azure/permissions.ts (lockdown-role.bicep):
// hardening on every target subscription, network on every network scope above (wherever it is)
// and its operations on their subscriptions, network writes on the targets only when opted in.
module lockdownRole 'app/lockdown-role.bicep' = {
  name: 'lockdown-role'
  params: {
    environmentName: environmentName
    resourceToken: resourceToken
    principalId: identity.outputs.principalId
    targetSubscriptionIds: targets
    networkScopes: networkScopes
    grantNetworkWrites: grantNetworkWrites
  }
  // the network role may be assigned in the app's own group
  dependsOn: [rg]
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
    resourceGroupName: sub == thisSubscription ? rgName : (!empty(eventsResourceGroupName) ? eventsResourceGroupName : '${abbrs.resourcesResourceGroups}${environmentName}-events')
    systemTopicName: '${abbrs.eventGridSystemTopics}${topicNameStem}-${take(uniqueString(sub), 6)}'
    existingSystemTopicId: join(filter(wellFormedTopicIds, t => toLower(split(t, '/')[2]) == sub), '')
    sharedEventSubscriptionName: 'aml-registry-writes-${resourceToken}'
    identityId: identity.outputs.resourceId
    functionAppId: functionApp.outputs.id
    deployEventSubscription: deployEventSubscriptions
    deadLetterStorageAccountId: storage.outputs.deadLetterAccountId
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
output AZURE_AUTH_APP_ID string = trim(authAppId)
output AZURE_API_AUDIENCE string = 'api://${trim(authAppId)}'
output AZURE_TARGET_SUBSCRIPTION_IDS string = join(targets, ',')
output AZURE_PE_SUBNET_ID string = effectivePeSubnetId
output AZURE_PE_RESOURCE_GROUP string = effectivePeResourceGroup
output AZURE_DNS_ZONE_ID_API_AZUREML string = zoneIdApi
output AZURE_DNS_ZONE_ID_BLOB string = zoneIdBlob
output AZURE_DNS_ZONE_ID_ACR string = zoneIdAcr
output AZURE_EVENT_SUBSCRIPTIONS_DEPLOYED bool = deployEventSubscriptions
