/**
 * What main.bicep would write, computed with the expression evaluator (bicep-eval.ts) for chosen
 * parameter values: the up-front checks (the resource group's tags), then every app setting, then
 * src/config's loadConfig over them. Module outputs are stand-ins with the shape the modules give.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { loadConfig, type Config } from '../../../src/config';
import { evaluate, Refused, type Context, type Value } from './bicep-eval';
import { blockEntries, declarations, declaredResources, INFRA, read, ROOT, type Declarations, type Declared } from './bicep-text';

export const MAIN = read('infra/main.bicep');
export const DECLS = declarations(MAIN);
export const THIS_SUB = '00000000-0000-0000-0000-000000000001';
const SUB = `/subscriptions/${THIS_SUB}`;
export const LZ = '/subscriptions/99999999-0000-0000-0000-000000000009/resourceGroups/rg-landing-zone';
export const ZONE_IDS = {
  privateDnsZoneIdApiAzureml: `${LZ}/providers/Microsoft.Network/privateDnsZones/privatelink.api.azureml.ms`,
  privateDnsZoneIdBlob: `${LZ}/providers/Microsoft.Network/privateDnsZones/privatelink.blob.core.windows.net`,
  privateDnsZoneIdAcr: `${LZ}/providers/Microsoft.Network/privateDnsZones/privatelink.azurecr.io`,
  privateDnsZoneIdQueue: `${LZ}/providers/Microsoft.Network/privateDnsZones/privatelink.queue.core.windows.net`,
  privateDnsZoneIdTable: `${LZ}/providers/Microsoft.Network/privateDnsZones/privatelink.table.core.windows.net`,
};
export const TENANT = '72f988bf-0000-0000-0000-00000000aaaa';
/** The client id of the API's app registration, as the preprovision hook sets AUTH_APP_ID. */
export const AUTH_APP_ID = '3c5e8f7a-1b2c-4d3e-8f90-a1b2c3d4e5f6';
export const LZ_APP_SUBNET = `${LZ}/providers/Microsoft.Network/virtualNetworks/vnet-spoke/subnets/snet-func`;
export const LZ_PE_SUBNET = `${LZ}/providers/Microsoft.Network/virtualNetworks/vnet-spoke/subnets/snet-pe`;

const created = `${SUB}/resourceGroups/rg-dev/providers/Microsoft.Network`;
export const CREATED_PE_SUBNET = `${created}/virtualNetworks/vnet-tok/subnets/snet-pe`;
export const CREATED_ZONE_IDS = ['privatelink.api.azureml.ms', 'privatelink.blob.core.windows.net', 'privatelink.azurecr.io', 'privatelink.queue.core.windows.net', 'privatelink.table.core.windows.net', 'privatelink.eventgrid.azure.net'].map((z) => `${created}/privateDnsZones/${z}`);
const RG_DEV = `${SUB}/resourceGroups/rg-dev`;
export const STAND_INS: Record<string, Value> = {
  'subscription()': { id: SUB, subscriptionId: THIS_SUB },
  'tenant()': { tenantId: TENANT },
  'environment()': { resourceManager: 'https://management.azure.com/', suffixes: { storage: 'core.windows.net' }, authentication: { loginEndpoint: 'https://login.microsoftonline.com/' } },
  'identity.outputs.clientId': '11111111-2222-3333-4444-555555555555',
  'identity.outputs.principalId': '22222222-3333-4444-5555-666666666666',
  'identity.outputs.resourceId': `${RG_DEV}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id-tok`,
  'network.outputs.appSubnetId': `${created}/virtualNetworks/vnet-tok/subnets/snet-app`,
  'network.outputs.privateEndpointSubnetId': CREATED_PE_SUBNET,
  // the module's outputs for the zone names it is given, in that order (the sixth only when asked for)
  'dnsZones.outputs.zoneIds': CREATED_ZONE_IDS,
  'outcomeTopic.outputs.endpoint': 'https://evgt-tok.westeurope-1.eventgrid.azure.net/api/events',
  'outcomeTopic.outputs.id': `${RG_DEV}/providers/Microsoft.EventGrid/topics/evgt-tok`,
  'outcomeTopic.outputs.name': 'evgt-tok',
  'storage.outputs.id': `${RG_DEV}/providers/Microsoft.Storage/storageAccounts/sttok`,
  'storage.outputs.name': 'sttok',
  'storage.outputs.deadLetterAccountId': `${RG_DEV}/providers/Microsoft.Storage/storageAccounts/stdltok`,
  'storage.outputs.deadLetterAccountName': 'stdltok',
  'storage.outputs.deadLetterContainerName': 'eventgrid-deadletter',
  'storage.outputs.deploymentContainerName': 'app-package-tok',
  'storage.outputs.primaryBlobEndpoint': 'https://sttok.blob.core.windows.net/',
  'storage.outputs.primaryQueueEndpoint': 'https://sttok.queue.core.windows.net/',
  'storage.outputs.primaryTableEndpoint': 'https://sttok.table.core.windows.net/',
  'monitoring.outputs.applicationInsightsName': 'appi-tok',
  'functionApp.outputs.id': `${RG_DEV}/providers/Microsoft.Web/sites/func-tok`,
};

