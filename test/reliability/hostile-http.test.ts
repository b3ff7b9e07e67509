/**
 * Hostile input through the HTTP API: garbage and oversized bodies, tricks in every route
 * parameter, spoofed and malformed headers. Every answer is a 4xx (or a plain 2xx/404 for
 * harmless reads), never a 5xx; no key or token is echoed; nothing is written in ARM.
 * (The discovery token's destination is covered by test/integration/hardening/discovery-token.test.ts.)
 */
import { mkdtempSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEMO, startWorld, type World } from '../../local/world';
import { instanceIdFor } from '../../src/shared/instance-id';
import { ALL_ROUTES } from '../../src/http/routes';
import { appWrites, clearRequestLog, registryPath, requestLog } from '../helpers/world-helpers';
import { flushUnreported, record } from './summary';

interface Answer { status: number; headers: Record<string, string | string[] | undefined>; text: string }

const HOSTILE_PARAMS: Array<[string, string]> = [
  ['dot-dot segments', '..%2F..%2F..%2Fadmin'],
  ['encoded dots', '%2e%2e'],
  ['NUL byte', 'a%00b'],
  ['CRLF header injection', 'a%0d%0aSet-Cookie:%20pwn=1'],
  ['host with port and userinfo', 'evil.example.com%3A443%40x'],
  ['fragment', 'x%23frag'],
  ['query smuggling', 'x%3Fapi-version%3D1%26y'],
  ['RTL override', '%E2%80%AEgeruo'],
  ['Cyrillic look-alike', 'w%D0%B5steurope'],
  ['SQL-ish quote', "x'%20OR%20'1'='1"],
  ['5 000 characters', 'x'.repeat(5000)],
];

// always three entries: jest would take a missing last argument for a `done` callback
const HOSTILE_BODIES: Array<[string, string, string]> = [
  ['not JSON', '{"mode": ', ''],
  ['JSON null', 'null', ''],
  ['JSON array', '[1,2,3]', ''],
  ['JSON string', '"apply"', ''],
  ['wrong types', '{"approvalPollSeconds": "soon", "dnsDeadlineMinutes": -1}', ''],
  ['unknown fields', '{"sneaky": true, "registryId": "/subscriptions/x"}', ''],
  ['__proto__ pollution', '{"__proto__": {"polluted": "yes"}, "constructor": {"prototype": {"polluted2": "yes"}}}', ''],
  ['900 KB string', JSON.stringify({ note: 'x'.repeat(900 * 1024) }), ''],
  ['2 MiB body', JSON.stringify({ note: 'x'.repeat(2 * 1024 * 1024) }), ''],
  ['10 000 levels of nesting', `${'{"a":'.repeat(10_000)}1${'}'.repeat(10_000)}`, ''],
  ['form-encoded', 'mode=apply&x=1', 'application/x-www-form-urlencoded'],
  ['text/plain', 'apply', 'text/plain'],
];

