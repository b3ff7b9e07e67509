import { SETTINGS } from '../../../src/config/settings';
import { objectVarKeys, params, read, stripComments } from './bicep-text';

const main = read('infra/main.bicep');
const functionApp = read('infra/app/function-app.bicep');
const appKeys = objectVarKeys(main, 'appSettings');
const hostKeys = objectVarKeys(functionApp, 'hostSettings');

describe('the Bicep sets the app settings the config schema asks for', () => {
  it('every required setting of src/config/settings.ts is set', () => {
    const required = Object.values(SETTINGS).filter((s) => s.required).map((s) => s.name);
    expect(required.length).toBeGreaterThan(0);
    for (const name of required) expect(appKeys).toContain(name);
  });

  it('every app setting the Bicep sets is one the app reads (no typos, no stale names)', () => {
    const known = new Set(Object.keys(SETTINGS));
    expect(appKeys.filter((k) => !known.has(k))).toEqual([]);
    expect(new Set(appKeys).size).toBe(appKeys.length);
  });

  it('the identity and the outcome topic are wired through settings', () => {
    for (const name of ['AZURE_CLIENT_ID', 'APP_PRINCIPAL_ID', 'OUTCOME_TOPIC_ENDPOINT', 'PRIVATE_ENDPOINT_RESOURCE_GROUP', 'LOCKDOWN_ACR', 'LOCKDOWN_ORDER']) expect(appKeys).toContain(name);
    expect(stripComments(main)).toMatch(/AZURE_CLIENT_ID:\s*identity\.outputs\.clientId/);
    // the same identity's object id: the trigger ignores the events of the app's own writes by it
    expect(stripComments(main)).toMatch(/APP_PRINCIPAL_ID:\s*identity\.outputs\.principalId/);
    expect(stripComments(main)).toMatch(/OUTCOME_TOPIC_ENDPOINT:\s*outcomeTopic\.outputs\.endpoint/);
  });

  it('the host settings are identity-based: AzureWebJobsStorage by the account\'s service URIs + managed identity, Entra telemetry', () => {
    expect(hostKeys).toEqual(expect.arrayContaining([
      'AzureWebJobsStorage__blobServiceUri', 'AzureWebJobsStorage__queueServiceUri', 'AzureWebJobsStorage__tableServiceUri',
      'AzureWebJobsStorage__credential', 'AzureWebJobsStorage__clientId',
      'APPLICATIONINSIGHTS_CONNECTION_STRING', 'APPLICATIONINSIGHTS_AUTHENTICATION_STRING',
    ]));
    const text = stripComments(functionApp);
    expect(text).toMatch(/AzureWebJobsStorage__credential:\s*'managedidentity'/);
    expect(text).toMatch(/APPLICATIONINSIGHTS_AUTHENTICATION_STRING:\s*'ClientId=\$\{identityClientId\};Authorization=AAD'/);
    expect(text).toMatch(/properties:\s*union\(hostSettings,\s*appSettings,\s*authSettings\)/);
    // Flex Consumption rejects these: the runtime is set in functionAppConfig instead
    for (const banned of ['AzureWebJobsStorage:', 'FUNCTIONS_WORKER_RUNTIME', 'WEBSITE_NODE_DEFAULT_VERSION', 'FUNCTIONS_EXTENSION_VERSION', 'WEBSITE_RUN_FROM_PACKAGE']) {
      expect(text).not.toContain(banned);
    }
  });

  it('Flex Consumption FC1, Node 22, VNet-integrated, one user-assigned identity, azd service tag', () => {
    const text = stripComments(functionApp);
    expect(text).toMatch(/name:\s*'FC1'/);
    expect(text).toMatch(/tier:\s*'FlexConsumption'/);
    expect(text).toMatch(/runtime:\s*\{\s*name:\s*'node'\s*version:\s*'22'\s*\}/);
    expect(text).toMatch(/virtualNetworkSubnetId:\s*subnetId/);
    expect(text).toMatch(/type:\s*'UserAssigned'\s/);
    expect(text).toMatch(/type:\s*'UserAssignedIdentity'/);
    expect(text).toMatch(/'azd-service-name':\s*'api'/);
    expect(stripComments(read('infra/app/network.bicep'))).toMatch(/serviceName:\s*'Microsoft\.App\/environments'/);
    expect(stripComments(read('infra/app/storage.bicep'))).toMatch(/allowSharedKeyAccess:\s*false/);
    expect(stripComments(read('infra/app/monitoring.bicep'))).toMatch(/DisableLocalAuth:\s*true/);
  });
});

