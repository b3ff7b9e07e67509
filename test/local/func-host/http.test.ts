import { connect } from 'node:net';
import path from 'node:path';
import { startHost, tempDir, waitFor, type RunningHost } from './harness';
import { reuseAfterIdle } from '../../helpers/keep-alive';

let host: RunningHost;

beforeAll(async () => {
  const dir = tempDir('func-host-http');
  host = await startHost({ stateDir: path.join(dir, 'state'), sideEffectsFile: path.join(dir, 'effects.jsonl') });
});

afterAll(async () => {
  await host?.stop();
});

describe('local func host: loading', () => {
  it('registers every function of the app through @azure/functions-core, none hard-coded', () => {
    expect(host.registrations).toEqual(
      expect.arrayContaining(['hello:httpTrigger', 'onEvent:eventGridTrigger', 'tick:timerTrigger', 'retryFlow:orchestrationTrigger', 'flaky:activityTrigger']),
    );
  });
});

describe('local func host: HTTP triggers', () => {
  it('routes with an optional parameter', async () => {
    const a = await fetch(`${host.baseUrl}/api/hello/Ada`);
    expect(a.status).toBe(200);
    expect(await a.text()).toBe('Hello, Ada');
    const b = await fetch(`${host.baseUrl}/api/HELLO`);
    expect(await b.text()).toBe('Hello, world');
  });

  it('applies route constraints, literal precedence, query strings and catch-all parameters', async () => {
    const key = host.functionKey;
    const item = await fetch(`${host.baseUrl}/api/items/42?q=x`, { headers: { 'x-functions-key': key } });
    expect(item.status).toBe(200);
    expect(await item.json()).toEqual({ id: 42, q: 'x' });
    const special = await fetch(`${host.baseUrl}/api/items/special?code=${encodeURIComponent(key)}`);
    expect(await special.json()).toEqual({ special: true });
    const notInt = await fetch(`${host.baseUrl}/api/items/abc?code=${encodeURIComponent(key)}`);
    expect(notInt.status).toBe(404);
    const files = await fetch(`${host.baseUrl}/api/files/a/b/c.txt`);
    expect(await files.json()).toEqual({ path: 'a/b/c.txt' });
  });

  it('enforces auth levels: function key, admin (master key only)', async () => {
    expect((await fetch(`${host.baseUrl}/api/items/1`)).status).toBe(401);
    expect((await fetch(`${host.baseUrl}/api/items/1`, { headers: { 'x-functions-key': 'wrong' } })).status).toBe(401);
    expect((await fetch(`${host.baseUrl}/api/items/1?code=${host.keys.masterKey}`)).status).toBe(200);
    expect((await fetch(`${host.baseUrl}/api/ops/ping`, { headers: { 'x-functions-key': host.functionKey } })).status).toBe(401);
    const admin = await fetch(`${host.baseUrl}/api/ops/ping`, { headers: { 'x-functions-key': host.keys.masterKey } });
    expect(admin.status).toBe(200);
    expect(admin.headers.get('x-custom')).toBe('yes');
    expect(await admin.json()).toEqual({ pong: true });
  });

  it("keeps an idle keep-alive connection open past Node clients' 5 s reuse window (no reset for a request sent on it)", async () => {
    // idle longer than a 5 s keep-alive timeout would allow, then reuse the same connection
    const seen = await reuseAfterIdle(host.baseUrl, '/api/hello/keep', 6_000);
    expect(seen.closedWhileIdle).toBe(false);
    expect(seen.answers).toBe(2);
    expect(seen.received).toContain('Hello, keep');
  }, 20_000);

  it('answers 404 for unknown routes and methods a function does not accept', async () => {
    expect((await fetch(`${host.baseUrl}/api/nope`)).status).toBe(404);
    expect((await fetch(`${host.baseUrl}/api/hello`, { method: 'DELETE' })).status).toBe(404);
    expect((await fetch(`${host.baseUrl}/elsewhere`)).status).toBe(404);
  });

  it('turns a handler error into a 500 that leaks nothing', async () => {
    const res = await fetch(`${host.baseUrl}/api/boom`);
    expect(res.status).toBe(500);
    const body = await res.text();
    expect(body).not.toContain('secret');
    expect(body).not.toContain('/srv/app');
    expect(host.stderr()).toContain('secret internal detail');
  });

  it('passes the body, method and headers, and returns status, JSON and cookies', async () => {
    const res = await fetch(`${host.baseUrl}/api/echo`, { method: 'PUT', headers: { 'content-type': 'text/plain' }, body: 'hello body' });
    expect(res.status).toBe(201);
    expect(await res.json()).toEqual({ method: 'PUT', length: 10, contentType: 'text/plain', fn: 'echo' });
    expect(res.headers.get('set-cookie')).toMatch(/^seen=1;.*HttpOnly/);
  });

  it('rejects bodies over the limit with 413', async () => {
    const res = await fetch(`${host.baseUrl}/api/echo`, { method: 'POST', body: 'x'.repeat(1024 * 1024 + 1) });
    expect(res.status).toBe(413);
  });

  it('logs a client that went away before its body arrived as one warning line, without a stack', async () => {
    const url = new URL(host.baseUrl);
    await new Promise<void>((resolve) => {
      const s = connect(Number(url.port), url.hostname, () => {
        s.write('POST /api/echo HTTP/1.1\r\nHost: x\r\nContent-Length: 99\r\n\r\n{}', () => s.destroy());
      });
      s.on('close', () => resolve());
    });
    const line = await waitFor(() => host.stderr().split('\n').find((l) => l.includes('POST /api/echo')));
    expect(line).toMatch(/^\[func-host\] warn Request POST \/api\/echo: the client closed the connection before its request body arrived/);
    expect(host.stderr()).not.toMatch(/^\s+at .*_http_server/m);
  });

  it('serves the admin API with the master key only', async () => {
    expect((await fetch(`${host.baseUrl}/admin/host/status`)).status).toBe(401);
    const ok = await fetch(`${host.baseUrl}/admin/host/status`, { headers: { 'x-functions-key': host.keys.masterKey } });
    expect(await ok.json()).toMatchObject({ state: 'Running' });
  });
});