describe('hostile input through the HTTP API', () => {
  let world: World;
  let secrets: string[];

  beforeAll(async () => {
    world = await startWorld({ stateDir: mkdtempSync(join(tmpdir(), 'rel-hostile-')), hostTimeScale: 0.05 });
    await fetch(`${world.sim.adminUrl}/eventgrid/subscriptions/registry-writes`, { method: 'DELETE' });
    const k = world.host.keys;
    secrets = [k.masterKey, ...Object.values(k.functionKeys), ...Object.values(k.systemKeys), ...Object.values(world.auth.tokens)].filter((s) => s.length >= 8);
    await clearRequestLog(world);
  }, 90_000);
  afterAll(async () => {
    await world?.stop();
    flushUnreported();
  });

  /** As a network admin (every route lets the call through to validation), unless `token: false`. */
  function call(method: string, path: string, init: { headers?: Record<string, string>; body?: string; token?: boolean } = {}): Promise<Answer> {
    const url = new URL(world.host.baseUrl);
    return new Promise((resolve, reject) => {
      const headers: Record<string, string> = { ...(init.token === false ? {} : world.auth.headers('networkAdmin')), ...init.headers };
      if (init.body !== undefined) {
        headers['content-type'] ??= 'application/json';
        headers['content-length'] = String(Buffer.byteLength(init.body));
      }
      const req = httpRequest({ host: url.hostname, port: url.port, method, path, headers }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString('utf8') }));
      });
      req.on('error', reject);
      if (init.body !== undefined) req.write(init.body);
      req.end();
    });
  }

  function leaks(a: Answer): string[] {
    const all = `${a.text}\n${JSON.stringify(a.headers)}`;
    const found = secrets.filter((s) => all.includes(s));
    if (/eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}/.test(all)) found.push('a bearer token');
    if (a.headers['set-cookie']) found.push('a Set-Cookie header');
    return found;
  }

  function check(area: string, tried: string, a: Answer, allowed: (s: number) => boolean): void {
    const leaked = leaks(a);
    const held = a.status < 500 && allowed(a.status) && leaked.length === 0;
    record({ area, tried, held, result: `${a.status}${leaked.length ? ` leaked ${leaked.join(', ')}` : ''}` });
    expect({ tried, status: a.status, leaked }).toEqual({ tried, status: a.status, leaked: [] });
    expect(a.status).toBeLessThan(500);
    expect(allowed(a.status)).toBe(true);
  }

  const VALID: Record<string, () => string> = {
    subscriptionId: () => world.sim.subscriptionId,
    resourceGroup: () => DEMO.rg,
    registryName: () => 'hostilereg',
    workspaceName: () => 'hostilews',
    region: () => 'westeurope',
  };

  const paramRoutes = ALL_ROUTES.filter((r) => r.route.includes('{'));
  const paramCases = paramRoutes.flatMap((r) =>
    [...r.route.matchAll(/\{(\w+)\??\}/g)].map((m) => m[1] ?? '').flatMap((param) => HOSTILE_PARAMS.map(([what, value]) => [`${r.method} ${r.route} {${param}} ${what}`, r, param, value] as const)),
  );

  it(`route parameters: ${paramCases.length} tricks across ${paramRoutes.length} routes answer 4xx, never 5xx`, async () => {
    for (const [tried, r, param, value] of paramCases) {
      const path = `/api/${r.route.replace(/\{(\w+)\??\}/g, (_m, p: string) => (p === param ? value : (VALID[p]?.() ?? 'x')))}`;
      const a = await call(r.method, path, r.method === 'POST' ? { body: '{}' } : {});
      check('http-param', tried, a, (s) => s >= 400 && s < 500);
    }
  }, 60_000);

  it.each(HOSTILE_BODIES)('start-hardening body %s: 4xx, no run started', async (tried, body, contentType) => {
    const id = registryPath(world, DEMO.rg, 'hostilebody');
    const a = await call('POST', `/api/registries/${world.sim.subscriptionId}/${DEMO.rg}/hostilebody/harden`, { body, headers: contentType ? { 'content-type': contentType } : {} });
    check('http-body', tried, a, (s) => s >= 400 && s < 500);
    expect(world.host.durable.getStatus(instanceIdFor(id))).toBeUndefined();
    expect((({}) as Record<string, unknown>).polluted).toBeUndefined();
    expect((({}) as Record<string, unknown>).polluted2).toBeUndefined();
  });

  it('every state-changing route refuses a call without a token: nothing, a function key, a wrong key, a forged principal header', async () => {
    const forged = Buffer.from(JSON.stringify({ auth_typ: 'aad', claims: [{ typ: 'aud', val: `api://${world.auth.appId}` }, { typ: 'oid', val: '00000000-0000-0000-0000-0000000000ff' }, { typ: 'roles', val: 'Lockdown.NetworkAdmin' }] })).toString('base64');
    for (const r of ALL_ROUTES.filter((x) => x.method !== 'GET')) {
      const path = `/api/${r.route.replace(/\{(\w+)\??\}/g, (_m, p: string) => VALID[p]?.() ?? 'x')}`;
      for (const [what, headers] of [
        ['no token', {}],
        ['a function key', { 'x-functions-key': world.functionKey }],
        ['a wrong key', { 'x-functions-key': 'not-a-key' }],
        ['a forged X-MS-CLIENT-PRINCIPAL', { 'x-ms-client-principal': forged, 'x-ms-client-principal-idp': 'aad' }],
        ['the token as a key', { 'x-functions-key': world.auth.tokens.networkAdmin }],
      ] as const) {
        const a = await call(r.method, path, { headers, token: false, body: '{}' });
        check('http-auth', `${r.method} ${r.route}: ${what}`, a, (s) => s === 401);
      }
    }
  });

  it('spoofed Host / X-Forwarded-* headers never end up in the URLs the API hands out', async () => {
    const a = await call('POST', `/api/registries/${world.sim.subscriptionId}/${DEMO.rg}/hostilespoof/harden?mode=plan`, {
      body: '{}', headers: { host: 'evil.example.com', 'x-forwarded-host': 'evil.example.com', 'x-forwarded-proto': 'http', 'x-original-url': '/admin' },
    });
    const pointsAway = /evil\.example\.com/i.test(`${a.text}${JSON.stringify(a.headers)}`);
    record({ area: 'http-header', tried: 'spoofed Host and X-Forwarded-*', held: a.status < 500 && !pointsAway, result: `${a.status}${pointsAway ? ' points at the spoofed host' : ''}` });
    expect(a.status).toBeLessThan(500);
    expect(pointsAway).toBe(false);
  });

  it('malformed raw requests (folded header, duplicate keys, bad content-length) never get a 5xx', async () => {
    const url = new URL(world.host.baseUrl);
    const path = `/api/registries/${world.sim.subscriptionId}/${DEMO.rg}/hostileraw/harden`;
    const bearer = world.auth.tokens.networkAdmin;
    const raw = [
      ['folded authorization header', `POST ${path} HTTP/1.1\r\nHost: x\r\nauthorization: Bearer nope\r\n\t${bearer}\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}`],
      ['two tokens, one wrong', `POST ${path} HTTP/1.1\r\nHost: x\r\nauthorization: Bearer nope\r\nauthorization: Bearer ${bearer}\r\ncontent-type: application/json\r\nContent-Length: 13\r\nConnection: close\r\n\r\n{"mode":42}  `],
      ['content-length larger than the body', `POST ${path} HTTP/1.1\r\nHost: x\r\nauthorization: Bearer ${bearer}\r\nContent-Length: 99\r\nConnection: close\r\n\r\n{}`],
      ['header with a NUL', `GET ${path} HTTP/1.1\r\nHost: x\r\nauthorization: Bearer ${bearer}\r\nx-evil: a\u0000b\r\nConnection: close\r\n\r\n`],
    ] as const;
    for (const [tried, text] of raw) {
      const answer = await new Promise<string>((resolve) => {
        const s = connect(Number(url.port), url.hostname, () => {
          s.write(text);
          if (tried.startsWith('content-length')) setTimeout(() => s.end(), 300);
        });
        let got = '';
        s.on('data', (d: Buffer) => (got += d.toString('utf8')));
        s.on('close', () => resolve(got));
        s.on('error', () => resolve(got));
        s.setTimeout(5_000, () => s.destroy());
      });
      const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(answer)?.[1] ?? 0);
      const leaked = secrets.filter((k) => answer.split('\r\n\r\n').slice(1).join('').includes(k));
      const held = status < 500 && leaked.length === 0 && (status === 0 || status >= 400);
      record({ area: 'http-header', tried, held, result: status === 0 ? 'connection closed' : String(status) });
      expect({ tried, status: status < 500, leaked, refusedOrClosed: status === 0 || status >= 400 }).toEqual({ tried, status: true, leaked: [], refusedOrClosed: true });
    }
    expect(world.host.durable.getStatus(instanceIdFor(registryPath(world, DEMO.rg, 'hostileraw')))).toBeUndefined();
  });

  it('after all of it: zero ARM writes by the app', async () => {
    const writes = appWrites(await requestLog(world), world);
    record({ area: 'http', tried: 'ARM writes after the hostile battery', held: writes.length === 0, result: `${writes.length} writes` });
    expect(writes).toEqual([]);
  });
});
