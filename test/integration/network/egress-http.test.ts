import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NET, startWorld, type World } from '../../../local/world';
import { actionsFor } from '../../../src/azure/permissions';
import { clearRequestLog, requestLog } from '../../helpers/world-helpers';
import { createCompute, createStorage, createWorkspace, ensureResourceGroup, WS_RG } from '../workspaces/workspace-fixtures';
import { layOutWorkspaceSubnets, rulesOf, WS, type WorkspaceSubnets } from './egress-network';

/** What the routes answer, loosely: a report or `{ error }`. */
interface ApiBody {
  error: { code: string; message: string };
  [field: string]: unknown;
}

/** GET/POST /api/workspaces/{sub}/{rg}/{ws}/registry-egress through the local host against the simulator. */
describe('registry egress check over HTTP', () => {
  let world: World;
  let net: WorkspaceSubnets;

  beforeAll(async () => {
    world = await startWorld({ stateDir: mkdtempSync(join(tmpdir(), 'egress-http-')) });
    net = await layOutWorkspaceSubnets(world.sim, world.user);
    // the workspace in the path is read first: it must exist (made through ARM as the demo user)
    await ensureResourceGroup(world.sim, world.user);
    const ws = await createWorkspace(world.sim, world.user, 'ws-demo', await createStorage(world.sim, world.user, 'stegressws', {}));
    // the fix acts only on subnets the workspace's computes are in: these three (not sepSubnetId)
    await createCompute(world.sim, world.user, ws, 'cpu-demo', 'AmlCompute', net.subnetId);
    await createCompute(world.sim, world.user, ws, 'ci-nonsg', 'ComputeInstance', net.noNsgSubnetId);
    await createCompute(world.sim, world.user, ws, 'cpu-full', 'AmlCompute', net.fullSubnetId);
  });
  afterAll(async () => {
    await world?.stop();
  });

  function url(subnetId: string, extra = ''): string {
    return `${world.host.baseUrl}/api/workspaces/${world.sim.subscriptionId}/${WS_RG}/ws-demo/registry-egress?subnetId=${encodeURIComponent(subnetId)}${extra}`;
  }
  /** GET as a reader, POST (the fix) as a network admin, unless told. */
  async function call(method: 'GET' | 'POST', target: string, as: 'reader' | 'operator' | 'networkAdmin' = method === 'GET' ? 'reader' : 'networkAdmin'): Promise<{ status: number; body: ApiBody }> {
    const res = await fetch(target, { method, headers: world.auth.headers(as) });
    return { status: res.status, body: (await res.json()) as ApiBody };
  }
  const stateOf = (body: ApiBody, key: string): string | undefined => (body.flows as Array<{ key: string; state: string }>).find((f) => f.key === key)?.state;

  it('needs a token: a reader checks, only a network admin fixes (an operator cannot); a function key alone is 401', async () => {
    expect((await fetch(url(net.subnetId))).status).toBe(401);
    expect((await fetch(url(net.subnetId), { headers: { 'x-functions-key': world.functionKey } })).status).toBe(401);
    const before = await rulesOf(world.sim, world.user, WS.nsg);
    for (const as of ['reader', 'operator'] as const) {
      const refused = await call('POST', url(net.subnetId, '&fix=true'), as);
      expect([as, refused.status, refused.body.error.code]).toEqual([as, 403, 'AUTH.FORBIDDEN']);
    }
    expect(await rulesOf(world.sim, world.user, WS.nsg)).toEqual(before);
  });

  it('the fix refuses a subnet none of the workspace\'s computes is in (409 EGRESS.SUBNET_NOT_USED) and reads nothing of it', async () => {
    await clearRequestLog(world);
    const { status, body } = await call('POST', url(net.sepSubnetId, '&fix=true'));
    expect(status).toBe(409);
    expect(body.error.code).toBe('EGRESS.SUBNET_NOT_USED');
    expect(body.error.message).toContain(net.subnetId);
    const app = (await requestLog(world)).filter((r) => r.principal === world.sim.principal.oid);
    expect(app.filter((r) => r.method !== 'GET')).toEqual([]);
    expect(app.filter((r) => r.path.toLowerCase() === net.sepSubnetId.toLowerCase())).toEqual([]);
    // the check (a read) still reports any subnet
    expect((await call('GET', url(net.sepSubnetId))).status).not.toBe(409);
  });

  it('reports each rule present, missing or shadowed by a higher-priority deny', async () => {
    const { status, body } = await call('GET', url(net.subnetId));
    expect(status).toBe(200);
    expect(body).toMatchObject({ subnetId: net.subnetId, nsgId: net.nsgId, regions: [NET.location], compliant: false, workspace: { workspaceName: 'ws-demo' } });
    expect(stateOf(body, 'AzureMachineLearning/Tcp/443')).toBe('shadowed');
    expect(stateOf(body, 'AzureMachineLearning/Udp/5831')).toBe('missing');
    expect(stateOf(body, 'MicrosoftContainerRegistry.westeurope/Tcp/443')).toBe('present');
    expect(stateOf(body, 'Storage.westeurope/Tcp/443')).toBe('missing');
    expect(body.counts).toEqual({ present: 1, missing: 3, shadowed: 3 });
    expect(body.added).toBeUndefined();
  });

  it('registryRegions adds the regional rules of every region; unknown regions are a 400', async () => {
    const { body } = await call('GET', url(net.subnetId, '&registryRegions=westeurope,northeurope'));
    expect(body.flows).toHaveLength(10);
    expect(stateOf(body, 'MicrosoftContainerRegistry.northeurope/Tcp/443')).toBe('present');
    const bad = await call('GET', url(net.subnetId, '&registryRegions=westeurope,atlantis'));
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('REQUEST.INVALID_PARAMETER');
  });

  it('bad inputs: missing / wrong-type subnet id 400, unknown subnet 404, no NSG 409', async () => {
    const missing = await call('GET', `${world.host.baseUrl}/api/workspaces/${world.sim.subscriptionId}/${WS_RG}/ws-demo/registry-egress`);
    expect(missing.status).toBe(400);
    const wrongType = await call('GET', url(net.nsgId));
    expect(wrongType.status).toBe(400);
    expect(wrongType.body.error.message).toMatch(/subnetId/);
    const unknown = await call('GET', url(net.subnetId.replace(WS.subnet, 'snet-nope')));
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.code).toBe('EGRESS.SUBNET_NOT_FOUND');
    const noNsg = await call('POST', url(net.noNsgSubnetId, '&fix=true'));
    expect(noNsg.status).toBe(409);
    expect(noNsg.body.error).toMatchObject({ code: 'EGRESS.NO_NSG' });
    expect(noNsg.body.error.message).toMatch(/no network security group/);
    const badWorkspace = await call('GET', url(net.subnetId).replace('ws-demo', 'w'));
    expect(badWorkspace.status).toBe(400);
  });

  it('an unknown workspace is a 404 EGRESS.WORKSPACE_NOT_FOUND, for the check and the fix, writing nothing', async () => {
    const before = await rulesOf(world.sim, world.user, WS.nsg);
    for (const [method, extra] of [['GET', ''], ['POST', '&fix=true']] as const) {
      const { status, body } = await call(method, url(net.subnetId, extra).replace('/ws-demo/', '/ws-nope/'));
      expect(status).toBe(404);
      expect(body.error.code).toBe('EGRESS.WORKSPACE_NOT_FOUND');
      expect(body.error.message).toMatch(/workspace .*ws-nope does not exist/);
    }
    const otherGroup = await call('GET', url(net.subnetId).replace(`/${WS_RG}/`, '/rg-nope/'));
    expect(otherGroup.status).toBe(404);
    expect(otherGroup.body.error.code).toBe('EGRESS.WORKSPACE_NOT_FOUND');
    expect(await rulesOf(world.sim, world.user, WS.nsg)).toEqual(before);
  });

  it('POST needs fix=true', async () => {
    const { status, body } = await call('POST', url(net.subnetId));
    expect(status).toBe(400);
    expect(body.error.message).toMatch(/fix/);
  });

  it('refuses with 409 when no priority is free ahead of the deny, changing nothing', async () => {
    const before = await rulesOf(world.sim, world.user, WS.nsgFull);
    const { status, body } = await call('POST', url(net.fullSubnetId, '&fix=true'));
    expect(status).toBe(409);
    expect(body.error.code).toBe('EGRESS.NO_FREE_PRIORITY');
    expect(body.error.message).toMatch(/deny-early/);
    expect(await rulesOf(world.sim, world.user, WS.nsgFull)).toEqual(before);
  });

  it('fix adds only the missing rules, ahead of the deny, never touching an existing rule; the app\'s calls are in its permission list', async () => {
    const before = await rulesOf(world.sim, world.user, WS.nsg);
    await clearRequestLog(world);
    const { status, body } = await call('POST', url(net.subnetId, '&fix=true'));
    expect(status).toBe(200);
    expect(body.compliant).toBe(true);
    expect(body.counts).toEqual({ present: 7, missing: 0, shadowed: 0 });
    expect((body.added as Array<{ name: string; priority: number }>).map((r) => [r.name, r.priority])).toEqual([
      ['aml-lockdown-allow-AzureMachineLearning-Tcp', 3999],
      ['aml-lockdown-allow-AzureMachineLearning-Udp', 3998],
      ['aml-lockdown-allow-Storage.westeurope-Tcp', 3997],
      ['aml-lockdown-allow-AzureContainerRegistry.westeurope-Tcp', 3996],
    ]);
    const after = await rulesOf(world.sim, world.user, WS.nsg);
    for (const [name, props] of before) expect(after.get(name)).toEqual(props);
    expect(after.size).toBe(before.size + 4);
    expect(after.get('aml-lockdown-allow-AzureMachineLearning-Tcp')).toMatchObject({ access: 'Allow', direction: 'Outbound', destinationAddressPrefix: 'AzureMachineLearning', destinationPortRanges: ['443', '877', '18881'] });

    const app = (await requestLog(world)).filter((r) => r.principal === world.sim.principal.oid);
    expect(app.filter((r) => r.method === 'PUT').map((r) => r.path.split('/').pop())).toHaveLength(4);
    const unmapped = app.filter((r) => actionsFor(r.method, r.path).length === 0).map((r) => `${r.method} ${r.path}`);
    expect([...new Set(unmapped)]).toEqual([]);
    const needed = new Set(app.flatMap((r) => actionsFor(r.method, r.path)));
    for (const a of ['Microsoft.Network/virtualNetworks/subnets/read', 'Microsoft.Network/networkSecurityGroups/read', 'Microsoft.Network/networkSecurityGroups/securityRules/write']) expect(needed.has(a)).toBe(true);
  });

  it('is idempotent: the check is now compliant and a second fix adds nothing', async () => {
    expect((await call('GET', url(net.subnetId))).body.compliant).toBe(true);
    const again = await call('POST', url(net.subnetId, '&fix=true'));
    expect(again.status).toBe(200);
    expect(again.body.added).toEqual([]);
  });
});
