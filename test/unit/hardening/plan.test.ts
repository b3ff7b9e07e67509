import { ACR_LOCKDOWN_OFF_REASON, ENDPOINT_NAME_RULE, endpointName, planHardening } from '../../../src/hardening/domain/plan';
import type { TargetState } from '../../../src/hardening/domain/hardening';
import { endpoint, freshStates, PLACEMENT, REGISTRY_ID, SUB, TARGETS, ZONES } from '../../helpers/hardening-fixtures';

const plan = (states: TargetState[], lockdownAcr = true) => planHardening({ registryId: REGISTRY_ID, states, placement: PLACEMENT, lockdownAcr });
const [REGISTRY, STORAGE_EAST, STORAGE_WEST, ACR] = TARGETS as [(typeof TARGETS)[number], (typeof TARGETS)[number], (typeof TARGETS)[number], (typeof TARGETS)[number]];

function hardenedStates(): TargetState[] {
  return [
    { target: REGISTRY, publicNetworkAccess: 'Disabled', endpoints: [endpoint(REGISTRY, 'pe-reg1-amlregistry-eastus')] },
    { target: STORAGE_EAST, publicNetworkAccess: 'Disabled', endpoints: [endpoint(STORAGE_EAST, 'pe-reg1-blob-eastus')] },
    { target: STORAGE_WEST, publicNetworkAccess: 'Disabled', endpoints: [endpoint(STORAGE_WEST, 'pe-reg1-blob-westeurope')] },
    { target: ACR, publicNetworkAccess: 'Disabled', endpoints: [endpoint(ACR, 'pe-reg1-acr-eastus')] },
  ];
}

