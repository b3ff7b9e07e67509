import { decideManagedGroupAccess, denyAssignmentRemedy, listsPrincipal, lockdownPhases, notDoneLines, withAssignedIdentity } from '../../../src/hardening/domain/managed-group';
import { planHardening } from '../../../src/hardening/domain/plan';
import { emptyApplied } from '../../../src/hardening/domain/outcome';
import { freshStates, PLACEMENT, REGISTRY_ID, TARGETS } from '../../helpers/hardening-fixtures';

const APP = '00000000-0000-0000-0000-0000000000b1';
const fresh = () => planHardening({ registryId: REGISTRY_ID, states: freshStates(), placement: PLACEMENT, lockdownAcr: true });

describe('the managed resource group behind its deny assignment (pure decisions)', () => {
  it('keeps existing assignedIdentities and adds the app once', () => {
    const other = { principalId: '11111111-1111-1111-1111-111111111111' };
    expect(withAssignedIdentity({ assignedIdentities: [other] }, APP)).toEqual({ assignedIdentities: [other, { principalId: APP }] });
    expect(withAssignedIdentity({ assignedIdentities: [other, { principalId: APP.toUpperCase() }] }, APP).assignedIdentities).toHaveLength(2);
    expect(withAssignedIdentity(null, APP)).toEqual({ assignedIdentities: [{ principalId: APP }] });
    expect(listsPrincipal({ assignedIdentities: [{ principalId: APP.toUpperCase() }] }, APP)).toBe(true);
    expect(listsPrincipal({ assignedIdentities: [] }, APP)).toBe(false);
    expect(listsPrincipal({ assignedIdentities: [{ principalId: APP }] }, undefined)).toBe(false);
  });

  it('decides whether the app can write there: listed, assign, cannot (with the remedy), notNeeded', () => {
    const plan = fresh();
    expect(decideManagedGroupAccess({ appPrincipalId: APP, listed: true, assignEnabled: false }, plan).state).toBe('listed');
    expect(decideManagedGroupAccess({ appPrincipalId: APP, listed: false, assignEnabled: true }, plan).state).toBe('assign');
    const off = decideManagedGroupAccess({ appPrincipalId: APP, listed: false, assignEnabled: false }, plan);
    expect(off.state).toBe('cannot');
    expect(off.detail).toMatch(/ARM\.DENY_ASSIGNMENT.*MANAGED_RG_ASSIGN_APP_IDENTITY=true.*assignedIdentities/);
    expect(decideManagedGroupAccess({ listed: false, assignEnabled: true }, plan).detail).toMatch(/set APP_PRINCIPAL_ID/);
    const done = planHardening({
      registryId: REGISTRY_ID,
      states: freshStates().map((s) => (s.target.kind === 'registry' ? s : { ...s, publicNetworkAccess: 'Disabled', endpoints: [] })),
      placement: PLACEMENT,
      lockdownAcr: true,
    });
    expect(decideManagedGroupAccess({ appPrincipalId: APP, listed: false, assignEnabled: false }, { ...done, endpoints: done.endpoints.filter((e) => e.target.kind === 'registry') }).state).toBe('notNeeded');
    expect(denyAssignmentRemedy({ appPrincipalId: APP, assignEnabled: true })).toBe(`add principal ${APP} to the registry's properties.managedResourceGroupSettings.assignedIdentities yourself (a full registry PUT), then start the run again`);
  });

  it('locks the registry down first, then storage and ACR together', () => {
    const phases = lockdownPhases(fresh().publicAccess.filter((p) => p.action === 'disable'));
    expect(phases.map((p) => p.map((x) => x.target.kind))).toEqual([['registry'], ['storage', 'storage', 'acr']]);
    expect(lockdownPhases(fresh().publicAccess.filter((p) => p.target.kind !== 'registry')).map((p) => p.length)).toEqual([3]);
  });

  it('lists what a failed run left undone', () => {
    const plan = fresh();
    const applied = emptyApplied();
    applied.publicAccess.push({ target: TARGETS[0] as (typeof TARGETS)[number], changed: true, at: '2026-01-01T00:00:00Z' });
    applied.endpoints.push({ endpointId: plan.endpoints[0]?.endpointId ?? '', connectionStatus: 'Pending' });
    const lines = notDoneLines(plan, applied);
    expect(lines).toContain("public network access of storage account 'streg1eastus' (eastus) is still Enabled");
    expect(lines.some((l) => /^public network access of registry/.test(l))).toBe(false);
    expect(lines).toContain("connection of 'pe-reg1-amlregistry-eastus' is Pending, not Approved");
    expect(lines).toContain("private DNS zone group on 'pe-reg1-amlregistry-eastus' not created");
    expect(lines.filter((l) => / not created$/.test(l) && l.startsWith('private endpoint'))).toHaveLength(3);
  });
});
