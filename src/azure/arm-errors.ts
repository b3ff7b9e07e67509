import { ErrorCodes, LockdownError, type ErrorCode } from '../shared/errors';
import { actionsFor, PERMISSIONS } from './permissions';

/** ARM's error body: `{ error: { code, message, details? } }` (sometimes unwrapped). */
export interface ArmErrorBody {
  code?: string;
  message?: string;
  details?: ArmErrorBody[];
}

export function parseArmError(bodyText: string | undefined): ArmErrorBody | undefined {
  if (!bodyText) return undefined;
  try {
    const parsed: unknown = JSON.parse(bodyText);
    if (parsed && typeof parsed === 'object') {
      const inner = (parsed as { error?: unknown }).error ?? parsed;
      if (inner && typeof inner === 'object') return inner as ArmErrorBody;
    }
  } catch {
    // not JSON: fall through
  }
  return undefined;
}

function codeForStatus(status: number, armCode: string | undefined): { code: ErrorCode; retryable: boolean } {
  if (status === 429) return { code: ErrorCodes.ARM_THROTTLED, retryable: true };
  if (status === 401) return { code: ErrorCodes.ARM_AUTH, retryable: false };
  if (status === 403) return { code: ErrorCodes.ARM_FORBIDDEN, retryable: false };
  if (status === 404) return { code: ErrorCodes.ARM_NOT_FOUND, retryable: false };
  if (status === 409) return { code: ErrorCodes.ARM_CONFLICT, retryable: armCode === 'AnotherOperationInProgress' || armCode === 'Conflict' };
  if (status >= 500) return { code: ErrorCodes.ARM_SERVER, retryable: true };
  return { code: ErrorCodes.ARM_BAD_REQUEST, retryable: false };
}

/**
 * The permission a 403 says is missing: ARM's AuthorizationFailed ("does not have authorization to
 * perform action 'A' over scope 'S'") and LinkedAuthorizationFailed ("does not have permission to
 * perform action(s) 'A' on the linked scope(s) 'S'", several comma-separated).
 */
export function missingPermission(message: string | undefined): { action: string; scope: string } | undefined {
  const m = /does not have (?:authorization|permission) to perform action(?:\(s\))? '([^']+)' (?:over|on the linked) scope(?:\(s\))? '([^']+)'/i.exec(message ?? '');
  return m?.[1] && m[2] ? { action: m[1], scope: m[2] } : undefined;
}

/** Whether every action named is one the app's role is meant to hold (then a 403 may be a role assignment still propagating). */
export function isAppPermission(actions: string): boolean {
  const mine = new Set(PERMISSIONS.map((p) => p.action.toLowerCase()));
  const named = actions.split(',').map((a) => a.trim().toLowerCase()).filter((a) => a !== '');
  return named.length > 0 && named.every((a) => mine.has(a));
}

const pathOf = (url: string): string => url.replace(/^https?:\/\/[^/]+/, '').replace(/\?.*$/, '');

/**
 * The permission a 403 is missing: as ARM's message names it, else (an SDK pager keeps only ARM's
 * code) for AuthorizationFailed the action the app's permission list gives for the refused request.
 */
function forbiddenPermission(body: ArmErrorBody | undefined, refused: { method: string; url: string }): { action: string; scope: string; listed: boolean } | undefined {
  const named = missingPermission(body?.message);
  if (named) return { ...named, listed: false };
  if (body?.code !== 'AuthorizationFailed') return undefined;
  const listed = actionsFor(refused.method, pathOf(refused.url));
  return listed.length > 0 ? { action: listed.join(','), scope: pathOf(refused.url), listed: true } : undefined;
}

/**
 * Turns a failed ARM response into a LockdownError whose message names the call and ARM's own
 * code, and for a 403 the missing permission first. `refused`: the request ARM refused when it is
 * not the call itself (a long-running operation's poll, a page of a list). `retryAfterMs`: ARM's
 * Retry-After, kept on a 429's error so the run can wait it out.
 */
export function armResponseError(
  method: string,
  url: string,
  status: number,
  bodyText: string | undefined,
  requestId?: string,
  refused?: { method: string; url: string },
  retryAfterMs?: number,
): LockdownError {
  const body = parseArmError(bodyText);
  const { code, retryable } = codeForStatus(status, body?.code);
  const path = pathOf(url);
  const rid = requestId ? ` (x-ms-request-id ${requestId})` : '';
  if (status === 403 && body?.code === 'DenyAssignmentAuthorizationFailed') {
    return new LockdownError(
      ErrorCodes.ARM_DENY_ASSIGNMENT,
      `${method} ${path} was refused by a deny assignment (403 DenyAssignmentAuthorizationFailed${rid}): ${body.message ?? ''}`.trim(),
    );
  }
  const missing = status === 403 ? forbiddenPermission(body, refused ?? { method, url }) : undefined;
  if (missing) {
    const what = missing.action.includes(',') ? 'permissions' : 'permission';
    const source = missing.listed ? ` (ARM's message did not come through; the app's permission list names this for ${refused?.method ?? method} ${pathOf(refused?.url ?? url)})` : '';
    return new LockdownError(
      code,
      `missing ${what} '${missing.action}' on scope '${missing.scope}': ${method} ${path} was refused with 403 ${body?.code ?? ''}${rid}${source}. Grant it to the app's identity (the custom role, infra/app/role-actions.json); a role assignment can take a few minutes to apply.`,
      { retryable, propagating: isAppPermission(missing.action) },
    );
  }
  const armPart = body?.code ? `${body.code}: ${body.message ?? ''}`.trim() : `HTTP ${status}`;
  return new LockdownError(code, `${method} ${path} answered ${status} ${armPart}${rid}`, { retryable, ...(status === 429 && retryAfterMs !== undefined ? { retryAfterMs } : {}) });
}
