import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRegistry, startWorld, type World } from '../../../local/world';
import { runCli } from '../cli/cli-world';

const SUB = '00000000-0000-0000-0000-0000000000a1';
const idOf = (name: string, rg = 'rg-ml-demo'): string => `/subscriptions/${SUB}/resourceGroups/${rg}/providers/Microsoft.MachineLearningServices/registries/${name}`;

/** `aml-lockdown status` reads the app's HTTP API; first against a stand-in that records what it is asked. */
describe('aml-lockdown status, against a stand-in API', () => {
  let server: Server;
  let base: string;
  const seen: Array<{ url: string; headers: IncomingHttpHeaders }> = [];
  const answers = new Map<string, { status: number; body: unknown }>();

  beforeAll(async () => {
    server = createServer((req, res) => {
      seen.push({ url: req.url ?? '', headers: req.headers });
      const answer = answers.get(req.url ?? '') ?? { status: 404, body: '' };
      if (req.headers['x-functions-key'] !== 'the-key') {
        res.writeHead(401).end();
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
  });

  it('--json prints the API answer as it is; exit 0 for a completed run; the key goes in x-functions-key, never the URL', async () => {
    const r = await runCli(['status', idOf('done'), '--api', `${base}/`, '--key', 'the-key', '--json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ runtimeStatus: 'Completed', output: { kind: 'Hardened' } });
    const last = seen[seen.length - 1];
    expect(last?.url).toBe(`/api/registries/${SUB}/rg-ml-demo/done/harden`);
    expect(last?.headers['x-functions-key']).toBe('the-key');
  });

  it('shows the steps and the outcome by default; the key can come from AML_LOCKDOWN_FUNCTION_KEY', async () => {
    const r = await runCli(['status', idOf('done'), '--api', `${base}/api`], { AML_LOCKDOWN_FUNCTION_KEY: 'the-key' });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`Run of ${idOf('done')}: Completed`);
    expect(r.stdout).toMatch(/✔ read\s+done/);
    expect(r.stdout).toContain('Outcome: Hardened');
  });

  it('exits 1 for a failed run, for a registry never run, and for a refused key', async () => {
    expect((await runCli(['status', idOf('broken'), '--api', base, '--key', 'the-key'])).code).toBe(1);
    const never = await runCli(['status', idOf('never'), '--api', base, '--key', 'the-key', '--json']);
    expect(never.code).toBe(1);
    expect(JSON.parse(never.stdout)).toEqual({ error: { code: 'RUN.NOT_FOUND', message: "registry 'never' has no hardening run." } });
    const refused = await runCli(['status', idOf('done'), '--api', base, '--key', 'wrong']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/refused the key \(401\)/);
  });

  it('exits 2 without a key, or with an --api that is not an http(s) base URL', async () => {
    const noKey = await runCli(['status', idOf('done'), '--api', base]);
    expect(noKey.code).toBe(2);
    expect(noKey.stderr).toContain('AML_LOCKDOWN_FUNCTION_KEY');
    expect((await runCli(['status', idOf('done'), '--api', 'ftp://example.com', '--key', 'k'])).code).toBe(2);
    expect((await runCli(['status', idOf('done'), '--api', `${base}?code=k`, '--key', 'k'])).code).toBe(2);
  });
});

/** …and against the app itself in the local Functions host. */
describe('aml-lockdown status, against the app in the local host', () => {
  let world: World;

  beforeAll(async () => {
    world = await startWorld({ stateDir: mkdtempSync(join(tmpdir(), 'cli-status-')), hostTimeScale: 0.05, settings: { DNS_DEADLINE_MINUTES: '1' } });
  });
  afterAll(async () => {
    await world?.stop();
  });

  it('reports the run the creation event started, with its steps and outcome', async () => {
    const id = await createRegistry(world.sim, world.user, { name: 'statusreg', regions: ['westeurope'] });
    const args = ['status', id, '--api', world.host.baseUrl, '--key', world.functionKey, '--json'];
    const deadline = Date.now() + 60_000;
    let body: { runtimeStatus?: string; steps?: Array<{ step: string; state: string }>; output?: { kind?: string } } = {};
    while (Date.now() < deadline) {
      const r = await runCli(args);
      if (r.code === 0 || r.stdout.includes('runtimeStatus')) body = JSON.parse(r.stdout) as typeof body;
      if (body.runtimeStatus === 'Completed' || body.runtimeStatus === 'Failed') break;
      await new Promise((res) => setTimeout(res, 500));
    }
    expect(body.runtimeStatus).toBe('Completed');
    expect(body.output?.kind).toBe('Hardened');
    expect(body.steps?.map((s) => s.step)).toEqual(['read', 'resolve', 'plan', 'endpoints', 'approval', 'lockdown', 'dns', 'publish']);
  });

  it('exits 1 with RUN.NOT_FOUND for a registry the app never ran, and 1 for a wrong key', async () => {
    const never = await runCli(['status', idOf('neverhardened'), '--api', world.host.baseUrl, '--key', world.functionKey, '--json']);
    expect(never.code).toBe(1);
    expect((JSON.parse(never.stdout) as { error: { code: string } }).error.code).toBe('RUN.NOT_FOUND');
    const wrong = await runCli(['status', idOf('neverhardened'), '--api', world.host.baseUrl, '--key', 'not-the-key']);
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toMatch(/401/);
  });
});
