import type { AccessToken, TokenCredential } from '@azure/core-auth';
import { createAzureClients } from '../../../src/azure/client-factory';
import { errorCodeOf, type LockdownError } from '../../../src/shared/errors';
import { registryId, type Registry } from '../../../src/hardening/domain/registry';
import { empty, HttpsStub, json } from '../../helpers/https-stub';

const SUB = '0b1f6471-1bf0-4dda-aec3-cb9272f09590';
const ID = registryId(SUB, 'rg-ml', 'demoreg');
const PATH = `${ID}?api-version=2025-12-01`;

class StaticCredential implements TokenCredential {
  scopes: string[] = [];
  async getToken(scopes: string | string[]): Promise<AccessToken> {
    this.scopes.push(...(Array.isArray(scopes) ? scopes : [scopes]));
    return { token: 'test-token', expiresOnTimestamp: Date.now() + 3600_000 };
  }
}

function registry(publicNetworkAccess: string): Registry {
  return {
    id: ID, name: 'demoreg', type: 'Microsoft.MachineLearningServices/registries', location: 'westeurope',
    tags: { team: 'ml' },
    properties: {
      publicNetworkAccess,
      managedResourceGroup: { resourceId: `/subscriptions/${SUB}/resourceGroups/azureml-rg-demoreg_3f1a8c2e-55b0-4d7e-9c1a-0e6f2b7d4a11` },
      regionDetails: [{ location: 'westeurope', acrDetails: [], storageAccountDetails: [] }],
    },
  };
}

