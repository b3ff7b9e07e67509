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