describe('planHardening', () => {
  it('plans everything for a fresh two-region registry: 4 endpoints, 4 zone groups, 4 disables', () => {
    const p = plan(freshStates());
    expect(p.endpoints.map((e) => [e.name, e.groupId, e.action, e.zoneGroup.action])).toEqual([
      ['pe-reg1-amlregistry-eastus', 'amlregistry', 'create', 'create'],
      ['pe-reg1-blob-eastus', 'blob', 'create', 'create'],
      ['pe-reg1-blob-westeurope', 'blob', 'create', 'create'],
      ['pe-reg1-acr-eastus', 'registry', 'create', 'create'],
    ]);
    expect(p.endpoints[0]?.endpointId).toBe(`/subscriptions/${SUB}/resourceGroups/rg-endpoints/providers/Microsoft.Network/privateEndpoints/pe-reg1-amlregistry-eastus`);
    expect(p.endpoints.map((e) => e.zoneGroup)).toEqual([
      { action: 'create', name: 'default', zoneId: ZONES.amlregistry },
      { action: 'create', name: 'default', zoneId: ZONES.blob },
      { action: 'create', name: 'default', zoneId: ZONES.blob },
      { action: 'create', name: 'default', zoneId: ZONES.registry },
    ]);
    expect(p.endpoints.every((e) => e.connectionStatus === 'New')).toBe(true);
    expect(p.publicAccess.map((a) => a.action)).toEqual(['disable', 'disable', 'disable', 'disable']);
    expect(p.writes).toBe(12);
    expect(p.warnings).toEqual([]);
  });

  it('plans zero writes for a fully hardened registry', () => {
    const p = plan(hardenedStates());
    expect(p.endpoints.every((e) => e.action === 'keep' && e.zoneGroup.action === 'keep')).toBe(true);
    expect(p.publicAccess.every((a) => a.action === 'keep')).toBe(true);
    expect(p.writes).toBe(0);
    expect(p.warnings).toEqual([]);
  });

  it('keeps endpoints under any name (an older, longer name included): found by target, group and subnet', () => {
    const states = hardenedStates();
    states[0] = { target: REGISTRY, publicNetworkAccess: 'Disabled', endpoints: [endpoint(REGISTRY, `pe-${'r'.repeat(33)}-amlregistry-australiasoutheast`)] };
    states[1] = { target: STORAGE_EAST, publicNetworkAccess: 'Disabled', endpoints: [endpoint(STORAGE_EAST, 'someone-elses-name')] };
    const p = plan(states);
    expect(p.endpoints.map((e) => [e.name, e.action])).toEqual([
      [`pe-${'r'.repeat(33)}-amlregistry-australiasoutheast`, 'keep'],
      ['someone-elses-name', 'keep'],
      ['pe-reg1-blob-westeurope', 'keep'],
      ['pe-reg1-acr-eastus', 'keep'],
    ]);
    expect(p.writes).toBe(0);
  });

  it('plans only the difference for a half-hardened registry', () => {
    const states = hardenedStates();
    states[1] = { target: STORAGE_EAST, publicNetworkAccess: 'Enabled', endpoints: [] }; // endpoint + zone + disable
    states[3] = { target: ACR, publicNetworkAccess: 'Enabled', endpoints: [endpoint(ACR, 'pe-reg1-acr-eastus', { zoneGroups: [] })] }; // zone + disable
    const p = plan(states);
    expect(p.endpoints.map((e) => [e.action, e.zoneGroup.action])).toEqual([
      ['keep', 'keep'],
      ['create', 'create'],
      ['keep', 'keep'],
      ['keep', 'create'],
    ]);
    expect(p.publicAccess.map((a) => a.action)).toEqual(['keep', 'disable', 'keep', 'disable']);
    expect(p.writes).toBe(5);
  });

  it('keeps an endpoint that points at the target from our subnet under another name (no duplicate)', () => {
    const states = hardenedStates();
    const theirs = endpoint(STORAGE_WEST, 'someone-elses-pe', { id: `/subscriptions/${SUB}/resourceGroups/RG-OTHER/providers/Microsoft.Network/privateEndpoints/someone-elses-pe` });
    // ids compared case-insensitively
    theirs.subnetId = PLACEMENT.subnetId.toUpperCase();
    theirs.targetId = STORAGE_WEST.id.toLowerCase() + '/';
    states[2] = { target: STORAGE_WEST, publicNetworkAccess: 'Disabled', endpoints: [theirs] };
    const p = plan(states);
    expect(p.endpoints[2]).toMatchObject({ action: 'keep', name: 'someone-elses-pe', endpointId: theirs.id, connectionStatus: 'Approved' });
    expect(p.writes).toBe(0);
  });

  it('does not count an endpoint from another subnet or for another group', () => {
    const states = hardenedStates();
    states[1] = {
      target: STORAGE_EAST,
      publicNetworkAccess: 'Disabled',
      endpoints: [
        endpoint(STORAGE_EAST, 'pe-other-subnet', { subnetId: PLACEMENT.subnetId.replace('snet-pe', 'snet-other') }),
        endpoint(STORAGE_EAST, 'pe-file', { groupIds: ['file'] }),
      ],
    };
    expect(plan(states).endpoints[1]).toMatchObject({ action: 'create', name: 'pe-reg1-blob-eastus' });
  });

  it('leaves a foreign zone group alone and says so', () => {
    const states = hardenedStates();
    const policyZone = `/subscriptions/${SUB}/resourceGroups/rg-hub-dns/providers/Microsoft.Network/privateDnsZones/privatelink.api.azureml.ms`;
    states[0] = { target: REGISTRY, publicNetworkAccess: 'Disabled', endpoints: [endpoint(REGISTRY, 'pe-reg1-amlregistry-eastus', { zoneGroups: [{ name: 'alz-policy', zoneIds: [policyZone] }] })] };
    const p = plan(states);
    expect(p.endpoints[0]?.zoneGroup).toEqual({ action: 'foreign', name: 'alz-policy', zoneId: ZONES.amlregistry });
    expect(p.writes).toBe(0);
    expect(p.warnings).toHaveLength(1);
    expect(p.warnings[0]).toContain("'alz-policy'");
    expect(p.warnings[0]).toContain('pe-reg1-amlregistry-eastus');
  });

  it('keeps a zone group that links our zone among others, whatever its name', () => {
    const states = hardenedStates();
    states[3] = { target: ACR, publicNetworkAccess: 'Disabled', endpoints: [endpoint(ACR, 'pe-reg1-acr-eastus', { zoneGroups: [{ name: 'custom', zoneIds: ['/x', ZONES.registry.toUpperCase()] }] })] };
    expect(plan(states).endpoints[3]?.zoneGroup).toEqual({ action: 'keep', name: 'custom', zoneId: ZONES.registry });
  });

  it('puts again a zone group of ours that its last PUT left Failed (it has no DNS records)', () => {
    const states = hardenedStates();
    states[3] = { target: ACR, publicNetworkAccess: 'Disabled', endpoints: [endpoint(ACR, 'pe-reg1-acr-eastus', { zoneGroups: [{ name: 'default', zoneIds: [ZONES.registry], provisioningState: 'Failed' }] })] };
    expect(plan(states).endpoints[3]?.zoneGroup).toEqual({ action: 'create', name: 'default', zoneId: ZONES.registry });
  });

  it('creates a new endpoint when the existing one was rejected, under a name that is not taken', () => {
    const states = hardenedStates();
    states[0] = { target: REGISTRY, publicNetworkAccess: 'Disabled', endpoints: [endpoint(REGISTRY, 'pe-reg1-amlregistry-eastus', { connectionStatus: 'Rejected' })] };
    const p = plan(states);
    expect(p.endpoints[0]).toMatchObject({ action: 'create', name: 'pe-reg1-amlregistry-eastus-2', connectionStatus: 'New', zoneGroup: { action: 'create' } });
    expect(p.writes).toBe(2);
  });

  it('creates a new endpoint next to a disconnected one named differently, with the deterministic name', () => {
    const states = hardenedStates();
    states[2] = { target: STORAGE_WEST, publicNetworkAccess: 'Disabled', endpoints: [endpoint(STORAGE_WEST, 'old-pe', { connectionStatus: 'Disconnected' })] };
    expect(plan(states).endpoints[2]).toMatchObject({ action: 'create', name: 'pe-reg1-blob-westeurope' });
  });

  it('keeps a Pending endpoint (the run waits for its approval, it does not create another)', () => {
    const states = hardenedStates();
    states[1] = { target: STORAGE_EAST, publicNetworkAccess: 'Disabled', endpoints: [endpoint(STORAGE_EAST, 'pe-reg1-blob-eastus', { connectionStatus: 'Pending' })] };
    expect(plan(states).endpoints[1]).toMatchObject({ action: 'keep', connectionStatus: 'Pending' });
  });

  it('prefers our own endpoint when several point at the target', () => {
    const states = hardenedStates();
    states[1] = {
      target: STORAGE_EAST,
      publicNetworkAccess: 'Disabled',
      endpoints: [endpoint(STORAGE_EAST, 'aaa-first'), endpoint(STORAGE_EAST, 'pe-reg1-blob-eastus', { connectionStatus: 'Pending' })],
    };
    expect(plan(states).endpoints[1]?.name).toBe('pe-reg1-blob-eastus');
  });

  it('skips the ACR lock-down when it is switched off, with a warning saying why', () => {
    const p = plan(freshStates(), false);
    expect(p.publicAccess[3]).toEqual({ target: ACR, current: 'Enabled', action: 'skip', reason: ACR_LOCKDOWN_OFF_REASON });
    expect(p.warnings).toEqual([expect.stringContaining('environment assets cannot be created in a registry whose ACR is private')]);
    expect(p.writes).toBe(11);
  });

  it('keeps an already private ACR even when ACR lock-down is off', () => {
    const states = hardenedStates();
    expect(plan(states, false).publicAccess[3]?.action).toBe('keep');
  });
});

