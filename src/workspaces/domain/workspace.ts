import { ErrorCodes, LockdownError } from '../../shared/errors';
import { parseResourceIdOfType } from '../../shared/arm-id';

/** Azure ML workspaces: ids and the little the sharing and audit decisions need to know. */
export const WORKSPACE_TYPE = 'Microsoft.MachineLearningServices/workspaces';
export const STORAGE_ACCOUNT_TYPE = 'Microsoft.Storage/storageAccounts';
export const REGISTRY_RESOURCE_TYPE = 'Microsoft.MachineLearningServices/registries';

/** Workspace names (Workspaces_CreateOrUpdate: 3-33 of letters, digits, '-' and '_', not starting with '-' or '_'). */
export const WORKSPACE_NAME_RULE = /^[a-zA-Z0-9][a-zA-Z0-9_-]{2,32}$/;

export interface WorkspaceRef {
  id: string;
  subscriptionId: string;
  resourceGroup: string;
  name: string;
}

export function workspaceId(subscriptionId: string, resourceGroup: string, name: string): string {
  return `/subscriptions/${subscriptionId}/resourceGroups/${resourceGroup}/providers/${WORKSPACE_TYPE}/${name}`;
}

/** Parses a workspace id; throws ARM_ID.INVALID naming the problem (another type, a bad name). */
export function parseWorkspaceId(id: string): WorkspaceRef {
  const rid = parseResourceIdOfType(id, WORKSPACE_TYPE);
  if (rid.names.length !== 1) throw new LockdownError(ErrorCodes.ARM_ID_INVALID, `'${rid.id}' is not a valid ARM resource id: expected a ${WORKSPACE_TYPE} id.`);
  const name = rid.names[0] as string;
  if (!WORKSPACE_NAME_RULE.test(name)) throw new LockdownError(ErrorCodes.ARM_ID_INVALID, `'${rid.id}' is not a valid ARM resource id: '${name}' is not a workspace name (${WORKSPACE_NAME_RULE.source}).`);
  return { id: workspaceId(rid.subscriptionId, rid.resourceGroup, name), subscriptionId: rid.subscriptionId, resourceGroup: rid.resourceGroup, name };
}

/** What ARM says about a workspace (Workspaces_Get). */
export interface Workspace {
  id: string;
  name: string;
  location: string;
  /** the associated storage account's id (properties.storageAccount) */
  storageAccountId?: string;
  publicNetworkAccess?: string;
  /** the workspace's tenant as the service reports it */
  tenantId?: string;
}
