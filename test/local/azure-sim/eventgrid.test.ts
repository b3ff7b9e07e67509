import * as http from 'node:http';
import * as https from 'node:https';
import { AzureKeyCredential, EventGridPublisherClient, isSystemEvent, type EventGridEvent as SdkEventGridEvent } from '@azure/eventgrid';
import type { AccessToken, TokenCredential } from '@azure/core-auth';
import { generateLocalTls } from '../../../local/azure-sim/ca';
import { ResourceStore } from '../../../local/azure-sim/store';
import { ARM_AUDIENCE, EVENTGRID_AUDIENCE, TokenAuthority } from '../../../local/azure-sim/tokens';
import { createEventGrid, type EventGridSim } from '../../../local/azure-sim/eventgrid';
import { handshakeThen, Receiver, startServer, waitFor, writeRecord } from './helpers';

const TENANT = '72f988bf-0000-0000-0000-000000000001';
const SUB = '00000000-0000-0000-0000-0000000000aa';
const REGISTRY_ID = `/subscriptions/${SUB}/resourceGroups/rg-ml/providers/Microsoft.MachineLearningServices/registries/reg-one`;
const STORAGE_ID = `/subscriptions/${SUB}/resourceGroups/azureml-rg-reg-one_x/providers/Microsoft.Storage/storageAccounts/streg1`;
const REG_WRITE = 'Microsoft.MachineLearningServices/registries/write';

let store: ResourceStore;
let tokens: TokenAuthority;
let eg: EventGridSim;
let receiver: Receiver;
let admin: Awaited<ReturnType<typeof startServer>>;
let topicServer: Awaited<ReturnType<typeof startServer>>;
let caCertPem: string;

interface AdminReply {
  status: number;
  body: unknown;
}

