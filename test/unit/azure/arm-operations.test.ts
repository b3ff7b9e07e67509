import type { AccessToken, TokenCredential } from '@azure/core-auth';
import { ServiceClient } from '@azure/core-client';
import { commonClientOptions } from '../../../src/azure/arm-pipeline';
import { ArmOperationsAdapter, operationOf } from '../../../src/azure/arm-operations.adapter';
import { createAzureClients } from '../../../src/azure/client-factory';
import type { OperationHandle } from '../../../src/hardening/domain/operations';
import { registryId } from '../../../src/hardening/domain/registry';
import { errorCodeOf } from '../../../src/shared/errors';
import { empty, HttpsStub, json } from '../../helpers/https-stub';

/**
 * A long-running operation looked at once per call, on the wire: what each answer means, and
 * that a polling URL is followed only on the ARM endpoint (the bearer token goes nowhere else).
 */
class StaticCredential implements TokenCredential {
  async getToken(): Promise<AccessToken> {
    return { token: 'test-token', expiresOnTimestamp: Date.now() + 3600_000 };
  }
}

const SUB = '0b1f6471-1bf0-4dda-aec3-cb9272f09590';

describe('long-running operations on the wire: one look each, ARM only', () => {
  const arm = new HttpsStub();
  const elsewhere = new HttpsStub();
  let adapter: ArmOperationsAdapter;
  let clients: ReturnType<typeof createAzureClients>;

  beforeAll(async () => {
    await arm.start();
    await elsewhere.start();
    const credential = new StaticCredential();
    const client = new ServiceClient({ ...commonClientOptions({ endpoint: arm.url, scope: 'https://management.azure.com/.default', maxRetries: 0, maxRetryAfterSeconds: 5 }), credential, credentialScopes: ['https://management.azure.com/.default'] });
    adapter = new ArmOperationsAdapter(client, arm.url);
    clients = createAzureClients({ AZURE_CLIENT_ID: undefined, ARM_ENDPOINT: arm.url, ARM_SCOPE: 'https://management.azure.com/.default', ARM_MAX_RETRIES: 0, ARM_MAX_RETRY_AFTER_SECONDS: 5, ARM_LRO_POLL_INTERVAL_MS: 10 }, credential);
  });
  afterAll(async () => {
    await arm.stop();
    await elsewhere.stop();
  });

  const handle = (extra: Partial<OperationHandle> = {}): OperationHandle => ({
    kind: 'endpointPut', resourceId: '/subscriptions/s/pe', pollUrl: `${arm.url}/subscriptions/s/providers/Microsoft.Network/locations/westeurope/operations/op1?api-version=2026-01-01`,
    via: 'azure-async-operation', expectedMs: 30_000, pollMs: 2_000, deadlineMs: 60_000, ...extra,
  });

  it('Azure-AsyncOperation: InProgress with its Retry-After, then Succeeded; one GET each, with the token', async () => {
    arm.script(json(200, { status: 'InProgress' }, { 'retry-after': '7' }), json(200, { status: 'Succeeded' }));
    await expect(adapter.poll(handle())).resolves.toEqual({ state: 'running', retryAfterMs: 7_000 });
    await expect(adapter.poll(handle())).resolves.toEqual({ state: 'succeeded' });
    expect(arm.requests.map((r) => `${r.method} ${r.path}`)).toEqual(Array(2).fill('GET /subscriptions/s/providers/Microsoft.Network/locations/westeurope/operations/op1?api-version=2026-01-01'));
    expect(arm.requests[0]?.headers.authorization).toBe('Bearer test-token');
  });

  it('Azure-AsyncOperation: Failed carries Azure\'s reason; a body without status (the ML registry answering itself) is the end', async () => {
    arm.script(json(200, { status: 'Failed', error: { code: 'InternalServerError', message: 'the service failed' } }), json(200, { id: '/x', type: 'Microsoft.MachineLearningServices/registries', properties: {} }));
    const failed = await adapter.poll(handle());
    expect(failed.state).toBe('failed');
    expect(failed.state === 'failed' && failed.error).toMatch(/^\[ARM\.LRO_FAILED\] the operation of endpointPut on \/subscriptions\/s\/pe ended Failed: InternalServerError: the service failed$/);
    await expect(adapter.poll(handle())).resolves.toEqual({ state: 'succeeded' });
  });

  it('Location: 202 (running, the URL may move) until 200/204; an error answer is the operation\'s failure; 404 means ARM no longer knows it', async () => {
    const moved = `${arm.url}/subscriptions/s/providers/Microsoft.Network/locations/westeurope/operationResults/op2?api-version=2026-01-01`;
    arm.script(empty(202, { location: moved, 'retry-after': '3' }), empty(204), json(400, { error: { code: 'Conflict', message: 'no' } }), json(404, { error: { code: 'NotFound', message: 'gone' } }));
    const loc = handle({ via: 'location' });
    await expect(adapter.poll(loc)).resolves.toEqual({ state: 'running', retryAfterMs: 3_000, pollUrl: moved });
    await expect(adapter.poll(loc)).resolves.toEqual({ state: 'succeeded' });
    const failed = await adapter.poll(loc);
    expect(failed.state === 'failed' && failed.error).toMatch(/ended HTTP 400: Conflict: no/);
    const gone = await adapter.poll(loc);
    expect(gone.state === 'failed' && gone.error).toMatch(/no longer known to ARM/);
  });

  it('a polling URL outside the ARM endpoint is refused before anything is sent', async () => {
    arm.script(json(200, { status: 'Succeeded' }));
    elsewhere.script(json(200, { status: 'Succeeded' }));
    const err = await adapter.poll(handle({ pollUrl: `${elsewhere.url}/operations/op1` })).catch((e: unknown) => e);
    expect(errorCodeOf(err)).toBe('ARM.SERVER_ERROR');
    expect((err as Error).message).toContain('a URL outside ARM');
    expect(elsewhere.requests).toEqual([]);
    expect(arm.requests).toEqual([]);
  });

  it('the start of a write: Azure-AsyncOperation first, else Location on a 201/202; none on a synchronous answer; a URL elsewhere is refused', () => {
    const headers = (h: Record<string, string>) => (name: string) => h[name];
    expect(operationOf(201, headers({ 'azure-asyncoperation': `${arm.url}/a`, location: `${arm.url}/l`, 'retry-after': '10' }), arm.url, 'PUT x')).toEqual({ pollUrl: `${arm.url}/a`, via: 'azure-async-operation', retryAfterMs: 10_000 });
    expect(operationOf(202, headers({ location: `${arm.url}/l` }), arm.url, 'PUT x')).toEqual({ pollUrl: `${arm.url}/l`, via: 'location' });
    expect(operationOf(200, headers({}), arm.url, 'PATCH x')).toBeUndefined();
    expect(errorCodeOf((() => { try { operationOf(202, headers({}), arm.url, 'PUT x'); } catch (e) { return e; } })())).toBe('ARM.SERVER_ERROR');
    expect(() => operationOf(201, headers({ 'azure-asyncoperation': `${elsewhere.url}/a` }), arm.url, 'PUT x')).toThrow(/a URL outside ARM/);
  });

  it('the registry PUT answers at once with its operation (the run polls it), without a poll of its own', async () => {
    const id = registryId(SUB, 'rg-ml', 'demoreg');
    arm.script(empty(202, { 'azure-asyncoperation': `${arm.url}/subscriptions/${SUB}/providers/Microsoft.MachineLearningServices/locations/westeurope/mfeOperationsStatus/op3`, 'retry-after': '15' }));
    const answer = await clients.registries().startPut({ id, name: 'demoreg', type: 'Microsoft.MachineLearningServices/registries', location: 'westeurope', properties: { publicNetworkAccess: 'Disabled' } });
    expect(answer.operation).toEqual({ pollUrl: `${arm.url}/subscriptions/${SUB}/providers/Microsoft.MachineLearningServices/locations/westeurope/mfeOperationsStatus/op3`, via: 'azure-async-operation', retryAfterMs: 15_000 });
    expect(arm.requests.map((r) => r.method)).toEqual(['PUT']);
  });
});
