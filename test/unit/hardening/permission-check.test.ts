import { grants, missingPermissions, scopesOf, type PermissionEntry, type PermissionNeed } from '../../../src/hardening/domain/permission-check';

const HUB_RG = '/subscriptions/hub/resourceGroups/rg-dns';
const ZONE = `${HUB_RG}/providers/Microsoft.Network/privateDnsZones/privatelink.blob.core.windows.net`;

describe('plan mode permission check (pure)', () => {
  it('matches role patterns as ARM does: wildcards, case, notActions', () => {
    const entries: PermissionEntry[] = [{ actions: ['Microsoft.Network/*'], notActions: ['Microsoft.Network/privateDnsZones/*'] }];
    expect(grants(entries, 'microsoft.network/privateEndpoints/write')).toBe(true);
    expect(grants(entries, 'Microsoft.Network/privateDnsZones/join/action')).toBe(false);
    expect(grants([{ actions: ['*'], notActions: [] }], 'Microsoft.Storage/storageAccounts/write')).toBe(true);
    expect(grants([], 'Microsoft.Storage/storageAccounts/write')).toBe(false);
  });

  it('lists each need the answer at its own scope leaves out, once; scopes are asked once whatever their case', () => {
    const needs: PermissionNeed[] = [
      { scope: ZONE, action: 'Microsoft.Network/privateDnsZones/join/action', why: 'link zone a' },
      { scope: ZONE.toUpperCase(), action: 'Microsoft.Network/privateDnsZones/join/action', why: 'link zone b' },
      { scope: '/subscriptions/t/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/st', action: 'Microsoft.Storage/storageAccounts/write', why: 'disable' },
    ];
    expect(scopesOf(needs)).toEqual([ZONE, needs[2]?.scope]);
    const granted = new Map<string, PermissionEntry[]>([[(needs[2]?.scope ?? '').toLowerCase(), [{ actions: ['Microsoft.Storage/*'], notActions: [] }]]]);
    expect(missingPermissions(needs, granted)).toEqual([needs[0]]);
  });
});
