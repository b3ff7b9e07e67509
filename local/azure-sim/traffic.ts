import { mkdirSync, writeFileSync } from 'node:fs';
import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import { join } from 'node:path';

/**
 * Traffic recording in oav's live-traffic format (`oav validate-traffic`, LiveValidator's
 * `validateLiveRequestResponse`): one JSON file per call,
 * `{ liveRequest: { url, method, headers, body }, liveResponse: { statusCode, headers, body } }`.
 * The recorder tees what the handler reads and writes; it never reads the request itself, so a
 * handler that waits before reading (a slow fault) sees the whole body. Bearer tokens are redacted.
 */
export interface LiveRequest {
  url: string;
  method: string;
  headers: Record<string, string>;
  body?: unknown;
}

export interface LiveResponse {
  /** a string, as oav's format has it */
  statusCode: string;
  headers: Record<string, string>;
  body?: unknown;
}

export interface TrafficRecord {
  liveRequest: LiveRequest;
  liveResponse: LiveResponse;
}

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

const REDACTED = new Set(['authorization', 'x-ms-authorization-auxiliary', 'aeg-sas-key', 'aeg-sas-token']);

function flatHeaders(headers: IncomingMessage['headers'] | OutgoingHttpHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    const key = name.toLowerCase();
    out[key] = REDACTED.has(key) ? '<redacted>' : Array.isArray(value) ? value.join(', ') : String(value);
  }
  return out;
}

/** JSON bodies as JSON, other non-empty bodies as text, an empty body absent. */
function bodyOf(raw: Buffer, contentType: string | undefined): unknown {
  if (raw.length === 0) return undefined;
  const text = raw.toString('utf8');
  if (contentType === undefined || /json/i.test(contentType)) {
    try {
      return JSON.parse(text) as unknown;
    } catch {
      return text;
    }
  }
  return text;
}

function chunkOf(chunk: unknown, encoding?: unknown): Buffer | undefined {
  if (chunk === undefined || chunk === null || typeof chunk === 'function') return undefined;
  if (Buffer.isBuffer(chunk)) return chunk;
  if (chunk instanceof Uint8Array) return Buffer.from(chunk);
  return Buffer.from(String(chunk), typeof encoding === 'string' ? (encoding as BufferEncoding) : 'utf8');
}

/** A file name that sorts by call order and says what the call was. */
function fileNameOf(seq: number, method: string, path: string): string {
  const slug = path.replace(/^\/+/, '').replace(/[^A-Za-z0-9._-]+/g, '_').slice(-120);
  return `${String(seq).padStart(6, '0')}-${method}-${slug}.json`;
}

/** Wraps a request handler so every call it answers is written to `dir` (created when missing). */
export function recordTraffic(handler: Handler, dir: string, baseUrl: () => string): Handler {
  mkdirSync(dir, { recursive: true });
  let seq = 0;
  return (req, res) => {
    const requestChunks: Buffer[] = [];
    const responseChunks: Buffer[] = [];
    const emit = req.emit.bind(req) as (event: string | symbol, ...args: unknown[]) => boolean;
    req.emit = ((event: string | symbol, ...args: unknown[]): boolean => {
      if (event === 'data') {
        const c = chunkOf(args[0]);
        if (c) requestChunks.push(c);
      }
      return emit(event, ...args);
    }) as typeof req.emit;
    // headers given to writeHead are sent without being kept in getHeaders(): keep them here
    const headArgs: Record<string, string> = {};
    const writeHead = res.writeHead.bind(res) as (...args: unknown[]) => ServerResponse;
    res.writeHead = ((...args: unknown[]): ServerResponse => {
      const given = args.find((a, i) => i > 0 && a !== null && typeof a === 'object');
      if (Array.isArray(given)) {
        for (let i = 0; i + 1 < given.length; i += 2) headArgs[String(given[i]).toLowerCase()] = String(given[i + 1]);
      } else if (given !== undefined) {
        Object.assign(headArgs, flatHeaders(given as OutgoingHttpHeaders));
      }
      return writeHead(...args);
    }) as typeof res.writeHead;
    const write = res.write.bind(res) as (...args: unknown[]) => boolean;
    res.write = ((...args: unknown[]): boolean => {
      const c = chunkOf(args[0], args[1]);
      if (c) responseChunks.push(c);
      return write(...args);
    }) as typeof res.write;
    const end = res.end.bind(res) as (...args: unknown[]) => ServerResponse;
    res.end = ((...args: unknown[]): ServerResponse => {
      const c = chunkOf(args[0], args[1]);
      if (c) responseChunks.push(c);
      return end(...args);
    }) as typeof res.end;
    const method = (req.method ?? 'GET').toUpperCase();
    // `//subscriptions/…` is a path (the router collapses the slashes too), not a protocol-relative URL
    const url = new URL((req.url ?? '/').replace(/^\/{2,}/, '/'), baseUrl() || 'https://127.0.0.1').href;
    const number = ++seq;
    res.on('finish', () => {
      const responseHeaders = { ...flatHeaders(res.getHeaders()), ...headArgs };
      const requestBody = bodyOf(Buffer.concat(requestChunks), req.headers['content-type']);
      const responseBody = bodyOf(Buffer.concat(responseChunks), responseHeaders['content-type']);
      const record: TrafficRecord = {
        liveRequest: { url, method, headers: flatHeaders(req.headers), ...(requestBody !== undefined ? { body: requestBody } : {}) },
        liveResponse: { statusCode: String(res.statusCode), headers: responseHeaders, ...(responseBody !== undefined ? { body: responseBody } : {}) },
      };
      writeFileSync(join(dir, fileNameOf(number, method, new URL(url).pathname)), `${JSON.stringify(record, null, 2)}\n`);
    });
    handler(req, res);
  };
}
