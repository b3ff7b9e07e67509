/**
 * The token the CLI sends to the app's HTTP API (status, report): a Microsoft Entra ID access token
 * for the app registration (`api://<app-id>/.default`) from the caller's credential chain, and the
 * one way it is sent: only to the --api URL (https, or plain http to this machine: checked by the
 * argument parser), and never along a redirect.
 */
import type { TokenCredential } from '@azure/core-auth';
import { ErrorCodes } from '../shared/error-codes';
import { logText } from '../shared/log-text';

/** The API's token from the credential: `api://<app-id>/.default`, or why there is none (coded). */
export async function apiToken(credential: TokenCredential, appId: string): Promise<{ ok: true; token: string } | { ok: false; code: string; message: string }> {
  const scope = `api://${appId}/.default`;
  try {
    const token = await credential.getToken(scope);
    if (token?.token) return { ok: true, token: token.token };
    return { ok: false, code: ErrorCodes.HTTP_UNAUTHORIZED, message: `the Azure credential gave no token for ${scope}` };
  } catch (e) {
    return { ok: false, code: ErrorCodes.HTTP_UNAUTHORIZED, message: `no token for ${scope} from the Azure credential chain (sign in, e.g. az login, or set its environment): ${(e as Error).message.split('\n')[0]}` };
  }
}


/** A GET of the API that got no answer to read: unreachable, or a redirect it did not follow. */
export interface ApiGetFailure {
  ok: false;
  /** 0 when unreachable */
  httpStatus: number;
  code: string;
  message: string;
}

/**
 * GETs `url` with the bearer token. A redirect is answered (HTTP.REDIRECT_REFUSED), never followed:
 * following it would send the token wherever it points.
 */
export async function apiGet(url: string, token: string, accept: string, timeoutMs: number, fetchImpl: typeof fetch = fetch): Promise<{ ok: true; response: Response } | ApiGetFailure> {
  let response: Response;
  try {
    response = await fetchImpl(url, { headers: { authorization: `Bearer ${token}`, accept }, redirect: 'manual', signal: AbortSignal.timeout(timeoutMs) });
  } catch (e) {
    const cause = (e as Error & { cause?: unknown }).cause;
    return { ok: false, httpStatus: 0, code: ErrorCodes.HTTP_UNREACHABLE, message: `cannot reach ${url}: ${(e as Error).message}${cause instanceof Error ? ` (${cause.message})` : ''}` };
  }
  if ((response.status >= 300 && response.status < 400) || response.type === 'opaqueredirect') {
    await response.body?.cancel();
    const to = response.headers.get('location');
    return {
      ok: false, httpStatus: response.status, code: ErrorCodes.HTTP_REDIRECT_REFUSED,
      message: `${url} answered ${response.status}${to ? ` (to ${logText(to, 200)})` : ''}; a request that carries the bearer token follows no redirect: give --api as the function app's own https base URL`,
    };
  }
  return { ok: true, response };
}

/** The `error` and `error_description` of a Bearer challenge (`WWW-Authenticate: Bearer realm="…" error="…" error_description="…"`). */
export function bearerChallenge(header: string | null | undefined): { error?: string; description?: string } {
  if (!header) return {};
  const param = (name: string): string | undefined => new RegExp(`(?:^|[\\s,])${name}="([^"]*)"`, 'i').exec(header)?.[1];
  const error = param('error');
  const description = param('error_description');
  return { ...(error ? { error } : {}), ...(description ? { description } : {}) };
}

/**
 * What a 401 / 403 that carries no API error means. App Service Authentication answers before
 * the app sees the request, with no JSON body (only a Bearer challenge naming the problem): the
 * token is missing, for another audience, expired or badly signed. The app's own refusals (a
 * missing app role) carry a JSON error and never get here.
 */
export function refusalWithoutBody(status: number, wwwAuthenticate: string | null | undefined): string {
  const { error, description } = bearerChallenge(wwwAuthenticate);
  const why = error ? `: ${error}${description ? ` (${description})` : ''}` : '';
  return `the function app's App Service Authentication refused the token (${status}, no body: the platform answers before the app)${why}; sign in as a principal with the app role Lockdown.Reader and check that --app-id / AUTH_APP_ID is the app's registration (the token is for api://<app-id>/.default)`;
}

/** The `{ error: { code, message } }` of an API answer's (parsed) body, the fields that are strings. */
export function apiErrorOf(body: unknown): { code?: string; message?: string } {
  if (typeof body !== 'object' || body === null) return {};
  const error = (body as { error?: unknown }).error;
  if (typeof error !== 'object' || error === null) return {};
  const { code, message } = error as { code?: unknown; message?: unknown };
  return { ...(typeof code === 'string' ? { code } : {}), ...(typeof message === 'string' ? { message } : {}) };
}

/** An API answer's body as JSON, or undefined when it is empty or not JSON. */
export function jsonOf(text: string): unknown {
  if (text === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
