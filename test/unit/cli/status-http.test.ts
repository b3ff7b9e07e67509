import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fetchStatus } from '../../../src/hardening/cli';
import { parseRegistryId } from '../../../src/hardening/domain/registry';

const REG = parseRegistryId('/subscriptions/0b1f6471-1bf0-4dda-aec3-cb9272f09590/resourceGroups/rg-ml/providers/Microsoft.MachineLearningServices/registries/demoreg');

interface Seen {
  path: string;
  /** the Authorization header that reached it */
  authorization: string | undefined;
}

/** A plain http server on 127.0.0.1 that records what reached it. */
async function server(answer: (path: string) => { status: number; headers?: Record<string, string>; body?: string }): Promise<{ url: string; seen: Seen[]; close(): Promise<void> }> {
  const seen: Seen[] = [];
  const s: Server = createServer((req, res) => {
    seen.push({ path: req.url ?? '', authorization: req.headers.authorization });
    const a = answer(req.url ?? '');
    res.writeHead(a.status, a.headers ?? {});
    res.end(a.body ?? '');
  });
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(s.address() as AddressInfo).port}`, seen, close: () => new Promise<void>((resolve) => s.close(() => resolve())) };
}

describe('aml-lockdown status on the wire: the bearer token goes only to --api', () => {
  it('a 302 to another host is answered HTTP.REDIRECT_REFUSED: the other host sees nothing, the token included', async () => {
    const other = await server(() => ({ status: 200, headers: { 'content-type': 'application/json' }, body: '{"instanceId":"x","runtimeStatus":"Completed","steps":[]}' }));
    const api = await server(() => ({ status: 302, headers: { location: `${other.url}/steal` } }));
    try {
      const answer = await fetchStatus({ api: api.url, token: 'secret-token', registry: REG });
      expect(answer).toMatchObject({ kind: 'error', httpStatus: 302, code: 'HTTP.REDIRECT_REFUSED' });
      expect(api.seen).toHaveLength(1);
      expect(api.seen[0]?.authorization).toBe('Bearer secret-token');
      expect(other.seen).toEqual([]);
    } finally {
      await Promise.all([api.close(), other.close()]);
    }
  });

  it('a redirect on the same host is not followed either (307, 301)', async () => {
    for (const status of [301, 307, 308]) {
      const api = await server((path) => (path.startsWith('/moved') ? { status: 200, body: '{}' } : { status, headers: { location: '/moved' } }));
      try {
        const answer = await fetchStatus({ api: api.url, token: 't', registry: REG });
        expect(answer).toMatchObject({ kind: 'error', httpStatus: status, code: 'HTTP.REDIRECT_REFUSED' });
        expect(api.seen.map((s) => s.path.startsWith('/moved'))).toEqual([false]);
      } finally {
        await api.close();
      }
    }
  });

  it('an ordinary answer still works', async () => {
    const api = await server(() => ({ status: 200, headers: { 'content-type': 'application/json' }, body: '{"instanceId":"i","runtimeStatus":"Running","steps":[],"output":null,"createdTime":"","lastUpdatedTime":""}' }));
    try {
      const answer = await fetchStatus({ api: api.url, token: 't', registry: REG });
      expect(answer).toMatchObject({ kind: 'status', body: { instanceId: 'i', runtimeStatus: 'Running' } });
    } finally {
      await api.close();
    }
  });
});
