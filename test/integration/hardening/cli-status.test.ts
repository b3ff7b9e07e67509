import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadOrCreateDevCa } from '../../../local/azure-sim/ca';
import { DEFAULT_DEV_CA_DIR } from '../../../local/azure-sim/dev-ca';
import { startAzureSim, type AzureSim } from '../../../local/azure-sim/server';
import { API_APP_ID, CALLERS, createRegistry, startWorld, type World } from '../../../local/world';
import { runCli } from '../cli/cli-world';

const SUB = '00000000-0000-0000-0000-0000000000a1';
const idOf = (name: string, rg = 'rg-ml-demo'): string => `/subscriptions/${SUB}/resourceGroups/${rg}/providers/Microsoft.MachineLearningServices/registries/${name}`;
const READER = { principalId: '00000000-0000-0000-0000-00000000e201', clientId: '00000000-0000-0000-0000-00000000c201' };
const NOBODY = '00000000-0000-0000-0000-00000000c299';

/**
 * The settings that make DefaultAzureCredential get its token from the simulator's
 * managed-identity endpoint (the same chain an operator's machine runs; only settings differ).
 */
function credentialEnv(sim: AzureSim, clientId: string): Record<string, string> {
  return { IDENTITY_ENDPOINT: sim.identityEndpoint, IDENTITY_HEADER: sim.identityHeader, AZURE_CLIENT_ID: clientId, AZURE_TOKEN_CREDENTIALS: 'ManagedIdentityCredential' };
}

/** `aml-lockdown status` reads the app's HTTP API; first against a stand-in that records what it is asked. */
describe('aml-lockdown status, against a stand-in API', () => {
  let server: Server;
  let sim: AzureSim;
  let base: string;
  let env: Record<string, string>;
  const seen: Array<{ url: string; headers: IncomingHttpHeaders }> = [];
  const answers = new Map<string, { status: number; body: unknown }>();

  beforeAll(async () => {
    sim = await startAzureSim({
      ca: loadOrCreateDevCa(DEFAULT_DEV_CA_DIR), stateDir: mkdtempSync(join(tmpdir(), 'cli-status-sim-')), dns: false, eventGrid: false,
      applications: [{ appId: API_APP_ID, appRoles: ['Lockdown.Reader'] }], userAssignedIdentities: [READER],
    });
    sim.applications.assign(READER.principalId, API_APP_ID, ['Lockdown.Reader']);
    env = { ...credentialEnv(sim, READER.clientId), AUTH_APP_ID: API_APP_ID };
    server = createServer((req, res) => {
      seen.push({ url: req.url ?? '', headers: req.headers });
      const answer = answers.get(req.url ?? '') ?? { status: 404, body: '' };
      // the stand-in accepts the local tenant's tokens for the API that carry the reader role
      const claims = sim.tokens.signedClaims(/^Bearer (\S+)$/.exec(req.headers.authorization ?? '')?.[1] ?? '');
      if (!claims || claims.aud !== `api://${API_APP_ID}` || !(claims.roles as string[] | undefined)?.includes('Lockdown.Reader')) {
        res.writeHead(401, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { code: 'AUTH.UNAUTHENTICATED', message: 'no principal' } }));
        return;
      }
      res.writeHead(answer.status, { 'content-type': 'application/json' }).end(typeof answer.body === 'string' ? answer.body : JSON.stringify(answer.body));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    answers.set(`/api/registries/${SUB}/rg-ml-demo/done/harden`, {
      status: 200,
      body: {
        instanceId: 'harden-done-0123456789abcdef', runtimeStatus: 'Completed', createdTime: '2025-01-01T00:00:00.000Z', lastUpdatedTime: '2025-01-01T00:00:09.000Z',
        steps: [{ step: 'read', state: 'done', detail: 'done: 1 region(s) (westeurope)', startedAt: '2025-01-01T00:00:00.000Z', endedAt: '2025-01-01T00:00:01.000Z' }],
        output: { kind: 'Hardened', registryId: idOf('done'), instanceId: 'harden-done-0123456789abcdef', mode: 'apply', changes: ['disabled public network access of registry'], alreadyCompliant: [], warnings: [], dns: [], startedAt: '2025-01-01T00:00:00.000Z', endedAt: '2025-01-01T00:00:09.000Z' },
      },
    });
    answers.set(`/api/registries/${SUB}/rg-ml-demo/broken/harden`, { status: 200, body: { runtimeStatus: 'Failed', steps: [], output: '[ARM.FORBIDDEN] no' } });
    answers.set(`/api/registries/${SUB}/rg-ml-demo/never/harden`, { status: 404, body: { error: { code: 'RUN.NOT_FOUND', message: "registry 'never' has no hardening run." } } });
  });
  afterAll(async () => {
    await new Promise<void>((r) => server.close(() => r()));
    await sim?.stop();
  });

  it('--json prints the API answer as it is; exit 0 for a completed run; the token (for api://<app-id>, from DefaultAzureCredential) goes in Authorization, never the URL', async () => {
    const r = await runCli(['status', idOf('done'), '--api', `${base}/`, '--json'], env);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ runtimeStatus: 'Completed', output: { kind: 'Hardened' } });
    const last = seen[seen.length - 1];
    expect(last?.url).toBe(`/api/registries/${SUB}/rg-ml-demo/done/harden`);
    const token = /^Bearer (\S+)$/.exec(last?.headers.authorization ?? '')?.[1] ?? '';
    expect(sim.tokens.signedClaims(token)).toMatchObject({ aud: `api://${API_APP_ID}`, oid: READER.principalId, roles: ['Lockdown.Reader'] });
    expect(last?.headers['x-functions-key']).toBeUndefined();
  });

  it('shows the steps and the outcome by default; --app-id names the registration instead of AUTH_APP_ID', async () => {
    const { AUTH_APP_ID: _unused, ...withoutAppId } = env;
    const r = await runCli(['status', idOf('done'), '--api', `${base}/api`, '--app-id', API_APP_ID], withoutAppId);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`Run of ${idOf('done')}: Completed`);
    expect(r.stdout).toMatch(/✔ read\s+done/);
    expect(r.stdout).toContain('Outcome: Hardened');
  });

  it('exits 1 for a failed run, for a registry never run, for a refused token, and when no token can be had', async () => {
    expect((await runCli(['status', idOf('broken'), '--api', base], env)).code).toBe(1);
    const never = await runCli(['status', idOf('never'), '--api', base, '--json'], env);
    expect(never.code).toBe(1);
    expect(JSON.parse(never.stdout)).toEqual({ error: { code: 'RUN.NOT_FOUND', message: "registry 'never' has no hardening run." } });
    // a principal without the role: the API refuses its token
    sim.applications.assign(READER.principalId, API_APP_ID, []);
    try {
      const refused = await runCli(['status', idOf('done'), '--api', base], env);
      expect(refused.code).toBe(1);
      expect(refused.stderr).toMatch(/AUTH\.UNAUTHENTICATED/);
    } finally {
      sim.applications.assign(READER.principalId, API_APP_ID, ['Lockdown.Reader']);
    }
    const noToken = await runCli(['status', idOf('done'), '--api', base], { ...env, AZURE_CLIENT_ID: NOBODY });
    expect(noToken.code).toBe(1);
    expect(noToken.stderr).toMatch(/HTTP\.UNAUTHORIZED: no token for api:\/\/.*\/\.default/);
  });

  it('exits 2 without the app registration, or with an --api that is not an http(s) base URL', async () => {
    const noAppId = await runCli(['status', idOf('done'), '--api', base], credentialEnv(sim, READER.clientId));
    expect(noAppId.code).toBe(2);
    expect(noAppId.stderr).toContain('AUTH_APP_ID');
    expect((await runCli(['status', idOf('done'), '--api', 'ftp://example.com'], env)).code).toBe(2);
    expect((await runCli(['status', idOf('done'), '--api', `${base}?code=k`], env)).code).toBe(2);
  });
});

