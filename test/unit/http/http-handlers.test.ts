jest.mock('@azure/functions-core', () => jest.requireActual('../../helpers/functions-core-mock').createFunctionsCoreMock(), { virtual: true });

import { HttpRequest, InvocationContext, type HttpResponseInit } from '@azure/functions';
import type * as df from 'durable-functions';
import { ErrorCodes, LockdownError } from '../../../src/shared/errors';
import { instanceIdFor } from '../../../src/shared/instance-id';
import type { DiscoveryDocument } from '../../../src/hardening/domain/ports';
import { getDiscovery, type DiscoveryHandlerDeps } from '../../../src/hardening/http-discovery';
import { approveHardening, getHardeningStatus, startHardening, terminateHardening, type HardenClient } from '../../../src/hardening/http-harden';
import { listRuns } from '../../../src/hardening/http-runs';
import { DiscoveryCache } from '../../../src/hardening/discovery-cache';
import { decodeCursor, encodeCursor } from '../../../src/http/views';
import { AUTH_ON, AUTH_SETTINGS, principalHeaders, ROLE } from '../../helpers/principal';

const SUB = '0b1f6471-1bf0-4dda-aec3-cb9272f09590';
const zone = (z: string) => `/subscriptions/${SUB}/resourceGroups/rg-dns/providers/Microsoft.Network/privateDnsZones/${z}`;
Object.assign(process.env, {
  PRIVATE_ENDPOINT_SUBNET_ID: `/subscriptions/${SUB}/resourceGroups/rg-net/providers/Microsoft.Network/virtualNetworks/vnet/subnets/pe`,
  PRIVATE_DNS_ZONE_ID_API_AZUREML: zone('privatelink.api.azureml.ms'),
  PRIVATE_DNS_ZONE_ID_BLOB: zone('privatelink.blob.core.windows.net'),
  PRIVATE_DNS_ZONE_ID_ACR: zone('privatelink.azurecr.io'),
  // the defaults these tests rely on, set explicitly: other suites in this worker may have run hosts
  LOCKDOWN_ACR: 'true',
  LOCKDOWN_ORDER: 'lockdown-first',
  AZURE_CLOUD: 'AzurePublicCloud',
  // authentication on, as App Service sets it up: the requests below carry the platform's principal header
  ...AUTH_SETTINGS,
});

const BASE = 'http://127.0.0.1:7071/api';
const REG = `/subscriptions/${SUB}/resourceGroups/rg-ml/providers/Microsoft.MachineLearningServices/registries/demoreg`;
const PARAMS = { subscriptionId: SUB, resourceGroup: 'rg-ml', registryName: 'demoreg' };
const HARDEN_URL = `${BASE}/registries/${SUB}/rg-ml/demoreg/harden`;

function ctx(): InvocationContext {
  return new InvocationContext({ functionName: 'test', invocationId: 'inv-1', logHandler: () => undefined });
}

/** A request of a caller holding the role (default: network admin, who may do everything). */
function request(method: string, url: string, params: Record<string, string>, body?: string, role: keyof typeof ROLE = 'networkAdmin'): HttpRequest {
  return new HttpRequest({ method, url, params, headers: { ...principalHeaders(role), ...(body ? { 'content-type': 'application/json' } : {}) }, ...(body ? { body: { string: body } } : {}) });
}

function get(url: string): HttpRequest {
  return new HttpRequest({ method: 'GET', url, headers: principalHeaders('reader') });
}

function errorCode(r: HttpResponseInit): string {
  return (r.jsonBody as { error: { code: string } }).error.code;
}

/** A durable client over an in-memory instance table (only what the handlers use). */
class FakeClient implements HardenClient {
  readonly instances = new Map<string, { instanceId: string; name: string; runtimeStatus: string; input: unknown; customStatus: unknown; output: unknown; createdTime: string; lastUpdatedTime: string }>();
  readonly events: Array<[string, string]> = [];
  readonly terminated: Array<[string, string]> = [];

