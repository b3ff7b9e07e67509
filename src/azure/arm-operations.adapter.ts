import type { ServiceClient } from '@azure/core-client';
import { createHttpHeaders, createPipelineRequest, isRestError, type PipelineResponse } from '@azure/core-rest-pipeline';
import type { OperationHandle, OperationLocation, OperationPoll } from '../hardening/domain/operations';
import type { OperationsPort } from '../hardening/domain/ports';
import { ErrorCodes, LockdownError } from '../shared/errors';
import { armUrlToFollow } from './arm-urls';
import { armResponseError, parseArmError } from './arm-errors';
import { isRequestTimeout, retryAfterFromHeaders } from './arm-pipeline';
import { credentialError, isCredentialError, timeoutError } from './sdk-errors';

/**
 * Long-running ARM operations, started by the adapters and looked at by the run (one GET each,
 * never a wait): where ARM said to ask, and what the answer means. A polling URL is followed with the ARM token, so only on the configured ARM endpoint
 * (./arm-urls.ts, the one check for every URL ARM hands back).
 */

/** A response's headers by lower-case name (an SDK response or a plain record). */
export type HeaderLookup = (name: string) => string | undefined;

/**
 * The operation an answer to a write started, from its headers: `Azure-AsyncOperation` first,
 * else `Location` on a 201/202; none on a synchronous answer. Refuses a URL outside ARM.
 */
export function operationOf(status: number, header: HeaderLookup, armEndpoint: string, what: string): OperationLocation | undefined {
  const asyncOp = header('azure-asyncoperation');
  const location = header('location');
  const retryAfterMs = retryAfterFromHeaders(header);
  const after = retryAfterMs !== undefined ? { retryAfterMs } : {};
  if (asyncOp) return { pollUrl: armUrlToFollow(asyncOp, armEndpoint, `${what}: its Azure-AsyncOperation`), via: 'azure-async-operation', ...after };
  if (location && (status === 201 || status === 202)) return { pollUrl: armUrlToFollow(location, armEndpoint, `${what}: its Location`), via: 'location', ...after };
  if (status === 202) throw new LockdownError(ErrorCodes.ARM_SERVER, `${what} was answered 202 Accepted without a URL to follow (neither Azure-AsyncOperation nor Location).`);
  return undefined;
}

const SUCCEEDED = new Set(['succeeded']);
const FAILED = new Set(['failed', 'canceled', 'cancelled']);

/** The `[ARM.LRO_FAILED] …` text of an operation that ended badly. */
function failedText(handle: OperationHandle, status: string, bodyText: string | undefined): string {
  const body = parseArmError(bodyText);
  const reason = body?.code ? `${body.code}: ${body.message ?? ''}`.trim() : 'no reason given';
  return new LockdownError(ErrorCodes.ARM_LRO_FAILED, `the operation of ${handle.kind} on ${handle.resourceId} ended ${status}: ${reason}`).message;
}

/** The status body's error, which ARM nests as `{ status, error: { code, message } }`. */
function statusError(body: unknown): string | undefined {
  const error = (body as { error?: unknown } | undefined)?.error;
  return error === undefined ? undefined : JSON.stringify({ error });
}

export class ArmOperationsAdapter implements OperationsPort {
  constructor(
    private readonly client: ServiceClient,
    private readonly armEndpoint: string,
  ) {}

  private async get(url: string): Promise<{ response: PipelineResponse; body: unknown }> {
    const request = createPipelineRequest({ url, method: 'GET', headers: createHttpHeaders({ accept: 'application/json' }) });
    let response: PipelineResponse;
    try {
      response = await this.client.sendRequest(request);
    } catch (e) {
      if (isCredentialError(e)) throw credentialError(e);
      if (isRequestTimeout(e)) throw timeoutError('GET', url, e);
      if (isRestError(e) && e.statusCode === undefined) throw new LockdownError(ErrorCodes.ARM_TRANSPORT, `GET ${url.replace(/\?.*$/, '')} failed on the way: ${e.message}`, { cause: e, retryable: true });
      throw e;
    }
    let body: unknown;
    if (response.bodyAsText) {
      try {
        body = JSON.parse(response.bodyAsText);
      } catch {
        body = undefined;
      }
    }
    return { response, body };
  }

