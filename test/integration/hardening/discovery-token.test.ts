/**
 * The app's ARM token goes only to the discovery template's host, with a known region put in.
 * Two local https listeners (trusted through the development CA): the template's host and an
 * "attacker" host. Hostile regions and names, through the HTTP handler and straight into the
 * adapter, and a redirect to the attacker: the attacker never sees a request, and the template
 * host sees only well-formed discovery paths of known regions.
 */
jest.mock('@azure/functions-core', () => jest.requireActual('../../helpers/functions-core-mock').createFunctionsCoreMock(), { virtual: true });

import { HttpRequest, InvocationContext } from '@azure/functions';
import type { AccessToken, TokenCredential } from '@azure/core-auth';
import { createPorts } from '../../../src/main';
import { loadConfig } from '../../../src/config';
import { isKnownRegion } from '../../../src/shared/regions';
import { getDiscovery } from '../../../src/hardening/http-discovery';
import { DiscoveryCache } from '../../../src/hardening/discovery-cache';
import { HttpsStub, json, type StubRequest } from '../../helpers/https-stub';
import { AUTH_ON, principalHeaders } from '../../helpers/principal';

const SUB = '0b1f6471-1bf0-4dda-aec3-cb9272f09590';
const zone = (z: string) => `/subscriptions/${SUB}/resourceGroups/rg-dns/providers/Microsoft.Network/privateDnsZones/${z}`;
const TOKEN = 'SECRET-ARM-TOKEN-never-leaves';
const credential: TokenCredential = { getToken: async (): Promise<AccessToken> => ({ token: TOKEN, expiresOnTimestamp: Date.now() + 3_600_000 }) };
const DOC = { registryName: 'demoreg', registryFqdns: { westeurope: { uri: 'https://g.registry.westeurope.api.azureml.ms' } } };

describe('discovery never sends the token anywhere but the template host', () => {
  const template = new HttpsStub();
  const attacker = new HttpsStub();
  let ports: ReturnType<typeof createPorts>;
  let attackerHost: string;

  beforeAll(async () => {
    await template.start();
    await attacker.start();
    attackerHost = new URL(attacker.url).host;
    attacker.script(json(200, DOC));
    const config = loadConfig({
      PRIVATE_ENDPOINT_SUBNET_ID: `/subscriptions/${SUB}/resourceGroups/rg-net/providers/Microsoft.Network/virtualNetworks/vnet/subnets/pe`,
      PRIVATE_DNS_ZONE_ID_API_AZUREML: zone('privatelink.api.azureml.ms'),
      PRIVATE_DNS_ZONE_ID_BLOB: zone('privatelink.blob.core.windows.net'),
      PRIVATE_DNS_ZONE_ID_ACR: zone('privatelink.azurecr.io'),
      ARM_ENDPOINT: template.url,
      ARM_MAX_RETRIES: '0',
      DISCOVERY_URL_TEMPLATE: `${template.url}/{region}`,
    });
    ports = createPorts(config, credential);
  });
  afterAll(async () => {
    await template.stop();
    await attacker.stop();
  });

  function hostileRegions(): string[] {
    return [
      'eastus.evil.example', '127.0.0.1:1234', attackerHost, `westeurope@${attackerHost}`, `@${attackerHost}`, `//${attackerHost}`,
      'eastus/../x', '..', 'westeurope/../..', `westeurope/../../${attackerHost}`, 'westeurope%2F..', 'westeurope?x=1', 'westeurope#frag',
      '', ' ', 'x'.repeat(200), 'westeurope\r\nHost: evil.example', 'wеsteurope', 'westeurope\u0000', `https://${attackerHost}`,
    ];
  }
  function hostileNames(): string[] {
    return ['demoreg/../../x', `demoreg@${attackerHost}`, 'demoreg?a=b', 'demoreg#x', '..', `//${attackerHost}`, 'de', 'x'.repeat(100), 'demo reg'];
  }

  function expectOnlyTemplateTraffic(requests: StubRequest[]): void {
    expect(attacker.requests).toEqual([]);
    for (const r of requests) {
      const m = /^\/([a-z0-9]+)\/registrymanagement\/v1\.0\/registries\/([A-Za-z0-9_-]+)\/discovery$/.exec(r.path);
      expect(m).not.toBeNull();
      expect(isKnownRegion(m?.[1] ?? '')).toBe(true);
      expect(r.headers.host).toBe(new URL(template.url).host);
      expect(r.headers.authorization).toBe(`Bearer ${TOKEN}`);
    }
  }

  const ctx = () => new InvocationContext({ functionName: 'getDiscovery', invocationId: 'inv', logHandler: () => undefined });
  const call = (region: string, registryName: string) =>
    getDiscovery(new HttpRequest({ method: 'GET', url: 'http://127.0.0.1:7071/api/discovery/x/y', params: { region, registryName }, headers: principalHeaders('reader') }), ctx(), {
      cloud: 'AzurePublicCloud', auth: AUTH_ON, cacheSeconds: 0, cache: new DiscoveryCache(), now: () => Date.now(), discovery: ports.discovery,
    });

  it('a known region reaches the template host with the token', async () => {
    template.script(json(200, DOC));
    const r = await call('westeurope', 'demoreg');
    expect(r.status).toBe(200);
    expect(template.requests).toHaveLength(1);
    expectOnlyTemplateTraffic(template.requests);
  });

  it('hostile regions and names through the HTTP handler: 400, and nothing leaves the process', async () => {
    template.script(json(200, DOC));
    for (const region of hostileRegions()) {
      const r = await call(region, 'demoreg');
      expect([region, r.status]).toEqual([region, 400]);
    }
    for (const name of hostileNames()) {
      const r = await call('westeurope', name);
      expect([name, r.status]).toEqual([name, 400]);
    }
    expect(template.requests).toEqual([]);
    expect(attacker.requests).toEqual([]);
  });

  it('hostile inputs straight into the adapter (defence in depth): refused before any request', async () => {
    template.script(json(200, DOC));
    for (const region of hostileRegions()) {
      await expect(ports.discovery.discover(region, 'demoreg')).rejects.toThrow(/DISCOVERY\.BAD_INPUT/);
    }
    for (const name of hostileNames()) {
      await expect(ports.discovery.discover('westeurope', name)).rejects.toThrow(/DISCOVERY\.BAD_INPUT/);
    }
    expect(template.requests).toEqual([]);
    expect(attacker.requests).toEqual([]);
    // display names are normalised to the ARM name, which is what goes into the URL
    await ports.discovery.discover('West Europe', 'demoreg');
    expect(template.requests.map((r) => r.path)).toEqual(['/westeurope/registrymanagement/v1.0/registries/demoreg/discovery']);
    expectOnlyTemplateTraffic(template.requests);
  });

  it.each([301, 302, 307, 308])('a %i redirect to another host is not followed (the token stays home): 502', async (status) => {
    template.script((_req, res) => {
      res.writeHead(status, { location: `${attacker.url}/steal`, 'content-length': '0' });
      res.end();
    });
    const r = await call('northeurope', 'demoreg');
    expect(r.status).toBe(502);
    expect(r.jsonBody).toMatchObject({ error: { code: 'DISCOVERY.FAILED' } });
    expect(template.requests).toHaveLength(1);
    expectOnlyTemplateTraffic(template.requests);
  });
});
