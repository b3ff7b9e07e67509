import { ResourceStore } from '../../../local/azure-sim/store';
import { ARM_AUDIENCE, EVENTGRID_AUDIENCE, TokenAuthority } from '../../../local/azure-sim/tokens';
import { createDiscoveryHandler } from '../../../local/azure-sim/discovery';
import { registryGuidOf, registryPrivateFqdn } from '../../../local/azure-sim/registry-guid';
import { mlRegistry, SUB } from './fixtures';
import { startServer } from './helpers';

const TENANT = '72f988bf-0000-0000-0000-000000000001';
const tokens = new TokenAuthority(TENANT, { oid: 'oid-1', appid: 'app-1' });
const store = new ResourceStore();
const multi = mlRegistry('reg-multi', ['eastus', 'westeurope'], { rg: `/subscriptions/${SUB}/resourceGroups/rg-ml` });
const twinEast = mlRegistry('reg-twin', ['eastus'], { rg: `/subscriptions/${SUB}/resourceGroups/rg-a` });
const twinWest = mlRegistry('reg-twin', ['westus2'], { rg: `/subscriptions/${SUB}/resourceGroups/rg-b` });
const foreign = mlRegistry('reg-foreign', ['eastus'], { tenantId: '99999999-9999-9999-9999-999999999999' });
for (const r of [multi, twinEast, twinWest, foreign]) store.put(r);

let server: Awaited<ReturnType<typeof startServer>>;

beforeAll(async () => {
  const handler = createDiscoveryHandler({ store, tokens });
  server = await startServer((req, res) => {
    const m = /^\/discovery\/([^/]+)\/registrymanagement\/v1\.0\/registries\/([^/?]+)\/discovery(\?|$)/.exec(req.url ?? '');
    if (m?.[1] && m[2]) handler(req, res, decodeURIComponent(m[1]), decodeURIComponent(m[2]));
    else res.writeHead(404).end();
  });
});

afterAll(async () => {
  await server.stop();
});

async function discover(region: string, name: string, auth: string | null = `Bearer ${tokens.issue(ARM_AUDIENCE).token}`): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`http://127.0.0.1:${server.port}/discovery/${region}/registrymanagement/v1.0/registries/${name}/discovery`, {
    headers: { accept: 'application/json, text/json', ...(auth === null ? {} : { authorization: auth }) },
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

describe('registry discovery', () => {
  it('answers the RegistryDiscoveryDto with registryFqdns keyed by lower-case region', async () => {
    const { status, body } = await discover('eastus', 'reg-multi');
    expect(status).toBe(200);
    const guid = registryGuidOf(multi);
    expect(body).toEqual({
      registryName: 'reg-multi',
      tenantId: TENANT,
      primaryRegion: 'eastus',
      regions: ['eastus', 'westeurope'],
      subscriptionId: SUB,
      resourceGroup: 'rg-ml',
      primaryRegionResourceProviderUri: 'https://cert-eastus.experiments.azureml.net/',
      registryFqdns: {
        eastus: { uri: `https://${guid}.registry.eastus.api.azureml.ms` },
        westeurope: { uri: `https://${guid}.registry.westeurope.api.azureml.ms` },
      },
    });
  });

  it('serves the same registry from each of its regions (case-insensitive name)', async () => {
    const a = await discover('westeurope', 'REG-MULTI');
    expect(a.status).toBe(200);
    expect(a.body['registryName']).toBe('reg-multi');
    expect(a.body['primaryRegion']).toBe('eastus');
  });

  it('prefers, among registries with the same name, the one in the requested region', async () => {
    const east = await discover('eastus', 'reg-twin');
    const west = await discover('westus2', 'reg-twin');
    expect(east.body['resourceGroup']).toBe('rg-a');
    expect(west.body['resourceGroup']).toBe('rg-b');
  });

  it('answers 404 for an unknown registry and for a region the registry is not in', async () => {
    const unknown = await discover('eastus', 'no-such-registry');
    expect(unknown.status).toBe(404);
    expect(unknown.body).toHaveProperty('error.code');
    expect((await discover('northeurope', 'reg-multi')).status).toBe(404);
  });

  it('requires an ARM-audience bearer token (401 otherwise)', async () => {
    const none = await discover('eastus', 'reg-multi', null);
    expect(none.status).toBe(401);
    expect(JSON.stringify(none.body)).toContain('AuthenticationFailed');
    const wrongAudience = await discover('eastus', 'reg-multi', `Bearer ${tokens.issue(EVENTGRID_AUDIENCE).token}`);
    expect(wrongAudience.status).toBe(401);
    expect(JSON.stringify(wrongAudience.body)).toContain('InvalidAuthenticationTokenAudience');
    const expired = await discover('eastus', 'reg-multi', `Bearer ${tokens.issue(ARM_AUDIENCE, -10).token}`);
    expect(expired.status).toBe(401);
    const forged = await discover('eastus', 'reg-multi', `Bearer ${new TokenAuthority(TENANT, { oid: 'x', appid: 'y' }).issue(ARM_AUDIENCE).token}`);
    expect(forged.status).toBe(401);
  });

  it("answers 403 when the caller's tenant is not the registry's", async () => {
    expect((await discover('eastus', 'reg-foreign')).status).toBe(403);
    const otherTenant = tokens.issue(ARM_AUDIENCE, 3600, { tid: '11111111-2222-3333-4444-555555555555' }).token;
    expect((await discover('eastus', 'reg-multi', `Bearer ${otherTenant}`)).status).toBe(403);
  });
});

describe('registry GUID', () => {
  it('is a stable RFC 4122 GUID derived from the case-insensitive registry id', () => {
    const g = registryGuidOf(multi);
    expect(g).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(registryGuidOf(multi.id.toUpperCase())).toBe(g);
    expect(registryGuidOf(twinEast)).not.toBe(registryGuidOf(twinWest));
    expect(registryPrivateFqdn(multi, 'EastUS')).toBe(`${g}.registry.eastus.privatelink.api.azureml.ms`);
  });
});
