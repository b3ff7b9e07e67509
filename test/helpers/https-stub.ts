import { createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { issueServerCert, loadOrCreateDevCa } from '../../local/azure-sim/ca';
import { DEFAULT_DEV_CA_DIR } from '../../local/azure-sim/dev-ca';

export interface StubRequest {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
  body: string;
}

export type StubHandler = (req: StubRequest, res: ServerResponse) => void;

/**
 * A scripted https server for wire-level tests, with a certificate from the development CA
 * that `npm test` trusts through NODE_EXTRA_CA_CERTS — the client code under test is unchanged.
 */
export class HttpsStub {
  readonly requests: StubRequest[] = [];
  private server: Server | undefined;
  private handler: StubHandler = (_req, res) => {
    res.statusCode = 500;
    res.end();
  };

  get url(): string {
    const address = this.server?.address() as AddressInfo | null;
    if (!address) throw new Error('stub not started');
    return `https://127.0.0.1:${address.port}`;
  }

  async start(): Promise<this> {
    const cert = issueServerCert(loadOrCreateDevCa(DEFAULT_DEV_CA_DIR));
    this.server = createServer({ cert: cert.certPem, key: cert.keyPem }, (req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const request = { method: req.method ?? 'GET', path: req.url ?? '/', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') };
        this.requests.push(request);
        this.handler(request, res);
      });
    });
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    return this;
  }

  /** Answers each request with the next handler of a script (the last one repeats). */
  script(...handlers: StubHandler[]): void {
    let i = 0;
    this.requests.length = 0;
    this.handler = (req, res) => {
      const h = handlers[Math.min(i++, handlers.length - 1)];
      if (h) h(req, res);
    };
  }

  async stop(): Promise<void> {
    const s = this.server;
    if (!s) return;
    s.closeAllConnections();
    await new Promise<void>((resolve) => s.close(() => resolve()));
  }
}

export function json(status: number, body: unknown, headers: Record<string, string> = {}): StubHandler {
  return (_req, res) => {
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
    res.end(body === undefined ? undefined : JSON.stringify(body));
  };
}

export function empty(status: number, headers: Record<string, string> = {}): StubHandler {
  return (_req, res) => {
    res.writeHead(status, { 'content-length': '0', ...headers });
    res.end();
  };
}
