import { createHttpHeaders, createPipelineRequest, RestError, type PipelineRequest, type PipelineResponse, type SendRequest } from '@azure/core-rest-pipeline';
import { armRetryStrategy, isRequestTimeout, REQUEST_TIMEOUT_CODE, requestTimeoutPolicy, runLro, withLroDeadline } from '../../../src/azure/arm-pipeline';
import { rethrowArm } from '../../../src/azure/sdk-errors';
import { ErrorCodes, errorCodeOf, LockdownError } from '../../../src/shared/errors';

/** The transport: answers only when `answer` says so, and gives up like the SDK's http client when the request is aborted. */
function transport(answer: 'never' | 'at-once'): SendRequest {
  return (request: PipelineRequest) =>
    new Promise<PipelineResponse>((resolve, reject) => {
      if (answer === 'at-once') resolve({ request, status: 200, headers: createHttpHeaders() });
      request.abortSignal?.addEventListener('abort', () => reject(Object.assign(new Error('The operation was aborted.'), { name: 'AbortError' })));
    });
}

const request = (): PipelineRequest => createPipelineRequest({ url: 'https://management.azure.com/subscriptions/s/resourceGroups/rg?api-version=2021-04-01', method: 'GET' });

describe('requestTimeoutPolicy', () => {
  it('abandons an attempt that gets no answer and fails it as a retryable request timeout', async () => {
    const error = await requestTimeoutPolicy(0.05).sendRequest(request(), transport('never')).catch((e: unknown) => e);
    expect(isRequestTimeout(error)).toBe(true);
    expect((error as RestError).code).toBe(REQUEST_TIMEOUT_CODE);
    expect((error as Error).message).toContain('got no answer within 0.05 s (ARM_REQUEST_TIMEOUT_SECONDS)');
    expect((error as Error).message).not.toContain('api-version');
    const retry = armRetryStrategy({ maxRetryAfterSeconds: 60, retryDelayInMs: 10 }).retry({ retryCount: 0, responseError: error as RestError });
    expect(retry.retryAfterInMs).toBeGreaterThan(0);
  });

  it('passes an answer through and restores the caller\'s abort signal', async () => {
    const req = request();
    const outer = new AbortController();
    req.abortSignal = outer.signal;
    const res = await requestTimeoutPolicy(5).sendRequest(req, transport('at-once'));
    expect(res.status).toBe(200);
    expect(req.abortSignal).toBe(outer.signal);
  });

  it('leaves a caller\'s own abort (e.g. an LRO deadline) as it is', async () => {
    const req = request();
    const outer = new AbortController();
    req.abortSignal = outer.signal;
    const pending = requestTimeoutPolicy(5).sendRequest(req, transport('never')).catch((e: unknown) => e);
    outer.abort();
    const error = await pending;
    expect(isRequestTimeout(error)).toBe(false);
    expect((error as Error).name).toBe('AbortError');
  });

  it('a request that timed out on every attempt becomes ARM.TIMEOUT naming the call', () => {
    const timeout = new RestError('GET https://management.azure.com/x got no answer within 60 s (ARM_REQUEST_TIMEOUT_SECONDS)', { code: REQUEST_TIMEOUT_CODE });
    let thrown: unknown;
    try {
      rethrowArm('GET', '/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/privateEndpoints/pe')(timeout);
    } catch (e) {
      thrown = e;
    }
    expect(errorCodeOf(thrown)).toBe(ErrorCodes.ARM_TIMEOUT);
    expect((thrown as LockdownError).retryable).toBe(true);
    expect((thrown as Error).message).toContain('GET /subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/privateEndpoints/pe got no answer in time');
  });
});

describe('withLroDeadline / runLro', () => {
  /** An SDK poller that never finishes and stops when its abort signal fires. */
  const neverFinishes = (abortSignal?: AbortSignal): Promise<string> =>
    new Promise((_resolve, reject) => abortSignal?.addEventListener('abort', () => reject(Object.assign(new Error('The operation was aborted.'), { name: 'AbortError' }))));

  it('fails an operation still running at the deadline as ARM.LRO_DEADLINE, retryable, with what to do', async () => {
    const error = await withLroDeadline(0.05, 'PUT /subscriptions/s/pe', (signal) => neverFinishes(signal)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LockdownError);
    expect(errorCodeOf(error)).toBe(ErrorCodes.ARM_LRO_DEADLINE);
    expect((error as LockdownError).retryable).toBe(true);
    expect((error as Error).message).toContain('PUT /subscriptions/s/pe was still running after 0.05 s (ARM_LRO_DEADLINE_SECONDS)');
    expect((error as Error).message).toContain('start the run again');
  });

  it('returns what a finished operation returns, and lets its own errors through', async () => {
    await expect(withLroDeadline(5, 'PUT x', () => Promise.resolve('done'))).resolves.toBe('done');
    const own = new LockdownError(ErrorCodes.ARM_LRO_FAILED, 'PUT x did not complete: Failed');
    await expect(withLroDeadline(5, 'PUT x', () => Promise.reject(own))).rejects.toBe(own);
  });

  it('runLro hands the SDK the poll interval, and an abort signal only when a deadline is set', async () => {
    const seen: Array<{ updateIntervalInMs?: number; abortSignal?: AbortSignal }> = [];
    await runLro({ updateIntervalInMs: 20 }, 'PUT x', (o) => { seen.push(o); return Promise.resolve(1); });
    await runLro({ updateIntervalInMs: 20, deadlineSeconds: 5 }, 'PUT x', (o) => { seen.push(o); return Promise.resolve(1); });
    expect(seen[0]).toEqual({ updateIntervalInMs: 20 });
    expect(seen[1]?.updateIntervalInMs).toBe(20);
    expect(seen[1]?.abortSignal?.aborted).toBe(false);
    const error = await runLro({ deadlineSeconds: 0.05 }, 'PATCH acr', (o) => neverFinishes(o.abortSignal)).catch((e: unknown) => e);
    expect(errorCodeOf(error)).toBe(ErrorCodes.ARM_LRO_DEADLINE);
  });
});

describe('ARM.THROTTLED carries the Retry-After, so the run can wait it out', () => {
  const throttledResponse = (headers: Record<string, string>): PipelineResponse => ({ request: request(), status: 429, headers: createHttpHeaders(headers) });

  it('a Retry-After past ARM_MAX_RETRY_AFTER_SECONDS fails at once as ARM.THROTTLED with the wait in ms', () => {
    let thrown: unknown;
    try {
      armRetryStrategy({ maxRetryAfterSeconds: 60 }).retry({ retryCount: 0, response: throttledResponse({ 'retry-after': '120' }) });
    } catch (e) {
      thrown = e;
    }
    expect(errorCodeOf(thrown)).toBe(ErrorCodes.ARM_THROTTLED);
    expect((thrown as LockdownError).retryAfterMs).toBe(120_000);
  });

  it('a 429 still answered after the in-process retries becomes ARM.THROTTLED with its Retry-After (retry-after-ms first)', () => {
    const error = new RestError('Too many requests', {
      statusCode: 429,
      response: throttledResponse({ 'retry-after': '3', 'retry-after-ms': '2500' }) as PipelineResponse & { bodyAsText: string },
    });
    let thrown: unknown;
    try {
      rethrowArm('GET', '/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/privateEndpoints/pe')(error);
    } catch (e) {
      thrown = e;
    }
    expect(errorCodeOf(thrown)).toBe(ErrorCodes.ARM_THROTTLED);
    expect((thrown as LockdownError).retryAfterMs).toBe(2500);
  });
});
