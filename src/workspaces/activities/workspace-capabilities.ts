/**
 * The workspace capabilities as use cases over ports, shared by the HTTP routes and the CLI:
 * sharing a workspace's storage with a registry, and the online deployments audit. Every refusal
 * is decided before the one write; a failure never leaves a half-applied change (the only write
 * is one PATCH of the storage account's network settings).
 */
import { auditOnlineDeployments, type WorkspaceDeploymentsAudit } from '../domain/deployments-audit';
import { errorCodeOf, withoutCode } from '../../shared/errors';
import { decideSharing, DEFAULT_NETWORK_ACLS, verifySharing, type SharingDecision } from '../domain/sharing';
import { isResourceOfType } from '../../shared/arm-id';
import { STORAGE_ACCOUNT_TYPE } from '../domain/workspace';
import type { StorageNetworkState, WorkspacePorts } from '../domain/ports';
import { ErrorCodes } from '../../shared/error-codes';


export interface ShareReport {
  workspaceId: string;
  storageAccountId: string;
  registryId: string;
  tenantId: string;
  /** added: the PATCH was sent; unchanged: already shared, nothing written */
  action: 'added' | 'unchanged';
  forced: boolean;
  /** the stated reason, when one was given (required to turn public access Disabled into Enabled) */
  reason?: string;
  changes: string[];
  writes: number;
  before: StorageNetworkState;
  after: StorageNetworkState;
}

/** A failure: its code says what it is (unknown, refused, upstream) and, through the one list of codes, its HTTP status. */
export interface CapabilityFailure {
  code: string;
  message: string;
  /** for refusals: where the account stands, so the caller sees why */
  storageAccountId?: string;
  current?: StorageNetworkState;
}

export type Result<T> = { ok: true; value: T } | { ok: false; failure: CapabilityFailure };

function fail<T>(code: string, message: string, extra: Partial<CapabilityFailure> = {}): Result<T> {
  return { ok: false, failure: { code, message, ...extra } };
}

/** An ARM failure on the way: its own code (ARM.*, answered as 502) and message. */
export function upstreamFailure<T>(e: unknown): Result<T> {
  return fail(errorCodeOf(e) ?? ErrorCodes.ARM_FAILED, withoutCode(e));
}

export interface ShareRequest {
  workspaceId: string;
  registryId: string;
  force: boolean;
  /** why: recorded in the report; required with force on an account whose public access is Disabled */
  reason?: string;
}

/**
 * Let the registry in on the workspace's storage account. Reads: the workspace (its storage
 * account), the registry (must exist), the account; tenant: the app token's `tid` (the registry
 * and the account were both readable with that token, so both live in its tenant). One PATCH
 * when something is missing, then a re-read that must show the rule and every rule from before.
 */
export async function shareWorkspaceWithRegistry(ports: WorkspacePorts, request: ShareRequest): Promise<Result<ShareReport>> {
  try {
    const workspace = await ports.workspaces.get(request.workspaceId);
    if (!workspace) return fail(ErrorCodes.WORKSPACE_NOT_FOUND, `workspace ${request.workspaceId} does not exist, or the app cannot see it.`);
    const storageId = workspace.storageAccountId;
    if (!storageId) return fail(ErrorCodes.SHARING_NO_STORAGE_ACCOUNT, `workspace ${workspace.id} names no storage account (properties.storageAccount).`);
    if (!isResourceOfType(storageId, STORAGE_ACCOUNT_TYPE)) return fail(ErrorCodes.SHARING_NO_STORAGE_ACCOUNT, `workspace ${workspace.id} names '${storageId}' as its storage account, which is not a ${STORAGE_ACCOUNT_TYPE} id.`);
    const registry = await ports.registries.get(request.registryId);
    if (!registry) return fail(ErrorCodes.REGISTRY_NOT_FOUND, `registry ${request.registryId} does not exist, or the app cannot see it.`);
    const lookup = await ports.storageNetwork.get(storageId);
    if (!lookup.found) {
      return lookup.reason === 'other-tenant'
        ? fail(ErrorCodes.SHARING_STORAGE_OTHER_TENANT, `the workspace's storage account is in another tenant (${lookup.detail}); a resource-instance rule across tenants is not made by this app. Nothing was changed.`, { storageAccountId: storageId })
        : fail(ErrorCodes.SHARING_STORAGE_NOT_FOUND, `the workspace's storage account cannot be read: ${lookup.detail}. Nothing was changed.`, { storageAccountId: storageId });
    }
    const before = lookup.account;
    const tenantId = await ports.tenant.currentTenantId();
    const decision: SharingDecision = decideSharing({ storage: before, registryId: registry.id, tenantId, force: request.force, ...(request.reason !== undefined ? { reason: request.reason } : {}) });
    const base = { workspaceId: workspace.id, storageAccountId: before.id, registryId: registry.id, tenantId, forced: false, ...(request.reason !== undefined ? { reason: request.reason } : {}) };
    if (decision.kind === 'refused') return fail(decision.code, decision.reason, { storageAccountId: before.id, current: before });
    if (decision.kind === 'unchanged') return { ok: true, value: { ...base, action: 'unchanged', changes: [], writes: 0, before, after: before } };
    const after = await ports.storageNetwork.update(before.id, decision.patch);
    const problems = verifySharing(before.networkAcls ?? DEFAULT_NETWORK_ACLS, after, decision.rule);
    if (problems.length > 0) return fail(ErrorCodes.SHARING_NOT_VERIFIED, `the PATCH of ${before.id} was accepted but a re-read shows: ${problems.join('; ')}.`, { storageAccountId: before.id, current: after });
    return { ok: true, value: { ...base, action: 'added', forced: decision.forced, changes: decision.changes, writes: 1, before, after } };
  } catch (e) {
    return upstreamFailure(e);
  }
}

/** Lists the workspace's online endpoints and deployments and judges them (reads only). */
export async function auditWorkspaceDeployments(ports: WorkspacePorts, workspaceId: string): Promise<Result<WorkspaceDeploymentsAudit>> {
  try {
    const workspace = await ports.workspaces.get(workspaceId);
    if (!workspace) return fail(ErrorCodes.WORKSPACE_NOT_FOUND, `workspace ${workspaceId} does not exist, or the app cannot see it.`);
    const { endpoints, deployments } = await ports.workspaces.listOnlineDeployments(workspace.id);
    return { ok: true, value: auditOnlineDeployments(workspace.id, endpoints, deployments) };
  } catch (e) {
    return upstreamFailure(e);
  }
}