async function call(method: string, path: string, body?: unknown): Promise<AdminReply> {
  const res = await fetch(`http://127.0.0.1:${admin.port}/admin/eventgrid/${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? (JSON.parse(text) as unknown) : undefined };
}

interface Attempt {
  subscription: string;
  eventId: string;
  attempt: number;
  status: number | null;
  outcome: string;
  next?: string;
  retryInMs?: number;
}

async function deliveriesOf(name: string): Promise<Attempt[]> {
  return (await call('GET', `deliveries?subscription=${name}`)).body as Attempt[];
}

function write(method: 'PUT' | 'PATCH' | 'POST' | 'DELETE', id = REGISTRY_ID, op = REG_WRITE): void {
  store.recordWrite(writeRecord(method, id, op, TENANT));
}

beforeAll(async () => {
  store = new ResourceStore();
  tokens = new TokenAuthority(TENANT, { oid: 'oid-1', appid: 'app-1' });
  eg = createEventGrid({ store, tokens, timeScale: 1000, tenantId: TENANT });
  receiver = new Receiver();
  await receiver.start();
  admin = await startServer((req, res) => {
    const url = req.url ?? '';
    if (url.startsWith('/admin/eventgrid/')) void eg.handleAdmin(req, res, url.slice('/admin/eventgrid/'.length));
    else res.writeHead(404).end();
  });
  const tls = generateLocalTls('eventgrid test CA');
  caCertPem = tls.caCertPem;
  topicServer = await startServer(
    (req, res) => {
      const m = /^\/eventgrid\/topics\/([^/]+)\/api\/events(\?|$)/.exec(req.url ?? '');
      if (m?.[1]) void eg.handleTopic(req, res, m[1]);
      else res.writeHead(404).end();
    },
    (h) => https.createServer({ cert: tls.certPem, key: tls.keyPem }, h),
  );
});

afterAll(async () => {
  await eg.stop();
  await Promise.all([receiver.stop(), admin.stop(), topicServer.stop()]);
});

describe('subscription validation handshake', () => {
  it('Event Grid schema: POSTs a SubscriptionValidationEvent and accepts the echoed code', async () => {
    const endpoint = receiver.on('/hs-ok', handshakeThen());
    const r = await call('POST', 'subscriptions', { name: 'hs-ok', endpoint, schema: 'EventGridSchema' });
    expect(r.status).toBe(201);
    const [validation] = receiver.at('/hs-ok');
    expect(validation?.method).toBe('POST');
    expect(validation?.headers['aeg-event-type']).toBe('SubscriptionValidation');
    const [event] = JSON.parse(validation?.body ?? '[]') as { eventType: string; data: { validationCode: string } }[];
    expect(event?.eventType).toBe('Microsoft.EventGrid.SubscriptionValidationEvent');
    expect(event?.data.validationCode).toMatch(/.+/);
    const list = (await call('GET', 'subscriptions')).body as { value: { name: string }[] };
    expect(list.value.map((s) => s.name)).toContain('hs-ok');
  });

  it('Event Grid schema: a wrong validationResponse or an error status fails the create with 400', async () => {
    const wrong = receiver.on('/hs-wrong', () => ({ status: 200, body: JSON.stringify({ validationResponse: 'nope' }) }));
    const r1 = await call('POST', 'subscriptions', { name: 'hs-wrong', endpoint: wrong, schema: 'EventGridSchema' });
    expect(r1.status).toBe(400);
    expect(JSON.stringify(r1.body)).toContain('validation handshake failed');
    const down = receiver.on('/hs-500', () => ({ status: 500 }));
    const r2 = await call('POST', 'subscriptions', { name: 'hs-500', endpoint: down, schema: 'EventGridSchema' });
    expect(r2.status).toBe(400);
    expect(JSON.stringify(r2.body)).toContain('response code 500');
    const list = (await call('GET', 'subscriptions')).body as { value: { name: string }[] };
    expect(list.value.map((s) => s.name)).not.toContain('hs-wrong');
  });

  it('CloudEvents: sends OPTIONS with WebHook-Request-Origin and requires WebHook-Allowed-Origin', async () => {
    const ok = receiver.on('/hs-ce', handshakeThen());
    expect((await call('POST', 'subscriptions', { name: 'hs-ce', endpoint: ok, schema: 'CloudEventSchemaV1_0' })).status).toBe(201);
    const [options] = receiver.at('/hs-ce');
    expect(options?.method).toBe('OPTIONS');
    expect(options?.headers['webhook-request-origin']).toBe('eventgrid.azure.net');

    const bare = receiver.on('/hs-ce-bare', () => ({ status: 200 }));
    const r = await call('POST', 'subscriptions', { name: 'hs-ce-bare', endpoint: bare, schema: 'CloudEventSchemaV1_0' });
    expect(r.status).toBe(400);
    expect(JSON.stringify(r.body)).toContain('WebHook-Allowed-Origin');
    await call('DELETE', 'subscriptions/hs-ce');
    await call('DELETE', 'subscriptions/hs-ok');
  });

  it('rejects an invalid subscription body with 400', async () => {
    const r = await call('POST', 'subscriptions', { name: 'x', endpoint: 'not a url' });
    expect(r.status).toBe(400);
    const r2 = await call('POST', 'subscriptions', {
      name: 'bad-filter',
      endpoint: receiver.on('/bad', handshakeThen()),
      advancedFilters: [{ operatorType: 'StringLike', key: 'data.operationName', values: ['x'] }],
    });
    expect(r2.status).toBe(400);
  });
});

describe('delivery', () => {
  afterEach(async () => {
    const list = (await call('GET', 'subscriptions')).body as { value: { name: string }[] };
    for (const s of list.value) await call('DELETE', `subscriptions/${s.name}`);
  });

  it('delivers ResourceWriteSuccess in Event Grid schema with the real data shape', async () => {
    const endpoint = receiver.on('/eg', handshakeThen());
    await call('POST', 'subscriptions', { name: 'eg-shape', endpoint, schema: 'EventGridSchema' });
    write('PUT');
    const [req] = await waitFor(() => receiver.notifications('/eg').length > 0 && receiver.notifications('/eg'));
    expect(req?.headers['content-type']).toMatch(/^application\/json/);
    expect(req?.headers['aeg-subscription-name']).toBe('EG-SHAPE');
    expect(req?.headers['aeg-delivery-count']).toBe('0');
    const body = JSON.parse(req?.body ?? '') as SdkEventGridEvent<unknown>[];
    expect(Array.isArray(body)).toBe(true);
    expect(body).toHaveLength(1);
    const e = body[0] as SdkEventGridEvent<Record<string, unknown>> & { topic: string; metadataVersion: string };
    expect(e).toMatchObject({
      topic: `/subscriptions/${SUB}`,
      subject: REGISTRY_ID,
      eventType: 'Microsoft.Resources.ResourceWriteSuccess',
      dataVersion: '2',
      metadataVersion: '1',
    });
    expect(typeof e.id).toBe('string');
    expect(Number.isNaN(Date.parse(String(e.eventTime)))).toBe(false);
    expect(e.data).toMatchObject({
      operationName: REG_WRITE,
      resourceProvider: 'Microsoft.MachineLearningServices',
      resourceUri: REGISTRY_ID,
      status: 'Succeeded',
      subscriptionId: SUB,
      tenantId: TENANT,
      authorization: { scope: REGISTRY_ID, action: REG_WRITE, evidence: { role: 'Contributor' } },
    });
    expect((e.data['claims'] as Record<string, unknown>)['iat']).toBe('1700000000');
    // ARM's claim types, as in the documented sample: the caller's object id under the long name
    expect(e.data['claims']).toMatchObject({ 'http://schemas.microsoft.com/identity/claims/objectidentifier': 'oid-1', appid: 'app-1', 'http://schemas.microsoft.com/identity/claims/tenantid': TENANT });
    expect(e.data['claims']).not.toHaveProperty('oid');
    expect(e.data).not.toHaveProperty('httpRequest');
    expect(isSystemEvent('Microsoft.Resources.ResourceWriteSuccess', { ...e, eventTime: new Date(String(e.eventTime)) })).toBe(true);
  });

  it('raises ResourceDeleteSuccess for DELETE (with httpRequest)', async () => {
    const endpoint = receiver.on('/eg-del', handshakeThen());
    await call('POST', 'subscriptions', { name: 'eg-del', endpoint, schema: 'EventGridSchema' });
    write('DELETE', REGISTRY_ID, 'Microsoft.MachineLearningServices/registries/delete');
    const [req] = await waitFor(() => receiver.notifications('/eg-del').length > 0 && receiver.notifications('/eg-del'));
    const [e] = JSON.parse(req?.body ?? '') as { eventType: string; data: { httpRequest?: { method: string } } }[];
    expect(e?.eventType).toBe('Microsoft.Resources.ResourceDeleteSuccess');
    expect(e?.data.httpRequest?.method).toBe('DELETE');
  });

  it('delivers CloudEvents 1.0 in structured mode (single) or batch mode', async () => {
    const single = receiver.on('/ce', handshakeThen());
    const batch = receiver.on('/ce-batch', handshakeThen());
    expect((await call('POST', 'subscriptions', { name: 'ce-single', endpoint: single, schema: 'CloudEventSchemaV1_0' })).status).toBe(201);
    await call('POST', 'subscriptions', { name: 'ce-batch', endpoint: batch, schema: 'CloudEventSchemaV1_0', batch: true });
    write('PATCH');
    const [req] = await waitFor(() => receiver.notifications('/ce').length > 0 && receiver.notifications('/ce'));
    expect(req?.headers['content-type']).toMatch(/^application\/cloudevents\+json/);
    const ce = JSON.parse(req?.body ?? '') as Record<string, unknown>;
    expect(ce).toMatchObject({ specversion: '1.0', type: 'Microsoft.Resources.ResourceWriteSuccess', source: `/subscriptions/${SUB}`, subject: REGISTRY_ID });
    expect(typeof ce['id']).toBe('string');
    expect(typeof ce['time']).toBe('string');
    expect(ce['data']).toMatchObject({ operationName: REG_WRITE, status: 'Succeeded', resourceUri: REGISTRY_ID });
    expect(ce).not.toHaveProperty('eventType');
    const [breq] = await waitFor(() => receiver.notifications('/ce-batch').length > 0 && receiver.notifications('/ce-batch'));
    expect(breq?.headers['content-type']).toMatch(/^application\/cloudevents-batch\+json/);
    const arr = JSON.parse(breq?.body ?? '') as Record<string, unknown>[];
    expect(arr).toHaveLength(1);
    expect(arr[0]?.['id']).toBe(ce['id']);
  });

  it('filters with includedEventTypes and StringIn on data.operationName', async () => {
    const endpoint = receiver.on('/filtered', handshakeThen());
    await call('POST', 'subscriptions', {
      name: 'filtered',
      endpoint,
      schema: 'EventGridSchema',
      includedEventTypes: ['Microsoft.Resources.ResourceWriteSuccess'],
      advancedFilters: [{ operatorType: 'StringIn', key: 'data.operationName', values: ['microsoft.machinelearningservices/registries/write'] }],
    });
    write('PATCH', STORAGE_ID, 'Microsoft.Storage/storageAccounts/write');
    write('DELETE', REGISTRY_ID, 'Microsoft.MachineLearningServices/registries/delete');
    write('PUT');
    await waitFor(() => receiver.notifications('/filtered').length > 0);
    await new Promise((r) => setTimeout(r, 50));
    const got = receiver.notifications('/filtered').map((r) => (JSON.parse(r.body) as { subject: string; data: { operationName: string } }[])[0]);
    expect(got).toHaveLength(1);
    expect(got[0]?.data.operationName).toBe(REG_WRITE);
    expect(got[0]?.subject).toBe(REGISTRY_ID);
  });

  it('retries after a 500 on the scaled schedule, then succeeds', async () => {
    const endpoint = receiver.on('/flaky', handshakeThen((_req, n) => ({ status: n === 2 ? 500 : 200 })));
    await call('POST', 'subscriptions', { name: 'flaky', endpoint, schema: 'EventGridSchema' });
    write('PUT');
    await waitFor(() => receiver.notifications('/flaky').length >= 2, 5000, 'the retry');
    const [first, second] = receiver.notifications('/flaky');
    expect(first?.headers['aeg-delivery-count']).toBe('0');
    expect(second?.headers['aeg-delivery-count']).toBe('1');
    expect((second?.at ?? 0) - (first?.at ?? 0)).toBeGreaterThanOrEqual(9); // 10 s / 1000
    expect(second?.body).toBe(first?.body);
    const log = (await waitForAsync(async () => {
      const l = await deliveriesOf('flaky');
      return l.length >= 2 ? l : undefined;
    })) ?? [];
    expect(log.map((a) => [a.attempt, a.status, a.outcome, a.next ?? null])).toEqual([
      [1, 500, 'Failed', 'Retry'],
      [2, 200, 'Delivered', null],
    ]);
    expect(log[0]?.retryInMs).toBe(10);
    expect((await call('GET', 'deadletters?subscription=flaky')).body).toEqual([]);
  });

  it('dead-letters after maxDeliveryAttempts, following 10 s, 30 s, 1 m (scaled)', async () => {
    const endpoint = receiver.on('/dead', handshakeThen(() => ({ status: 503 })));
    await call('POST', 'subscriptions', { name: 'dead', endpoint, schema: 'EventGridSchema', maxDeliveryAttempts: 4 });
    write('PUT');
    await waitFor(() => receiver.notifications('/dead').length >= 4, 5000, 'four attempts');
    const letters = (await waitForAsync(async () => {
      const r = await call('GET', 'deadletters?subscription=dead');
      return (r.body as unknown[]).length > 0 ? (r.body as Record<string, unknown>[]) : undefined;
    })) ?? [];
    expect(letters).toHaveLength(1);
    expect(letters[0]).toMatchObject({ deadLetterReason: 'MaxDeliveryAttemptsExceeded', deliveryAttempts: 4, lastHttpStatusCode: 503, lastDeliveryOutcome: 'Busy', subject: REGISTRY_ID });
    const log = await deliveriesOf('dead');
    expect(log.map((a) => a.retryInMs ?? null)).toEqual([10, 30, 60, null]);
    expect(log[3]?.next).toBe('DeadLettered');
    expect(receiver.notifications('/dead')).toHaveLength(4);
  });

  it('dead-letters at once on a non-retriable 400', async () => {
    const endpoint = receiver.on('/bad-request', handshakeThen(() => ({ status: 400 })));
    await call('POST', 'subscriptions', { name: 'bad-request', endpoint, schema: 'EventGridSchema' });
    write('PUT');
    const letters = await waitForAsync(async () => {
      const r = await call('GET', 'deadletters?subscription=bad-request');
      return (r.body as unknown[]).length > 0 ? (r.body as Record<string, unknown>[]) : undefined;
    });
    expect(letters?.[0]).toMatchObject({ deliveryAttempts: 1, lastHttpStatusCode: 400 });
    expect(receiver.notifications('/bad-request')).toHaveLength(1);
  });

  it('delivers each event N times with duplicate', async () => {
    const endpoint = receiver.on('/dup', handshakeThen());
    await call('POST', 'subscriptions', { name: 'dup', endpoint, schema: 'EventGridSchema', duplicate: 3 });
    write('PUT');
    await waitFor(() => receiver.notifications('/dup').length >= 3);
    await new Promise((r) => setTimeout(r, 30));
    const ids = receiver.notifications('/dup').map((r) => (JSON.parse(r.body) as { id: string }[])[0]?.id);
    expect(ids).toHaveLength(3);
    expect(new Set(ids).size).toBe(1);
  });

  it('delivers out of order with shuffle', async () => {
    const endpoint = receiver.on('/shuffle', handshakeThen());
    await call('POST', 'subscriptions', { name: 'shuffle', endpoint, schema: 'EventGridSchema', shuffle: true });
    const ids = ['a', 'b', 'c', 'd', 'e'].map((n) => `${STORAGE_ID}${n}`);
    for (const id of ids) write('PUT', id, 'Microsoft.Storage/storageAccounts/write');
    await waitFor(() => receiver.notifications('/shuffle').length >= 5);
    const order = receiver.notifications('/shuffle').map((r) => (JSON.parse(r.body) as { subject: string }[])[0]?.subject);
    expect([...order].sort()).toEqual([...ids].sort());
    expect(order).not.toEqual(ids);
  });

  it('drops pending retries when the subscription is deleted', async () => {
    const endpoint = receiver.on('/gone', handshakeThen(() => ({ status: 500 })));
    await call('POST', 'subscriptions', { name: 'gone', endpoint, schema: 'EventGridSchema', retrySchedule: [100] });
    write('PUT');
    await waitFor(() => receiver.notifications('/gone').length >= 1);
    expect((await call('DELETE', 'subscriptions/gone')).status).toBe(200);
    await new Promise((r) => setTimeout(r, 250)); // the retry was due after 100 ms (100 s / 1000)
    expect(receiver.notifications('/gone')).toHaveLength(1);
  });
});

describe('the system event log', () => {
  it('?operationName= keeps the matching events even when more than the last 1000 were raised after them', async () => {
    await call('DELETE', 'events');
    write('PUT');
    for (let i = 0; i < 1100; i++) write('PATCH', `${STORAGE_ID}x${i}`, 'Microsoft.Storage/storageAccounts/write');
    const last = (await call('GET', 'events')).body as Array<{ data: { operationName: string } }>;
    expect(last).toHaveLength(1000);
    expect(last.some((e) => e.data.operationName === REG_WRITE)).toBe(false);
    const registryWrites = (await call('GET', `events?operationName=${encodeURIComponent(REG_WRITE.toUpperCase())}`)).body as Array<{ subject: string }>;
    expect(registryWrites.map((e) => e.subject)).toEqual([REGISTRY_ID]);
  });
});

describe('stop()', () => {
  it('clears retry timers and stops listening to the store', async () => {
    const localStore = new ResourceStore();
    const local = createEventGrid({ store: localStore, tokens, timeScale: 1, tenantId: TENANT });
    const adminLocal = await startServer((req, res) => void local.handleAdmin(req, res, (req.url ?? '').slice(1)));
    const endpoint = receiver.on('/stop', handshakeThen(() => ({ status: 500 })));
    const res = await fetch(`http://127.0.0.1:${adminLocal.port}/subscriptions`, { method: 'POST', body: JSON.stringify({ name: 'stop', endpoint }) });
    expect(res.status).toBe(201);
    localStore.recordWrite(writeRecord('PUT', REGISTRY_ID, REG_WRITE, TENANT));
    await waitFor(() => receiver.notifications('/stop').length >= 1);
    await local.stop(); // the 10 s retry timer must not keep jest alive
    localStore.recordWrite(writeRecord('PUT', REGISTRY_ID, REG_WRITE, TENANT));
    await new Promise((r) => setTimeout(r, 50));
    expect(receiver.notifications('/stop')).toHaveLength(1);
    expect(localStore.listenerCount('write')).toBe(0);
    await adminLocal.stop();
  });
});

