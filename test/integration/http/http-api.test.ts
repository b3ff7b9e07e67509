/**
 * The HTTP API end to end: the app in the local Functions host, on the local Azure, over real
 * HTTP with Microsoft Entra ID tokens of the local tenant (App Service Authentication emulated
 * by the host). One world per file (the app's config is cached per process).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CALLERS, createRegistry, DEMO, startWorld, type CallerName, type World } from '../../../local/world';
import { runStatusSchema, runsPageSchema, startAcceptedSchema, conflictSchema, discoveryDocumentSchema, errorResponseSchema } from '../../../src/http/schemas';
import { ALL_ROUTES } from '../../../src/http/routes';
import { openApi30Problems } from '../../helpers/openapi3';
import { arm, clearRequestLog, requestLog, waitUntil } from '../../helpers/world-helpers';

const API = '?api-version=2025-12-01';

interface Answer { status: number; headers: Headers; body: unknown; text: string }

describe('HTTP API through the local Functions host', () => {
  let world: World;
  let sub: string;
  let hardenPath: (name: string, rg?: string) => string;

  /** As the operator (reads and runs) unless told; `as: null` sends no token, `key` a function key. */
  async function call(method: string, path: string, init: { as?: CallerName | null; key?: string; body?: string; contentType?: string } = {}): Promise<Answer> {
    const as = init.as === undefined ? 'operator' : init.as;
    const headers: Record<string, string> = as === null ? {} : world.auth.headers(as);
    if (init.key !== undefined) headers['x-functions-key'] = init.key;
    if (init.body !== undefined) headers['content-type'] = init.contentType ?? 'application/json';
    const res = await fetch(`${world.host.baseUrl}${path}`, { method, headers, ...(init.body !== undefined ? { body: init.body } : {}) });
    const text = await res.text();
    let body: unknown = undefined;
    try {
      body = text ? (JSON.parse(text) as unknown) : undefined;
    } catch {
      body = text;
    }
    return { status: res.status, headers: res.headers, body, text };
  }

  const code = (a: Answer) => (a.body as { error?: { code?: string } } | undefined)?.error?.code;

  async function waitForStatus(path: string, done: (s: { runtimeStatus: string; steps: Array<{ step: string; state: string }> }) => boolean, timeoutMs = 60_000) {
    return waitUntil(`the run at ${path}`, async () => {
      const r = await call('GET', path);
      if (r.status !== 200) return undefined;
      const s = runStatusSchema.parse(r.body);
      return done(s) ? s : undefined;
    }, timeoutMs);
  }

  beforeAll(async () => {
    world = await startWorld({ stateDir: mkdtempSync(join(tmpdir(), 'http-api-')), hostTimeScale: 0.05, settings: { DNS_DEADLINE_MINUTES: '1' } });
    // runs start through the API only
    await fetch(`${world.sim.adminUrl}/eventgrid/subscriptions/registry-writes`, { method: 'DELETE' });
    sub = world.sim.subscriptionId;
    hardenPath = (name, rg = DEMO.rg) => `/api/registries/${sub}/${rg}/${name}/harden`;
    await createRegistry(world.sim, world.user);
  });
  afterAll(async () => {
    await world?.stop();
  });

  describe('OpenAPI', () => {
    it('serves a valid OpenAPI 3.0 document to a reader that matches the host\'s registrations', async () => {
      const r = await call('GET', '/api/openapi.json', { as: 'reader' });
      expect(r.status).toBe(200);
      expect(openApi30Problems(r.body)).toEqual([]);
      const doc = r.body as { paths: Record<string, Record<string, { operationId: string; 'x-required-role'?: string }>> };
      const documented = Object.entries(doc.paths).flatMap(([path, item]) => Object.entries(item).map(([m, op]) => ({ key: `${m.toUpperCase()} ${path}`, name: op.operationId }))).sort((a, b) => a.key.localeCompare(b.key));
      const registered = world.host.registrations.flatMap((reg) => {
        const trigger = Object.values(reg.bindings).find((b) => (b as { type?: string }).type === 'httpTrigger') as { route?: string; methods?: string[]; authLevel?: string } | undefined;
        if (!trigger) return [];
        // the host lets every call through: the app checks the caller's Entra principal and role
        expect([reg.name, trigger.authLevel]).toEqual([reg.name, 'anonymous']);
        return (trigger.methods ?? []).map((m) => ({ key: `${m.toUpperCase()} /api/${trigger.route ?? reg.name}`, name: reg.name }));
      }).sort((a, b) => a.key.localeCompare(b.key));
      expect(documented).toEqual(registered);
      expect(registered.length).toBe(ALL_ROUTES.length);
    });

    it('every documented operation, openapi.json included, answers 401 without a token, and with a function key alone: App Service Authentication refuses it before the app runs', async () => {
      const doc = (await call('GET', '/api/openapi.json', { as: 'reader' })).body as { paths: Record<string, Record<string, unknown>> };
      const values: Record<string, string> = { region: 'westeurope', registryName: DEMO.registry, subscriptionId: sub, resourceGroup: DEMO.rg };
      let checked = 0;
      for (const [path, item] of Object.entries(doc.paths)) {
        for (const method of Object.keys(item)) {
          const url = path.replace(/\{(\w+)\}/g, (_m, n: string) => values[n] ?? 'x');
          // the platform's 401 (requireAuthentication, Return401): no body, a Bearer challenge
          const none = await call(method.toUpperCase(), url, { as: null });
          expect([method, path, none.status, none.text, none.headers.get('www-authenticate')]).toEqual([method, path, 401, '', expect.stringMatching(/^Bearer realm=/)]);
          const keyOnly = await call(method.toUpperCase(), url, { as: null, key: world.functionKey });
          expect([method, path, keyOnly.status, keyOnly.text]).toEqual([method, path, 401, '']);
          checked++;
        }
      }
      expect(checked).toBe(ALL_ROUTES.length);
    });
  });

  describe('discovery', () => {
    it('returns the discovery document of a registry in a region, then from the cache', async () => {
      const r = await call('GET', `/api/discovery/westeurope/${DEMO.registry}`);
      expect(r.status).toBe(200);
      const doc = discoveryDocumentSchema.parse(r.body);
      expect(Object.keys(doc.registryFqdns ?? {}).sort()).toEqual([...DEMO.regions].sort());
      const again = await call('GET', `/api/discovery/westeurope/${DEMO.registry}`);
      expect(again.status).toBe(200);
      expect(again.headers.get('x-cache')).toBe('hit');
    });

    it('answers 404 with the "may not exist or no access" wording for an unknown registry', async () => {
      const r = await call('GET', '/api/discovery/westeurope/nosuchregistry');
      expect(r.status).toBe(404);
      expect(r.body).toMatchObject({ error: { code: 'DISCOVERY.NOT_FOUND', message: expect.stringMatching(/may not exist in westeurope, or the app has no access/) } });
    });

    it.each([
      ['eastus.evil.example'], ['127.0.0.1:1234'], [encodeURIComponent('eastus/../x')], ['%20'], ['x'.repeat(200)], ['EastUS'], [encodeURIComponent('westeurope@127.0.0.1:1')],
    ])('answers 400 for region %s and sends nothing to discovery', async (region) => {
      await clearRequestLog(world);
      const r = await call('GET', `/api/discovery/${region}/${DEMO.registry}`);
      expect(r.status).toBe(400);
      expect(code(r)).toBe('REQUEST.INVALID_PARAMETER');
      errorResponseSchema.parse(r.body);
      expect((await requestLog(world)).filter((e) => e.path.startsWith('/discovery/'))).toEqual([]);
    });

    it('an empty region segment matches no route (404 from the host) and sends nothing', async () => {
      await clearRequestLog(world);
      expect((await call('GET', `/api/discovery//${DEMO.registry}`)).status).toBe(404);
      expect((await requestLog(world)).filter((e) => e.path.startsWith('/discovery/'))).toEqual([]);
    });

    it.each([['ab'], ['demo.reg'], [encodeURIComponent('demo/../x')], ['-demo'], ['x'.repeat(40)]])('answers 400 for registry name %s', async (name) => {
      const r = await call('GET', `/api/discovery/westeurope/${name}`);
      expect(r.status).toBe(400);
      expect(code(r)).toBe('REQUEST.INVALID_PARAMETER');
    });
  });

  describe('hardening runs', () => {
    it('status is 404 before the first run', async () => {
      const r = await call('GET', hardenPath(DEMO.registry));
      expect(r.status).toBe(404);
      expect(code(r)).toBe('RUN.NOT_FOUND');
    });

    it('?mode=plan starts a dry run (a reader may): 202 with Location; the status shows the plan, nothing is written', async () => {
      const r = await call('POST', `${hardenPath(DEMO.registry)}?mode=plan`, { as: 'reader' });
      expect(r.status).toBe(202);
      const started = startAcceptedSchema.parse(r.body);
      expect(started.mode).toBe('plan');
      const location = r.headers.get('location') ?? '';
      expect(location).toBe(`${world.host.baseUrl}${hardenPath(DEMO.registry)}`);
      expect(started.statusUrl).toBe(location);
      const path = new URL(location).pathname;
      const done = await waitForStatus(path, (s) => ['Completed', 'Failed'].includes(s.runtimeStatus));
      const full = runStatusSchema.parse((await call('GET', path)).body);
      expect(done.runtimeStatus).toBe('Completed');
      expect(full.mode).toBe('plan');
      expect(full.output).toMatchObject({ kind: 'Planned', plan: { writes: 12 } });
      expect(full.steps.length).toBeGreaterThan(0);
      expect(((await arm(world, 'GET', `${full.registryId ?? ''}${API}`)).body.properties as Record<string, unknown>).publicNetworkAccess).toBe('Enabled');
    });

    it('POST again restarts the finished run in apply mode, with overrides from the body, and hardens the registry', async () => {
      const r = await call('POST', hardenPath(DEMO.registry), { body: JSON.stringify({ order: 'endpoints-first' }) });
      expect(r.status).toBe(202);
      expect(startAcceptedSchema.parse(r.body)).toMatchObject({ mode: 'apply', previousRuntimeStatus: 'Completed' });
      const done = await waitForStatus(hardenPath(DEMO.registry), (s) => ['Completed', 'Failed', 'Terminated'].includes(s.runtimeStatus));
      expect(done.runtimeStatus).toBe('Completed');
      const full = runStatusSchema.parse((await call('GET', hardenPath(DEMO.registry))).body);
      expect(full.output).toMatchObject({ kind: 'Hardened' });
      // the audit trail: the outcome names who asked for the run
      expect(full.output).toMatchObject({ caller: { kind: 'user', objectId: CALLERS.operator.userOid, upn: CALLERS.operator.upn, roles: ['Lockdown.Operator'] } });
      expect(full.steps.every((s) => s.state === 'done' || s.state === 'skipped')).toBe(true);
    });

    it('while a run waits for approval: 409 on a second start, approve raises the event, DELETE terminates; then both are 409', async () => {
      const name = 'httpapprovereg';
      const id = `/subscriptions/${sub}/resourceGroups/${DEMO.rg}/providers/Microsoft.MachineLearningServices/registries/${name}`;
      const mode = await fetch(`${world.sim.adminUrl}/approval-mode`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ targetId: id, mode: 'manual' }) });
      expect(mode.status).toBe(200);
      await createRegistry(world.sim, world.user, { name, regions: ['westeurope'] });
      expect((await call('POST', hardenPath(name))).status).toBe(202);
      await waitForStatus(hardenPath(name), (s) => s.steps.some((x) => x.step === 'approval' && x.state === 'running'));

      const again = await call('POST', hardenPath(name));
      expect(again.status).toBe(409);
      const conflict = conflictSchema.parse(again.body);
      expect(conflict.error.code).toBe('RUN.ALREADY_RUNNING');
      expect(conflict.run.runtimeStatus).toBe('Running');

      const approve = await call('POST', `${hardenPath(name)}/approve`);
      expect(approve.status).toBe(202);
      expect(approve.body).toMatchObject({ event: 'approve' });

      const stop = await call('DELETE', `${hardenPath(name)}?reason=${encodeURIComponent('stopped by the test')}`);
      expect(stop.status).toBe(202);
      expect(stop.body).toMatchObject({ reason: 'stopped by the test' });
      await waitForStatus(hardenPath(name), (s) => s.runtimeStatus === 'Terminated');

      const late = await call('POST', `${hardenPath(name)}/approve`);
      expect(late.status).toBe(409);
      expect(code(late)).toBe('RUN.NOT_RUNNING');
      expect(code(await call('DELETE', hardenPath(name)))).toBe('RUN.NOT_RUNNING');
    });

    it('approve and terminate answer 404 for a registry that never ran', async () => {
      expect((await call('POST', `${hardenPath('neverran')}/approve`)).status).toBe(404);
      expect((await call('DELETE', hardenPath('neverran'))).status).toBe(404);
    });

    it.each([
      ['a bad subscription id', `/api/registries/not-a-guid/${DEMO.rg}/${DEMO.registry}/harden`, 'subscriptionId'],
      ['a bad resource group', `/api/registries/SUB/rg./${DEMO.registry}/harden`, 'resourceGroup'],
      ['a bad registry name', `/api/registries/SUB/${DEMO.rg}/ab/harden`, 'registryName'],
      ['a registry name with a path', `/api/registries/SUB/${DEMO.rg}/${encodeURIComponent('x/../demoreg')}/harden`, 'registryName'],
    ])('400 for %s', async (_what, path, field) => {
      for (const [method, suffix] of [['GET', ''], ['POST', ''], ['POST', '/approve'], ['DELETE', '']] as const) {
        const r = await call(method, path.replace('SUB', sub) + suffix);
        expect([method, r.status, code(r)]).toEqual([method, 400, 'REQUEST.INVALID_PARAMETER']);
        expect((r.body as { error: { message: string } }).error.message).toContain(`'${field}'`);
      }
    });

    it('400 for bad JSON, unknown fields, wrong types and a bad mode; 415 for non-JSON; 413 for a large body', async () => {
      const path = hardenPath('bodyreg');
      expect(code(await call('POST', path, { body: '{"order":' }))).toBe('REQUEST.INVALID_JSON');
      const unknown = await call('POST', path, { body: '{"order":"lockdown-first","subnetId":"/subscriptions/x"}' });
      expect([unknown.status, code(unknown)]).toEqual([400, 'REQUEST.UNKNOWN_FIELD']);
      expect(code(await call('POST', path, { body: '{"lockdownAcr":"false"}' }))).toBe('REQUEST.INVALID_BODY');
      expect(code(await call('POST', `${path}?mode=destroy`))).toBe('REQUEST.INVALID_PARAMETER');
      const text = await call('POST', path, { body: 'order=lockdown-first', contentType: 'text/plain' });
      expect([text.status, code(text)]).toEqual([415, 'REQUEST.UNSUPPORTED_MEDIA_TYPE']);
      const big = await call('POST', path, { body: JSON.stringify({ order: 'x'.repeat(17 * 1024) }) });
      expect([big.status, code(big)]).toEqual([413, 'REQUEST.BODY_TOO_LARGE']);
      expect(code(await call('POST', `${path}/approve`, { body: '{"x":1}' }))).toBe('REQUEST.BODY_NOT_ALLOWED');
      // none of them started a run
      expect((await call('GET', path)).status).toBe(404);
    });
  });

  describe('runs', () => {
    it('lists recent runs newest first, paged with a continuation token, filtered by status', async () => {
      const all = runsPageSchema.parse((await call('GET', '/api/runs')).body);
      expect(all.items.length).toBeGreaterThanOrEqual(2);
      expect(all.items.map((i) => i.registryId?.split('/').pop())).toEqual(expect.arrayContaining([DEMO.registry, 'httpapprovereg']));
      const seen: string[] = [];
      let token: string | null = null;
      do {
        const q: string = token ? `&continuationToken=${token}` : '';
        const page = runsPageSchema.parse((await call('GET', `/api/runs?top=1${q}`)).body);
        expect(page.items.length).toBe(1);
        seen.push(...page.items.map((i) => i.instanceId));
        token = page.continuationToken;
      } while (token);
      expect(seen).toEqual(all.items.map((i) => i.instanceId));
      const terminated = runsPageSchema.parse((await call('GET', '/api/runs?status=Terminated')).body);
      expect(terminated.items.map((i) => i.registryId?.split('/').pop())).toEqual(['httpapprovereg']);
      const statusUrl = terminated.items[0]?.statusUrl ?? '';
      expect((await call('GET', new URL(statusUrl).pathname)).status).toBe(200);
    });

    it.each([['status=Bogus'], ['status=running'], ['top=0'], ['top=101'], ['top=abc'], ['continuationToken=nope'], ['continuationToken=a%2Fb']])('400 for ?%s', async (q) => {
      const r = await call('GET', `/api/runs?${q}`);
      expect([r.status, code(r)]).toEqual([400, 'REQUEST.INVALID_PARAMETER']);
    });
  });
});
