import type { OnlineDeploymentInfo } from './ports';

/**
 * Online deployments audit (report only): the isolation guide requires
 * `egress_public_network_access=disabled` to deploy a registry model to a secured managed online
 * endpoint. A managed deployment whose model is a registry asset (`azureml://registries/…`) and
 * whose egressPublicNetworkAccess is not Disabled (the service default is Enabled) is a finding.
 * Kubernetes / AzureMLCompute deployments have no such setting and are counted, not judged. Pure.
 */
export interface RegistryModelRef {
  registryName: string;
  modelName: string;
  version?: string;
  label?: string;
}

const REGISTRY_MODEL = /^azureml:\/\/registries\/([^/]+)\/models\/([^/]+)(?:\/versions\/([^/]+)|\/labels\/([^/]+))?\/?$/i;

export function registryModelOf(model: string | undefined): RegistryModelRef | undefined {
  const m = model === undefined ? null : REGISTRY_MODEL.exec(model.trim());
  if (!m) return undefined;
  return { registryName: m[1] as string, modelName: m[2] as string, ...(m[3] ? { version: m[3] } : {}), ...(m[4] ? { label: m[4] } : {}) };
}

export interface DeploymentFinding {
  deploymentId: string;
  endpointName: string;
  deploymentName: string;
  model: string;
  registryName: string;
  /** as configured; 'Enabled' when the deployment does not say (the service default) */
  egressPublicNetworkAccess: string;
  reason: string;
}

export interface WorkspaceDeploymentsAudit {
  workspaceId: string;
  endpoints: number;
  deployments: number;
  managedDeployments: number;
  registryModelDeployments: number;
  /** not managed: no egress setting to judge */
  skipped: Array<{ deploymentId: string; computeType: string }>;
  findings: DeploymentFinding[];
  compliant: boolean;
}

export function auditOnlineDeployments(workspaceId: string, endpoints: number, deployments: readonly OnlineDeploymentInfo[]): WorkspaceDeploymentsAudit {
  const findings: DeploymentFinding[] = [];
  const skipped: WorkspaceDeploymentsAudit['skipped'] = [];
  let managed = 0;
  let registryModels = 0;
  const sorted = [...deployments].sort((a, b) => a.id.toLowerCase().localeCompare(b.id.toLowerCase()));
  for (const d of sorted) {
    const computeType = d.computeType ?? 'Managed';
    if (computeType.toLowerCase() !== 'managed') {
      skipped.push({ deploymentId: d.id, computeType });
      continue;
    }
    managed++;
    const ref = registryModelOf(d.model);
    if (!ref) continue;
    registryModels++;
    const egress = d.egressPublicNetworkAccess ?? 'Enabled';
    if (egress.toLowerCase() === 'disabled') continue;
    findings.push({
      deploymentId: d.id,
      endpointName: d.endpointName,
      deploymentName: d.name,
      model: d.model ?? '',
      registryName: ref.registryName,
      egressPublicNetworkAccess: egress,
      reason: `deployment '${d.name}' of endpoint '${d.endpointName}' serves registry model '${ref.modelName}' from registry '${ref.registryName}' with egressPublicNetworkAccess ${egress}${d.egressPublicNetworkAccess === undefined ? ' (the default)' : ''}; a registry model on a secured endpoint needs egress_public_network_access=disabled (redeploy with it).`,
    });
  }
  return { workspaceId, endpoints, deployments: deployments.length, managedDeployments: managed, registryModelDeployments: registryModels, skipped, findings, compliant: findings.length === 0 };
}
