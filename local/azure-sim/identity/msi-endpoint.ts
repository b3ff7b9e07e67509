import type { IncomingMessage, ServerResponse } from 'node:http';
import type { TokenAuthority } from '../tokens';

/** A managed identity the token endpoint can issue tokens for. */
export interface ManagedIdentity {
  /** object (principal) id → token `oid` */
  principalId: string;
  /** client (application) id → token `appid` and the answer's `client_id` */
  clientId: string;
  /** ARM id of a user-assigned identity (`mi_res_id`); absent for the system-assigned one */
  resourceId?: string;
}

export interface MsiEndpointOptions {
  tokens: TokenAuthority;
  identityHeader: string;
  /** the first one is the system-assigned identity (used when no client_id/principal_id/mi_res_id is given) */
  identities: () => ManagedIdentity[];
  tokenLifetimeSeconds: number;
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

/**
 * App Service's managed-identity endpoint (api-version 2019-08-01), as @azure/identity's
 * ManagedIdentityCredential calls it with IDENTITY_ENDPOINT + IDENTITY_HEADER:
 * `GET {IDENTITY_ENDPOINT}?api-version=2019-08-01&resource=…[&client_id|principal_id|object_id|mi_res_id=…]`
 * with header `X-IDENTITY-HEADER`. Answers `{ access_token, expires_on, resource, token_type, client_id }`.
 */
export function createMsiHandler(opts: MsiEndpointOptions): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (req.method !== 'GET') {
      send(res, 405, { statusCode: 405, message: 'The requested resource does not support http method.' });
      return;
    }
    const header = req.headers['x-identity-header'];
    if (header === undefined) {
      send(res, 400, { statusCode: 400, message: 'Required header X-IDENTITY-HEADER is missing.', correlationId: cryptoId() });
      return;
    }
    if (header !== opts.identityHeader) {
      send(res, 401, { statusCode: 401, message: 'Invalid X-IDENTITY-HEADER.', correlationId: cryptoId() });
      return;
    }
    const apiVersion = url.searchParams.get('api-version');
    if (apiVersion !== '2019-08-01') {
      send(res, 400, { statusCode: 400, message: `api-version '${apiVersion ?? ''}' is not supported; use 2019-08-01.`, correlationId: cryptoId() });
      return;
    }
    const resource = url.searchParams.get('resource');
    if (!resource) {
      send(res, 400, { statusCode: 400, message: 'Required query parameter resource is missing.', correlationId: cryptoId() });
      return;
    }
    const all = opts.identities();
    const clientId = url.searchParams.get('client_id');
    const principalId = url.searchParams.get('principal_id') ?? url.searchParams.get('object_id');
    const miResId = url.searchParams.get('mi_res_id');
    let identity: ManagedIdentity | undefined;
    if (clientId) identity = all.find((i) => i.clientId.toLowerCase() === clientId.toLowerCase());
    else if (principalId) identity = all.find((i) => i.principalId.toLowerCase() === principalId.toLowerCase());
    else if (miResId) identity = all.find((i) => i.resourceId?.toLowerCase() === miResId.toLowerCase());
    else identity = all[0];
    if (!identity) {
      send(res, 400, { statusCode: 400, message: 'Unable to load the proper Managed Identity.', correlationId: cryptoId() });
      return;
    }
    const { token, claims } = opts.tokens.issue(resource, opts.tokenLifetimeSeconds, { oid: identity.principalId, appid: identity.clientId });
    send(res, 200, {
      access_token: token,
      expires_on: String(claims.exp),
      resource,
      token_type: 'Bearer',
      client_id: identity.clientId,
    });
  };
}

function cryptoId(): string {
  return globalThis.crypto.randomUUID();
}
