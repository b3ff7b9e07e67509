import { fullTypeOf, isResourceOfType, lastSegmentOf, nameOf, parseResourceId, parseResourceIdOfType, sameResourceId } from '../../../src/shared/arm-id';
import { errorCodeOf } from '../../../src/shared/errors';

const SUB = '0b1f6471-1bf0-4dda-aec3-cb9272f09590';
const PE = `/subscriptions/${SUB}/resourceGroups/rg-net/providers/Microsoft.Network/privateEndpoints/pe-1`;

describe('parseResourceId', () => {
  it('splits scope, provider, types and names', () => {
    const rid = parseResourceId(`${PE}/privateDnsZoneGroups/default`);
    expect(rid.subscriptionId).toBe(SUB);
    expect(rid.resourceGroup).toBe('rg-net');
    expect(rid.provider).toBe('Microsoft.Network');
    expect(rid.types).toEqual(['privateEndpoints', 'privateDnsZoneGroups']);
    expect(rid.names).toEqual(['pe-1', 'default']);
    expect(fullTypeOf(rid)).toBe('Microsoft.Network/privateEndpoints/privateDnsZoneGroups');
    expect(nameOf(rid)).toBe('default');
  });

  it('accepts any casing of the fixed segments and trailing slashes', () => {
    const rid = parseResourceId(`/SUBSCRIPTIONS/${SUB}/resourcegroups/RG-Net/PROVIDERS/Microsoft.Network/privateEndpoints/pe-1//`);
    expect(rid.resourceGroup).toBe('RG-Net');
    expect(rid.id.endsWith('/pe-1')).toBe(true);
  });

  it('parses subscription and resource group scopes', () => {
    expect(parseResourceId(`/subscriptions/${SUB}`).resourceGroup).toBeUndefined();
    expect(parseResourceId(`/subscriptions/${SUB}/resourceGroups/rg`).provider).toBeUndefined();
  });

  it.each([
    ['', 'empty'],
    ['subscriptions/x', "start with '/subscriptions/'"],
    [`/subscriptions/not-a-guid/resourceGroups/rg`, 'not a GUID'],
    [`/subscriptions/${SUB}/resourceGroups/rg/providers/Microsoft.Network/privateEndpoints`, 'pairs'],
    [`/subscriptions/${SUB}/resourceGroups/rg/providers/Microsoft.Network//pe`, 'malformed segment'],
    [`/subscriptions/${SUB}/resourceGroups/rg/foo/bar`, "'/providers/"],
    [`/subscriptions/${SUB}/resourceGroups`, 'resource group name is missing'],
  ])('rejects %p with ARM_ID.INVALID (%s)', (id, why) => {
    let caught: unknown;
    try {
      parseResourceId(id);
    } catch (e) {
      caught = e;
    }
    expect(errorCodeOf(caught)).toBe('ARM_ID.INVALID');
    expect((caught as Error).message).toContain(why);
  });
});

describe('comparison', () => {
  it('treats ids as case-insensitive and slash-tolerant', () => {
    expect(sameResourceId(PE, PE.toUpperCase().replace('/SUBSCRIPTIONS', '/subscriptions') + '/')).toBe(true);
    expect(sameResourceId(PE, PE.replace('pe-1', 'pe-2'))).toBe(false);
    expect(sameResourceId(PE, 'garbage')).toBe(false);
  });

  it('checks the resource type, rejecting a wrong provider', () => {
    expect(isResourceOfType(PE, 'microsoft.network/PRIVATEENDPOINTS')).toBe(true);
    expect(isResourceOfType(PE, 'Microsoft.Storage/storageAccounts')).toBe(false);
    expect(() => parseResourceIdOfType(PE, 'Microsoft.MachineLearningServices/registries')).toThrow(/expected a Microsoft.MachineLearningServices\/registries id/);
  });
});

describe('lastSegmentOf (display names)', () => {
  it('answers the last segment, past trailing slashes', () => {
    expect(lastSegmentOf(`${PE}/privateDnsZoneGroups/default`)).toBe('default');
    expect(lastSegmentOf(`${PE}//`)).toBe('pe-1');
  });

  it('does not check the id: one that is not well-formed still shows', () => {
    expect(lastSegmentOf('just-a-name')).toBe('just-a-name');
    expect(lastSegmentOf('/subscriptions/not-a-guid/x')).toBe('x');
  });
});
