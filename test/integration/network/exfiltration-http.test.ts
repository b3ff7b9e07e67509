import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NET, startWorld, type World } from '../../../local/world';
import { actionsFor } from '../../../src/azure/permissions';
import { ML_ALIAS, policyNameFor } from '../../../src/network/domain/exfiltration';
import { clearRequestLog, requestLog } from '../../helpers/world-helpers';
import { layOutWorkspaceSubnets, networkClient, WS, type WorkspaceSubnets } from './egress-network';

/** What the routes answer, loosely: a report or `{ error }`. */
interface ApiBody {
  error: { code: string; message: string };
  [field: string]: unknown;
}

/** GET/POST /api/subnets/exfiltration through the local host against the simulator. */
describe('exfiltration protection over HTTP', () => {
  let world: World;
  let net: WorkspaceSubnets;

  beforeAll(async () => {
    world = await startWorld({ stateDir: mkdtempSync(join(tmpdir(), 'exfil-http-')) });
    net = await layOutWorkspaceSubnets(world.sim, world.user);
  });
  afterAll(async () => {
    await world?.stop();
  });

  const url = (subnetId: string): string => `${world.host.baseUrl}/api/subnets/exfiltration?subnetId=${encodeURIComponent(subnetId)}`;
  /** GET as a reader, POST (apply) as a network admin, unless told. */
  async function call(method: 'GET' | 'POST', target: string, as: 'reader' | 'operator' | 'networkAdmin' = method === 'GET' ? 'reader' : 'networkAdmin'): Promise<{ status: number; body: ApiBody }> {
    const res = await fetch(target, { method, headers: world.auth.headers(as) });
    return { status: res.status, body: (await res.json()) as ApiBody };
  }

  it('apply needs a network admin: an operator is refused (403) and nothing is written', async () => {
    await clearRequestLog(world);
    const { status, body } = await call('POST', url(net.sepSubnetId), 'operator');
    expect([status, body.error.code]).toEqual([403, 'AUTH.FORBIDDEN']);
    expect((await requestLog(world)).filter((r) => r.principal === world.sim.principal.oid)).toEqual([]);
  });

  it('reports a subnet without the endpoint or the policy as not protected', async () => {
    const { status, body } = await call('GET', url(net.subnetId));
    expect(status).toBe(200);
    expect(body).toMatchObject({ subnetId: net.subnetId, protected: false, storageServiceEndpoint: false, aliasPolicies: [], attachedPolicies: [] });
    expect(body.why).toMatch(/Microsoft.Storage service endpoint and a service endpoint policy/);
  });

  it('bad inputs: wrong-type id 400, unknown subnet 404 (nothing written)', async () => {
    expect((await call('POST', url(net.nsgId))).status).toBe(400);
    const unknown = await call('POST', url(net.subnetId.replace(WS.subnet, 'snet-nope')));
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.code).toBe('EXFILTRATION.SUBNET_NOT_FOUND');
  });

  it('apply creates sep-aml-<hash> with the alias and attaches it with the Storage endpoint, keeping what the subnet had', async () => {
    await clearRequestLog(world);
    const { status, body } = await call('POST', url(net.sepSubnetId));
    expect(status).toBe(200);
    const name = policyNameFor(net.sepSubnetId);
    const policyId = net.otherPolicyId.replace('sep-accounts', name);
    expect(body).toMatchObject({ protected: true, storageServiceEndpoint: true, aliasPolicies: [policyId] });
    expect(body.changes).toEqual([`create the policy '${name}' with the ${ML_ALIAS} alias`, `attach '${name}'`]);

    const client = networkClient(world.sim, world.user);
    const subnet = await client.subnets.get(NET.rg, NET.vnet, WS.subnetSep);
    expect(subnet.serviceEndpoints?.map((e) => e.service)).toEqual(['Microsoft.Storage', 'Microsoft.KeyVault']);
    expect(subnet.serviceEndpointPolicies?.map((p) => p.id)).toEqual([net.otherPolicyId, policyId]);
    expect(subnet.networkSecurityGroup?.id).toBe(net.nsgId);
    const policy = await client.serviceEndpointPolicies.get(NET.rg, name);
    expect(policy.serviceEndpointPolicyDefinitions?.[0]).toMatchObject({ service: 'Microsoft.Storage', serviceResources: [ML_ALIAS] });

    const app = (await requestLog(world)).filter((r) => r.principal === world.sim.principal.oid);
    expect([...new Set(app.filter((r) => actionsFor(r.method, r.path).length === 0).map((r) => `${r.method} ${r.path}`))]).toEqual([]);
    const needed = new Set(app.flatMap((r) => actionsFor(r.method, r.path)));
    for (const a of ['Microsoft.Network/serviceEndpointPolicies/write', 'Microsoft.Network/serviceEndpointPolicies/join/action', 'Microsoft.Network/virtualNetworks/subnets/write']) expect(needed.has(a)).toBe(true);
  });

  it('a second subnet reuses the policy of the resource group that carries the alias, adding the endpoint', async () => {
    const { body } = await call('POST', url(net.subnetId));
    const policyId = net.otherPolicyId.replace('sep-accounts', policyNameFor(net.sepSubnetId));
    expect(body).toMatchObject({ protected: true, aliasPolicies: [policyId] });
    expect(body.changes).toEqual(['add the Microsoft.Storage service endpoint', `attach the existing policy '${policyNameFor(net.sepSubnetId)}'`]);
  });

  it('is idempotent: a second apply changes nothing', async () => {
    await clearRequestLog(world);
    const { status, body } = await call('POST', url(net.sepSubnetId));
    expect(status).toBe(200);
    expect(body.changes).toEqual([]);
    const writes = (await requestLog(world)).filter((r) => r.principal === world.sim.principal.oid && r.method !== 'GET');
    expect(writes).toEqual([]);
  });
});
