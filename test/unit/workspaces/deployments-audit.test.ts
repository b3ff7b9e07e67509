import { auditOnlineDeployments, registryModelOf } from '../../../src/workspaces/domain/deployments-audit';
import type { OnlineDeploymentInfo } from '../../../src/workspaces/domain/ports';

const WS = '/subscriptions/00000000-0000-0000-0000-0000000000a1/resourceGroups/rg/providers/Microsoft.MachineLearningServices/workspaces/ws1';

function dep(name: string, over: Partial<OnlineDeploymentInfo>): OnlineDeploymentInfo {
  return { id: `${WS}/onlineEndpoints/ep1/deployments/${name}`, name, endpointId: `${WS}/onlineEndpoints/ep1`, endpointName: 'ep1', computeType: 'Managed', ...over };
}

describe('registryModelOf', () => {
  it.each([
    ['azureml://registries/reg1/models/bert/versions/3', { registryName: 'reg1', modelName: 'bert', version: '3' }],
    ['azureml://registries/azureml/models/phi-3/labels/latest', { registryName: 'azureml', modelName: 'phi-3', label: 'latest' }],
    ['AZUREML://registries/reg1/models/m', { registryName: 'reg1', modelName: 'm' }],
  ])('reads %s', (model, ref) => expect(registryModelOf(model)).toEqual(ref));

  it.each([[undefined], ['azureml:bert:3'], [`${WS}/models/bert/versions/3`], ['azureml://registries/reg1/environments/e/versions/1'], ['azureml://locations/westeurope/workspaces/x/models/m/versions/1']])('does not take %s for a registry model', (model) => {
    expect(registryModelOf(model)).toBeUndefined();
  });
});

describe('auditOnlineDeployments', () => {
  it('reports managed deployments of registry models without egress Disabled (the default is Enabled), and only those', () => {
    const audit = auditOnlineDeployments(WS, 2, [
      dep('open', { model: 'azureml://registries/reg1/models/bert/versions/3', egressPublicNetworkAccess: 'Enabled' }),
      dep('default', { model: 'azureml://registries/reg1/models/bert/versions/3' }),
      dep('secured', { model: 'azureml://registries/reg1/models/bert/versions/3', egressPublicNetworkAccess: 'Disabled' }),
      dep('local', { model: `${WS}/models/m/versions/1`, egressPublicNetworkAccess: 'Enabled' }),
      dep('k8s', { computeType: 'Kubernetes', model: 'azureml://registries/reg1/models/bert/versions/3' }),
    ]);
    expect(audit).toMatchObject({ workspaceId: WS, endpoints: 2, deployments: 5, managedDeployments: 4, registryModelDeployments: 3, compliant: false });
    expect(audit.findings.map((f) => [f.deploymentName, f.egressPublicNetworkAccess, f.registryName])).toEqual([['default', 'Enabled', 'reg1'], ['open', 'Enabled', 'reg1']]);
    expect(audit.findings[0]?.reason).toMatch(/egress_public_network_access=disabled/);
    expect(audit.findings[0]?.reason).toMatch(/\(the default\)/);
    expect(audit.skipped).toEqual([{ deploymentId: `${WS}/onlineEndpoints/ep1/deployments/k8s`, computeType: 'Kubernetes' }]);
  });

  it('is compliant with no deployments, or with every registry model behind egress Disabled', () => {
    expect(auditOnlineDeployments(WS, 0, []).compliant).toBe(true);
    expect(auditOnlineDeployments(WS, 1, [dep('d', { model: 'azureml://registries/r/models/m/versions/1', egressPublicNetworkAccess: 'disabled' })]).compliant).toBe(true);
  });
});
