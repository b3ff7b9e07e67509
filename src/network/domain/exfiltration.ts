/**
 * Exfiltration protection for system registries: a service endpoint policy carrying the Azure
 * Machine Learning alias (`/services/Azure/MachineLearning`) attached to the workspace's subnet,
 * with the Storage service endpoint on that subnet, so compute can reach Microsoft-managed
 * storage (the system registries' included) and nothing else over the endpoint. Pure: the
 * assessment and the plan of what an apply adds — it never removes an endpoint or a policy.
 */
import { sha256Hex } from '../../shared/hash';

export const ML_ALIAS = '/services/Azure/MachineLearning';
export const STORAGE_SERVICE = 'Microsoft.Storage';
/** Service names of a Storage service endpoint (regional, and the cross-region one). */
const STORAGE_ENDPOINTS = ['microsoft.storage', 'microsoft.storage.global'];
/** Services a definition carrying the alias may name. */
const ALIAS_SERVICES = ['microsoft.storage', 'global', 'microsoft.storage.global'];

export interface PolicyDefinition {
  name: string;
  service: string;
  serviceResources: readonly string[];
}

export interface EndpointPolicy {
  id: string;
  name: string;
  location: string;
  definitions: readonly PolicyDefinition[];
}

export interface SubnetNetworking {
  id: string;
  /** the VNet's region */
  location: string;
  serviceEndpoints: ReadonlyArray<{ service: string; locations?: readonly string[] }>;
  serviceEndpointPolicyIds: readonly string[];
}

export interface ExfiltrationReport {
  subnetId: string;
  protected: boolean;
  storageServiceEndpoint: boolean;
  /** the attached policies that carry the alias */
  aliasPolicies: string[];
  /** every attached policy */
  attachedPolicies: string[];
  why: string;
}

export function carriesAlias(policy: Pick<EndpointPolicy, 'definitions'>): boolean {
  return policy.definitions.some((d) => ALIAS_SERVICES.includes(d.service.toLowerCase()) && d.serviceResources.some((r) => r.toLowerCase() === ML_ALIAS.toLowerCase()));
}

function hasStorageEndpoint(subnet: SubnetNetworking): boolean {
  return subnet.serviceEndpoints.some((e) => STORAGE_ENDPOINTS.includes(e.service.toLowerCase()));
}

const same = (a: string, b: string): boolean => a.toLowerCase() === b.toLowerCase();

/** The subnet's state; `attached` are the policies the subnet references (those that could be read). */
export function assessExfiltration(subnet: SubnetNetworking, attached: readonly EndpointPolicy[]): ExfiltrationReport {
  const storageServiceEndpoint = hasStorageEndpoint(subnet);
  const aliasPolicies = attached.filter(carriesAlias).map((p) => p.id);
  const isProtected = storageServiceEndpoint && aliasPolicies.length > 0;
  const missing = [
    ...(storageServiceEndpoint ? [] : [`the ${STORAGE_SERVICE} service endpoint`]),
    ...(aliasPolicies.length > 0 ? [] : [`a service endpoint policy with the ${ML_ALIAS} alias`]),
  ];
  return {
    subnetId: subnet.id,
    protected: isProtected,
    storageServiceEndpoint,
    aliasPolicies,
    attachedPolicies: [...subnet.serviceEndpointPolicyIds],
    why: isProtected ? `the subnet has the ${STORAGE_SERVICE} service endpoint and an attached policy with the ${ML_ALIAS} alias` : `the subnet lacks ${missing.join(' and ')}`,
  };
}

/** The policy an apply creates when none in the resource group carries the alias: `sep-aml-<hash of the subnet id>`. */
export function policyNameFor(subnetId: string): string {
  return `sep-aml-${sha256Hex(subnetId.toLowerCase()).slice(0, 12)}`;
}

export type ExfiltrationPlan =
  | { kind: 'nothing-to-do' }
  | {
    kind: 'apply';
    /** create this policy first (none in the resource group carries the alias) */
    createPolicy?: { name: string; location: string; definitions: PolicyDefinition[] };
    /** the policy to attach (an existing one with the alias, or the created one) */
    attachPolicyId: string;
    /** the subnet's new lists: everything it had, plus what is missing */
    serviceEndpoints: Array<{ service: string; locations?: string[] }>;
    serviceEndpointPolicyIds: string[];
    changes: string[];
  };

/**
 * What an apply writes. The policy to attach: one already attached with the alias, else one in
 * the subnet's resource group and region that carries it (first by name), else a new
 * `sep-aml-<hash>`. Existing endpoints and policies are kept.
 */
export function planExfiltration(subnet: SubnetNetworking, attached: readonly EndpointPolicy[], inResourceGroup: readonly EndpointPolicy[], policyIdPrefix: string): ExfiltrationPlan {
  const report = assessExfiltration(subnet, attached);
  if (report.protected) return { kind: 'nothing-to-do' };
  const changes: string[] = [];
  const serviceEndpoints = subnet.serviceEndpoints.map((e) => ({ service: e.service, ...(e.locations ? { locations: [...e.locations] } : {}) }));
  if (!report.storageServiceEndpoint) {
    serviceEndpoints.push({ service: STORAGE_SERVICE, locations: [subnet.location] });
    changes.push(`add the ${STORAGE_SERVICE} service endpoint`);
  }
  const policyIds = [...subnet.serviceEndpointPolicyIds];
  let attachPolicyId = report.aliasPolicies[0];
  let createPolicy: { name: string; location: string; definitions: PolicyDefinition[] } | undefined;
  if (attachPolicyId === undefined) {
    const candidate = inResourceGroup
      .filter((p) => carriesAlias(p) && same(p.location.replace(/\s+/g, ''), subnet.location.replace(/\s+/g, '')))
      .sort((a, b) => a.name.localeCompare(b.name))[0];
    if (candidate) {
      attachPolicyId = candidate.id;
      changes.push(`attach the existing policy '${candidate.name}'`);
    } else {
      const name = policyNameFor(subnet.id);
      attachPolicyId = `${policyIdPrefix}/${name}`;
      createPolicy = { name, location: subnet.location, definitions: [{ name: 'azure-machine-learning', service: STORAGE_SERVICE, serviceResources: [ML_ALIAS] }] };
      changes.push(`create the policy '${name}' with the ${ML_ALIAS} alias`, `attach '${name}'`);
    }
    if (!policyIds.some((id) => same(id, attachPolicyId as string))) policyIds.push(attachPolicyId);
  }
  return { kind: 'apply', ...(createPolicy ? { createPolicy } : {}), attachPolicyId, serviceEndpoints, serviceEndpointPolicyIds: policyIds, changes };
}
