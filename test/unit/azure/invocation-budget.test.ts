import type { AccessToken, TokenCredential } from '@azure/core-auth';
import { createHttpHeaders, createPipelineRequest, type PipelineRequest, type PipelineResponse, type SendRequest } from '@azure/core-rest-pipeline';
import { createAzureClients } from '../../../src/azure/client-factory';
import { invocationBudgetPolicy, withinInvocationBudget } from '../../../src/azure/invocation-budget';
import { registryId } from '../../../src/hardening/domain/registry';
import { ErrorCodes, errorCodeOf, type LockdownError } from '../../../src/shared/errors';
import { HttpsStub, json } from '../../helpers/https-stub';

function transport(answer: 'never' | 'at-once', calls: PipelineRequest[] = []): SendRequest {
  return (request: PipelineRequest) =>
    new Promise<PipelineResponse>((resolve, reject) => {
      calls.push(request);
      if (answer === 'at-once') resolve({ request, status: 200, headers: createHttpHeaders() });
      request.abortSignal?.addEventListener('abort', () => reject(Object.assign(new Error('The operation was aborted.'), { name: 'AbortError' })));
    });
}

const request = (): PipelineRequest => createPipelineRequest({ url: 'https://management.azure.com/subscriptions/s/resourceGroups/rg?api-version=2021-04-01', method: 'GET' });

describe('an invocation\'s time budget over every Azure call it makes', () => {
  it('outside a budget nothing changes', async () => {
    const req = request();
    const res = await invocationBudgetPolicy().sendRequest(req, transport('at-once'));
    expect(res.status).toBe(200);
    expect(req.abortSignal).toBeUndefined();
  });

  it('a call still waiting when the budget runs out ends as INVOCATION.BUDGET_SPENT (retryable), naming the activity', async () => {
    const started = Date.now();
    const error = await withinInvocationBudget("activity 'inspectTargets'", 0.15, () => invocationBudgetPolicy().sendRequest(request(), transport('never'))).catch((e: unknown) => e);
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
    expect(errorCodeOf(error)).toBe(ErrorCodes.INVOCATION_BUDGET_SPENT);
    expect((error as LockdownError).retryable).toBe(true);
    expect((error as Error).message).toContain("GET https://management.azure.com/subscriptions/s/resourceGroups/rg was stopped: activity 'inspectTargets' used up its 0.15 s");
  });

  it('once the budget is spent the next call is not sent at all; the caller\'s own signal is restored after each call', async () => {
    await withinInvocationBudget('activity x', 0.05, async () => {
      const req = request();
      const outer = new AbortController();
      req.abortSignal = outer.signal;
      await invocationBudgetPolicy().sendRequest(req, transport('at-once'));
      expect(req.abortSignal).toBe(outer.signal);
      await new Promise((r) => setTimeout(r, 80));
      const calls: PipelineRequest[] = [];
      const error = await invocationBudgetPolicy().sendRequest(request(), transport('at-once', calls)).catch((e: unknown) => e);
      expect(errorCodeOf(error)).toBe(ErrorCodes.INVOCATION_BUDGET_SPENT);
      expect(calls).toHaveLength(0);
    });
  });

  describe('through the client factory\'s pipeline', () => {
    const stub = new HttpsStub();
    const credential: TokenCredential = { getToken: async (): Promise<AccessToken> => ({ token: 't', expiresOnTimestamp: Date.now() + 3600_000 }) };
    beforeAll(async () => {
      await stub.start();
    });
    afterAll(() => stub.stop());

    it('the retry policy\'s Retry-After pauses count: throttled calls stop at the budget instead of waiting out every retry', async () => {
      const clients = createAzureClients({ AZURE_CLIENT_ID: undefined, ARM_ENDPOINT: stub.url, ARM_SCOPE: 'https://management.azure.com/.default', ARM_MAX_RETRIES: 4, ARM_MAX_RETRY_AFTER_SECONDS: 5, ARM_LRO_POLL_INTERVAL_MS: 10 }, credential);
      stub.script(json(429, { error: { code: 'TooManyRequests', message: 'slow down' } }, { 'retry-after': '1' }));
      const id = registryId('0b1f6471-1bf0-4dda-aec3-cb9272f09590', 'rg-ml', 'demoreg');
      const started = Date.now();
      const error = await withinInvocationBudget("activity 'readRegistry'", 1.5, () => clients.registries().get(id)).catch((e: unknown) => e);
      const took = Date.now() - started;
      expect(errorCodeOf(error)).toBe(ErrorCodes.INVOCATION_BUDGET_SPENT);
      expect(took).toBeGreaterThanOrEqual(1400);
      expect(took).toBeLessThan(2500); // four retries would have waited 4 s
      expect(stub.requests.length).toBe(2);
    });
  });
});
