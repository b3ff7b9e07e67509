import { evaluate, parse } from './bicep-eval';
import { contextFor, deploy, deployed, LZ, LZ_APP_SUBNET, LZ_PE_SUBNET, MAIN, ZONE_IDS } from './deployment';
import { read, stripComments } from './bicep-text';

const deploysModule = (symbol: string, values: Parameters<typeof contextFor>[0]): boolean => {
  const ctx = contextFor(values);
  const condition = ctx.conditions[symbol];
  if (condition === undefined) throw new Error(`no module ${symbol}`);
  return condition === '' || evaluate(condition, ctx) === true;
};

describe('bring-your-own network: the combinations are checked up front', () => {
  it('APP_SUBNET_ID without PRIVATE_ENDPOINT_SUBNET_ID is refused before anything is created, naming the setting', () => {
    const out = deploy({ appSubnetId: LZ_APP_SUBNET, ...ZONE_IDS });
    expect(out.refused).toMatch(/^The deployment was refused before creating anything: PRIVATE_ENDPOINT_SUBNET_ID is required when APP_SUBNET_ID is set/);
    expect(deploysModule('network', { appSubnetId: LZ_APP_SUBNET })).toBe(false);
  });

  it('no app setting or module parameter reads an output of the network module when it is not deployed', () => {
    const { settings } = deployed({ appSubnetId: LZ_APP_SUBNET, privateEndpointSubnetId: LZ_PE_SUBNET, ...ZONE_IDS });
    expect(settings.PRIVATE_ENDPOINT_SUBNET_ID).toBe(LZ_PE_SUBNET);
    expect(settings.PRIVATE_ENDPOINT_RESOURCE_GROUP).toBe('rg-landing-zone');
    const ctx = contextFor({ appSubnetId: LZ_APP_SUBNET, privateEndpointSubnetId: LZ_PE_SUBNET, ...ZONE_IDS });
    expect(evaluate('effectiveAppSubnetId', ctx)).toBe(LZ_APP_SUBNET);
    expect(evaluate('vnetIdsToLink', ctx)).toEqual([`${LZ}/providers/Microsoft.Network/virtualNetworks/vnet-spoke`.toLowerCase()]);
  });

  it('with the network brought, the zones are NOT created by default (a landing-zone VNet is linked to zones of those names already)', () => {
    const brought = { appSubnetId: LZ_APP_SUBNET, privateEndpointSubnetId: LZ_PE_SUBNET };
    expect(deploysModule('dnsZones', brought)).toBe(false);
    const refused = deploy(brought);
    expect(refused.refused).toMatch(/PRIVATE_DNS_ZONE_ID_API_AZUREML, PRIVATE_DNS_ZONE_ID_BLOB and PRIVATE_DNS_ZONE_ID_ACR are required when the zones are not created/);
    const { settings } = deployed({ ...brought, ...ZONE_IDS });
    expect(settings.PRIVATE_DNS_ZONE_ID_BLOB).toBe(ZONE_IDS.privateDnsZoneIdBlob);
    // asked for explicitly, they are still created (a VNet not yet linked to any such zone)
    expect(deploysModule('dnsZones', { ...brought, createPrivateDnsZones: 'true' })).toBe(true);
    expect(deployed({ ...brought, createPrivateDnsZones: 'true' }).settings.PRIVATE_DNS_ZONE_ID_ACR).toMatch(/\/rg-dev\/providers\/Microsoft\.Network\/privateDnsZones\/privatelink\.azurecr\.io$/);
  });

  it('without a network brought, the VNet and the zones are created, as before', () => {
    expect(deploysModule('network', {})).toBe(true);
    expect(deploysModule('dnsZones', {})).toBe(true);
    expect(deploysModule('dnsZones', { createPrivateDnsZones: 'false', ...ZONE_IDS })).toBe(false);
    expect(deploy({ createPrivateDnsZones: 'false' }).refused).toMatch(/PRIVATE_DNS_ZONE_ID_API_AZUREML/);
  });

  it('azd passes CREATE_PRIVATE_DNS_ZONES through with an EMPTY default (a default of true would override the rule)', () => {
    const file = JSON.parse(read('infra/main.parameters.json')) as { parameters: Record<string, { value: unknown }> };
    expect(file.parameters.createPrivateDnsZones?.value).toBe('${CREATE_PRIVATE_DNS_ZONES=}');
    expect(stripComments(MAIN)).toMatch(/@allowed\(\['', 'true', 'false'\]\)\s*\nparam createPrivateDnsZones string = ''/);
  });

  it('the check is made with fail() in the resource group, the first resource, so nothing is created first', () => {
    expect(stripComments(MAIN)).toMatch(/resource rg '[^']+' = \{\s*\n\s*name: [^\n]+\n\s*location: location\n\s*tags: empty\(setupProblems\) \? tags : fail\(/);
    expect(() => parse(stripComments(MAIN).match(/^var setupProblems = ([\s\S]*?\n\], p => !empty\(p\)\))/m)?.[1] ?? '')).not.toThrow();
    expect(read('docs/deploy.md')).toMatch(/fail\(\)/);
  });
});
