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
import { TargetScope } from '../../../src/shared/target-scope';
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
  // the registry's subscription is the target scope
  TARGET_SUBSCRIPTION_IDS: SUB,
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

/** The caller the requests above name (test/helpers/principal.ts), as the terminate reason names it. */
const BY_ALICE = '(by alice@contoso.example (oid 11111111-2222-4333-8444-555555555555))';

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
  /** As the host: an id whose instance goes on is refused; a lock starts its run (the sub-orchestration) at once. */
  async startNew(name: string, options?: df.StartNewOptions): Promise<string> {
    const id = options?.instanceId ?? 'x';
    if (['Pending', 'Running'].includes(this.instances.get(id)?.runtimeStatus ?? '')) throw new Error('DurableClient error: An Orchestration instance with the status Running already exists.');
    const now = new Date().toISOString();
    this.instances.set(id, { instanceId: id, name, runtimeStatus: 'Pending', input: options?.input, customStatus: null, output: null, createdTime: now, lastUpdatedTime: now });
    if (name === 'hardenRegistryLock') {
      const { runId, ...run } = options?.input as { runId: string };
      this.instances.set(runId, { instanceId: runId, name: 'hardenRegistry', runtimeStatus: 'Pending', input: run, customStatus: null, output: null, createdTime: now, lastUpdatedTime: now });
    }
    return id;
  }

  /** Ends an instance (and, for a lock, its run) as the host would. */
  end(id: string, runtimeStatus: string): void {
    const s = this.instances.get(id);
    if (!s) throw new Error(`no instance ${id}`);
    s.runtimeStatus = runtimeStatus;
    const runId = (s.input as { runId?: string } | undefined)?.runId;
    if (runId) this.end(runId, runtimeStatus);
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
  const LOCK = instanceIdFor(REG);
  const RUN_ID = /^harden-demoreg-[0-9a-f]{16}-\d{8}T\d{9}Z-[0-9a-f]{4}$/;
  const PLAN_ID = /^plan-demoreg-[0-9a-f]{16}-\d{8}T\d{9}Z-[0-9a-f]{4}$/;
  const post = (query = '', body?: string) => request('POST', `${HARDEN_URL}${query}`, PARAMS, body);

  it('a plan run starts with an id of its own, any number of them, and never blocks an apply run', async () => {
    const client = new FakeClient();
    const first = await startHardening(post('?mode=plan&code=k', '{"order":"endpoints-first"}'), client, ctx());
    expect(first.status).toBe(202);
    const { instanceId } = first.jsonBody as { instanceId: string };
    expect(instanceId).toMatch(PLAN_ID);
    expect((first.headers as Record<string, string>).location).toBe(`${HARDEN_URL}?instanceId=${instanceId}`);
    expect(first.jsonBody).toMatchObject({ registryId: REG, mode: 'plan', statusUrl: `${HARDEN_URL}?instanceId=${instanceId}` });
    expect(client.instances.get(instanceId)).toMatchObject({ name: 'hardenRegistry', input: { mode: 'plan', trigger: 'http', options: { order: 'endpoints-first', lockdownAcr: true } } });
    // the audit trail: the run's input names who asked
    expect(client.instances.get(instanceId)?.input).toMatchObject({ caller: { kind: 'user', objectId: '11111111-2222-4333-8444-555555555555', upn: 'alice@contoso.example', roles: [ROLE.networkAdmin] } });
    expect(client.instances.has(LOCK)).toBe(false);

    const second = await startHardening(post('?mode=plan'), client, ctx());
    expect(second.status).toBe(202);
    expect((second.jsonBody as { instanceId: string }).instanceId).not.toBe(instanceId);
    const apply = await startHardening(post(), client, ctx());
    expect(apply.status).toBe(202);
    expect(apply.jsonBody).toMatchObject({ mode: 'apply' });
  });

  it('an apply run takes the lock: 409 with the run while it goes on (plans still start), 202 with a new run once it ended', async () => {
    const client = new FakeClient();
    const first = await startHardening(post(), client, ctx());
    expect(first.status).toBe(202);
    const runId = (first.jsonBody as { instanceId: string }).instanceId;
    expect(runId).toMatch(RUN_ID);
    expect(runId.startsWith(`${LOCK}-`)).toBe(true);
    expect(client.instances.get(LOCK)).toMatchObject({ name: 'hardenRegistryLock', input: { runId, mode: 'apply', trigger: 'http' } });

    const second = await startHardening(post(), client, ctx());
    expect(second.status).toBe(409);
    expect(errorCode(second)).toBe('RUN.ALREADY_RUNNING');
    expect((second.jsonBody as { run: { instanceId: string; runtimeStatus: string } }).run).toMatchObject({ instanceId: runId, runtimeStatus: 'Pending' });
    expect((await startHardening(post('?mode=plan'), client, ctx())).status).toBe(202);

    client.end(LOCK, 'Failed');
    const third = await startHardening(post(), client, ctx());
    expect(third.status).toBe(202);
    expect(third.jsonBody).toMatchObject({ mode: 'apply', previousRuntimeStatus: 'Failed' });
    expect((third.jsonBody as { instanceId: string }).instanceId).not.toBe(runId);
    // the first run keeps its own status
    expect(client.instances.get(runId)?.runtimeStatus).toBe('Failed');
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
    const runId = ((await startHardening(post(), client, ctx())).jsonBody as { instanceId: string }).instanceId;
    client.instances.get(LOCK)!.runtimeStatus = 'Running';
    client.instances.get(runId)!.runtimeStatus = 'Running';
    expect((await approveHardening(request('POST', `${HARDEN_URL}/approve`, PARAMS, undefined, 'operator'), client, ctx())).status).toBe(202);
    expect(client.eventData).toEqual([{ source: 'http', caller: expect.objectContaining({ upn: 'alice@contoso.example', roles: [ROLE.operator] }) }]);
    expect((await approveHardening(request('POST', `${HARDEN_URL}/approve`, PARAMS, undefined, 'reader'), client, ctx())).status).toBe(403);
    expect(client.eventData).toHaveLength(1);
  });

  it('status: the current or last apply run, or one run by ?instanceId= (only a run of this registry)', async () => {
    const client = new FakeClient();
    const none = await getHardeningStatus(request('GET', HARDEN_URL, PARAMS), client, ctx());
    expect(none.status).toBe(404);
    expect(errorCode(none)).toBe('RUN.NOT_FOUND');
    const runId = ((await startHardening(post(), client, ctx())).jsonBody as { instanceId: string }).instanceId;
    client.instances.get(runId)!.customStatus = { registryId: REG, mode: 'apply', steps: [{ step: 'read', state: 'done', detail: 'ok' }] };
    const ok = await getHardeningStatus(request('GET', HARDEN_URL, PARAMS), client, ctx());
    expect(ok.status).toBe(200);
    expect(ok.jsonBody).toMatchObject({ instanceId: runId, registryId: REG, mode: 'apply', trigger: 'http', runtimeStatus: 'Pending', steps: [{ step: 'read', state: 'done' }], output: null });

    const planId = ((await startHardening(post('?mode=plan'), client, ctx())).jsonBody as { instanceId: string }).instanceId;
    const plan = await getHardeningStatus(request('GET', `${HARDEN_URL}?instanceId=${planId}`, PARAMS), client, ctx());
    expect(plan.status).toBe(200);
    expect(plan.jsonBody).toMatchObject({ instanceId: planId, mode: 'plan' });
    // the apply run is still the registry's run
    expect((await getHardeningStatus(request('GET', HARDEN_URL, PARAMS), client, ctx())).jsonBody).toMatchObject({ instanceId: runId });
    // another registry's run, the lock itself, and an unknown id are not runs of this registry
    const otherRun = ((await startHardening(request('POST', HARDEN_URL.replace('demoreg', 'otherreg'), { ...PARAMS, registryName: 'otherreg' }), client, ctx())).jsonBody as { instanceId: string }).instanceId;
    for (const id of [otherRun, LOCK, `${runId}-next`, 'harden-demoreg-0000']) {
      const r = await getHardeningStatus(request('GET', `${HARDEN_URL}?instanceId=${id}`, PARAMS), client, ctx());
      expect(r.status).toBe(404);
    }
    expect((await getHardeningStatus(request('GET', `${HARDEN_URL}?instanceId=a%2Fb`, PARAMS), client, ctx())).status).toBe(400);
  });

  it('approve goes to the apply run; terminate ends the run, then its lock; 404 without a run, 409 once it ended', async () => {
    const client = new FakeClient();
    const approveUrl = `${HARDEN_URL}/approve`;
    expect((await approveHardening(request('POST', approveUrl, PARAMS), client, ctx())).status).toBe(404);
    expect((await terminateHardening(request('DELETE', HARDEN_URL, PARAMS), client, ctx())).status).toBe(404);
    const runId = ((await startHardening(post(), client, ctx())).jsonBody as { instanceId: string }).instanceId;
    client.instances.get(LOCK)!.runtimeStatus = 'Running';
    client.instances.get(runId)!.runtimeStatus = 'Running';
    expect((await approveHardening(request('POST', approveUrl, PARAMS), client, ctx())).status).toBe(202);
    expect(client.events).toEqual([[runId, 'approve']]);
    const t = await terminateHardening(request('DELETE', `${HARDEN_URL}?reason=maintenance`, PARAMS, undefined, 'operator'), client, ctx());
    expect(t.status).toBe(202);
    expect(t.jsonBody).toMatchObject({ instanceId: runId, reason: 'maintenance' });
    // the reason kept with the run and its lock names who stopped them
    expect(client.terminated).toEqual([[runId, `maintenance ${BY_ALICE}`], [LOCK, `maintenance ${BY_ALICE}`]]);
    client.end(LOCK, 'Terminated');
    const late = await approveHardening(request('POST', approveUrl, PARAMS), client, ctx());
    expect(late.status).toBe(409);
    expect(errorCode(late)).toBe('RUN.NOT_RUNNING');
    expect((await terminateHardening(request('DELETE', HARDEN_URL, PARAMS), client, ctx())).status).toBe(409);
  });

  it('a run from before the lock, at the lock id itself, is still the registry\'s apply run', async () => {
    const client = new FakeClient();
    await client.startNew('hardenRegistry', { instanceId: LOCK, input: { registryId: REG, mode: 'apply' } });
    client.instances.get(LOCK)!.runtimeStatus = 'Running';
    expect((await getHardeningStatus(request('GET', HARDEN_URL, PARAMS), client, ctx())).jsonBody).toMatchObject({ instanceId: LOCK, runtimeStatus: 'Running' });
    expect((await startHardening(post(), client, ctx())).status).toBe(409);
    expect((await approveHardening(request('POST', `${HARDEN_URL}/approve`, PARAMS), client, ctx())).status).toBe(202);
    expect((await terminateHardening(request('DELETE', HARDEN_URL, PARAMS), client, ctx())).status).toBe(202);
    expect(client.events).toEqual([[LOCK, 'approve']]);
    expect(client.terminated).toEqual([[LOCK, `terminated through the HTTP API ${BY_ALICE}`]]);
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
    expect(items[0]?.statusUrl).toBe(`${BASE}/registries/${SUB}/rg-ml/reg4xx/harden?instanceId=harden-r4`);
    const bad = await listRuns(get(`${BASE}/runs?continuationToken=abc`), client, ctx());
    expect(bad.status).toBe(400);
    expect(decodeCursor(encodeCursor({ createdTime: '2025-01-01T00:00:00.000Z', instanceId: 'x' }))).toEqual({ createdTime: '2025-01-01T00:00:00.000Z', instanceId: 'x' });
  });
  it('a record whose times cannot be read is listed (and its status shown) with empty times, not a 500', async () => {
    const client = new FakeClient();
    const id = instanceIdFor(REG); // the registry's one run of old, as the lock's id
    client.instances.set(id, { instanceId: id, name: 'hardenRegistry', runtimeStatus: 'Completed', input: { registryId: REG, mode: 'apply' }, customStatus: null, output: null, createdTime: new Date(Number.NaN) as unknown as string, lastUpdatedTime: 'not a time' });
    const r = await listRuns(get(`${BASE}/runs`), client, ctx());
    expect(r.status).toBe(200);
    expect((r.jsonBody as { items: unknown[] }).items).toEqual([expect.objectContaining({ instanceId: id, createdTime: '', lastUpdatedTime: '' })]);
    const one = await getHardeningStatus(request('GET', HARDEN_URL, PARAMS, undefined, 'reader'), client, ctx());
    expect(one.status).toBe(200);
    expect(one.jsonBody).toMatchObject({ instanceId: id, createdTime: '', lastUpdatedTime: '' });
  });
});