  async getStatus(instanceId: string): Promise<df.DurableOrchestrationStatus> {
    const s = this.instances.get(instanceId);
    if (!s) throw new Error(`DurableClient error: Durable Functions extension replied with HTTP 404 response. ${instanceId}`);
    return s as unknown as df.DurableOrchestrationStatus;
  }
  async startNew(name: string, options?: df.StartNewOptions): Promise<string> {
    const id = options?.instanceId ?? 'x';
    const now = new Date().toISOString();
    this.instances.set(id, { instanceId: id, name, runtimeStatus: 'Pending', input: options?.input, customStatus: null, output: null, createdTime: now, lastUpdatedTime: now });
    return id;
  }
  readonly eventData: unknown[] = [];
  async raiseEvent(instanceId: string, eventName: string, data?: unknown): Promise<void> {
    this.events.push([instanceId, eventName]);
    this.eventData.push(data);
  }
  async terminate(instanceId: string, reason: string): Promise<void> {
    this.terminated.push([instanceId, reason]);
  }
  async getStatusBy(filter: df.OrchestrationFilter): Promise<df.DurableOrchestrationStatus[]> {
    return [...this.instances.values()].filter((s) => !filter.runtimeStatus || filter.runtimeStatus.map(String).includes(s.runtimeStatus)) as unknown as df.DurableOrchestrationStatus[];
  }
}

describe('hardening handlers (fake durable client)', () => {
  it('starts (202 + Location), refuses a second start while running (409 with the run), restarts a finished run', async () => {
    const client = new FakeClient();
    const first = await startHardening(request('POST', `${HARDEN_URL}?mode=plan&code=k`, PARAMS, '{"order":"endpoints-first"}'), client, ctx());
    expect(first.status).toBe(202);
    const headers = first.headers as Record<string, string>;
    expect(headers.location).toBe(HARDEN_URL);
    expect(first.jsonBody).toMatchObject({ instanceId: instanceIdFor(REG), registryId: REG, mode: 'plan', statusUrl: HARDEN_URL });
    const input = client.instances.get(instanceIdFor(REG))?.input as { mode: string; trigger: string; options: { order: string; lockdownAcr: boolean } };
    expect(input).toMatchObject({ mode: 'plan', trigger: 'http', options: { order: 'endpoints-first', lockdownAcr: true } });
    // the audit trail: the run's input names who asked
    expect(input).toMatchObject({ caller: { kind: 'user', objectId: '11111111-2222-4333-8444-555555555555', upn: 'alice@contoso.example', roles: [ROLE.networkAdmin] } });

    const second = await startHardening(request('POST', HARDEN_URL, PARAMS), client, ctx());
    expect(second.status).toBe(409);
    expect(errorCode(second)).toBe('RUN.ALREADY_RUNNING');
    expect((second.jsonBody as { run: { runtimeStatus: string } }).run.runtimeStatus).toBe('Pending');

    client.instances.get(instanceIdFor(REG))!.runtimeStatus = 'Failed';
    const third = await startHardening(request('POST', HARDEN_URL, PARAMS), client, ctx());
    expect(third.status).toBe(202);
    expect(third.jsonBody).toMatchObject({ mode: 'apply', previousRuntimeStatus: 'Failed' });
  });

  it('a caller without the role starts nothing: reader applying, operator weakening (lockdownAcr: false)', async () => {
    const client = new FakeClient();
    const reader = await startHardening(request('POST', HARDEN_URL, PARAMS, undefined, 'reader'), client, ctx());
    expect([reader.status, errorCode(reader)]).toEqual([403, ErrorCodes.AUTH_FORBIDDEN]);
    const weakening = await startHardening(request('POST', HARDEN_URL, PARAMS, '{"lockdownAcr":false}', 'operator'), client, ctx());
    expect([weakening.status, errorCode(weakening)]).toEqual([403, ErrorCodes.AUTH_FORBIDDEN]);
    const anonymous = await startHardening(new HttpRequest({ method: 'POST', url: HARDEN_URL, params: PARAMS }), client, ctx());
    expect([anonymous.status, errorCode(anonymous)]).toEqual([401, ErrorCodes.AUTH_UNAUTHENTICATED]);
    expect(client.instances.size).toBe(0);
    const plan = await startHardening(request('POST', `${HARDEN_URL}?mode=plan`, PARAMS, undefined, 'reader'), client, ctx());
    expect(plan.status).toBe(202);
  });

  it('approve: the approval event carries who approved', async () => {
    const client = new FakeClient();
    await client.startNew('hardenRegistry', { instanceId: instanceIdFor(REG), input: { registryId: REG } });
    client.instances.get(instanceIdFor(REG))!.runtimeStatus = 'Running';
    expect((await approveHardening(request('POST', `${HARDEN_URL}/approve`, PARAMS, undefined, 'operator'), client, ctx())).status).toBe(202);
    expect(client.eventData).toEqual([{ source: 'http', caller: expect.objectContaining({ upn: 'alice@contoso.example', roles: [ROLE.operator] }) }]);
    expect((await approveHardening(request('POST', `${HARDEN_URL}/approve`, PARAMS, undefined, 'reader'), client, ctx())).status).toBe(403);
    expect(client.eventData).toHaveLength(1);
  });

  it('status: 404 when never run, 200 with steps from the custom status', async () => {
    const client = new FakeClient();
    const none = await getHardeningStatus(request('GET', HARDEN_URL, PARAMS), client, ctx());
    expect(none.status).toBe(404);
    expect(errorCode(none)).toBe('RUN.NOT_FOUND');
    await client.startNew('hardenRegistry', { instanceId: instanceIdFor(REG), input: { registryId: REG, mode: 'apply' } });
    client.instances.get(instanceIdFor(REG))!.customStatus = { registryId: REG, mode: 'apply', steps: [{ step: 'read', state: 'done', detail: 'ok' }] };
    const ok = await getHardeningStatus(request('GET', HARDEN_URL, PARAMS), client, ctx());
    expect(ok.status).toBe(200);
    expect(ok.jsonBody).toMatchObject({ registryId: REG, mode: 'apply', runtimeStatus: 'Pending', steps: [{ step: 'read', state: 'done' }], output: null });
  });

  it('approve and terminate: 404 without a run, 409 when it is not running, 202 otherwise', async () => {
    const client = new FakeClient();
    const approveUrl = `${HARDEN_URL}/approve`;
    expect((await approveHardening(request('POST', approveUrl, PARAMS), client, ctx())).status).toBe(404);
    expect((await terminateHardening(request('DELETE', HARDEN_URL, PARAMS), client, ctx())).status).toBe(404);
    await client.startNew('hardenRegistry', { instanceId: instanceIdFor(REG), input: { registryId: REG } });
    client.instances.get(instanceIdFor(REG))!.runtimeStatus = 'Running';
    expect((await approveHardening(request('POST', approveUrl, PARAMS), client, ctx())).status).toBe(202);
    expect(client.events).toEqual([[instanceIdFor(REG), 'approve']]);
    const t = await terminateHardening(request('DELETE', `${HARDEN_URL}?reason=maintenance`, PARAMS, undefined, 'operator'), client, ctx());
    expect(t.status).toBe(202);
    expect(t.jsonBody).toMatchObject({ reason: 'maintenance' });
    // the reason kept with the instance names who stopped the run
    expect(client.terminated).toEqual([[instanceIdFor(REG), 'maintenance (by alice@contoso.example (oid 11111111-2222-4333-8444-555555555555))']]);
    client.instances.get(instanceIdFor(REG))!.runtimeStatus = 'Completed';
    const late = await approveHardening(request('POST', approveUrl, PARAMS), client, ctx());
    expect(late.status).toBe(409);
    expect(errorCode(late)).toBe('RUN.NOT_RUNNING');
    expect((await terminateHardening(request('DELETE', HARDEN_URL, PARAMS), client, ctx())).status).toBe(409);
  });

  it('an unexpected client failure is a 500 with a code, not a crash', async () => {
    const client = new FakeClient();
    client.getStatus = async () => {
      throw new Error('socket hang up');
    };
    const r = await getHardeningStatus(request('GET', HARDEN_URL, PARAMS), client, ctx());
    expect(r.status).toBe(500);
    expect(errorCode(r)).toBe('INTERNAL.ERROR');
    expect(JSON.stringify(r.jsonBody)).not.toContain('socket hang up');
  });
});

