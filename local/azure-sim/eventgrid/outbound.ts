import * as http from 'node:http';
import * as https from 'node:https';

/**
 * Event Grid's outbound HTTP (handshakes and deliveries): no keep-alive, a delivery timeout,
 * at most 64 KiB of a response kept; every request in flight is destroyed on stop.
 */
const DELIVERY_TIMEOUT_MS = 30_000;
const MIN_REAL_TIMEOUT_MS = 2_000;
const MAX_RESPONSE_BYTES = 64 * 1024;

export interface PostResult {
  status: number | null;
  body: string;
  headers: http.IncomingHttpHeaders;
  error?: string;
}

export type Send = (method: 'POST' | 'OPTIONS', endpoint: string, headers: Record<string, string>, body?: string) => Promise<PostResult>;

export interface Sender {
  send: Send;
  stop(): void;
}

/** `scaled` turns real time into the simulator's; the timeout never drops below MIN_REAL_TIMEOUT_MS. */
export function createSender(scaled: (ms: number) => number): Sender {
  const timeoutMs = Math.max(scaled(DELIVERY_TIMEOUT_MS), MIN_REAL_TIMEOUT_MS);
  const inflight = new Set<http.ClientRequest>();
  const httpAgent = new http.Agent({ keepAlive: false });
  const httpsAgent = new https.Agent({ keepAlive: false });

  const send: Send = (method, endpoint, headers, body) =>
    new Promise((resolve) => {
      let url: URL;
      try {
        url = new URL(endpoint);
      } catch {
        resolve({ status: null, body: '', headers: {}, error: 'invalid endpoint URL' });
        return;
      }
      const isHttps = url.protocol === 'https:';
      const payload = body === undefined ? undefined : Buffer.from(body, 'utf8');
      const req = (isHttps ? https : http).request(
        url,
        {
          method,
          agent: isHttps ? httpsAgent : httpAgent,
          headers: { ...headers, ...(payload ? { 'content-length': String(payload.length) } : {}) },
        },
        (res) => {
          const chunks: Buffer[] = [];
          let size = 0;
          res.on('data', (c: Buffer) => {
            size += c.length;
            if (size <= MAX_RESPONSE_BYTES) chunks.push(c);
          });
          res.on('end', () => {
            inflight.delete(req);
            resolve({ status: res.statusCode ?? null, body: Buffer.concat(chunks).toString('utf8'), headers: res.headers });
          });
          res.on('error', (err) => {
            inflight.delete(req);
            resolve({ status: null, body: '', headers: {}, error: err.message });
          });
        },
      );
      inflight.add(req);
      req.setTimeout(timeoutMs, () => req.destroy(new Error('timeout')));
      req.on('error', (err) => {
        inflight.delete(req);
        resolve({ status: null, body: '', headers: {}, error: err.message === 'timeout' ? 'timeout' : err.message });
      });
      req.end(payload);
    });

  function stop(): void {
    for (const r of inflight) r.destroy();
    inflight.clear();
    httpAgent.destroy();
    httpsAgent.destroy();
  }

  return { send, stop };
}
