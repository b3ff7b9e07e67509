import { ArmTypes, parseResourceIdOfType, resourceGroupId, type RegistryId, type ResourceId } from '../../shared/arm-id';
import { ErrorCodes, LockdownError, excerpt } from '../../shared/errors';

export const REGISTRY_TYPE = ArmTypes.registry;
export const REGISTRY_API_VERSION = '2025-12-01';

/** Registry names as the service accepts them (registries.json, registryName pattern). */
export const REGISTRY_NAME_RULE = /^[a-zA-Z0-9][a-zA-Z0-9\-_]{2,32}$/;

export function isValidRegistryName(name: string): boolean {
  return REGISTRY_NAME_RULE.test(name);
}

export interface RegistryRef {
  /** canonical id with the casing given */
  id: RegistryId;
  subscriptionId: string;
  resourceGroup: string;
  name: string;
}

export function parseRegistryId(id: string): RegistryRef {
  const rid: ResourceId & { resourceGroup: string } = parseResourceIdOfType(id, REGISTRY_TYPE);
  const name = rid.names[0] as string;
  if (!isValidRegistryName(name)) {
    throw new LockdownError(ErrorCodes.REGISTRY_NAME_INVALID, `'${excerpt(name)}' is not a valid registry name (${REGISTRY_NAME_RULE.source}).`);
  }
  return { id: rid.id as RegistryId, subscriptionId: rid.subscriptionId, resourceGroup: rid.resourceGroup, name };
}

/** A registry id from a boundary (request, event, argument, input): checked once, branded. */
export function toRegistryId(id: string): RegistryId {
  return parseRegistryId(id).id;
}

export function registryId(subscriptionId: string, resourceGroup: string, name: string): RegistryId {
  return toRegistryId(`${resourceGroupId(subscriptionId, resourceGroup)}/providers/${REGISTRY_TYPE}/${name}`);
}

/** The managed resource group the service creates: `azureml-rg-<registry>_<GUID>`. */
const MANAGED_RG = /^azureml-rg-(.+)_([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/i;

export function parseManagedResourceGroupName(resourceGroup: string): { registryName: string; guid: string } | undefined {
  const m = MANAGED_RG.exec(resourceGroup);
  if (!m || !m[1] || !m[2] || !isValidRegistryName(m[1])) return undefined;
  return { registryName: m[1], guid: m[2] };
}

export function isManagedResourceGroupOf(resourceGroup: string, registryName: string): boolean {
  return parseManagedResourceGroupName(resourceGroup)?.registryName.toLowerCase() === registryName.toLowerCase();
}

/* ---- The registry resource as the 2025-12-01 spec describes it (registries.json). ---- */

export interface ArmResourceIdRef {
  resourceId?: string | null;
}

export interface SystemCreatedStorageAccount {
  allowBlobPublicAccess?: boolean | null;
  armResourceId?: ArmResourceIdRef | null;
  storageAccountHnsEnabled?: boolean | null;
  storageAccountName?: string | null;
  storageAccountType?: string | null;
}

export interface SystemCreatedAcrAccount {
  acrAccountName?: string | null;
  acrAccountSku?: string | null;
  armResourceId?: ArmResourceIdRef | null;
}

export interface RegistryRegionArmDetails {
  location?: string | null;
  acrDetails?: Array<{ systemCreatedAcrAccount?: SystemCreatedAcrAccount | null }> | null;
  storageAccountDetails?: Array<{ systemCreatedStorageAccount?: SystemCreatedStorageAccount | null }> | null;
}

export type PrivateLinkConnectionStatus = 'Approved' | 'Pending' | 'Rejected' | 'Disconnected';

export interface RegistryPrivateEndpointConnection {
  id?: string | null;
  location?: string | null;
  properties?: {
    groupIds?: string[] | null;
    privateEndpoint?: { id?: string | null; subnetArmId?: string | null } | null;
    provisioningState?: string | null;
    registryPrivateLinkServiceConnectionState?: {
      status?: PrivateLinkConnectionStatus | string | null;
      description?: string | null;
      actionsRequired?: string | null;
    } | null;
  } | null;
}

export interface RegistryProperties {
  discoveryUrl?: string | null;
  intellectualPropertyPublisher?: string | null;
  managedResourceGroup?: ArmResourceIdRef | null;
  managedResourceGroupSettings?: { assignedIdentities?: Array<{ principalId?: string }> | null } | null;
  mlFlowRegistryUri?: string | null;
  registryPrivateEndpointConnections?: RegistryPrivateEndpointConnection[] | null;
  /** a plain string in the spec: "Enabled" or "Disabled" */
  publicNetworkAccess?: string | null;
  regionDetails?: RegistryRegionArmDetails[] | null;
  [extra: string]: unknown;
}

export interface Registry {
  id: string;
  name: string;
  type: string;
  location: string;
  tags?: Record<string, string> | null;
  identity?: Record<string, unknown> | null;
  kind?: string | null;
  sku?: Record<string, unknown> | null;
  systemData?: Record<string, unknown> | null;
  properties: RegistryProperties;
}