describe('listRuns (fake durable client)', () => {
  it('pages newest first with an opaque continuation token, filters by status', async () => {
    const client = new FakeClient();
    for (let i = 0; i < 5; i++) {
      const id = `harden-r${i}`;
      client.instances.set(id, { instanceId: id, name: 'hardenRegistry', runtimeStatus: i % 2 ? 'Completed' : 'Failed', input: { registryId: REG.replace('demoreg', `reg${i}xx`), mode: 'apply' }, customStatus: null, output: null, createdTime: `2025-01-0${i + 1}T00:00:00Z`, lastUpdatedTime: `2025-01-0${i + 1}T00:00:00Z` });
    }
    const seen: string[] = [];
    let token: string | null = null;
    do {
      const url: string = `${BASE}/runs?top=2${token ? `&continuationToken=${token}` : ''}`;
      const r = await listRuns(get(url), client, ctx());
      expect(r.status).toBe(200);
      const page = r.jsonBody as { items: Array<{ instanceId: string; statusUrl?: string }>; continuationToken: string | null };
      expect(page.items.length).toBeLessThanOrEqual(2);
      seen.push(...page.items.map((i) => i.instanceId));
      token = page.continuationToken;
    } while (token);
    expect(seen).toEqual(['harden-r4', 'harden-r3', 'harden-r2', 'harden-r1', 'harden-r0']);
    const failed = await listRuns(get(`${BASE}/runs?status=Failed`), client, ctx());
    const items = (failed.jsonBody as { items: Array<{ instanceId: string; statusUrl: string }> }).items;
    expect(items.map((i) => i.instanceId)).toEqual(['harden-r4', 'harden-r2', 'harden-r0']);
    expect(items[0]?.statusUrl).toBe(`${BASE}/registries/${SUB}/rg-ml/reg4xx/harden`);
    const bad = await listRuns(get(`${BASE}/runs?continuationToken=abc`), client, ctx());
    expect(bad.status).toBe(400);
    expect(decodeCursor(encodeCursor({ createdTime: '2025-01-01T00:00:00.000Z', instanceId: 'x' }))).toEqual({ createdTime: '2025-01-01T00:00:00.000Z', instanceId: 'x' });
  });
});

