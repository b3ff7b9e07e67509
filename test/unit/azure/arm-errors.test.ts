import { armResponseError, missingPermission } from '../../../src/azure/arm-errors';

const OID = '00000000-0000-0000-0000-0000000000b1';
const PE = '/subscriptions/s/resourceGroups/rg-net/providers/Microsoft.Network/privateEndpoints/pe1';
const SUBNET = '/subscriptions/s/resourceGroups/rg-net/providers/Microsoft.Network/virtualNetworks/v/subnets/snet';

const body = (code: string, message: string): string => JSON.stringify({ error: { code, message } });

describe('a 403 names the missing permission first', () => {
  it('AuthorizationFailed: the action and scope ARM names, not retryable', () => {
    const scope = '/subscriptions/s/providers/Microsoft.Network/locations/westeurope/operations/1';
    const e = armResponseError('PUT', `https://management.azure.com${PE}?api-version=1`, 403, body(
      'AuthorizationFailed',
      `The client '${OID}' with object id '${OID}' does not have authorization to perform action 'Microsoft.Network/locations/operations/read' over scope '${scope}' or the scope is invalid. If access was recently granted, please refresh your credentials.`,
    ), 'rid-1');
    expect(e.code).toBe('ARM.FORBIDDEN');
    expect(e.retryable).toBe(false);
    expect(e.message).toMatch(new RegExp(`^\\[ARM\\.FORBIDDEN\\] missing permission 'Microsoft\\.Network/locations/operations/read' on scope '${scope.replace(/[.]/g, '\\.')}': PUT ${PE.replace(/[.]/g, '\\.')} was refused with 403 AuthorizationFailed \\(x-ms-request-id rid-1\\)`));
  });

  it('LinkedAuthorizationFailed: the linked actions, not the one the caller has', () => {
    const message = `The client '${OID}' with object id '${OID}' has permission to perform action 'Microsoft.Network/privateEndpoints/write' on scope '${PE}'; however, it does not have permission to perform action(s) 'Microsoft.Network/virtualNetworks/subnets/join/action' on the linked scope(s) '${SUBNET}' (respectively) or the linked scope(s) are invalid.`;
    expect(missingPermission(message)).toEqual({ action: 'Microsoft.Network/virtualNetworks/subnets/join/action', scope: SUBNET });
    expect(armResponseError('PUT', PE, 403, body('LinkedAuthorizationFailed', message)).message).toContain("missing permission 'Microsoft.Network/virtualNetworks/subnets/join/action'");
  });

  it('without ARM\'s message (an SDK pager keeps only the code): the action the permission list gives for the refused request', () => {
    const list = `${PE}/privateDnsZoneGroups`;
    const e = armResponseError('GET', list, 403, body('AuthorizationFailed', 'Pagination failed with unexpected statusCode 403'), undefined, { method: 'GET', url: `https://management.azure.com${list}?api-version=1` });
    expect(e.message).toContain(`missing permission 'Microsoft.Network/privateEndpoints/privateDnsZoneGroups/read' on scope '${list}'`);
    expect(e.message).toContain("ARM's message did not come through");
  });

  it('a deny assignment is ARM.DENY_ASSIGNMENT with ARM\'s message, not waited out by itself (the activity decides)', () => {
    const e = armResponseError('PUT', PE, 403, body('DenyAssignmentAuthorizationFailed', 'denied because of the deny assignment'));
    expect(e.message).toBe(`[ARM.DENY_ASSIGNMENT] PUT ${PE} was refused by a deny assignment (403 DenyAssignmentAuthorizationFailed): denied because of the deny assignment`);
    expect(e.propagating).toBe(false);
  });

  it('a 403 naming a permission of the app\'s role may be a role assignment still propagating; an unknown one is not', () => {
    const mine = armResponseError('PUT', PE, 403, body('AuthorizationFailed', `The client 'x' with object id 'x' does not have authorization to perform action 'Microsoft.Network/privateEndpoints/write' over scope '${PE}' or the scope is invalid.`));
    expect(mine.code).toBe('ARM.FORBIDDEN');
    expect(mine.propagating).toBe(true);
    const other = armResponseError('PUT', PE, 403, body('AuthorizationFailed', `The client 'x' with object id 'x' does not have authorization to perform action 'Microsoft.Compute/virtualMachines/write' over scope '${PE}' or the scope is invalid.`));
    expect(other.propagating).toBe(false);
  });
});
