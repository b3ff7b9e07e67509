import { randomUUID } from 'node:crypto';
import type * as http from 'node:http';
import type { ArmResource, ResourceStore } from './store';
import { ARM_AUDIENCE, type TokenAuthority } from './tokens';
import { registryGuidOf, registryRegionsOf } from './registry-guid';

/**
 * Azure ML registry discovery, served per region:
 * `GET …/registrymanagement/v1.0/registries/{name}/discovery` with an ARM-audience bearer token.
 * The ARM server mounts the handler under `/discovery/{region}` and passes region and name.
 */
export type DiscoveryHandler = (req: http.IncomingMessage, res: http.ServerResponse, region: string, registryName: string) => void;

const REGISTRY_TYPE = 'Microsoft.MachineLearningServices/registries';

export interface RegistryDiscoveryDto {
  registryName: string;
  tenantId: string;
  primaryRegion: string;
  regions: string[];
  subscriptionId: string;
  resourceGroup: string;
  primaryRegionResourceProviderUri: string;
  registryFqdns: Record<string, { uri: string }>;
}

function send(res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    'x-ms-request-id': randomUUID(),
    ...headers,
  });
  res.end(text);
}

/** Azure ML services answer errors in this shape (`error.code` is the category, innerError the detail). */
function amlError(res: http.ServerResponse, status: number, code: string, inner: string, message: string, headers: Record<string, string> = {}): void {
  send(res, status, { error: { code, message, innerError: { code: inner } } }, headers);
}

function idSegments(id: string): { subscriptionId: string; resourceGroup: string } {
  const m = /^\/subscriptions\/([^/]+)\/resourceGroups\/([^/]+)\//i.exec(id);
  return { subscriptionId: m?.[1] ?? '', resourceGroup: m?.[2] ?? '' };
}

function tenantOf(registry: ArmResource, fallback: string): string {
  const identity = registry['identity'];
  if (identity && typeof identity === 'object') {
    const tid = (identity as { tenantId?: unknown }).tenantId;
    if (typeof tid === 'string' && tid) return tid;
  }
  return fallback;
}

export function buildDiscoveryDto(registry: ArmResource, tenantId: string): RegistryDiscoveryDto {
  const regions = registryRegionsOf(registry);
  const primaryRegion = registry.location ?? regions[0] ?? '';
  const guid = registryGuidOf(registry);
  const { subscriptionId, resourceGroup } = idSegments(registry.id);
  const registryFqdns: Record<string, { uri: string }> = {};
  for (const r of regions) {
    const region = r.toLowerCase();
    registryFqdns[region] = { uri: `https://${guid}.registry.${region}.api.azureml.ms` };
  }
  return {
    registryName: registry.name,
    tenantId,
    primaryRegion,
    regions,
    subscriptionId,
    resourceGroup,
    primaryRegionResourceProviderUri: `https://cert-${primaryRegion.toLowerCase()}.experiments.azureml.net/`,
    registryFqdns,
  };
}

export function createDiscoveryHandler(deps: { store: ResourceStore; tokens: TokenAuthority }): DiscoveryHandler {
  const { store, tokens } = deps;
  return (req, res, region, registryName) => {
    try {
      if (req.method !== 'GET' && req.method !== 'HEAD') {
        amlError(res, 405, 'UserError', 'MethodNotAllowed', `The requested resource does not support http method '${req.method ?? ''}'.`, { allow: 'GET' });
        return;
      }
      const auth = tokens.verify(req.headers.authorization, ARM_AUDIENCE);
      if (!auth.ok) {
        amlError(res, 401, 'UserError', auth.code, auth.message, {
          'www-authenticate': `Bearer authorization_uri="https://login.microsoftonline.com/${tokens.tenantId}", error="invalid_token", error_description="${auth.message.replace(/"/g, "'")}"`,
        });
        return;
      }
      const wantRegion = region.toLowerCase();
      const candidates = store
        .list(REGISTRY_TYPE)
        .filter((r) => r.name.toLowerCase() === registryName.toLowerCase());
      const registry = candidates.find((r) => registryRegionsOf(r).some((x) => x.toLowerCase() === wantRegion));
      if (!registry) {
        amlError(res, 404, 'UserError', 'NotFound', `Registry '${registryName}' was not found in region '${region}'.`);
        return;
      }
      const tenantId = tenantOf(registry, tokens.tenantId);
      if (String(auth.claims.tid) !== tenantId) {
        amlError(res, 403, 'UserError', 'Forbidden', `The caller's tenant '${String(auth.claims.tid)}' does not have access to registry '${registryName}'.`);
        return;
      }
      send(res, 200, buildDiscoveryDto(registry, tenantId));
    } catch (err) {
      if (!res.headersSent) amlError(res, 500, 'SystemError', 'InternalServerError', err instanceof Error ? err.message : String(err));
      else res.destroy();
    }
  };
}