describe('RegistriesAdapter on the wire', () => {
  const stub = new HttpsStub();
  const credential = new StaticCredential();
  let clients: ReturnType<typeof createAzureClients>;

  beforeAll(async () => {
    await stub.start();
    clients = createAzureClients({
      AZURE_CLIENT_ID: undefined, ARM_ENDPOINT: stub.url, ARM_SCOPE: 'https://management.azure.com/.default',
      ARM_MAX_RETRIES: 3, ARM_MAX_RETRY_AFTER_SECONDS: 5, ARM_LRO_POLL_INTERVAL_MS: 10,
    }, credential);
  });
  afterAll(() => stub.stop());

  it('GETs with api-version 2025-12-01, a bearer token and our user agent', async () => {
    stub.script(json(200, registry('Enabled')));
    const r = await clients.registries().get(ID.toUpperCase().replace('/SUBSCRIPTIONS', '/subscriptions'));
    expect(r?.properties.publicNetworkAccess).toBe('Enabled');
    const req = stub.requests[0];
    expect(req?.method).toBe('GET');
    expect(req?.path.toLowerCase()).toBe(PATH.toLowerCase());
    expect(req?.headers.authorization).toBe('Bearer test-token');
    expect(req?.headers['user-agent']).toMatch(/^aml-registry-lockdown\/0\.1\.0 /);
    expect(credential.scopes).toContain('https://management.azure.com/.default');
  });

  it('returns undefined for 404 and a coded error carrying ARM\'s own code for 403', async () => {
    stub.script(json(404, { error: { code: 'ResourceNotFound', message: 'not found' } }));
    await expect(clients.registries().get(ID)).resolves.toBeUndefined();
    stub.script(json(403, { error: { code: 'AuthorizationFailed', message: 'The client does not have authorization' } }));
    const err = await clients.registries().get(ID).catch((e: unknown) => e);
    expect(errorCodeOf(err)).toBe('ARM.FORBIDDEN');
    expect((err as Error).message).toContain('AuthorizationFailed');
  });

  it('waits out a 429 with Retry-After, then succeeds', async () => {
    stub.script(json(429, { error: { code: 'TooManyRequests', message: 'slow down' } }, { 'retry-after': '1' }), json(200, registry('Enabled')));
    const started = Date.now();
    const r = await clients.registries().get(ID);
    expect(r?.name).toBe('demoreg');
    expect(stub.requests).toHaveLength(2);
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
  });

  it('fails fast as ARM.THROTTLED when Retry-After is longer than the cap', async () => {
    stub.script(json(429, { error: { code: 'TooManyRequests', message: 'slow down' } }, { 'retry-after': '600' }));
    const err = await clients.registries().get(ID).catch((e: unknown) => e);
    expect(errorCodeOf(err)).toBe('ARM.THROTTLED');
    expect(stub.requests).toHaveLength(1);
  });

  it('retries a 503 without Retry-After and a 500, then succeeds', async () => {
    stub.script(json(503, { error: { code: 'ServiceUnavailable', message: 'x' } }), json(500, { error: { code: 'InternalServerError', message: 'x' } }), json(200, registry('Enabled')));
    const r = await clients.registries().get(ID);
    expect(r?.id).toBe(ID);
    expect(stub.requests).toHaveLength(3);
  });

  it('PUT: 202 with no body, a poll that returns the full registry, then the registry', async () => {
    const op = () => `${stub.url}/providers/Microsoft.MachineLearningServices/locations/westeurope/registryOperationsStatus/op1?api-version=2025-12-01`;
    let putBody: Record<string, unknown> = {};
    stub.script(
      (req, res) => {
        putBody = JSON.parse(req.body) as Record<string, unknown>;
        empty(202, { 'azure-asyncoperation': op(), location: op(), 'retry-after': '0' })(req, res);
      },
      json(200, { status: 'InProgress' }, { 'retry-after': '0' }),
      json(200, registry('Disabled')),
    );
    // polled at the factory's ARM_LRO_POLL_INTERVAL_MS (no per-call interval)
    const result = await clients.registries().createOrUpdate(registry('Disabled'));
    expect(result.properties.publicNetworkAccess).toBe('Disabled');
    expect(stub.requests[0]?.method).toBe('PUT');
    expect(putBody).not.toHaveProperty('id');
    expect(putBody).toMatchObject({ location: 'westeurope', tags: { team: 'ml' }, properties: { publicNetworkAccess: 'Disabled' } });
    expect(stub.requests.slice(1).every((r) => r.method === 'GET')).toBe(true);
    expect(stub.requests[1]?.path).toContain('registryOperationsStatus/op1');
  });

  it('PUT of a registry as GET returned it: no nulls, no read-only properties, no ArmResourceId without its id', async () => {
    const uai = `/subscriptions/${SUB}/resourceGroups/rg-id/providers/Microsoft.ManagedIdentity/userAssignedIdentities/ml-id`;
    const acrId = `/subscriptions/${SUB}/resourceGroups/azureml-rg-demoreg_x/providers/Microsoft.ContainerRegistry/registries/acr1`;
    const asRead = {
      ...registry('Enabled'),
      kind: null,
      sku: { name: 'Basic', tier: null },
      systemData: { createdAt: '2026-01-01T00:00:00Z', createdBy: 'someone' },
      identity: { type: 'SystemAssigned,UserAssigned', principalId: '11111111-0000-0000-0000-000000000001', tenantId: '22222222-0000-0000-0000-000000000002', userAssignedIdentities: { [uai]: { principalId: '33333333-0000-0000-0000-000000000003', clientId: '44444444-0000-0000-0000-000000000004' } } },
      properties: {
        publicNetworkAccess: 'Enabled', discoveryUrl: null, intellectualPropertyPublisher: null, managedResourceGroup: { resourceId: null },
        regionDetails: [{
          location: 'westeurope',
          acrDetails: [{ systemCreatedAcrAccount: { acrAccountName: 'acr1', acrAccountSku: 'Premium', armResourceId: { resourceId: acrId } }, userCreatedAcrAccount: null }],
          storageAccountDetails: [{ systemCreatedStorageAccount: { storageAccountName: 'st1', storageAccountType: 'Standard_LRS', allowBlobPublicAccess: false, armResourceId: null } }],
        }],
        registryPrivateEndpointConnections: null,
      },
    };
    const op = () => `${stub.url}/ops/3?api-version=2025-12-01`;
    let putBody: Record<string, unknown> = {};
    stub.script(
      json(200, asRead),
      (req, res) => {
        putBody = JSON.parse(req.body) as Record<string, unknown>;
        empty(202, { 'azure-asyncoperation': op(), 'retry-after': '0' })(req, res);
      },
      json(200, { status: 'Succeeded' }),
      json(200, registry('Disabled')),
    );
    const read = await clients.registries().get(ID);
    await clients.registries().createOrUpdate({ ...read!, properties: { ...read!.properties, publicNetworkAccess: 'Disabled' } });
    expect(putBody).toEqual({
      location: 'westeurope',
      tags: { team: 'ml' },
      sku: { name: 'Basic' },
      identity: { type: 'SystemAssigned,UserAssigned', userAssignedIdentities: { [uai]: {} } },
      properties: {
        publicNetworkAccess: 'Disabled',
        regionDetails: [{
          location: 'westeurope',
          acrDetails: [{ systemCreatedAcrAccount: { acrAccountName: 'acr1', acrAccountSku: 'Premium', armResourceId: { resourceId: acrId } } }],
          storageAccountDetails: [{ systemCreatedStorageAccount: { storageAccountName: 'st1', storageAccountType: 'Standard_LRS', allowBlobPublicAccess: false } }],
        }],
      },
    });
    expect(JSON.stringify(putBody)).not.toContain('null');
  });

  it('PUT: an operation that ends Failed is ARM.LRO_FAILED with the service message', async () => {
    const op = () => `${stub.url}/ops/2?api-version=2025-12-01`;
    stub.script(
      empty(202, { 'azure-asyncoperation': op(), 'retry-after': '0' }),
      json(200, { status: 'Failed', error: { code: 'InternalError', message: 'provisioning the registry failed' } }),
    );
    const err = await clients.registries().createOrUpdate(registry('Disabled'), { updateIntervalInMs: 10 }).catch((e: unknown) => e);
    expect(errorCodeOf(err)).toBe('ARM.LRO_FAILED');
    expect((err as Error).message).toContain('provisioning the registry failed');
  });

  it('lists every page by following nextLink', async () => {
    const second = () => `${stub.url}/subscriptions/${SUB}/providers/Microsoft.MachineLearningServices/registries?api-version=2025-12-01&$skipToken=2`;
    stub.script(
      (req, res) => json(200, { value: [registry('Enabled')], nextLink: second() })(req, res),
      json(200, { value: [{ ...registry('Disabled'), name: 'other', id: registryId(SUB, 'rg-ml', 'other') }] }),
    );
    const names: string[] = [];
    for await (const r of clients.registries().listBySubscription(SUB)) names.push(r.name);
    expect(names).toEqual(['demoreg', 'other']);
    expect(stub.requests[1]?.path).toContain('$skipToken=2');
  });

  describe('absolute URLs ARM hands back are followed only on the ARM endpoint', () => {
    const elsewhere = new HttpsStub();
    beforeAll(async () => {
      await elsewhere.start();
    });
    afterAll(() => elsewhere.stop());

    it('a nextLink to another host is refused: nothing, and no token, is sent there', async () => {
      elsewhere.script(json(200, { value: [] }));
      stub.script(json(200, { value: [registry('Enabled')], nextLink: `${elsewhere.url}/subscriptions/${SUB}/providers/Microsoft.MachineLearningServices/registries?page=2` }));
      const names: string[] = [];
      const err = await (async () => {
        for await (const r of clients.registries().listBySubscription(SUB)) names.push(r.name);
      })().catch((e: unknown) => e);
      expect(errorCodeOf(err)).toBe('ARM.SERVER_ERROR');
      expect((err as Error).message).toMatch(/outside ARM .* was not followed/);
      expect(names).toEqual(['demoreg']);
      expect(elsewhere.requests).toHaveLength(0);
    });

    it('a nextLink without a scheme is not glued to the endpoint (no host of its own)', async () => {
      stub.script(json(200, { value: [], nextLink: 'evil.example/steal' }));
      const err = await (async () => {
        for await (const _ of clients.registries().listBySubscription(SUB)) void _;
      })().catch((e: unknown) => e);
      expect(errorCodeOf(err)).toBe('ARM.SERVER_ERROR');
      expect(stub.requests).toHaveLength(1);
    });

    it("a PUT's Azure-AsyncOperation on another host is refused: the poll never leaves for it", async () => {
      elsewhere.script(json(200, { status: 'Succeeded' }));
      stub.script(empty(202, { 'azure-asyncoperation': `${elsewhere.url}/ops/1?api-version=2025-12-01`, 'retry-after': '0' }));
      const err = await clients.registries().createOrUpdate(registry('Disabled'), { updateIntervalInMs: 10 }).catch((e: unknown) => e);
      expect(errorCodeOf(err)).toBe('ARM.SERVER_ERROR');
      expect(elsewhere.requests).toHaveLength(0);
    });

    it('an http:// URL on the ARM host itself is another origin too', async () => {
      stub.script(json(200, { value: [], nextLink: `${stub.url.replace('https:', 'http:')}/next` }));
      const err = await (async () => {
        for await (const _ of clients.registries().listBySubscription(SUB)) void _;
      })().catch((e: unknown) => e);
      expect(errorCodeOf(err)).toBe('ARM.SERVER_ERROR');
      expect(stub.requests).toHaveLength(1);
    });
  });

  it('turns a credential that cannot get a token into a retryable IDENTITY.TOKEN_FAILED, sending nothing', async () => {
    const failing: TokenCredential = {
      async getToken(): Promise<AccessToken | null> {
        const e = new Error('ManagedIdentityCredential: the identity endpoint did not answer in time');
        e.name = 'CredentialUnavailableError';
        throw e;
      },
    };
    const noToken = createAzureClients({
      AZURE_CLIENT_ID: undefined, ARM_ENDPOINT: stub.url, ARM_SCOPE: 'https://management.azure.com/.default', ARM_MAX_RETRIES: 0, ARM_MAX_RETRY_AFTER_SECONDS: 5, ARM_LRO_POLL_INTERVAL_MS: 2000,
    }, failing);
    stub.script(json(200, registry('Enabled')));
    const err = await noToken.registries().get(ID).catch((e: unknown) => e);
    expect(errorCodeOf(err)).toBe('IDENTITY.TOKEN_FAILED');
    expect((err as LockdownError).retryable).toBe(true);
    expect(stub.requests).toHaveLength(0);
  });

  it('rejects a response that is not a registry', async () => {
    stub.script(json(200, { id: ID, name: 'demoreg', type: 'Microsoft.Storage/storageAccounts', location: 'x', properties: {} }));
    const err = await clients.registries().get(ID).catch((e: unknown) => e);
    expect(errorCodeOf(err)).toBe('REGISTRY.INVALID_RESPONSE');
  });
});
