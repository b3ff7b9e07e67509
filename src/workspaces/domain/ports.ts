import type { RegistryPort } from '../../hardening/domain/ports';
import type { Workspace } from './workspace';

/**
 * Ports of the workspace capabilities (sharing with a registry, online deployments audit), next
 * to src/hardening/domain/ports.ts. The adapters are in src/azure/workspaces.adapter.ts.
 */

export interface IpRule {
  value: string;
  action?: string;
}

export interface VirtualNetworkRule {
  id: string;
  action?: string;
  state?: string;
}

export interface ResourceAccessRule {
  tenantId: string;
  resourceId: string;
}

/** A storage account's `networkAcls` (SDK: networkRuleSet), every list kept as the owner set it. */
export interface StorageNetworkAcls {
  defaultAction: string;
  bypass?: string;
  ipRules: IpRule[];
  ipv6Rules?: IpRule[];
  virtualNetworkRules: VirtualNetworkRule[];
  resourceAccessRules: ResourceAccessRule[];
}

export interface StorageNetworkState {
  id: string;
  /** undefined when ARM does not report it (older accounts): the firewall alone decides */
  publicNetworkAccess?: string;
  networkAcls?: StorageNetworkAcls;
}

/** What a storage PATCH sends: publicNetworkAccess and the WHOLE networkAcls object (a PATCH replaces it). */
export interface StorageNetworkPatch {
  publicNetworkAccess: string;
  networkAcls: StorageNetworkAcls;
}

export type StorageLookup =
  | { found: true; account: StorageNetworkState }
  | { found: false; reason: 'not-found' | 'other-tenant'; detail: string };

export interface OnlineDeploymentInfo {
  id: string;
  name: string;
  endpointId: string;
  endpointName: string;
  /** Managed | Kubernetes | AzureMLCompute */
  computeType?: string;
  model?: string;
  /** Enabled | Disabled; undefined: the service default (Enabled) */
  egressPublicNetworkAccess?: string;
  provisioningState?: string;
}

/** A compute of a workspace placed in a VNet subnet of the customer (AmlCompute, ComputeInstance). */
export interface ComputeSubnet {
  computeName: string;
  computeType: string;
  subnetId: string;
}

export interface WorkspacesPort {
  get(workspaceId: string): Promise<Workspace | undefined>;
  /** every workspace of the subscription (all pages); throws a coded error when the subscription cannot be listed */
  listBySubscription(subscriptionId: string): Promise<Workspace[]>;
  /** the workspace's computes that sit in a subnet (properties.subnet.id), all pages */
  listComputeSubnets(workspaceId: string): Promise<ComputeSubnet[]>;
  /** every deployment of every online endpoint of the workspace */
  listOnlineDeployments(workspaceId: string): Promise<{ endpoints: number; deployments: OnlineDeploymentInfo[] }>;
}

export interface StorageNetworkPort {
  get(storageAccountId: string): Promise<StorageLookup>;
  /** PATCH, then the account as ARM answers a re-read */
  update(storageAccountId: string, patch: StorageNetworkPatch): Promise<StorageNetworkState>;
}

export interface TenantPort {
  /** the tenant of the app's ARM token (`tid`) */
  currentTenantId(): Promise<string>;
}

/** The workspace capabilities' ports (built in src/main.ts). */
export interface WorkspacePorts {
  workspaces: WorkspacesPort;
  storageNetwork: StorageNetworkPort;
  tenant: TenantPort;
  registries: Pick<RegistryPort, 'get'>;
}
