import type { HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import { activityDeps } from '../main';
import { ErrorCodes, errorCodeOf, LockdownError } from '../shared/errors';
import type { DiscoveryPort } from './domain/ports';
import type { AzureCloud } from '../shared/regions';
import { DiscoveryCache } from './discovery-cache';
import { errorResponse, internalError, jsonResponse } from '../http/errors';
import { parseRequest, requestContextOf } from '../http/request';
import type { AuthSettings } from '../http/auth';
import { Routes } from '../http/routes';

export interface DiscoveryHandlerDeps {
  cloud: AzureCloud;
  auth: AuthSettings;
  cacheSeconds: number;
  discovery: DiscoveryPort;
  cache: DiscoveryCache;
  now: () => number;
}

let defaults: DiscoveryHandlerDeps | undefined;

function defaultDeps(): DiscoveryHandlerDeps {
  if (!defaults) {
    const { config, ports } = activityDeps();
    defaults = { ...requestContextOf(config), cacheSeconds: config.DISCOVERY_CACHE_SECONDS, discovery: ports.discovery, cache: new DiscoveryCache(), now: () => Date.now() };
  }
  return defaults;
}

/**
 * GET /api/discovery/{region}/{registryName}: the registry's discovery document. The region must
 * be a region of the configured cloud and the name a registry name — checked here and again in
 * the adapter — before the app's token goes anywhere; it goes only to the template's host.
 */
export async function getDiscovery(request: HttpRequest, context: InvocationContext, deps: DiscoveryHandlerDeps = defaultDeps()): Promise<HttpResponseInit> {
  try {
    const parsed = await parseRequest(Routes.getDiscovery, request, { cloud: deps.cloud, auth: deps.auth });
    if (!parsed.ok) return parsed.response;
    const { region, registryName } = parsed.value.params;
    const key = DiscoveryCache.key(region, registryName);
    const cached = deps.cache.get(key, deps.now());
    if (cached) return jsonResponse(200, cached, { 'cache-control': `private, max-age=${deps.cacheSeconds}`, 'x-cache': 'hit' });
    try {
      const doc = await deps.discovery.discover(region, registryName);
      deps.cache.set(key, doc, deps.cacheSeconds, deps.now());
      return jsonResponse(200, doc, deps.cacheSeconds > 0 ? { 'cache-control': `private, max-age=${deps.cacheSeconds}`, 'x-cache': 'miss' } : {});
    } catch (e) {
      const code = errorCodeOf(e);
      const detail = e instanceof LockdownError ? e.detail : '';
      context.warn(JSON.stringify({ action: 'discovery', region, registryName, code: code ?? 'unknown', message: e instanceof Error ? e.message : String(e) }));
      switch (code) {
        case ErrorCodes.DISCOVERY_NOT_FOUND:
          return errorResponse(code, `Registry '${registryName}' may not exist in ${region}, or the app has no access to it.`);
        case ErrorCodes.DISCOVERY_UNAUTHORIZED:
          return errorResponse(code, `Discovery in ${region} refused the app's token (401): check the app identity's tenant and role.`);
        case ErrorCodes.DISCOVERY_BAD_INPUT:
          return errorResponse(ErrorCodes.REQUEST_INVALID_PARAMETER, detail);
        case ErrorCodes.DISCOVERY_FAILED:
          return errorResponse(code, detail);
        default:
          return errorResponse(ErrorCodes.DISCOVERY_FAILED, `Discovery in ${region} could not be reached or answered unexpectedly.`);
      }
    }
  } catch (e) {
    return internalError(context, e);
  }
}
