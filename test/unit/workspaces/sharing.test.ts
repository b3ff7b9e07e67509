import { decideSharing, verifySharing } from '../../../src/workspaces/domain/sharing';
import type { StorageNetworkAcls, StorageNetworkState } from '../../../src/workspaces/domain/ports';
import { ErrorCodes } from '../../../src/shared/error-codes';

const SUB = '00000000-0000-0000-0000-0000000000a1';
const TENANT = '00000000-0000-0000-0000-0000000000f1';
const STORAGE = `/subscriptions/${SUB}/resourceGroups/rg-ws/providers/Microsoft.Storage/storageAccounts/wsstore`;
const REGISTRY = `/subscriptions/${SUB}/resourceGroups/rg-reg/providers/Microsoft.MachineLearningServices/registries/reg1`;
const OTHER_RULE = { tenantId: TENANT, resourceId: `/subscriptions/${SUB}/resourceGroups/rg/providers/Microsoft.Synapse/workspaces/syn` };
const SUBNET = `/subscriptions/${SUB}/resourceGroups/rg-net/providers/Microsoft.Network/virtualNetworks/v/subnets/s`;

function acls(over: Partial<StorageNetworkAcls> = {}): StorageNetworkAcls {
  return { defaultAction: 'Deny', bypass: 'AzureServices, Logging', ipRules: [{ value: '203.0.113.0/24', action: 'Allow' }], virtualNetworkRules: [{ id: SUBNET, action: 'Allow', state: 'Succeeded' }], resourceAccessRules: [OTHER_RULE], ...over };
}

function account(publicNetworkAccess: string | undefined, networkAcls: StorageNetworkAcls | undefined): StorageNetworkState {
  return { id: STORAGE, ...(publicNetworkAccess !== undefined ? { publicNetworkAccess } : {}), ...(networkAcls ? { networkAcls } : {}) };
}

