import type { ServiceClient } from '@azure/core-client';
import { createHttpHeaders, createPipelineRequest } from '@azure/core-rest-pipeline';
import { ErrorCodes, LockdownError, excerpt } from '../shared/errors';
import { isValidRegistryName } from '../hardening/domain/registry';
import { isKnownRegion, normalizeRegion, type AzureCloud } from '../shared/regions';
import type { DiscoveryDocument, DiscoveryPort } from '../hardening/domain/ports';

/**
 * Registry discovery: GET {template with region}/registrymanagement/v1.0/registries/{name}/discovery
 * with an ARM token. The region must be a known region of the configured cloud and the name must
 * follow the registry rule before anything leaves the process: the token goes nowhere else.
 */
export class DiscoveryAdapter implements DiscoveryPort {
  constructor(
    private readonly client: ServiceClient,
    private readonly urlTemplate: string,
    private readonly cloud: AzureCloud,
  ) {}

  urlFor(region: string, registryName: string): string {
    const r = normalizeRegion(region);
    if (!isKnownRegion(r, this.cloud)) throw new LockdownError(ErrorCodes.DISCOVERY_BAD_INPUT, `'${region}' is not an ${this.cloud} region.`);
    if (!isValidRegistryName(registryName)) throw new LockdownError(ErrorCodes.DISCOVERY_BAD_INPUT, `'${excerpt(registryName)}' is not a valid registry name.`);
    return `${this.urlTemplate.replace('{region}', r)}/registrymanagement/v1.0/registries/${encodeURIComponent(registryName)}/discovery`;
  }

  async discover(region: string, registryName: string): Promise<DiscoveryDocument> {
    const url = this.urlFor(region, registryName);
    const response = await this.client.sendRequest(createPipelineRequest({ url, method: 'GET', headers: createHttpHeaders({ accept: 'application/json, text/json' }) }));
    const text = response.bodyAsText ?? '';
    if (response.status === 401) throw new LockdownError(ErrorCodes.DISCOVERY_UNAUTHORIZED, `Discovery refused the app's token for ${registryName} in ${region} (401).`);
    if (response.status === 403 || response.status === 404) {
      throw new LockdownError(ErrorCodes.DISCOVERY_NOT_FOUND, `Registry ${registryName} was not found in ${region}, or the app may not read it (${response.status}).`);
    }
    if (response.status !== 200) throw new LockdownError(ErrorCodes.DISCOVERY_FAILED, `Discovery answered ${response.status} for ${registryName} in ${region}.`, { retryable: response.status >= 500 || response.status === 429 });
    try {
      const doc: unknown = JSON.parse(text);
      if (!doc || typeof doc !== 'object' || Array.isArray(doc)) throw new Error('not an object');
      return doc as DiscoveryDocument;
    } catch {
      throw new LockdownError(ErrorCodes.DISCOVERY_FAILED, `Discovery for ${registryName} in ${region} did not return a JSON object.`);
    }
  }
}
