import type { ServiceClient } from '@azure/core-client';
import { createHttpHeaders, createPipelineRequest, isRestError, type PipelineResponse } from '@azure/core-rest-pipeline';
import { createHttpPoller, type OperationResponse, type OperationState, type RunningOperation } from '@azure/core-lro';
import { parseRegistryId, registryId, REGISTRY_API_VERSION, REGISTRY_TYPE, type Registry } from '../hardening/domain/registry';
import { ErrorCodes, LockdownError } from '../shared/errors';
import { armResponseError } from './arm-errors';
import { armUrlToFollow } from './arm-urls';
import { isRequestTimeout, retryAfterFromHeaders, withLroDeadline } from './arm-pipeline';
import { operationOf } from './arm-operations.adapter';
import type { OperationLocation } from '../hardening/domain/operations';
import { credentialError, isCredentialError, timeoutError } from './sdk-errors';
import { parseRegistry, registryPutBody } from './registry-schema';

export interface LroOptions {
  /** poll interval when the service sends no Retry-After (the service's Retry-After wins) */
  updateIntervalInMs?: number;
  abortSignal?: AbortSignal;
}

interface RawCall {
  status: number;
  headers: Record<string, string>;
  bodyText: string | undefined;
  body: unknown;
  url: string;
  method: string;
}

/**
 * Azure ML registries over ARM (api-version 2025-12-01). No @azure/arm-machinelearning served
 * here has registries, so this small typed client runs on the SDK's own pipeline (auth, retry,
 * user agent from the factory) and core-lro's HTTP poller. It copes with the service's quirk:
 * the PUT may answer 202 with no body, and the poll may return the full registry instead of
 * an operation status (core-lro reads a 200 without `status` as succeeded).
 */
export class RegistriesAdapter {
  constructor(
    private readonly client: ServiceClient,
    private readonly endpoint: string,
    /** the poll interval used unless a call passes its own (the client factory's ARM_LRO_POLL_INTERVAL_MS) */
    private readonly polling: { updateIntervalInMs: number; deadlineSeconds?: number },
  ) {}

  /** A path on the ARM endpoint, or an absolute URL ARM gave back (nextLink, polling URL): followed only on the ARM endpoint. */
  private url(path: string): string {
    const base = path.startsWith('/') && !path.startsWith('//') ? `${this.endpoint}${path}` : armUrlToFollow(path, this.endpoint, 'a registry nextLink or polling URL');
    if (/[?&]api-version=/.test(base)) return base;
    return `${base}${base.includes('?') ? '&' : '?'}api-version=${REGISTRY_API_VERSION}`;
  }

  private async send(method: 'GET' | 'PUT', pathOrUrl: string, body?: unknown, abortSignal?: AbortSignal): Promise<RawCall> {
    const url = this.url(pathOrUrl);
    const request = createPipelineRequest({
      url,
      method,
      headers: createHttpHeaders({ accept: 'application/json', ...(body === undefined ? {} : { 'content-type': 'application/json' }) }),
      body: body === undefined ? undefined : JSON.stringify(body),
      abortSignal,
    });
    let response: PipelineResponse;
    try {
      response = await this.client.sendRequest(request);
    } catch (e) {
      if (isCredentialError(e)) throw credentialError(e);
      if (isRequestTimeout(e)) throw timeoutError(method, url, e);
      if (isRestError(e) && e.statusCode === undefined) {
        throw new LockdownError(ErrorCodes.ARM_TRANSPORT, `${method} ${url.replace(/\?.*$/, '')} failed on the way: ${e.message}`, { cause: e, retryable: true });
      }
      throw e;
    }
    const bodyText = response.bodyAsText ?? undefined;
    let parsed: unknown;
    if (bodyText) {
      try {
        parsed = JSON.parse(bodyText);
      } catch {
        throw new LockdownError(ErrorCodes.REGISTRY_INVALID_RESPONSE, `${method} ${url} answered ${response.status} with a body that is not JSON.`);
      }
    }
    return { status: response.status, headers: response.headers.toJSON(), bodyText, body: parsed, url, method };
  }

  private fail(call: RawCall): never {
    throw armResponseError(call.method, call.url, call.status, call.bodyText, call.headers['x-ms-request-id'], undefined, retryAfterFromHeaders((h) => call.headers[h]));
  }

  /** The registry, or undefined when ARM says it does not exist. */
  async get(id: string): Promise<Registry | undefined> {
    const ref = parseRegistryId(id);
    const call = await this.send('GET', registryId(ref.subscriptionId, ref.resourceGroup, ref.name));
    if (call.status === 404) return undefined;
    if (call.status !== 200) this.fail(call);
    return parseRegistry(call.body, call.url);
  }