describe('endpointName', () => {
  it('is pe-<registry>-<kind>-<region>, lower case', () => {
    expect(endpointName('Reg1', 'blob', 'westeurope')).toBe('pe-reg1-blob-westeurope');
    expect(endpointName('my_reg', 'acr', 'eastus')).toBe('pe-my_reg-acr-eastus');
  });

  it('fits the 64-character limit of private endpoints with a stable hash, keeping kind and region', () => {
    const reg = `r${'e'.repeat(31)}g`; // 33 characters, the longest registry name
    const name = endpointName(reg, 'amlregistry', 'australiasoutheast');
    expect(`pe-${reg}-amlregistry-australiasoutheast`).toHaveLength(67);
    expect(name.length).toBeLessThanOrEqual(64);
    expect(name).toMatch(ENDPOINT_NAME_RULE);
    expect(name).toMatch(/^pe-re+-[0-9a-f]{8}-amlregistry-australiasoutheast$/);
    expect(endpointName(reg, 'amlregistry', 'australiasoutheast')).toBe(name);
    expect(endpointName(`${reg.slice(0, 32)}h`, 'amlregistry', 'australiasoutheast')).not.toBe(name);
    const names = ['australiasoutheast', 'australiaeast', 'germanywestcentral'].flatMap((r) => (['amlregistry', 'blob', 'acr'] as const).map((k) => endpointName(reg, k, r)));
    expect(new Set(names).size).toBe(9);
    for (const n of names) {
      expect(n.length).toBeLessThanOrEqual(64);
      expect(n).toMatch(ENDPOINT_NAME_RULE);
    }
  });

  it('cuts the whole name when kind and region alone do not fit', () => {
    const name = endpointName('r'.repeat(33), 'amlregistry', 'a-region-name-that-is-far-too-long-for-azure-names');
    expect(name.length).toBeLessThanOrEqual(64);
    expect(name).toMatch(ENDPOINT_NAME_RULE);
    expect(name).toMatch(/-[0-9a-f]{8}$/);
    expect(endpointName('r'.repeat(33), 'amlregistry', 'a-region-name-that-is-far-too-long-for-azure-namez')).not.toBe(name);
  });

  it('leaves names within the limit alone', () => {
    const name = endpointName('r'.repeat(20), 'amlregistry', 'germanywestcentral');
    expect(name).toBe(`pe-${'r'.repeat(20)}-amlregistry-germanywestcentral`);
    expect(name.length).toBe(54);
  });

  it('repairs names that would break the rule', () => {
    const name = endpointName('reg', 'blob', 'east us.');
    expect(name).toMatch(ENDPOINT_NAME_RULE);
  });
});
