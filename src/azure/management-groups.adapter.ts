import type { ServiceClient } from '@azure/core-client';
import { createHttpHeaders, createPipelineRequest } from '@azure/core-rest-pipeline';
import { ErrorCodes, LockdownError } from '../shared/errors';
import { MANAGEMENT_GROUP_ID_RULE, type ManagementGroupsPort } from '../shared/ports';
import { armResponseError } from './arm-errors';
import { armUrlToFollow } from './arm-urls';

export const MANAGEMENT_GROUPS_API = '2020-05-01';
const SUBSCRIPTION_TYPE = 'microsoft.management/managementgroups/subscriptions';
const MAX_PAGES = 1000;

interface DescendantsPage {
  value?: Array<{ id?: string; type?: string; name?: string }>;
  nextLink?: string | null;
}

/**
 * Management Groups_GetDescendants (api 2020-05-01):
 * GET {arm}/providers/Microsoft.Management/managementGroups/{groupId}/descendants, every page
 * (nextLink, only followed on the ARM endpoint), keeping the `…/managementGroups/subscriptions`
 * entries; a subscription's `name` is its id. Over the same ServiceClient options as discovery
 * (retries, Retry-After cap, the ARM token for the ARM scope).
 */
export class ManagementGroupsAdapter implements ManagementGroupsPort {
  constructor(
    private readonly client: ServiceClient,
    private readonly armEndpoint: string,
  ) {}

  async listSubscriptions(groupId: string): Promise<string[]> {
    if (!MANAGEMENT_GROUP_ID_RULE.test(groupId)) throw new LockdownError(ErrorCodes.ARM_ID_INVALID, `'${groupId.slice(0, 100)}' is not a management group id.`);
    const base = this.armEndpoint.replace(/\/+$/, '');
    let url: string | undefined = `${base}/providers/Microsoft.Management/managementGroups/${encodeURIComponent(groupId)}/descendants?api-version=${MANAGEMENT_GROUPS_API}`;
    const ids = new Set<string>();
    for (let page = 0; url !== undefined; page++) {
      if (page >= MAX_PAGES) throw new LockdownError(ErrorCodes.ARM_SERVER, `the descendants of management group ${groupId} did not end after ${MAX_PAGES} pages.`);
      const response = await this.client.sendRequest(createPipelineRequest({ url, method: 'GET', headers: createHttpHeaders({ accept: 'application/json' }) }));
      if (response.status !== 200) throw armResponseError('GET', url, response.status, response.bodyAsText ?? undefined, response.headers.get('x-ms-request-id'));
      let body: DescendantsPage;
      try {
        body = JSON.parse(response.bodyAsText ?? '') as DescendantsPage;
      } catch {
        throw new LockdownError(ErrorCodes.ARM_SERVER, `the descendants of management group ${groupId} were not JSON.`);
      }
      for (const d of body.value ?? []) {
        if ((d.type ?? '').toLowerCase() === SUBSCRIPTION_TYPE && typeof d.name === 'string' && d.name.length > 0) ids.add(d.name.toLowerCase());
      }
      const next = body.nextLink ?? undefined;
      url = next === undefined ? undefined : armUrlToFollow(next, base, `the descendants of management group ${groupId} (nextLink)`);
    }
    return [...ids];
  }
}