describe('run history (fake durable client)', () => {
  it("every run keeps its outcome: a plan after an apply, and the next apply, are listed beside it; locks and follow-ups are not runs", async () => {
    const client = new FakeClient();
    const post = (query = '') => request('POST', `${HARDEN_URL}${query}`, PARAMS);
    const first = ((await startHardening(post(), client, ctx())).jsonBody as { instanceId: string }).instanceId;
    client.end(instanceIdFor(REG), 'Completed');
    const plan = ((await startHardening(post('?mode=plan'), client, ctx())).jsonBody as { instanceId: string }).instanceId;
    const second = ((await startHardening(post(), client, ctx())).jsonBody as { instanceId: string }).instanceId;
    await client.startNew('hardenFollowUp', { instanceId: `${second}-next`, input: { registryId: REG, after: second } });
    const r = await listRuns(get(`${BASE}/runs?top=100`), client, ctx());
    const items = (r.jsonBody as { items: Array<{ instanceId: string; mode: string; runtimeStatus: string; trigger?: string }> }).items;
    expect(items.map((i) => i.instanceId).sort()).toEqual([first, plan, second].sort());
    expect(items.find((i) => i.instanceId === first)).toMatchObject({ mode: 'apply', runtimeStatus: 'Completed', trigger: 'http' });
    expect(items.find((i) => i.instanceId === plan)).toMatchObject({ mode: 'plan' });
  });
});

describe('getDiscovery (fake discovery port)', () => {
  function deps(discover: (region: string, name: string) => Promise<DiscoveryDocument>, cacheSeconds = 60): DiscoveryHandlerDeps & { calls: string[]; clock: { t: number } } {
    const calls: string[] = [];
    const clock = { t: 1_000_000 };
    return {
      cloud: 'AzurePublicCloud', auth: AUTH_ON, scope: new TargetScope({ subscriptionIds: [] }, { listSubscriptions: async () => [] }), cacheSeconds, cache: new DiscoveryCache(), now: () => clock.t, calls, clock,
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