describe('decideSharing', () => {
  it('adds the registry rule to a selected-networks account and keeps every other rule exactly', () => {
    const before = acls();
    const d = decideSharing({ storage: account('Enabled', before), registryId: REGISTRY, tenantId: TENANT, force: false });
    expect(d.kind).toBe('update');
    if (d.kind !== 'update') return;
    expect(d.forced).toBe(false);
    expect(d.patch).toEqual({
      publicNetworkAccess: 'Enabled',
      networkAcls: { ...before, resourceAccessRules: [OTHER_RULE, { tenantId: TENANT, resourceId: REGISTRY }] },
    });
    expect(d.changes).toEqual([expect.stringMatching(/resourceAccessRules: \+/)]);
    expect(before.resourceAccessRules).toEqual([OTHER_RULE]);
  });

  it('is a no-op when the rule is already there (ids compared as ARM does, case-insensitively)', () => {
    const d = decideSharing({ storage: account('Enabled', acls({ resourceAccessRules: [OTHER_RULE, { tenantId: TENANT.toUpperCase(), resourceId: REGISTRY.toLowerCase() }] })), registryId: REGISTRY, tenantId: TENANT, force: false });
    expect(d.kind).toBe('unchanged');
  });

  it('treats a rule for the registry in another tenant as a different rule', () => {
    const d = decideSharing({ storage: account('Enabled', acls({ resourceAccessRules: [{ tenantId: '11111111-1111-1111-1111-111111111111', resourceId: REGISTRY }] })), registryId: REGISTRY, tenantId: TENANT, force: false });
    expect(d.kind).toBe('update');
    if (d.kind === 'update') expect(d.patch.networkAcls.resourceAccessRules).toHaveLength(2);
  });

  it('refuses a fully public account (Enabled + Allow) with the reason', () => {
    const d = decideSharing({ storage: account('Enabled', acls({ defaultAction: 'Allow' })), registryId: REGISTRY, tenantId: TENANT, force: false });
    expect(d).toMatchObject({ kind: 'refused', code: ErrorCodes.SHARING_FULLY_PUBLIC, reason: expect.stringMatching(/fully public.*narrowing.*force=true/) });
  });

  it('refuses an account without networkAcls and without publicNetworkAccess (Azure defaults: fully public)', () => {
    expect(decideSharing({ storage: account(undefined, undefined), registryId: REGISTRY, tenantId: TENANT, force: false })).toMatchObject({ kind: 'refused', code: ErrorCodes.SHARING_FULLY_PUBLIC });
  });

  it('with force, narrows a fully public account to Deny + the rule, keeping its rules', () => {
    const d = decideSharing({ storage: account('Enabled', acls({ defaultAction: 'Allow' })), registryId: REGISTRY, tenantId: TENANT, force: true });
    expect(d.kind).toBe('update');
    if (d.kind !== 'update') return;
    expect(d.forced).toBe(true);
    expect(d.patch.networkAcls.defaultAction).toBe('Deny');
    expect(d.patch.networkAcls.ipRules).toEqual([{ value: '203.0.113.0/24', action: 'Allow' }]);
    expect(d.patch.networkAcls.virtualNetworkRules).toEqual([{ id: SUBNET, action: 'Allow', state: 'Succeeded' }]);
    expect(d.patch.networkAcls.bypass).toBe('AzureServices, Logging');
    expect(d.changes).toEqual([expect.stringMatching(/defaultAction: Allow → Deny/), expect.stringMatching(/resourceAccessRules/)]);
  });

  it('refuses an account with public access Disabled (enabling selected networks widens), even when the rule is there', () => {
    for (const rules of [[OTHER_RULE], [OTHER_RULE, { tenantId: TENANT, resourceId: REGISTRY }]]) {
      const d = decideSharing({ storage: account('Disabled', acls({ resourceAccessRules: rules })), registryId: REGISTRY, tenantId: TENANT, force: false });
      expect(d).toMatchObject({ kind: 'refused', code: ErrorCodes.SHARING_PUBLIC_ACCESS_DISABLED, reason: expect.stringMatching(/widening/) });
    }
  });

  it('with force and a stated reason, turns Disabled into selected networks', () => {
    const d = decideSharing({ storage: account('Disabled', acls()), registryId: REGISTRY, tenantId: TENANT, force: true, reason: 'asset sharing for team X (ticket 42)' });
    expect(d).toMatchObject({ kind: 'update', forced: true, patch: { publicNetworkAccess: 'Enabled', networkAcls: { defaultAction: 'Deny' } } });
    if (d.kind === 'update') expect(d.changes[0]).toMatch(/Disabled → Enabled/);
  });

  it.each([[undefined], [''], ['   ']])('never turns Disabled into Enabled without a reason (reason %j): SHARING.REASON_REQUIRED', (reason) => {
    const d = decideSharing({ storage: account('Disabled', acls()), registryId: REGISTRY, tenantId: TENANT, force: true, ...(reason !== undefined ? { reason } : {}) });
    expect(d).toMatchObject({ kind: 'refused', code: ErrorCodes.SHARING_REASON_REQUIRED });
  });

  it('never touches an account secured by a perimeter, force or not', () => {
    for (const force of [false, true]) {
      expect(decideSharing({ storage: account('SecuredByPerimeter', acls()), registryId: REGISTRY, tenantId: TENANT, force })).toMatchObject({ kind: 'refused', code: ErrorCodes.SHARING_SECURED_BY_PERIMETER });
    }
  });

  it('keeps ipv6Rules when the account has them', () => {
    const d = decideSharing({ storage: account('Enabled', acls({ ipv6Rules: [{ value: '2001:db8::/48', action: 'Allow' }] })), registryId: REGISTRY, tenantId: TENANT, force: false });
    expect(d.kind === 'update' && d.patch.networkAcls.ipv6Rules).toEqual([{ value: '2001:db8::/48', action: 'Allow' }]);
  });
});

describe('verifySharing', () => {
  const rule = { tenantId: TENANT, resourceId: REGISTRY };
  it('passes when the re-read shows selected networks, the rule and every earlier rule', () => {
    expect(verifySharing(acls(), account('Enabled', acls({ resourceAccessRules: [OTHER_RULE, rule] })), rule)).toEqual([]);
  });
  it('names what was lost', () => {
    const problems = verifySharing(acls(), account('Enabled', acls({ ipRules: [], resourceAccessRules: [rule], bypass: 'None' })), rule);
    expect(problems).toEqual([expect.stringMatching(/resource rule .*Synapse.* lost/), expect.stringMatching(/IP rule 203.0.113.0\/24 was lost/), expect.stringMatching(/bypass changed/)]);
  });
});
