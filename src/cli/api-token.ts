/**
 * The token the CLI sends to the app's HTTP API (status, report): a Microsoft Entra ID access token
 * for the app registration (`api://<app-id>/.default`) from the caller's credential chain.
 */
import type { TokenCredential } from '@azure/core-auth';
import { ErrorCodes } from '../shared/error-codes';

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