describe('sovereign clouds and Flex Consumption', () => {
  it('AzureWebJobsStorage takes the account\'s own endpoints (valid in every cloud), never __accountName', () => {
    const text = stripComments(functionApp);
    expect(hostKeys).not.toContain('AzureWebJobsStorage__accountName');
    for (const service of ['blob', 'queue', 'table']) {
      const Service = `${service[0]?.toUpperCase()}${service.slice(1)}`;
      expect(text).toMatch(new RegExp(`AzureWebJobsStorage__${service}ServiceUri:\\s*storage${Service}Endpoint\\n`));
      expect(stripComments(main)).toMatch(new RegExp(`storage${Service}Endpoint:\\s*storage\\.outputs\\.primary${Service}Endpoint\\n`));
      expect(stripComments(read('infra/app/storage.bicep'))).toMatch(new RegExp(`output primary${Service}Endpoint string = storage\\.properties\\.primaryEndpoints\\.${service}\\n`));
    }
    expect(text).not.toMatch(/core\.windows\.net|windows\.net/);
  });

  it('siteConfig carries none of the properties Flex Consumption refuses (ARM 51021), and no FTP policy', () => {
    const text = stripComments(functionApp);
    const siteConfig = /siteConfig:\s*\{([^}]*)\}/.exec(text)?.[1] ?? '';
    const keys = [...siteConfig.matchAll(/^\s*([A-Za-z0-9]+)\s*:/gm)].map((m) => m[1]);
    expect(keys).toEqual(['minTlsVersion', 'http20Enabled']);
    for (const refused of ['ftpsState', 'linuxFxVersion', 'use32BitWorkerProcess', 'netFrameworkVersion', 'alwaysOn', 'functionsRuntimeScaleMonitoringEnabled', 'windowsFxVersion']) {
      expect(text.toLowerCase()).not.toContain(refused.toLowerCase());
    }
    expect(text).not.toMatch(/name:\s*'ftp'/);
    expect(text).toMatch(/resource scmPolicy 'Microsoft\.Web\/sites\/basicPublishingCredentialsPolicies@[^']+' = \{\s*parent: site\s*name: 'scm'\s*properties: \{ allow: false \}/);
  });
});

describe('azd conventions', () => {
  it('main.bicep is subscription-scoped with the azd resourceToken and tags', () => {
    const text = stripComments(main);
    expect(text).toMatch(/^targetScope = 'subscription'$/m);
    expect(text).toContain('var resourceToken = toLower(uniqueString(subscription().id, environmentName, location))');
    expect(text).toMatch(/'azd-env-name':\s*environmentName/);
    expect(text).toMatch(/loadJsonContent\('abbreviations\.json'\)/);
  });

  it('main.parameters.json binds existing main.bicep params from azd environment variables', () => {
    const file = JSON.parse(read('infra/main.parameters.json')) as { parameters: Record<string, { value: unknown }> };
    const declared = new Set(params(main).map((p) => p.name));
    for (const name of Object.keys(file.parameters)) expect(declared).toContain(name);
    expect(file.parameters.environmentName?.value).toBe('${AZURE_ENV_NAME}');
    expect(file.parameters.location?.value).toBe('${AZURE_LOCATION}');
  });

  it('params are camelCase; outputs of main.bicep are UPPER_SNAKE', () => {
    for (const p of params(main)) expect(p.name).toMatch(/^[a-z][A-Za-z0-9]*$/);
    const outs = stripComments(main).match(/^output\s+(\S+)/gm) ?? [];
    expect(outs.length).toBeGreaterThan(5);
    for (const o of outs) expect(o.replace(/^output\s+/, '')).toMatch(/^[A-Z][A-Z0-9_]*$/);
    expect(outs.map((o) => o.replace(/^output\s+/, ''))).toEqual(expect.arrayContaining(['AZURE_FUNCTION_APP_NAME', 'AZURE_LOCATION', 'AZURE_RESOURCE_GROUP']));
  });

  it('outputs never feed back into parameters of the same name (azd writes outputs into the environment)', () => {
    const file = JSON.parse(read('infra/main.parameters.json')) as { parameters: Record<string, { value: unknown }> };
    const envVars = Object.values(file.parameters).map((p) => /^\$\{([A-Z_]+)/.exec(String(p.value))?.[1]).filter((x): x is string => !!x);
    const outs = (stripComments(main).match(/^output\s+(\S+)/gm) ?? []).map((o) => o.replace(/^output\s+/, ''));
    expect(outs.filter((o) => envVars.includes(o) && !['AZURE_LOCATION', 'AZURE_RESOURCE_GROUP'].includes(o))).toEqual([]);
  });
});