/** …and against the app itself in the local Functions host, with the sandbox's reader identity. */
describe('aml-lockdown status, against the app in the local host', () => {
  let world: World;
  let env: Record<string, string>;

  beforeAll(async () => {
    world = await startWorld({ stateDir: mkdtempSync(join(tmpdir(), 'cli-status-')), hostTimeScale: 0.05, settings: { DNS_DEADLINE_MINUTES: '1' } });
    env = { ...credentialEnv(world.sim, CALLERS.reader.identity.clientId), AUTH_APP_ID: world.auth.appId };
  });
  afterAll(async () => {
    await world?.stop();
  });

  it('reports the run the creation event started, with its steps and outcome', async () => {
    const id = await createRegistry(world.sim, world.user, { name: 'statusreg', regions: ['westeurope'] });
    const args = ['status', id, '--api', world.host.baseUrl, '--json'];
    const deadline = Date.now() + 60_000;
    let body: { runtimeStatus?: string; steps?: Array<{ step: string; state: string }>; output?: { kind?: string } } = {};
    while (Date.now() < deadline) {
      const r = await runCli(args, env);
      if (r.code === 0 || r.stdout.includes('runtimeStatus')) body = JSON.parse(r.stdout) as typeof body;
      if (body.runtimeStatus === 'Completed' || body.runtimeStatus === 'Failed') break;
      await new Promise((res) => setTimeout(res, 500));
    }
    expect(body.runtimeStatus).toBe('Completed');
    expect(body.output?.kind).toBe('Hardened');
    expect(body.steps?.map((s) => s.step)).toEqual(['read', 'resolve', 'plan', 'endpoints', 'approval', 'lockdown', 'dns', 'publish']);
  });

  it('exits 1 with RUN.NOT_FOUND for a registry the app never ran, and 1 with 401 for a token of another audience', async () => {
    const never = await runCli(['status', idOf('neverhardened'), '--api', world.host.baseUrl, '--json'], env);
    expect(never.code).toBe(1);
    expect((JSON.parse(never.stdout) as { error: { code: string } }).error.code).toBe('RUN.NOT_FOUND');
    // the app registration the tenant knows but the app does not accept: App Service Authentication refuses the token
    await fetch(`${world.sim.adminUrl}/applications/00000000-0000-0000-0000-0000000000e2`, { method: 'PUT', body: JSON.stringify({ appRoles: ['Lockdown.Reader'] }) });
    const wrong = await runCli(['status', idOf('neverhardened'), '--api', world.host.baseUrl, '--app-id', '00000000-0000-0000-0000-0000000000e2'], env);
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toMatch(/401/);
  });
});