  /** One look at the operation: running (with ARM's Retry-After), succeeded, or failed with Azure's reason. */
  async poll(handle: OperationHandle): Promise<OperationPoll> {
    const url = armUrlToFollow(handle.pollUrl, this.armEndpoint, `the operation of ${handle.kind} on ${handle.resourceId}`);
    const { response, body } = await this.get(url);
    const header: HeaderLookup = (name) => response.headers.get(name);
    const retryAfterMs = retryAfterFromHeaders(header);
    const after = retryAfterMs !== undefined ? { retryAfterMs } : {};
    const status = response.status;
    const fail = (): never => {
      throw armResponseError('GET', url, status, response.bodyAsText ?? undefined, header('x-ms-request-id'), undefined, retryAfterMs);
    };
    if (status === 404) return { state: 'failed', error: new LockdownError(ErrorCodes.ARM_LRO_FAILED, `the operation of ${handle.kind} on ${handle.resourceId} is no longer known to ARM (404 at its URL)`).message };
    if (handle.via === 'location') {
      if (status === 202) {
        const moved = header('location');
        return { state: 'running', ...after, ...(moved ? { pollUrl: armUrlToFollow(moved, this.armEndpoint, `the operation of ${handle.kind} on ${handle.resourceId}`) } : {}) };
      }
      if (status >= 200 && status < 300) return { state: 'succeeded' };
      if (status === 429 || status >= 500) fail();
      return { state: 'failed', error: failedText(handle, `HTTP ${status}`, response.bodyAsText ?? undefined) };
    }
    if (status !== 200) fail();
    const state = (body as { status?: unknown } | undefined)?.status;
    // a status body without `status` — the ML registry's quirk answers the registry itself — is the end, as core-lro reads it
    if (typeof state !== 'string') return { state: 'succeeded' };
    if (SUCCEEDED.has(state.toLowerCase())) return { state: 'succeeded' };
    if (FAILED.has(state.toLowerCase())) return { state: 'failed', error: failedText(handle, state, statusError(body)) };
    return { state: 'running', ...after };
  }
}

/** What the SDK's response callback hands over (a subset of its FullOperationResponse). */
interface RawResponse {
  status: number;
  headers: { get(name: string): string | undefined };
  bodyAsText?: string | null;
  parsedBody?: unknown;
}

/** ARM's answer to a write: its status, headers and body. */
export interface WriteAnswer {
  status: number;
  header: HeaderLookup;
  body: unknown;
}

/**
 * Sends a write through an SDK long-running operation's poller without waiting for the
 * operation: the poller sends the first request when it is made, `submitted()` waits for that
 * answer only, and the poller is dropped (never awaited: awaiting it would poll until done). The
 * answer comes from the SDK's response callback.
 */
export async function sendWriteOnly(begin: (options: { onResponse: (raw: RawResponse) => void }) => { submitted(): Promise<void> }): Promise<WriteAnswer> {
  let raw: RawResponse | undefined;
  const poller = begin({ onResponse: (r) => { raw = r; } });
  await poller.submitted();
  const answer = raw;
  if (answer === undefined) throw new LockdownError(ErrorCodes.ARM_SERVER, 'the SDK sent a write but reported no answer');
  let body = answer.parsedBody;
  if (body === undefined && answer.bodyAsText) {
    try {
      body = JSON.parse(answer.bodyAsText);
    } catch {
      body = undefined;
    }
  }
  return { status: answer.status, header: (name) => answer.headers.get(name) ?? undefined, body };
}
