/**
 * What the Azure ML registry service checks in a PUT/PATCH body beyond ARM's own checks:
 * every ArmResourceId (`armResourceId`, `managedResourceGroup`) must carry a resource id —
 * a null or empty one is refused with the ML service's error shape (azure-ai-ml never sends one:
 * "the backend provides very unhelpful errors", registry_support_classes.py; the text here is
 * ours, the real one is not published) — and ARM's linked check on every user-assigned identity
 * the body names (`Microsoft.ManagedIdentity/userAssignedIdentities/assign/action`).
 */
import type { ArmRequest } from '../context';
import { ArmError, type ArmErrorBody } from '../errors';
import { isRecord, type SimState } from '../state';

export const ASSIGN_IDENTITY_ACTION = 'Microsoft.ManagedIdentity/userAssignedIdentities/assign/action';
const ARM_RESOURCE_ID_KEYS = new Set(['armResourceId', 'managedResourceGroup']);
const ARM_ID = /^\/subscriptions\/[^/]+\/resourceGroups\/[^/]+(\/providers\/[^/]+\/[^/]+\/[^/]+(\/[^/]+\/[^/]+)*)?$/i;

/**
 * The ML service's error body (its management front end): `error.code` is the category
 * (UserError / SystemError), `innerError.code` the detail, plus correlation and where it ran.
 */
export class MlServiceError extends ArmError {
  constructor(
    status: number,
    code: string,
    message: string,
    private readonly inner: string,
    private readonly where: { location: string; requestId: string; correlationId: string },
  ) {
    super(status, code, message);
  }

  override toBody(): ArmErrorBody {
    const body = {
      error: { code: this.code, message: this.message, details: [], innerError: { code: this.inner } },
      correlation: { operation: this.where.correlationId, request: this.where.requestId },
      environment: this.where.location,
      location: this.where.location,
      time: new Date().toISOString(),
      componentName: 'managementfrontend',
    };
    return body;
  }
}

/** Paths (for the test and the log) of the ArmResourceIds in `value` without a valid resource id. */
export function missingResourceIds(value: unknown, path = ''): string[] {
  if (Array.isArray(value)) return value.flatMap((v, i) => missingResourceIds(v, `${path}[${i}]`));
  if (!isRecord(value)) return [];
  const out: string[] = [];
  for (const [key, v] of Object.entries(value)) {
    const here = path ? `${path}.${key}` : key;
    if (ARM_RESOURCE_ID_KEYS.has(key) && (!isRecord(v) || typeof v.resourceId !== 'string' || !ARM_ID.test(v.resourceId))) out.push(here);
    else out.push(...missingResourceIds(v, here));
  }
  return out;
}

/** Refuses a body with an ArmResourceId that carries no valid id (400 UserError / BadArgument). */
export function requireResourceIds(req: ArmRequest, properties: Record<string, unknown>, location: string): void {
  const missing = missingResourceIds(properties, 'properties');
  if (missing.length === 0) return;
  throw new MlServiceError(400, 'UserError', 'The request is invalid.', 'BadArgument', { location, requestId: req.requestId, correlationId: req.correlationId });
}

/** ARM's linked check on each user-assigned identity in the body's `identity`. */
export function authorizeIdentities(state: SimState, req: ArmRequest, identity: unknown): void {
  if (!isRecord(identity) || !isRecord(identity.userAssignedIdentities)) return;
  state.authorizeLinked(req, Object.keys(identity.userAssignedIdentities).map((id) => ({ action: ASSIGN_IDENTITY_ACTION, scope: id })));
}
