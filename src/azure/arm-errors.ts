import { ErrorCodes, LockdownError, type ErrorCode } from '../domain/errors';

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

/** Turns a failed ARM response into a LockdownError whose message names the call and ARM's own code. */
export function armResponseError(method: string, url: string, status: number, bodyText: string | undefined, requestId?: string): LockdownError {
  const body = parseArmError(bodyText);
  const { code, retryable } = codeForStatus(status, body?.code);
  const path = url.replace(/^https?:\/\/[^/]+/, '').replace(/\?.*$/, '');
  const armPart = body?.code ? `${body.code}: ${body.message ?? ''}`.trim() : `HTTP ${status}`;
  const rid = requestId ? ` (x-ms-request-id ${requestId})` : '';
  return new LockdownError(code, `${method} ${path} answered ${status} ${armPart}${rid}`, { retryable });
}
