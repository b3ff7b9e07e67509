import type { HttpResponseInit } from '@azure/functions';

/**
 * Stable codes of the HTTP API's error answers (`{ error: { code, message } }`). Discovery and
 * domain failures keep their own codes (src/shared/errors.ts); these cover the request itself
 * and the run lifecycle.
 */
export const HttpErrorCodes = {
  INVALID_PARAMETER: 'REQUEST.INVALID_PARAMETER',
  INVALID_JSON: 'REQUEST.INVALID_JSON',
  INVALID_BODY: 'REQUEST.INVALID_BODY',
  UNKNOWN_FIELD: 'REQUEST.UNKNOWN_FIELD',
  BODY_NOT_ALLOWED: 'REQUEST.BODY_NOT_ALLOWED',
  BODY_TOO_LARGE: 'REQUEST.BODY_TOO_LARGE',
  UNSUPPORTED_MEDIA_TYPE: 'REQUEST.UNSUPPORTED_MEDIA_TYPE',
  RUN_NOT_FOUND: 'RUN.NOT_FOUND',
  RUN_ALREADY_RUNNING: 'RUN.ALREADY_RUNNING',
  RUN_NOT_RUNNING: 'RUN.NOT_RUNNING',
  INTERNAL: 'INTERNAL.ERROR',
} as const;

export type HttpErrorCode = (typeof HttpErrorCodes)[keyof typeof HttpErrorCodes];

export interface ErrorBody {
  error: { code: string; message: string };
}

export function jsonResponse(status: number, body: unknown, headers: Record<string, string> = {}): HttpResponseInit {
  return { status, jsonBody: body, headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', ...headers } };
}

export function errorResponse(status: number, code: string, message: string, extra: Record<string, unknown> = {}): HttpResponseInit {
  const body: ErrorBody & Record<string, unknown> = { error: { code, message }, ...extra };
  return jsonResponse(status, body);
}

/** An unexpected failure: logged with the invocation, answered without internals. */
export function internalError(context: { error(...args: unknown[]): void; invocationId: string }, error: unknown): HttpResponseInit {
  context.error(`unexpected error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  return errorResponse(500, HttpErrorCodes.INTERNAL, `unexpected error; see the app's logs for invocation ${context.invocationId}.`);
}
