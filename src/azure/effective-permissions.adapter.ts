import type { ServiceClient } from '@azure/core-client';
import { createHttpHeaders, createPipelineRequest } from '@azure/core-rest-pipeline';
import { ErrorCodes, LockdownError } from '../shared/errors';
import type { PermissionsPort } from '../hardening/domain/ports';
import { armResponseError } from './arm-errors';

export const PERMISSIONS_API = '2022-04-01';

interface PermissionsAnswer {
  value?: Array<{ actions?: unknown; notActions?: unknown }>;
}

const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);

/**
 * Permissions - List For Resource Group / List For Resource (Microsoft.Authorization, api
 * 2022-04-01): `GET {scope}/providers/Microsoft.Authorization/permissions`, the caller's
 * effective permissions at the scope (one entry per role assignment that holds there). Over the
 * ARM ServiceClient shared with discovery and management groups.
 */
export class EffectivePermissionsAdapter implements PermissionsPort {
  constructor(
    private readonly client: ServiceClient,
    private readonly armEndpoint: string,
  ) {}

  async effectivePermissions(scope: string): Promise<Array<{ actions: string[]; notActions: string[] }>> {
    if (!/^\/subscriptions\/[^/]+(\/|$)/i.test(scope)) throw new LockdownError(ErrorCodes.ARM_ID_INVALID, `'${scope.slice(0, 200)}' is not an ARM scope under a subscription.`);
    const path = scope.replace(/\/+$/, '').split('/').map((s) => encodeURIComponent(s)).join('/');
    const url = `${this.armEndpoint.replace(/\/+$/, '')}${path}/providers/Microsoft.Authorization/permissions?api-version=${PERMISSIONS_API}`;
    const response = await this.client.sendRequest(createPipelineRequest({ url, method: 'GET', headers: createHttpHeaders({ accept: 'application/json' }) }));
    if (response.status !== 200) throw armResponseError('GET', url, response.status, response.bodyAsText ?? undefined, response.headers.get('x-ms-request-id'));
    let body: PermissionsAnswer;
    try {
      body = JSON.parse(response.bodyAsText ?? '') as PermissionsAnswer;
    } catch {
      throw new LockdownError(ErrorCodes.ARM_SERVER, `the permissions at ${scope} were not JSON.`);
    }
    if (!Array.isArray(body.value)) throw new LockdownError(ErrorCodes.ARM_SERVER, `the permissions at ${scope} carried no value list.`);
    return body.value.map((e) => ({ actions: strings(e.actions), notActions: strings(e.notActions) }));
  }
}