  listByResourceGroup(subscriptionId: string, resourceGroup: string): AsyncIterable<Registry> {
    return this.list(`/subscriptions/${subscriptionId}/resourceGroups/${resourceGroup}/providers/${REGISTRY_TYPE}`);
  }

  listBySubscription(subscriptionId: string): AsyncIterable<Registry> {
    return this.list(`/subscriptions/${subscriptionId}/providers/${REGISTRY_TYPE}`);
  }

  private async *list(path: string): AsyncIterable<Registry> {
    let next: string | undefined = path;
    while (next) {
      const call = await this.send('GET', next);
      if (call.status !== 200) this.fail(call);
      const page = call.body as { value?: unknown; nextLink?: unknown } | undefined;
      if (!page || !Array.isArray(page.value)) {
        throw new LockdownError(ErrorCodes.REGISTRY_INVALID_RESPONSE, `GET ${call.url} did not return a page ({ value: [] }).`);
      }
      for (const item of page.value) yield parseRegistry(item, call.url);
      next = typeof page.nextLink === 'string' && page.nextLink.length > 0 ? page.nextLink : undefined;
    }
  }

  /**
   * PUT the whole registry and answer at once: the operation it started (ARM's 201/202 with
   * Azure-AsyncOperation or Location), or none when ARM answered synchronously. The run polls it.
   */
  async startPut(registry: Registry): Promise<{ operation?: OperationLocation }> {
    const ref = parseRegistryId(registry.id);
    const path = registryId(ref.subscriptionId, ref.resourceGroup, ref.name);
    const call = await this.send('PUT', path, registryPutBody(registry));
    if (call.status !== 200 && call.status !== 201 && call.status !== 202) this.fail(call);
    const operation = operationOf(call.status, (h) => call.headers[h], this.endpoint, `PUT ${path}`);
    return operation ? { operation } : {};
  }

  /**
   * PUT the whole registry (the only way to change properties such as publicNetworkAccess) and
   * wait for the long-running operation (runs started before workflow 2.3); returns the registry as ARM has it afterwards.
   */
  async createOrUpdate(registry: Registry, options: LroOptions = {}): Promise<Registry> {
    const deadline = this.polling.deadlineSeconds;
    if (deadline && !options.abortSignal) return withLroDeadline(deadline, `PUT ${registry.id}`, (abortSignal) => this.createOrUpdate(registry, { ...options, abortSignal }));
    const ref = parseRegistryId(registry.id);
    const path = registryId(ref.subscriptionId, ref.resourceGroup, ref.name);
    const writable = registryPutBody(registry);
    const toOperationResponse = (call: RawCall): OperationResponse<unknown> => ({
      flatResponse: call.body,
      rawResponse: { statusCode: call.status, headers: call.headers, body: call.body, request: { method: call.method, url: call.url } },
    });
    const lro: RunningOperation = {
      sendInitialRequest: async () => {
        const call = await this.send('PUT', path, writable, options.abortSignal);
        if (call.status !== 200 && call.status !== 201 && call.status !== 202) this.fail(call);
        return toOperationResponse(call);
      },
      sendPollRequest: async (pollPath, pollOptions) => {
        const call = await this.send('GET', pollPath, undefined, (pollOptions?.abortSignal as AbortSignal | undefined) ?? options.abortSignal);
        if (call.status >= 400) this.fail(call);
        return toOperationResponse(call);
      },
    };
    const poller = createHttpPoller<unknown, OperationState<unknown>>(lro, {
      intervalInMs: options.updateIntervalInMs ?? this.polling.updateIntervalInMs,
      resourceLocationConfig: 'azure-async-operation',
    });
    let result: unknown;
    try {
      result = await poller.pollUntilDone({ abortSignal: options.abortSignal });
    } catch (e) {
      if (e instanceof LockdownError) throw e;
      if (isRestError(e) && e.statusCode === undefined) {
        throw new LockdownError(ErrorCodes.ARM_TRANSPORT, `PUT ${path} failed on the way: ${e.message}`, { cause: e, retryable: true });
      }
      throw new LockdownError(ErrorCodes.ARM_LRO_FAILED, `PUT ${path} did not complete: ${(e as Error).message}`, { cause: e, retryable: false });
    }
    if (result === undefined || result === null || (typeof result === 'object' && (result as { type?: unknown }).type === undefined)) {
      const after = await this.get(path);
      if (!after) throw new LockdownError(ErrorCodes.REGISTRY_NOT_FOUND, `Registry ${path} was not found after its PUT completed.`);
      return after;
    }
    return parseRegistry(result, path);
  }
}