/** The evaluation context of main.bicep for these parameter values (the rest: their defaults). */
export function contextFor(values: Record<string, Value>): Context {
  // azd always passes these (AUTH_APP_ID from the preprovision hook)
  const params: Record<string, Value> = { environmentName: 'dev', location: 'westeurope', authAppId: AUTH_APP_ID, ...values };
  const ctx: Context = {
    params, vars: DECLS.vars, conditions: DECLS.conditions, standIns: STAND_INS,
    loadJson: (path) => JSON.parse(readFileSync(join(INFRA, path), 'utf8')) as Value,
  };
  for (const [name, p] of Object.entries(DECLS.params)) {
    if (!(name in params) && p.default !== undefined) params[name] = evaluate(p.default, ctx);
  }
  return ctx;
}

export const APP_SETTINGS = blockEntries(MAIN, /^var appSettings = \{\s*$/);
const RG_TAGS = blockEntries(MAIN, /^resource rg '/).find(([k]) => k === 'tags')?.[1] ?? '';

export type Outcome = { refused: string } | { refused?: undefined; settings: Record<string, string>; config: Config };

/** The up-front checks, then the app settings, then the app's own settings loader. */
export function deploy(values: Record<string, Value>): Outcome {
  const ctx = contextFor(values);
  try {
    evaluate(RG_TAGS, ctx);
  } catch (e) {
    if (e instanceof Refused) return { refused: e.message };
    throw e;
  }
  const settings: Record<string, string> = {};
  for (const [key, expression] of APP_SETTINGS) {
    const v = evaluate(expression, ctx);
    if (typeof v !== 'string') throw new Error(`${key} evaluates to a ${typeof v} (${JSON.stringify(v)}); app settings are strings`);
    settings[key] = v;
  }
  return { settings, config: loadConfig(settings) };
}

export function deployed(values: Record<string, Value>): { settings: Record<string, string>; config: Config } {
  const out = deploy(values);
  if (out.refused !== undefined) throw new Error(`refused: ${out.refused}`);
  return out;
}

/** The parameters main.bicep gives a module, evaluated for these parameter values (`scope` for loop variables). */
export function moduleParams(symbol: string, values: Record<string, Value>, scope: Record<string, Value> = {}): Record<string, Value> {
  const ctx = contextFor(values);
  return Object.fromEntries(blockEntries(MAIN, new RegExp(`^module ${symbol} '`), 'params').map(([k, e]) => [k, evaluate(e, ctx, scope)]));
}

/** A template of infra/ (main.bicep, a module, the management-group template) read once. */
export interface Template { path: string; decls: Declarations; resources: Record<string, Declared> }

export function template(path: string): Template {
  const text = read(path);
  return { path, decls: declarations(text), resources: declaredResources(text) };
}

/** The evaluation context of a module for the parameters it is given (the rest: their defaults). */
export function moduleContext(t: Template, given: Record<string, Value>, standIns: Record<string, Value> = {}): Context {
  const params: Record<string, Value> = { ...given };
  const ctx: Context = {
    params, vars: t.decls.vars, conditions: t.decls.conditions,
    standIns: { ...STAND_INS, ...standIns },
    loadJson: (p) => JSON.parse(readFileSync(join(ROOT, dirname(t.path), p), 'utf8')) as Value,
  };
  for (const [name, p] of Object.entries(t.decls.params)) {
    if (!(name in params)) {
      if (p.default === undefined) throw new Error(`${t.path}: parameter ${name} has no default and was not given`);
      params[name] = evaluate(p.default, ctx);
    }
  }
  return ctx;
}

/**
 * What a resource or module declaration deploys in that context: nothing when its condition is
 * false, else one instance per loop item (one when it has no loop), each with the chosen keys of
 * its body evaluated (`properties`, `params`, `name`, …; keys such as `parent` or `scope` name
 * other resources and are not evaluated).
 */
export function instancesOf(t: Template, symbol: string, ctx: Context, keys: string[]): Array<Record<string, Value>> {
  const d = t.resources[symbol];
  if (!d) throw new Error(`${t.path} declares no ${symbol}`);
  if (d.condition !== '' && evaluate(d.condition, ctx) !== true) return [];
  const entries = blockEntries(d.body, /^\{\s*$/);
  const one = (scope: Record<string, Value>): Record<string, Value> => Object.fromEntries(keys.map((k) => {
    const e = entries.find(([key]) => key === k)?.[1];
    if (e === undefined) throw new Error(`${symbol} has no ${k}`);
    return [k, evaluate(e, ctx, scope)];
  }));
  if (!d.loop) return [one({})];
  const list = evaluate(d.loop.list, ctx);
  if (!Array.isArray(list)) throw new Error(`${symbol} loops over a non-array`);
  const { item, index } = d.loop;
  return list.map((x, i) => one({ [item]: x, ...(index ? { [index]: i } : {}) }));
}
