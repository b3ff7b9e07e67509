import type { AccessToken, TokenCredential } from '@azure/core-auth';
import { publishOutcome } from '../../../src/hardening/activities/publish-outcome.activity';
import { createPorts, type Ports } from '../../../src/main';
import { loadConfig } from '../../../src/config';
import { errorCodeOf } from '../../../src/shared/errors';
import { summarizeOutcome } from '../../../src/hardening/domain/outcome';
import { REGISTRY_ID, SUBNET_ID, ZONES } from '../../helpers/hardening-fixtures';
import { empty, HttpsStub, json } from '../../helpers/https-stub';

const credential: TokenCredential = {
  async getToken(): Promise<AccessToken> {
    return { token: 'test-token', expiresOnTimestamp: Date.now() + 3600_000 };
  },
};

const run = { registryId: REGISTRY_ID, instanceId: 'a1b2c3', mode: 'apply' as const, startedAt: '2026-03-01T10:00:00.000Z', endedAt: '2026-03-01T10:05:00.000Z' };

/** The CloudEvents the topic received, one per request (the client sends a batch of one). */
function sent(stub: HttpsStub): Array<{ id: string; type: string; subject: string; source: string }> {
  return stub.requests.map((r) => (JSON.parse(r.body) as Array<{ id: string; type: string; subject: string; source: string }>)[0] as { id: string; type: string; subject: string; source: string });
}

describe('publishOutcome on the wire: one CloudEvent id per run and outcome', () => {
  const stub = new HttpsStub();
  let ports: Ports;

  beforeAll(async () => {
    await stub.start();
    const config = loadConfig({
      PRIVATE_ENDPOINT_SUBNET_ID: SUBNET_ID, PRIVATE_DNS_ZONE_ID_API_AZUREML: ZONES.amlregistry, PRIVATE_DNS_ZONE_ID_BLOB: ZONES.blob, PRIVATE_DNS_ZONE_ID_ACR: ZONES.registry,
      OUTCOME_TOPIC_ENDPOINT: `${stub.url}/api/events`, ARM_MAX_RETRIES: '0',
    });
    ports = createPorts(config, credential);
  });
  afterAll(() => stub.stop());

  it('a publish retried after the topic failed sends the same id again', async () => {
    stub.script(json(503, { error: { code: 'ServiceUnavailable', message: 'try later' } }), empty(200));
    const outcome = summarizeOutcome({ ...run, kind: 'Hardened' });
    const first = await publishOutcome(outcome, { ports }).catch((e: unknown) => e);
    expect(errorCodeOf(first)).toBe('OUTCOME.PUBLISH_FAILED');
    // the durable retry calls the activity again with the same (replayed) input
    expect(await publishOutcome(outcome, { ports })).toEqual({ published: true });
    const events = sent(stub);
    expect(events).toHaveLength(2);
    expect(events[0]?.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(events[1]?.id).toBe(events[0]?.id);
    expect(events[1]).toMatchObject({ type: 'AmlRegistryLockdown.Registry.Hardened', subject: REGISTRY_ID, source: '/aml-registry-lockdown' });
  });

  it('another run of the same registry, or another outcome of the run, gets another id', async () => {
    stub.script(empty(200));
    await publishOutcome(summarizeOutcome({ ...run, kind: 'Hardened' }), { ports });
    await publishOutcome(summarizeOutcome({ ...run, kind: 'Hardened', startedAt: '2026-03-01T11:00:00.000Z', endedAt: '2026-03-01T11:00:02.000Z' }), { ports });
    await publishOutcome(summarizeOutcome({ ...run, kind: 'Failed', error: { code: 'DNS.NOT_PRIVATE', message: 'x' } }), { ports });
    const ids = sent(stub).map((e) => e.id);
    expect(ids).toHaveLength(3);
    expect(new Set(ids).size).toBe(3);
  });
});
