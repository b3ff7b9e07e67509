// The Function App on Flex Consumption (FC1), Node 22, running as the user-assigned identity,
// VNet-integrated into a subnet delegated to Microsoft.App/environments. The deployment package
// and AzureWebJobsStorage (the durable task hub) are identity-based: no keys, no connection strings.
param location string
param tags object
param name string
param planName string
param identityId string
param identityClientId string
@description('The account\'s endpoints (primaryEndpoints), so the host works in every cloud: no storage suffix is assumed.')
param storageBlobEndpoint string
param storageQueueEndpoint string
param storageTableEndpoint string
param deploymentContainerName string
param applicationInsightsName string
param subnetId string
param maximumInstanceCount int = 40
param instanceMemoryMB int = 2048
@description('The app\'s own settings (src/config/settings.ts), from main.bicep')
param appSettings object
@description('Client id of the Entra app registration of the HTTP API: App Service Authentication accepts its tokens (audience api://<id>).')
param authClientId string
param authTenantId string
@description('Address ranges (CIDR) allowed to reach the app besides Event Grid.')
param operatorIpRanges array = []

resource applicationInsights 'Microsoft.Insights/components@2020-02-02' existing = {
  name: applicationInsightsName
}

resource plan 'Microsoft.Web/serverfarms@2024-04-01' = {
  name: planName
  location: location
  tags: tags
  kind: 'functionapp'
  sku: {
    name: 'FC1'
    tier: 'FlexConsumption'
  }
  properties: {
    reserved: true
  }
}

resource site 'Microsoft.Web/sites@2024-04-01' = {
  name: name
  location: location
  tags: union(tags, { 'azd-service-name': 'api' })
  kind: 'functionapp,linux'
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: { '${identityId}': {} }
  }
  properties: {
    serverFarmId: plan.id
    httpsOnly: true
    virtualNetworkSubnetId: subnetId
    // Flex Consumption refuses many siteConfig properties (ARM 51021, e.g. FtpsState, LinuxFxVersion,
    // Use32BitWorkerProcess, NetFrameworkVersion, AlwaysOn, FunctionsRuntimeScaleMonitoringEnabled):
    // only these two, which the Flex quickstarts' AVM site module also sends, are kept.
    siteConfig: {
      minTlsVersion: '1.2'
      http20Enabled: true
    }
    functionAppConfig: {
      deployment: {
        storage: {
          type: 'blobContainer'
          value: '${storageBlobEndpoint}${deploymentContainerName}'
          authentication: {
            type: 'UserAssignedIdentity'
            userAssignedIdentityResourceId: identityId
          }
        }
      }
      scaleAndConcurrency: {
        maximumInstanceCount: maximumInstanceCount
        instanceMemoryMB: instanceMemoryMB
      }
      runtime: {
        name: 'node'
        version: '22'
      }
    }
  }
}

// Read by the Functions host, not by the app: identity-based storage (service URIs from the
// account's own endpoints: __accountName assumes the public cloud's core.windows.net) and
// Entra-authenticated telemetry.
var hostSettings = {
  AzureWebJobsStorage__blobServiceUri: storageBlobEndpoint
  AzureWebJobsStorage__queueServiceUri: storageQueueEndpoint
  AzureWebJobsStorage__tableServiceUri: storageTableEndpoint
  AzureWebJobsStorage__credential: 'managedidentity'
  AzureWebJobsStorage__clientId: identityClientId
  APPLICATIONINSIGHTS_CONNECTION_STRING: applicationInsights.properties.ConnectionString
  APPLICATIONINSIGHTS_AUTHENTICATION_STRING: 'ClientId=${identityClientId};Authorization=AAD'
}

// The app checks the callers App Service Authentication lets through against the same app
// registration (AUTH_APP_ID, src/config/settings.ts); the platform itself adds WEBSITE_AUTH_ENABLED.
var authSettings = {
  AUTH_APP_ID: authClientId
}

resource siteSettings 'Microsoft.Web/sites/config@2024-04-01' = {
  parent: site
  name: 'appsettings'
  properties: union(hostSettings, appSettings, authSettings)
}

// No basic (publishing-profile) credentials on the SCM site: azd deploys with Entra. This is a child
// resource, not a siteConfig property, so the Flex 51021 check does not cover it. There is no FTP
// on Flex Consumption (the portal hides its FTP basic-auth switch for Flex apps), so the 'ftp'
// policy is not written: it would govern nothing and is the kind of write a Flex site may refuse.
resource scmPolicy 'Microsoft.Web/sites/basicPublishingCredentialsPolicies@2024-04-01' = {
  parent: site
  name: 'scm'
  properties: { allow: false }
}

// Microsoft Entra ID in front of every route (App Service Authentication): a call without a valid
// token for api://<authClientId> from this tenant gets 401 from the platform before the app runs,
// and the platform hands the app the caller in X-MS-CLIENT-PRINCIPAL (the app checks the app roles).
// Only the Event Grid webhook is left to the host's own check (the system key Event Grid sends
// with an AzureFunction endpoint): Event Grid has no Entra token to offer there. Both spellings of
// the path are excluded, in case the match is case-sensitive. No client secret: the app only
// validates bearer tokens, it never signs anyone in.
var eventGridWebhookPaths = ['/runtime/webhooks/eventgrid', '/runtime/webhooks/EventGrid']

resource auth 'Microsoft.Web/sites/config@2024-04-01' = {
  parent: site
  name: 'authsettingsV2'
  properties: {
    platform: { enabled: true }
    globalValidation: {
      requireAuthentication: true
      unauthenticatedClientAction: 'Return401'
      excludedPaths: eventGridWebhookPaths
    }
    httpSettings: { requireHttps: true }
    identityProviders: {
      azureActiveDirectory: {
        enabled: true
        registration: {
          clientId: authClientId
          openIdIssuer: '${environment().authentication.loginEndpoint}${authTenantId}/v2.0'
        }
        validation: {
          allowedAudiences: ['api://${authClientId}', authClientId]
        }
      }
    }
    login: {
      tokenStore: { enabled: false }
    }
  }
  dependsOn: [siteSettings]
}

// Inbound: Event Grid (service tag) and the operators' ranges; everything else is refused by the
// platform (403) before authentication. The SCM site keeps its own rules (azd deploys there, with
// Entra; basic publishing credentials are off).
var accessRules = union([
  { name: 'event-grid', description: 'Event Grid deliveries to onRegistryWrite', action: 'Allow', priority: 100, tag: 'ServiceTag', ipAddress: 'AzureEventGrid' }
], map(range(0, length(operatorIpRanges)), i => { name: 'operator-${i + 1}', description: 'Operators of the HTTP API', action: 'Allow', priority: 200 + i, tag: 'Default', ipAddress: operatorIpRanges[i] }))

resource web 'Microsoft.Web/sites/config@2024-04-01' = {
  parent: site
  name: 'web'
  properties: {
    ipSecurityRestrictions: accessRules
    ipSecurityRestrictionsDefaultAction: 'Deny'
    scmIpSecurityRestrictionsUseMain: false
  }
  // one configuration write at a time on the site
  dependsOn: [auth]
}

output id string = site.id
output name string = site.name
output url string = 'https://${site.properties.defaultHostName}'
