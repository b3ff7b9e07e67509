/**
 * What main.bicep would write, computed with the expression evaluator (bicep-eval.ts) for chosen
 * parameter values: the up-front checks (the resource group's tags), then every app setting, then
 * src/config's loadConfig over them. Module outputs are stand-ins with the shape the modules give.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig, type Config } from '../../../src/config';
import { evaluate, Refused, type Context, type Value } from './bicep-eval';
import { blockEntries, declarations, INFRA, read } from './bicep-text';

export const MAIN = read('infra/main.bicep');
export const DECLS = declarations(MAIN);
export const THIS_SUB = '00000000-0000-0000-0000-000000000001';
const SUB = `/subscriptions/${THIS_SUB}`;
export const LZ = '/subscriptions/99999999-0000-0000-0000-000000000009/resourceGroups/rg-landing-zone';
export const ZONE_IDS = {
  privateDnsZoneIdApiAzureml: `${LZ}/providers/Microsoft.Network/privateDnsZones/privatelink.api.azureml.ms`,
  privateDnsZoneIdBlob: `${LZ}/providers/Microsoft.Network/privateDnsZones/privatelink.blob.core.windows.net`,
  privateDnsZoneIdAcr: `${LZ}/providers/Microsoft.Network/privateDnsZones/privatelink.azurecr.io`,
};
export const LZ_APP_SUBNET = `${LZ}/providers/Microsoft.Network/virtualNetworks/vnet-spoke/subnets/snet-func`;
export const LZ_PE_SUBNET = `${LZ}/providers/Microsoft.Network/virtualNetworks/vnet-spoke/subnets/snet-pe`;

const created = `${SUB}/resourceGroups/rg-dev/providers/Microsoft.Network`;
const STAND_INS: Record<string, Value> = {
  'subscription()': { id: SUB, subscriptionId: THIS_SUB },
  'environment()': { resourceManager: 'https://management.azure.com/', suffixes: { storage: 'core.windows.net' } },
  'identity.outputs.clientId': '11111111-2222-3333-4444-555555555555',
  'identity.outputs.principalId': '22222222-3333-4444-5555-666666666666',
  'network.outputs.appSubnetId': `${created}/virtualNetworks/vnet-tok/subnets/snet-app`,
  'network.outputs.privateEndpointSubnetId': `${created}/virtualNetworks/vnet-tok/subnets/snet-pe`,
  'dnsZones.outputs.zoneIds': ['privatelink.api.azureml.ms', 'privatelink.blob.core.windows.net', 'privatelink.azurecr.io'].map((z) => `${created}/privateDnsZones/${z}`),
  'outcomeTopic.outputs.endpoint': 'https://evgt-tok.westeurope-1.eventgrid.azure.net/api/events',
};

/** The evaluation context of main.bicep for these parameter values (the rest: their defaults). */
export function contextFor(values: Record<string, Value>): Context {
  const params: Record<string, Value> = { environmentName: 'dev', location: 'westeurope', ...values };
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