describe('getDiscovery (fake discovery port)', () => {
  function deps(discover: (region: string, name: string) => Promise<DiscoveryDocument>, cacheSeconds = 60): DiscoveryHandlerDeps & { calls: string[]; clock: { t: number } } {
    const calls: string[] = [];
    const clock = { t: 1_000_000 };
    return {
      cloud: 'AzurePublicCloud', auth: AUTH_ON, cacheSeconds, cache: new DiscoveryCache(), now: () => clock.t, calls, clock,
      discovery: { discover: async (r, n) => { calls.push(`${r}/${n}`); return discover(r, n); } },
    };
  }
  const get = (region: string, registryName: string, d: DiscoveryHandlerDeps) => getDiscovery(request('GET', `${BASE}/discovery/x/y`, { region, registryName }), ctx(), d);

  it('answers the document and caches it for DISCOVERY_CACHE_SECONDS', async () => {
    const d = deps(async () => ({ registryName: 'demoreg', registryFqdns: { westeurope: { uri: 'https://g.registry.westeurope.api.azureml.ms' } } }));
    expect((await get('westeurope', 'demoreg', d)).status).toBe(200);
    const again = await get('westeurope', 'DemoReg', d);
    expect(again.status).toBe(200);
    expect((again.headers as Record<string, string>)['x-cache']).toBe('hit');
    expect(d.calls).toEqual(['westeurope/demoreg']);
    d.clock.t += 61_000;
    await get('westeurope', 'demoreg', d);
    expect(d.calls).toHaveLength(2);
  });

  it('caches nothing with 0 and nothing that failed', async () => {
    const d = deps(async () => ({ registryName: 'demoreg' }), 0);
    await get('westeurope', 'demoreg', d);
    await get('westeurope', 'demoreg', d);
    expect(d.calls).toHaveLength(2);
    const f = deps(async () => { throw new LockdownError(ErrorCodes.DISCOVERY_FAILED, 'Discovery answered 503.', { retryable: true }); });
    await get('westeurope', 'demoreg', f);
    await get('westeurope', 'demoreg', f);
    expect(f.calls).toHaveLength(2);
  });

  it.each([
    [ErrorCodes.DISCOVERY_UNAUTHORIZED, 502, ErrorCodes.DISCOVERY_UNAUTHORIZED, /refused the app's token/],
    [ErrorCodes.DISCOVERY_NOT_FOUND, 404, ErrorCodes.DISCOVERY_NOT_FOUND, /may not exist in westeurope, or the app has no access/],
    [ErrorCodes.DISCOVERY_FAILED, 502, ErrorCodes.DISCOVERY_FAILED, /answered 500/],
  ])('maps %s to %i', async (code, status, answered, message) => {
    const d = deps(async () => { throw new LockdownError(code, 'Discovery answered 500.'); });
    const r = await get('westeurope', 'demoreg', d);
    expect(r.status).toBe(status);
    expect(r.jsonBody).toMatchObject({ error: { code: answered, message: expect.stringMatching(message) } });
  });

  it('a transport failure is a 502 DISCOVERY.FAILED; a bad region never reaches the port', async () => {
    const d = deps(async () => { throw new Error('connect ECONNREFUSED'); });
    expect(errorCode(await get('westeurope', 'demoreg', d))).toBe(ErrorCodes.DISCOVERY_FAILED);
    d.calls.length = 0;
    for (const region of ['', 'eastus.evil.example', '127.0.0.1:1234', 'eastus/../x', 'x'.repeat(200)]) {
      const r = await get(region, 'demoreg', d);
      expect(r.status).toBe(400);
      expect(errorCode(r)).toBe('REQUEST.INVALID_PARAMETER');
    }
    expect(d.calls).toEqual([]);
  });
});
