import * as http from 'node:http';
import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { WriteRecord } from '../../../local/azure-sim/store';

export interface RecordedRequest {
  method: string;
  path: string;
  headers: http.IncomingHttpHeaders;
  body: string;
  at: number;
}

export type Reply = { status: number; headers?: Record<string, string>; body?: string };
export type Script = (req: RecordedRequest, countForPath: number) => Reply;

/** A webhook receiver: records every request; each path answers by its script (default 200). */
export class Receiver {
  readonly requests: RecordedRequest[] = [];
  private readonly scripts = new Map<string, Script>();
  private server?: http.Server;
  base = '';

  on(path: string, script: Script): string {
    this.scripts.set(path, script);
    return `${this.base}${path}`;
  }

  at(path: string): RecordedRequest[] {
    return this.requests.filter((r) => r.path === path);
  }

  notifications(path: string): RecordedRequest[] {
    return this.at(path).filter((r) => r.method === 'POST' && r.headers['aeg-event-type'] === 'Notification');
  }

  async start(): Promise<void> {
    this.server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const rec: RecordedRequest = { method: req.method ?? '', path: (req.url ?? '').split('?')[0] ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8'), at: Date.now() };
        this.requests.push(rec);
        const script: Script = this.scripts.get(rec.path) ?? ((): Reply => ({ status: 200 }));
        const reply = script(rec, this.at(rec.path).length);
        res.writeHead(reply.status, reply.headers ?? {});
        res.end(reply.body ?? '');
      });
    });
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    this.base = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    const s = this.server;
    if (!s) return;
    s.closeAllConnections();
    await new Promise<void>((resolve) => s.close(() => resolve()));
  }
}

/** Answers Event Grid's SubscriptionValidation (Event Grid schema) and CloudEvents OPTIONS handshakes, then `then`. */
export function handshakeThen(then: Script = () => ({ status: 200 })): Script {
  return (req, n) => {
    if (req.method === 'OPTIONS') {
      return { status: 200, headers: { 'WebHook-Allowed-Origin': String(req.headers['webhook-request-origin'] ?? ''), Allow: 'POST, OPTIONS' } };
    }
    if (req.headers['aeg-event-type'] === 'SubscriptionValidation') {
      const [event] = JSON.parse(req.body) as { data: { validationCode: string } }[];
      return { status: 200, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ validationResponse: event?.data.validationCode }) };
    }
    return then(req, n);
  };
}

export async function waitFor<T>(probe: () => T | undefined | false, timeoutMs = 5000, what = 'condition'): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = probe();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

export async function startServer(
  handler: (req: http.IncomingMessage, res: http.ServerResponse) => void,
  create: (h: http.RequestListener) => http.Server = (h) => http.createServer(h),
): Promise<{ server: http.Server; port: number; stop(): Promise<void> }> {
  const server = create(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    server,
    port,
    stop: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

export function writeRecord(method: WriteRecord['method'], resourceId: string, operationName: string, tenantId: string): WriteRecord {
  const sub = /^\/subscriptions\/([^/]+)/i.exec(resourceId)?.[1] ?? '';
  const provider = /\/providers\/([^/]+)\//i.exec(resourceId)?.[1] ?? '';
  return {
    method,
    resourceId,
    operationName,
    resourceProvider: provider,
    subscriptionId: sub,
    tenantId,
    correlationId: randomUUID(),
    claims: { aud: 'https://management.azure.com/', iat: 1700000000, oid: 'oid-1', appid: 'app-1', tid: tenantId },
    authorization: { scope: resourceId, action: operationName, evidence: { role: 'Contributor' } },
    ...(method !== 'PUT' ? { httpRequest: { clientRequestId: randomUUID(), clientIpAddress: '127.0.0.1', method, url: `https://management.azure.com${resourceId}?api-version=2025-12-01` } } : {}),
    time: new Date().toISOString(),
  };
}
