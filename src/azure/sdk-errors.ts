import { isRestError } from '@azure/core-rest-pipeline';
import { ErrorCodes, LockdownError } from '../shared/errors';
import { armResponseError } from './arm-errors';
import { isRequestTimeout, retryAfterMs } from './arm-pipeline';

const CREDENTIAL_ERRORS = new Set(['AuthenticationError', 'AggregateAuthenticationError', 'CredentialUnavailableError', 'AuthenticationRequiredError']);

/** The credential chain could not produce a token (identity endpoint slow or down, no identity). */
export function isCredentialError(e: unknown): e is Error {
  return e instanceof Error && (CREDENTIAL_ERRORS.has(e.name) || /TokenCredential authentication failed/.test(e.message));
}

export function credentialError(e: Error): LockdownError {
  return new LockdownError(ErrorCodes.IDENTITY_TOKEN, `Could not get an access token from the managed identity: ${e.message.split('\n')[0] ?? e.message}`, { cause: e, retryable: true });
}

/** A request that got no answer in time, on every attempt. */
export function timeoutError(method: string, id: string, e: Error): LockdownError {
  return new LockdownError(ErrorCodes.ARM_TIMEOUT, `${method} ${id.replace(/^https?:\/\/[^/]+/, '').replace(/\?.*$/, '')} got no answer in time on every attempt (${e.message}); ARM is slow or unreachable: the run retries, or start it again later.`, { cause: e, retryable: true });
}

/** True for an SDK error that means "ARM says it does not exist". */
export function isNotFound(e: unknown): boolean {
  return isRestError(e) && e.statusCode === 404;
}

/** Converts an SDK RestError into our coded error, naming the call; LockdownErrors pass through. */
export function rethrowArm(method: string, id: string): (e: unknown) => never {
  return (e: unknown) => {
    if (e instanceof LockdownError) throw e;
    if (isCredentialError(e)) throw credentialError(e);
    if (isRequestTimeout(e)) throw timeoutError(method, id, e);
    if (isRestError(e) && e.statusCode === undefined) {
      throw new LockdownError(ErrorCodes.ARM_TRANSPORT, `${method} ${id} failed on the way: ${e.message}`, { cause: e, retryable: true });
    }
    if (isRestError(e)) {
      const body = e.response?.bodyAsText ?? JSON.stringify({ error: { code: e.code, message: e.message } });
      const refused = e.request ? { method: e.request.method, url: e.request.url } : undefined;
      throw armResponseError(method, id, e.statusCode ?? 0, body, e.response?.headers.get('x-ms-request-id'), refused, retryAfterMs(e.response));
    }
    const message = e instanceof Error ? e.message : String(e);
    throw new LockdownError(ErrorCodes.ARM_LRO_FAILED, `${method} ${id} did not complete: ${message}`, { cause: e });
  };
}
