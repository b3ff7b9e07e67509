import path from 'node:path';
import { readEffects, startHost, tempDir, waitFor, type RunningHost } from './harness';

let host: RunningHost;

beforeAll(async () => {
  const dir = tempDir('func-host-eg');
  host = await startHost({ stateDir: path.join(dir, 'state'), sideEffectsFile: path.join(dir, 'effects.jsonl'), env: { TICK_SCHEDULE: '*/1 * * * * *' } });
});

afterAll(async () => {
  await host?.stop();
});

const egUrl = (fn = 'onEvent', code?: string): string =>
  `${host.baseUrl}/runtime/webhooks/EventGrid?functionName=${fn}${code === undefined ? `&code=${host.keys.systemKeys.eventgrid_extension}` : code === '' ? '' : `&code=${code}`}`;

const egEvent = (id: string, subject = 's'): Record<string, unknown> => ({
  id,
  eventType: 'Microsoft.Resources.ResourceWriteSuccess',
  subject,
  eventTime: new Date().toISOString(),
  dataVersion: '1',
  data: { operationName: 'Microsoft.MachineLearningServices/registries/write' },
});

describe('Event Grid webhook', () => {
  it('requires the eventgrid_extension system key (or the master key)', async () => {
    const body = JSON.stringify([egEvent('k1')]);
    const headers = { 'aeg-event-type': 'Notification', 'content-type': 'application/json' };
    expect((await fetch(egUrl('onEvent', ''), { method: 'POST', headers, body })).status).toBe(401);
    expect((await fetch(egUrl('onEvent', host.functionKey), { method: 'POST', headers, body })).status).toBe(401);
    expect((await fetch(egUrl('onEvent', host.keys.masterKey), { method: 'POST', headers, body })).status).toBe(202);
  });

  it('answers SubscriptionValidation with the validation code', async () => {
    const res = await fetch(egUrl(), {
      method: 'POST',
      headers: { 'aeg-event-type': 'SubscriptionValidation', 'content-type': 'application/json' },
      body: JSON.stringify([{ id: 'v', eventType: 'Microsoft.EventGrid.SubscriptionValidationEvent', subject: '', data: { validationCode: 'ABC-123' }, eventTime: new Date().toISOString(), dataVersion: '1' }]),
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ validationResponse: 'ABC-123' });
  });

  it('answers the CloudEvents OPTIONS handshake', async () => {
    const res = await fetch(egUrl(), { method: 'OPTIONS', headers: { 'WebHook-Request-Origin': 'eventgrid.azure.net' } });
    expect(res.status).toBe(200);
    expect(res.headers.get('webhook-allowed-origin')).toBe('eventgrid.azure.net');
  });

  it('delivers each event of an Event Grid batch, and CloudEvents single and batch', async () => {
    const res = await fetch(egUrl(), {
      method: 'POST',
      headers: { 'aeg-event-type': 'Notification', 'content-type': 'application/json' },
      body: JSON.stringify([egEvent('b1'), egEvent('b2'), egEvent('b3')]),
    });
    expect(res.status).toBe(202);
    const ce = (id: string): Record<string, unknown> => ({ specversion: '1.0', id, type: 'Microsoft.Resources.ResourceWriteSuccess', source: '/subscriptions/x', subject: 'ce', data: {} });
    const single = await fetch(egUrl(), { method: 'POST', headers: { 'aeg-event-type': 'Notification', 'content-type': 'application/cloudevents+json' }, body: JSON.stringify(ce('c1')) });
    expect(single.status).toBe(202);
    const batch = await fetch(egUrl(), { method: 'POST', headers: { 'content-type': 'application/cloudevents-batch+json' }, body: JSON.stringify([ce('c2'), ce('c3')]) });
    expect(batch.status).toBe(202);
    const events = readEffects(host.sideEffectsFile).filter((e) => e.kind === 'event');
    expect(events.map((e) => e.key)).toEqual(expect.arrayContaining(['b1', 'b2', 'b3', 'c1', 'c2', 'c3']));
    expect(events.find((e) => e.key === 'c1')).toMatchObject({ type: 'Microsoft.Resources.ResourceWriteSuccess', fn: 'onEvent' });
  });

  it('400 on a malformed body, 404 on an unknown function, 500 when the handler fails', async () => {
    const headers = { 'aeg-event-type': 'Notification', 'content-type': 'application/json' };
    expect((await fetch(egUrl(), { method: 'POST', headers, body: '{not json' })).status).toBe(400);
    expect((await fetch(egUrl(), { method: 'POST', headers, body: JSON.stringify([{ nothing: 1 }]) })).status).toBe(400);
    expect((await fetch(egUrl('noSuchFunction'), { method: 'POST', headers, body: JSON.stringify([egEvent('u1')]) })).status).toBe(404);
    const failed = await fetch(egUrl(), { method: 'POST', headers, body: JSON.stringify([egEvent('f1', 'fail')]) });
    expect(failed.status).toBe(500);
    expect(await failed.text()).not.toContain('on purpose');
  });
});

describe('timer trigger', () => {
  it('runs on startup and then on its NCRONTAB schedule (every second) with a Timer object', async () => {
    const ticks = await waitFor(() => {
      const t = readEffects(host.sideEffectsFile).filter((e) => e.kind === 'tick');
      return t.length >= 3 ? t : undefined;
    }, 10_000);
    expect(ticks[0]).toMatchObject({ isPastDue: false, adjustForDST: true, hasStatus: true });
  });
});
