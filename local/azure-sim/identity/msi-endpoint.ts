import type { IncomingMessage, ServerResponse } from 'node:http';
import type { TokenAuthority } from '../tokens';
import { Applications } from './applications';

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
  /** app registrations: a token for one carries the identity's app roles; an unknown `api://` resource is refused */
  applications?: Applications;
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

/** `expires_on` as the 2017-09-01 protocol writes it: `MM/DD/YYYY HH:MM:SS +00:00` (UTC). */
export function legacyExpiresOn(epochSeconds: number): string {
  const d = new Date(epochSeconds * 1000);
  const two = (n: number): string => String(n).padStart(2, '0');
  return `${two(d.getUTCMonth() + 1)}/${two(d.getUTCDate())}/${d.getUTCFullYear()} ${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())} +00:00`;
}

/**
 * App Service's managed-identity endpoint, both versions of its protocol (App Service's managed
 * identity doc, "REST endpoint reference"; the older one is still required on Linux Consumption):
 *  - 2019-08-01, as @azure/identity's ManagedIdentityCredential calls it with IDENTITY_ENDPOINT +
 *    IDENTITY_HEADER: `GET {IDENTITY_ENDPOINT}?api-version=2019-08-01&resource=…[&client_id|
 *    principal_id|object_id|mi_res_id=…]`, header `X-IDENTITY-HEADER`; answers `{ access_token,
 *    expires_on (epoch seconds), resource, token_type, client_id }`.
 *  - 2017-09-01, as older clients (msrestazure, the Azure CLI 2.45) call it with MSI_ENDPOINT +
 *    MSI_SECRET (aliases of the same endpoint and header value): header `secret`, only `clientid`
 *    selects a user-assigned identity; `expires_on` is a date string (`11/05/2021 15:18:31 +00:00`).
 */
export function createMsiHandler(opts: MsiEndpointOptions): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (req.method !== 'GET') {
      send(res, 405, { statusCode: 405, message: 'The requested resource does not support http method.' });
      return;
    }
    const apiVersion = url.searchParams.get('api-version');
    const legacy = apiVersion === '2017-09-01';
    const headerName = legacy ? 'secret' : 'x-identity-header';
    const header = req.headers[headerName];
    if (header === undefined) {
      send(res, 400, { statusCode: 400, message: `Required header ${legacy ? 'secret' : 'X-IDENTITY-HEADER'} is missing.`, correlationId: cryptoId() });
      return;
    }
    if (header !== opts.identityHeader) {
      send(res, 401, { statusCode: 401, message: `Invalid ${legacy ? 'secret' : 'X-IDENTITY-HEADER'}.`, correlationId: cryptoId() });
      return;
    }
    if (apiVersion !== '2019-08-01' && !legacy) {
      send(res, 400, { statusCode: 400, message: `api-version '${apiVersion ?? ''}' is not supported; use 2019-08-01 (or 2017-09-01).`, correlationId: cryptoId() });
      return;
    }
    const resource = url.searchParams.get('resource');
    if (!resource) {
      send(res, 400, { statusCode: 400, message: 'Required query parameter resource is missing.', correlationId: cryptoId() });
      return;
    }
    const all = opts.identities();
    const clientId = url.searchParams.get(legacy ? 'clientid' : 'client_id');
    const principalId = legacy ? null : (url.searchParams.get('principal_id') ?? url.searchParams.get('object_id'));
    const miResId = legacy ? null : url.searchParams.get('mi_res_id');
    let identity: ManagedIdentity | undefined;
    if (clientId) identity = all.find((i) => i.clientId.toLowerCase() === clientId.toLowerCase());
    else if (principalId) identity = all.find((i) => i.principalId.toLowerCase() === principalId.toLowerCase());
    else if (miResId) identity = all.find((i) => i.resourceId?.toLowerCase() === miResId.toLowerCase());
    else identity = all[0];
    if (!identity) {
      send(res, 400, { statusCode: 400, message: 'Unable to load the proper Managed Identity.', correlationId: cryptoId() });
      return;
    }
    const app = opts.applications?.find(resource);
    if (!app && Applications.looksLikeAppResource(resource)) {
      send(res, 400, { error: 'invalid_resource', error_description: `AADSTS500011: The resource principal named ${resource} was not found in the tenant.`, statusCode: 400, correlationId: cryptoId() });
      return;
    }
    const overrides = app
      ? Applications.tokenClaims(app, resource, opts.tokens.tenantId, { oid: identity.principalId, clientAppId: identity.clientId, roles: opts.applications?.rolesOf(identity.principalId, resource) ?? [] })
      : { oid: identity.principalId, appid: identity.clientId };
    const { token, claims } = opts.tokens.issue(resource, opts.tokenLifetimeSeconds, overrides);
    if (legacy) {
      send(res, 200, { access_token: token, expires_on: legacyExpiresOn(Number(claims.exp)), resource, token_type: 'Bearer' });
      return;
    }
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
