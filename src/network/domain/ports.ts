import type { NewRule, NsgRule } from './egress';
import type { EndpointPolicy, PolicyDefinition } from './exfiltration';

/** A subnet as the egress check and the exfiltration protection read it. */
export interface SubnetInfo {
  id: string;
  /** the VNet's region */
  location: string;
  addressPrefixes: string[];
  networkSecurityGroupId?: string;
  serviceEndpoints: Array<{ service: string; locations?: string[] }>;
  serviceEndpointPolicyIds: string[];
}

export interface NsgInfo {
  id: string;
  location: string;
  /** custom rules, then the default rules (isDefault) */
  rules: NsgRule[];
}

/**
 * NSGs, subnets and service endpoint policies (src/azure/network-security.adapter.ts). Reads
 * answer undefined for a resource that does not exist; writes never remove anything.
 */
export interface NetworkSecurityPort {
  getSubnet(subnetId: string): Promise<SubnetInfo | undefined>;
  getNsg(nsgId: string): Promise<NsgInfo | undefined>;
  /** PUT one security rule (…/securityRules/{name}); the NSG's other rules are untouched */
  addSecurityRule(nsgId: string, rule: NewRule): Promise<void>;
  getEndpointPolicy(policyId: string): Promise<EndpointPolicy | undefined>;
  listEndpointPolicies(subscriptionId: string, resourceGroup: string): Promise<EndpointPolicy[]>;
  createEndpointPolicy(policyId: string, location: string, definitions: PolicyDefinition[]): Promise<EndpointPolicy>;
  /**
   * Re-GET the subnet and PUT it back with these service endpoints and policies added to the ones
   * it has then (never removing one), every other property as it was.
   */
  updateSubnetEndpoints(subnetId: string, serviceEndpoints: Array<{ service: string; locations?: string[] }>, serviceEndpointPolicyIds: string[]): Promise<SubnetInfo>;
}
