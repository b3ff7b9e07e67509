import type { HttpResponseInit } from '@azure/functions';
import { ErrorCodes, httpStatusOf } from '../shared/error-codes';
import { logText } from '../shared/log-text';

export interface ErrorBody {
  error: { code: string; message: string };
}

export function jsonResponse(status: number, body: unknown, headers: Record<string, string> = {}): HttpResponseInit {
  return { status, jsonBody: body, headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', ...headers } };
}

/** The error answer of a code: its HTTP status comes from the one list of codes (src/shared/error-codes.ts). */
export function errorResponse(code: string, message: string, extra: Record<string, unknown> = {}): HttpResponseInit {
  const body: ErrorBody & Record<string, unknown> = { error: { code, message }, ...extra };
  return jsonResponse(httpStatusOf(code), body);
}

/** An unexpected failure: logged with the invocation, answered without internals. */
export function internalError(context: { error(...args: unknown[]): void; invocationId: string }, error: unknown): HttpResponseInit {
  // one line: the message may carry what the caller sent
  context.error(`unexpected error: ${logText(error instanceof Error ? (error.stack ?? error.message) : error, 4096)}`);
  return errorResponse(ErrorCodes.INTERNAL_ERROR, `unexpected error; see the app's logs for invocation ${context.invocationId}.`);
}
