jest.mock('@azure/functions-core', () => jest.requireActual('../../helpers/functions-core-mock').createFunctionsCoreMock(), { virtual: true });

import { HttpRequest, InvocationContext } from '@azure/functions';
import { createPorts } from '../../../src/main';
import { loadConfig } from '../../../src/config';
import { fleetDeploymentsAuditHandler, fleetRegistryEgressHandler } from '../../../src/fleet/functions';
import { AUTH_SETTINGS, principalHeaders } from '../../helpers/principal';

const SUB = '0b1f6471-1bf0-4dda-aec3-cb9272f09590';
const zone = (z: string) => `/subscriptions/${SUB}/resourceGroups/rg-dns/providers/Microsoft.Network/privateDnsZones/${z}`;
const SETTINGS = {
  PRIVATE_ENDPOINT_SUBNET_ID: `/subscriptions/${SUB}/resourceGroups/rg-net/providers/Microsoft.Network/virtualNetworks/vnet/subnets/pe`,
  PRIVATE_DNS_ZONE_ID_API_AZUREML: zone('privatelink.api.azureml.ms'),
  PRIVATE_DNS_ZONE_ID_BLOB: zone('privatelink.blob.core.windows.net'),
  PRIVATE_DNS_ZONE_ID_ACR: zone('privatelink.azurecr.io'),
  // nothing answers here: these requests must be refused before any call
  ARM_ENDPOINT: 'https://127.0.0.1:9',
  // App Service Authentication on; the requests carry a reader's principal
  ...AUTH_SETTINGS,
};
const reader = principalHeaders('reader');
const noToken = { getToken: () => Promise.reject(new Error('no token in this test')) };

function ctx(): InvocationContext {
  return new InvocationContext({ functionName: 'test', invocationId: 'inv-1', logHandler: () => undefined });
}

describe('fleet routes refuse before reading anything', () => {
  it('409 FLEET.NO_SUBSCRIPTIONS without TARGET_SUBSCRIPTION_IDS or TARGET_MANAGEMENT_GROUP', async () => {
    const config = loadConfig(SETTINGS);
    const deps = { config, ports: createPorts(config, noToken) };
    const r = await fleetDeploymentsAuditHandler(new HttpRequest({ method: 'GET', url: 'http://127.0.0.1:7071/api/fleet/deployments-audit', headers: reader }), ctx(), deps);
    expect(r.status).toBe(409);
    expect(r.jsonBody).toMatchObject({ error: { code: 'FLEET.NO_SUBSCRIPTIONS', message: expect.stringMatching(/TARGET_SUBSCRIPTION_IDS \(or TARGET_MANAGEMENT_GROUP\)/) as unknown as string } });
  });

  it('503 AUTH.NOT_CONFIGURED without AUTH_APP_ID, 401 without a principal', async () => {
    const { AUTH_APP_ID: _unused, ...unconfigured } = SETTINGS;
    const off = loadConfig(unconfigured);
    const r = await fleetDeploymentsAuditHandler(new HttpRequest({ method: 'GET', url: 'http://127.0.0.1:7071/api/fleet/deployments-audit', headers: reader }), ctx(), { config: off, ports: createPorts(off, noToken) });
    expect([r.status, (r.jsonBody as { error: { code: string } }).error.code]).toEqual([503, 'AUTH.NOT_CONFIGURED']);
    const config = loadConfig(SETTINGS);
    const anonymous = await fleetDeploymentsAuditHandler(new HttpRequest({ method: 'GET', url: 'http://127.0.0.1:7071/api/fleet/deployments-audit' }), ctx(), { config, ports: createPorts(config, noToken) });
    expect(anonymous.status).toBe(401);
  });

  it('400 for a region unknown to the cloud, even with targets', async () => {
    const config = loadConfig({ ...SETTINGS, TARGET_SUBSCRIPTION_IDS: SUB });
    const deps = { config, ports: createPorts(config, noToken) };
    const r = await fleetRegistryEgressHandler(new HttpRequest({ method: 'GET', url: 'http://127.0.0.1:7071/api/fleet/registry-egress?registryRegions=westeurope,atlantis', headers: reader }), ctx(), deps);
    expect(r.status).toBe(400);
    expect(r.jsonBody).toMatchObject({ error: { code: 'REQUEST.INVALID_PARAMETER', message: expect.stringMatching(/'atlantis' is not a region/) as unknown as string } });
  });
});