describe('custom topic (outcome topic)', () => {
  const endpoint = (): string => `https://127.0.0.1:${topicServer.port}/eventgrid/topics/outcome/api/events`;
  const tokenFor = (audience: string): TokenCredential => ({
    getToken: async (): Promise<AccessToken> => ({ token: tokens.issue(audience).token, expiresOnTimestamp: Date.now() + 3600_000 }),
  });
  const client = (cred: TokenCredential | AzureKeyCredential, schema: 'CloudEvent' | 'EventGrid' = 'CloudEvent') =>
    new EventGridPublisherClient(endpoint(), schema, cred, { tlsOptions: { ca: caCertPem }, retryOptions: { maxRetries: 0 } });

  function rawPost(body: string, contentType: string, auth: string): Promise<{ status: number; body: string }> {
    return new Promise((resolve, reject) => {
      const req = https.request(
        `${endpoint()}?api-version=2018-01-01`,
        { method: 'POST', ca: caCertPem, headers: { 'content-type': contentType, authorization: auth } },
        (res: http.IncomingMessage) => {
          let text = '';
          res.on('data', (c: Buffer) => (text += c.toString()));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  }

  beforeEach(async () => {
    await call('DELETE', 'topics/outcome/events');
  });

  it('accepts CloudEvents from the real EventGridPublisherClient with an Event Grid token', async () => {
    await client(tokenFor('https://eventgrid.azure.net')).send([
      { type: 'Contoso.Registry.Isolated', source: '/aml-registry-lockdown', subject: REGISTRY_ID, data: { outcome: 'Isolated' } },
      { type: 'Contoso.Registry.Failed', source: '/aml-registry-lockdown', data: { outcome: 'Failed' } },
    ]);
    const events = (await call('GET', 'topics/outcome/events')).body as Record<string, unknown>[];
    expect(events.map((e) => e['type'])).toEqual(['Contoso.Registry.Isolated', 'Contoso.Registry.Failed']);
    expect(events[0]).toMatchObject({ specversion: '1.0', source: '/aml-registry-lockdown', subject: REGISTRY_ID, data: { outcome: 'Isolated' } });
  });

  it('rejects key authentication (local auth disabled) with 401', async () => {
    await expect(client(new AzureKeyCredential('a-key')).send([{ type: 't', source: '/s', data: {} }])).rejects.toMatchObject({ statusCode: 401 });
    expect((await call('GET', 'topics/outcome/events')).body).toEqual([]);
  });

  it('rejects a token for another audience, and a missing token, with 401', async () => {
    await expect(client(tokenFor(ARM_AUDIENCE)).send([{ type: 't', source: '/s', data: {} }])).rejects.toMatchObject({ statusCode: 401 });
    const r = await rawPost('[]', 'application/cloudevents-batch+json', '');
    expect(r.status).toBe(401);
    expect(r.body).toContain('Unauthorized');
  });

  it('rejects malformed bodies and Event Grid schema posts with 400', async () => {
    const auth = `Bearer ${tokens.issue(EVENTGRID_AUDIENCE).token}`;
    expect((await rawPost('{not json', 'application/cloudevents-batch+json', auth)).status).toBe(400);
    expect((await rawPost(JSON.stringify({ specversion: '1.0' }), 'application/cloudevents-batch+json', auth)).status).toBe(400);
    const missingSource = await rawPost(JSON.stringify([{ specversion: '1.0', id: '1', type: 't' }]), 'application/cloudevents-batch+json', auth);
    expect(missingSource.status).toBe(400);
    expect(missingSource.body).toContain('source');
    await expect(
      client(tokenFor('https://eventgrid.azure.net'), 'EventGrid').send([{ eventType: 't', subject: 's', dataVersion: '1', data: {} }]),
    ).rejects.toMatchObject({ statusCode: 400 });
    expect((await call('GET', 'topics/outcome/events')).body).toEqual([]);
  });
});

async function waitForAsync<T>(probe: () => Promise<T | undefined>, timeoutMs = 5000): Promise<T | undefined> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const v = await probe();
    if (v !== undefined) return v;
    await new Promise((r) => setTimeout(r, 10));
  }
  return undefined;
}
