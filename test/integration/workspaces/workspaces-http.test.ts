/**
 * The workspace capabilities end to end through the local Functions host on the simulator:
 * share-with (a registry's resource-instance rule on the workspace's storage account) and the
 * online deployments audit. One world per file.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRegistry, startWorld, type World } from '../../../local/world';
import { deploymentsAuditSchema, refusalSchema, shareReportSchema } from '../../../src/workspaces/http-schemas';
import { appWrites, clearRequestLog, requestLog } from '../../helpers/world-helpers';
import {
  createDeployment, createEndpoint, createStorage, createWorkspace, ensureResourceGroup, getStorage, otherTenantFault, rgPath, selectedNetworks, WS_RG,
} from './workspace-fixtures';

interface Answer { status: number; body: unknown }

describe('workspace capabilities through the local Functions host', () => {
  let world: World;
  let sub: string;
  let registryId: string;
  const storage: Record<string, string> = {};
  const OTHER = (s: string) => `/subscriptions/${s}/resourceGroups/rg-other/providers/Microsoft.Synapse/workspaces/syn1`;

  /** As a network admin (share-with needs it; the audit needs only a reader), unless told. */
  async function call(method: string, path: string, as: 'reader' | 'operator' | 'networkAdmin' = 'networkAdmin'): Promise<Answer> {
    const res = await fetch(`${world.host.baseUrl}${path}`, { method, headers: world.auth.headers(as) });
    const text = await res.text();
    return { status: res.status, body: text ? (JSON.parse(text) as unknown) : undefined };
  }
  const share = (ws: string, reg: string, extra = '', as: 'reader' | 'operator' | 'networkAdmin' = 'networkAdmin') => call('POST', `/api/workspaces/${sub}/${WS_RG}/${ws}/share-with?registryId=${encodeURIComponent(reg)}${extra}`, as);
  const code = (a: Answer) => (a.body as { error?: { code?: string } } | undefined)?.error?.code;
  const message = (a: Answer) => (a.body as { error?: { message?: string } } | undefined)?.error?.message ?? '';

  beforeAll(async () => {
    world = await startWorld({ stateDir: mkdtempSync(join(tmpdir(), 'workspaces-http-')), hostTimeScale: 0.05 });
    await fetch(`${world.sim.adminUrl}/eventgrid/subscriptions/registry-writes`, { method: 'DELETE' });
    sub = world.sim.subscriptionId;
    registryId = await createRegistry(world.sim, world.user, { regions: ['westeurope'] });
    await ensureResourceGroup(world.sim, world.user);
    const tenant = world.sim.tenantId;
    storage.selected = await createStorage(world.sim, world.user, 'wsselected', selectedNetworks(world.subnetId, OTHER(sub), tenant));
    storage.public = await createStorage(world.sim, world.user, 'wspublic', { publicNetworkAccess: 'Enabled', networkAcls: { defaultAction: 'Allow', bypass: 'AzureServices', ipRules: [], virtualNetworkRules: [] } });
    storage.disabled = await createStorage(world.sim, world.user, 'wsdisabled', { publicNetworkAccess: 'Disabled', networkAcls: { defaultAction: 'Deny', ipRules: [{ value: '198.51.100.7', action: 'Allow' }] } });
    await createWorkspace(world.sim, world.user, 'ws-selected', storage.selected);
    await createWorkspace(world.sim, world.user, 'ws-public', storage.public);
    await createWorkspace(world.sim, world.user, 'ws-disabled', storage.disabled);
    // a workspace whose storage account lives in a subscription of another tenant
    await createWorkspace(world.sim, world.user, 'ws-foreign', '/subscriptions/22222222-0000-0000-0000-0000000000a2/resourceGroups/rg-x/providers/Microsoft.Storage/storageAccounts/foreignstore');
    const audited = await createWorkspace(world.sim, world.user, 'ws-audit', storage.selected);
    const blue = await createEndpoint(world.sim, world.user, audited, 'ep-blue');
    const green = await createEndpoint(world.sim, world.user, audited, 'ep-green');
    await createDeployment(world.sim, world.user, blue, 'open', { model: 'azureml://registries/demoreg/models/bert/versions/3', egressPublicNetworkAccess: 'Enabled' });
    await createDeployment(world.sim, world.user, blue, 'default', { model: 'azureml://registries/demoreg/models/bert/versions/3' });
    await createDeployment(world.sim, world.user, green, 'secured', { model: 'azureml://registries/demoreg/models/bert/labels/latest', egressPublicNetworkAccess: 'Disabled' });
    await createDeployment(world.sim, world.user, green, 'local', { model: `${audited}/models/m/versions/1` });
  });
  afterAll(async () => {
    await world?.stop();
  });

  describe('share-with', () => {
    it('adds the registry rule to a selected-networks account, keeping every other rule; a second call writes nothing', async () => {
      await clearRequestLog(world);
      const r = await share('ws-selected', registryId);
      expect(r.status).toBe(200);
      const report = shareReportSchema.parse(r.body);
      expect(report).toMatchObject({ action: 'added', writes: 1, forced: false, storageAccountId: storage.selected, registryId, tenantId: world.sim.tenantId });
      expect(appWrites(await requestLog(world), world).map((e) => `${e.method} ${e.path}`)).toEqual([`PATCH ${storage.selected}`]);
      const after = await getStorage(world.sim, world.user, storage.selected ?? '');
      expect(after.publicNetworkAccess).toBe('Enabled');
      expect(after.networkAcls).toMatchObject({
        defaultAction: 'Deny',
        bypass: 'AzureServices, Logging',
        ipRules: [{ value: '203.0.113.0/24', action: 'Allow' }],
        virtualNetworkRules: [{ id: world.subnetId, action: 'Allow' }],
        resourceAccessRules: [{ tenantId: world.sim.tenantId, resourceId: OTHER(sub) }, { tenantId: world.sim.tenantId, resourceId: registryId }],
      });

      await clearRequestLog(world);
      const again = await share('ws-selected', registryId);
      expect(again.status).toBe(200);
      expect(again.body).toMatchObject({ action: 'unchanged', writes: 0, changes: [] });
      expect(appWrites(await requestLog(world), world)).toEqual([]);
    });

    it('refuses a fully public account with 409 and the reason, writing nothing; force=true narrows it', async () => {
      await clearRequestLog(world);
      const r = await share('ws-public', registryId);
      expect(r.status).toBe(409);
      expect(code(r)).toBe('SHARING.FULLY_PUBLIC');
      expect(message(r)).toMatch(/fully public.*narrowing.*force=true/);
      expect(refusalSchema.parse(r.body).current?.networkAcls?.defaultAction).toBe('Allow');
      expect(appWrites(await requestLog(world), world)).toEqual([]);

      const forced = await share('ws-public', registryId, '&force=true');
      expect(forced.status).toBe(200);
      expect(forced.body).toMatchObject({ action: 'added', forced: true, writes: 1 });
      const after = await getStorage(world.sim, world.user, storage.public ?? '');
      expect(after.networkAcls).toMatchObject({ defaultAction: 'Deny', bypass: 'AzureServices', resourceAccessRules: [{ resourceId: registryId }] });
    });

    it('refuses an account with public access Disabled (enabling it would widen), writing nothing', async () => {
      await clearRequestLog(world);
      const r = await share('ws-disabled', registryId);
      expect(r.status).toBe(409);
      expect(code(r)).toBe('SHARING.PUBLIC_ACCESS_DISABLED');
      expect(message(r)).toMatch(/widening/);
      expect(appWrites(await requestLog(world), world)).toEqual([]);
      expect((await getStorage(world.sim, world.user, storage.disabled ?? '')).publicNetworkAccess).toBe('Disabled');
    });

    it('share-with needs a network admin: a reader and an operator are refused (403) before anything is read', async () => {
      for (const as of ['reader', 'operator'] as const) {
        await clearRequestLog(world);
        const r = await share('ws-selected', registryId, '', as);
        expect([as, r.status, code(r)]).toEqual([as, 403, 'AUTH.FORBIDDEN']);
        expect((await requestLog(world)).filter((e) => e.principal === world.sim.principal.oid)).toEqual([]);
      }
    });

    it('never turns Disabled into Enabled without a stated reason (400 SHARING.REASON_REQUIRED, nothing written); with force and a reason it does, and the report records the reason', async () => {
      await clearRequestLog(world);
      const noReason = await share('ws-disabled', registryId, '&force=true');
      expect([noReason.status, code(noReason)]).toEqual([400, 'SHARING.REASON_REQUIRED']);
      expect(appWrites(await requestLog(world), world)).toEqual([]);
      expect((await getStorage(world.sim, world.user, storage.disabled ?? '')).publicNetworkAccess).toBe('Disabled');

      const forced = await share('ws-disabled', registryId, `&force=true&reason=${encodeURIComponent('asset sharing for team X, ticket 42')}`);
      expect(forced.status).toBe(200);
      expect(shareReportSchema.parse(forced.body)).toMatchObject({ action: 'added', forced: true, writes: 1, reason: 'asset sharing for team X, ticket 42', changes: expect.arrayContaining(['publicNetworkAccess: Disabled → Enabled (selected networks)']) });
      expect((await getStorage(world.sim, world.user, storage.disabled ?? '')).publicNetworkAccess).toBe('Enabled');
    });

    it('refuses a storage account in another tenant with 409 and the reason', async () => {
      await otherTenantFault(world.sim, 'storageAccounts/foreignstore', 5);
      await clearRequestLog(world);
      const r = await share('ws-foreign', registryId);
      expect(r.status).toBe(409);
      expect(code(r)).toBe('SHARING.STORAGE_OTHER_TENANT');
      expect(message(r)).toMatch(/another tenant.*Nothing was changed/);
      expect(appWrites(await requestLog(world), world)).toEqual([]);
      await fetch(`${world.sim.adminUrl}/faults`, { method: 'DELETE' });
    });

    it('answers 404 for an unknown workspace or registry', async () => {
      const ws = await share('ws-nosuch', registryId);
      expect([ws.status, code(ws)]).toEqual([404, 'WORKSPACE.NOT_FOUND']);
      const reg = await share('ws-selected', registryId.replace(/demoreg$/, 'nosuchreg'));
      expect([reg.status, code(reg)]).toEqual([404, 'REGISTRY.NOT_FOUND']);
    });

    it.each([
      ['a storage account id as the registry', (s: string) => `?registryId=${encodeURIComponent(`${rgPath(s)}/providers/Microsoft.Storage/storageAccounts/x`)}`],
      ['no registryId', () => ''],
      ['a bad force', (s: string) => `?registryId=${encodeURIComponent(`${rgPath(s)}/providers/Microsoft.MachineLearningServices/registries/demoreg`)}&force=yes`],
      ['an empty reason', (s: string) => `?registryId=${encodeURIComponent(`${rgPath(s)}/providers/Microsoft.MachineLearningServices/registries/demoreg`)}&force=true&reason=`],
    ])('answers 400 for %s', async (_what, query) => {
      await clearRequestLog(world);
      const r = await call('POST', `/api/workspaces/${sub}/${WS_RG}/ws-selected/share-with${query(sub)}`);
      expect([r.status, code(r)]).toEqual([400, 'REQUEST.INVALID_PARAMETER']);
      expect((await requestLog(world)).length).toBe(0);
    });

    it('answers 400 for a malformed workspace name', async () => {
      const r = await share('-bad', registryId);
      expect([r.status, code(r)]).toEqual([400, 'REQUEST.INVALID_PARAMETER']);
    });
  });

  describe('deployments-audit', () => {
    it('reports the managed deployments of registry models without egress Disabled, and only those', async () => {
      await clearRequestLog(world);
      const r = await call('GET', `/api/workspaces/${sub}/${WS_RG}/ws-audit/deployments-audit`, 'reader');
      expect(r.status).toBe(200);
      const audit = deploymentsAuditSchema.parse(r.body);
      expect(audit).toMatchObject({ endpoints: 2, deployments: 4, managedDeployments: 4, registryModelDeployments: 3, compliant: false });
      expect(audit.findings.map((f) => `${f.endpointName}/${f.deploymentName}:${f.egressPublicNetworkAccess}`)).toEqual(['ep-blue/default:Enabled', 'ep-blue/open:Enabled']);
      expect(appWrites(await requestLog(world), world)).toEqual([]);
    });

    it('is compliant for a workspace without endpoints, 404 for an unknown one', async () => {
      const empty = await call('GET', `/api/workspaces/${sub}/${WS_RG}/ws-public/deployments-audit`);
      expect(empty.status).toBe(200);
      expect(empty.body).toMatchObject({ endpoints: 0, deployments: 0, compliant: true, findings: [] });
      const missing = await call('GET', `/api/workspaces/${sub}/${WS_RG}/ws-nosuch/deployments-audit`);
      expect([missing.status, code(missing)]).toEqual([404, 'WORKSPACE.NOT_FOUND']);
    });
  });

  it('documents both routes in the OpenAPI document', async () => {
    const doc = (await (await fetch(`${world.host.baseUrl}/api/openapi.json`, { headers: world.auth.headers('reader') })).json()) as { paths: Record<string, Record<string, unknown>> };
    expect(Object.keys(doc.paths['/api/workspaces/{subscriptionId}/{resourceGroup}/{workspaceName}/share-with'] ?? {})).toEqual(['post']);
    expect(Object.keys(doc.paths['/api/workspaces/{subscriptionId}/{resourceGroup}/{workspaceName}/deployments-audit'] ?? {})).toEqual(['get']);
  });
});
