import type * as http from 'node:http';

/** Inbound HTTP helpers shared by the admin API and the custom-topic endpoint. */
export const MAX_BODY_BYTES = 1024 * 1024;

export const json = (res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void => {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
};

export const noContent = (res: http.ServerResponse, status = 204): void => {
  res.writeHead(status, { 'content-length': 0 });
  res.end();
};

/** An error in Event Grid's shape: { error: { code, message, details } }. */
export const egError = (res: http.ServerResponse, status: number, code: string, message: string, details: { code: string; message: string }[] = []): void =>
  json(res, status, { error: { code, message, details } });

/** A 500 for an unexpected throw, or a dropped connection if the answer had already begun. */
export function internalError(res: http.ServerResponse, err: unknown): void {
  if (!res.headersSent) egError(res, 500, 'InternalServerError', err instanceof Error ? err.message : String(err));
  else res.destroy();
}

export async function readBody(req: http.IncomingMessage, limit: number): Promise<Buffer | 'too-large'> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buf = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk));
    size += buf.length;
    if (size > limit) return 'too-large';
    chunks.push(buf);
  }
  return Buffer.concat(chunks);
}
