import { assessExfiltration, carriesAlias, ML_ALIAS, planExfiltration, policyNameFor, type EndpointPolicy, type SubnetNetworking } from '../../../src/network/domain/exfiltration';

const RG = '/subscriptions/00000000-0000-0000-0000-0000000000a1/resourceGroups/rg-network';
const SEPS = `${RG}/providers/Microsoft.Network/serviceEndpointPolicies`;
const subnet = (over: Partial<SubnetNetworking> = {}): SubnetNetworking => ({
  id: `${RG}/providers/Microsoft.Network/virtualNetworks/vnet-ml/subnets/snet-ws`, location: 'westeurope', serviceEndpoints: [], serviceEndpointPolicyIds: [], ...over,
});
const policy = (name: string, resources: string[], service = 'Microsoft.Storage', location = 'westeurope'): EndpointPolicy => ({
  id: `${SEPS}/${name}`, name, location, definitions: [{ name: 'd', service, serviceResources: resources }],
});

describe('exfiltration protection', () => {
  it('recognises the alias on Microsoft.Storage or Global definitions only', () => {
    expect(carriesAlias(policy('a', [ML_ALIAS]))).toBe(true);
    expect(carriesAlias(policy('a', ['/services/azure/machinelearning'], 'Global'))).toBe(true);
    expect(carriesAlias(policy('a', [`${RG}/providers/Microsoft.Storage/storageAccounts/x`]))).toBe(false);
    expect(carriesAlias(policy('a', [ML_ALIAS], 'Microsoft.Sql'))).toBe(false);
  });

  it('protected needs both the Storage endpoint and an attached alias policy', () => {
    const p = policy('sep', [ML_ALIAS]);
    expect(assessExfiltration(subnet(), []).protected).toBe(false);
    expect(assessExfiltration(subnet({ serviceEndpoints: [{ service: 'Microsoft.Storage' }] }), []).why).toMatch(/lacks a service endpoint policy/);
    expect(assessExfiltration(subnet({ serviceEndpointPolicyIds: [p.id] }), [p]).why).toMatch(/lacks the Microsoft.Storage service endpoint/);
    const ok = assessExfiltration(subnet({ serviceEndpoints: [{ service: 'Microsoft.Storage.Global' }], serviceEndpointPolicyIds: [p.id] }), [p]);
    expect(ok).toMatchObject({ protected: true, storageServiceEndpoint: true, aliasPolicies: [p.id] });
  });

  it('plans a new sep-aml-<hash> (stable per subnet) with the Storage endpoint, keeping existing endpoints and policies', () => {
    const other = policy('sep-accounts', [`${RG}/providers/Microsoft.Storage/storageAccounts/x`]);
    const s = subnet({ serviceEndpoints: [{ service: 'Microsoft.KeyVault', locations: ['*'] }], serviceEndpointPolicyIds: [other.id] });
    const plan = planExfiltration(s, [other], [other], SEPS);
    if (plan.kind !== 'apply') throw new Error(plan.kind);
    const name = policyNameFor(s.id);
    expect(name).toMatch(/^sep-aml-[0-9a-f]{12}$/);
    expect(policyNameFor(s.id.toUpperCase())).toBe(name);
    expect(plan.createPolicy).toEqual({ name, location: 'westeurope', definitions: [{ name: 'azure-machine-learning', service: 'Microsoft.Storage', serviceResources: [ML_ALIAS] }] });
    expect(plan.serviceEndpoints).toEqual([{ service: 'Microsoft.KeyVault', locations: ['*'] }, { service: 'Microsoft.Storage', locations: ['westeurope'] }]);
    expect(plan.serviceEndpointPolicyIds).toEqual([other.id, `${SEPS}/${name}`]);
  });

  it('attaches an existing alias policy of the resource group in the same region instead of creating one', () => {
    const plan = planExfiltration(subnet(), [], [policy('z-aml', [ML_ALIAS]), policy('a-aml', [ML_ALIAS]), policy('b-elsewhere', [ML_ALIAS], 'Microsoft.Storage', 'eastus')], SEPS);
    if (plan.kind !== 'apply') throw new Error(plan.kind);
    expect(plan.createPolicy).toBeUndefined();
    expect(plan.attachPolicyId).toBe(`${SEPS}/a-aml`);
  });

  it('only adds the endpoint when the alias policy is attached already; nothing when protected', () => {
    const p = policy('sep', [ML_ALIAS]);
    const plan = planExfiltration(subnet({ serviceEndpointPolicyIds: [p.id] }), [p], [p], SEPS);
    if (plan.kind !== 'apply') throw new Error(plan.kind);
    expect(plan.changes).toEqual(['add the Microsoft.Storage service endpoint']);
    expect(plan.serviceEndpointPolicyIds).toEqual([p.id]);
    expect(planExfiltration(subnet({ serviceEndpoints: [{ service: 'Microsoft.Storage' }], serviceEndpointPolicyIds: [p.id] }), [p], [], SEPS)).toEqual({ kind: 'nothing-to-do' });
  });
});
