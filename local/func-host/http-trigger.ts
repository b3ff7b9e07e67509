/** HTTP triggers: route templates, matching, and the request/response conversion of the host. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AuthLevel } from './keys';
import type { Registration, RpcHttpCookie, RpcHttpData, RpcTypedData } from './types';

type Segment =
  | { kind: 'literal'; value: string }
  | { kind: 'param'; name: string; optional: boolean; constraint?: string; defaultValue?: string }
  | { kind: 'catchAll'; name: string };

export interface HttpRoute {
  registration: Registration;
  template: string;
  segments: Segment[];
  methods: Set<string> | undefined;
  authLevel: AuthLevel;
}

export function parseRouteTemplate(template: string): Segment[] {
  const cleaned = template.replace(/^\/+|\/+$/g, '');
  if (cleaned === '') return [];
  return cleaned.split('/').map((part): Segment => {
    const m = /^\{(\*{1,2})?([A-Za-z_][\w]*)(?::([^=?}]+))?(\?)?(?:=([^}]*))?\}$/.exec(part);
    if (!m) {
      if (part.includes('{')) throw new Error(`Unsupported route segment "${part}" in "${template}"`);
      return { kind: 'literal', value: part };
    }
    const [, star, name = '', constraint, optional, defaultValue] = m;
    if (star) return { kind: 'catchAll', name };
    return { kind: 'param', name, optional: optional === '?' || defaultValue !== undefined, constraint, defaultValue };
  });
}

function constraintOk(constraint: string | undefined, value: string): boolean {
  if (!constraint) return true;
  return constraint.split(':').every((c) => {
    const lc = c.toLowerCase();
    if (lc === 'int' || lc === 'long') return /^-?\d+$/.test(value);
    if (lc === 'alpha') return /^[A-Za-z]+$/.test(value);
    if (lc === 'bool') return /^(true|false)$/i.test(value);
    if (lc === 'guid') return /^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i.test(value);
    if (lc === 'double' || lc === 'float' || lc === 'decimal') return value.trim() !== '' && !Number.isNaN(Number(value));
    const len = /^(minlength|maxlength|length)\((\d+)\)$/i.exec(c);
    if (len) {
      const n = Number(len[2]);
      const k = (len[1] ?? '').toLowerCase();
      return k === 'minlength' ? value.length >= n : k === 'maxlength' ? value.length <= n : value.length === n;
    }
    const rx = /^regex\((.*)\)$/i.exec(c);
    if (rx) return new RegExp(rx[1] ?? '', 'i').test(value);
    return true;
  });
}

/** Matches decoded path segments (after the route prefix) against a route. */
export function matchRoute(segments: Segment[], pathSegments: string[]): Record<string, string> | undefined {
  const params: Record<string, string> = {};
  let i = 0;
  for (let s = 0; s < segments.length; s++) {
    const seg = segments[s]!;
    const value = pathSegments[i];
    if (seg.kind === 'catchAll') {
      const rest = pathSegments.slice(i);
      if (rest.length > 0) params[seg.name] = rest.join('/');
      return params;
    }
    if (value === undefined) {
      if (seg.kind === 'param' && seg.optional) {
        if (seg.defaultValue !== undefined) params[seg.name] = seg.defaultValue;
        continue;
      }
      return undefined;
    }
    if (seg.kind === 'literal') {
      if (seg.value.toLowerCase() !== value.toLowerCase()) return undefined;
    } else {
      if (value === '' || !constraintOk(seg.constraint, value)) return undefined;
      params[seg.name] = value;
    }
    i++;
  }
  return i === pathSegments.length ? params : undefined;
}

function rank(seg: Segment): number {
  if (seg.kind === 'literal') return 0;
  if (seg.kind === 'catchAll') return 4;
  if (seg.constraint) return 1;
  return seg.optional ? 3 : 2;
}

/** ASP.NET-like precedence: literals before parameters before optional before catch-all. */
export function compareRoutes(a: HttpRoute, b: HttpRoute): number {
  const n = Math.max(a.segments.length, b.segments.length);
  for (let i = 0; i < n; i++) {
    const ra = a.segments[i] ? rank(a.segments[i]!) : 5;
    const rb = b.segments[i] ? rank(b.segments[i]!) : 5;
    if (ra !== rb) return ra - rb;
  }
  return a.template.localeCompare(b.template);
}

export function buildHttpRoutes(registrations: Iterable<Registration>): HttpRoute[] {
  const routes: HttpRoute[] = [];
  for (const reg of registrations) {
    if (reg.triggerType.toLowerCase() !== 'httptrigger') continue;
    const trig = reg.trigger;
    const template = typeof trig.route === 'string' && trig.route.trim() !== '' ? trig.route : reg.name;
    const methods = Array.isArray(trig.methods) && trig.methods.length > 0 ? new Set(trig.methods.map((m) => String(m).toUpperCase())) : undefined;
    const level = typeof trig.authLevel === 'string' ? trig.authLevel.toLowerCase() : 'function';
    const authLevel: AuthLevel = level === 'anonymous' ? 'anonymous' : level === 'admin' ? 'admin' : 'function';
    routes.push({ registration: reg, template, segments: parseRouteTemplate(template), methods, authLevel });
  }
  return routes.sort(compareRoutes);
}

export function findRoute(
  routes: HttpRoute[],
  method: string,
  pathSegments: string[],
): { route: HttpRoute; params: Record<string, string> } | undefined {
  for (const route of routes) {
    if (route.methods && !route.methods.has(method.toUpperCase())) continue;
    const params = matchRoute(route.segments, pathSegments);
    if (params) return { route, params };
  }
  return undefined;
}

export function buildRpcHttpRequest(
  req: IncomingMessage,
  url: URL,
  body: Buffer,
  params: Record<string, string>,
): RpcHttpData {
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(req.headers)) {
    if (v === undefined) continue;
    headers[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : v;
  }
  const query: Record<string, string> = {};
  for (const [k, v] of url.searchParams) query[k] = k in query ? `${query[k]},${v}` : v;
  const method = (req.method ?? 'GET').toUpperCase();
  const data: RpcHttpData = { method, url: url.toString(), headers, query, params };
  if (body.length > 0 && method !== 'GET' && method !== 'HEAD') data.body = { bytes: body };
  return data;
}

function cookieHeader(c: RpcHttpCookie): string | undefined {
  if (!c.name) return undefined;
  const parts = [`${c.name}=${c.value ?? ''}`];
  if (c.domain?.value) parts.push(`Domain=${c.domain.value}`);
  if (c.path?.value) parts.push(`Path=${c.path.value}`);
  const seconds = c.expires?.value?.seconds;
  if (typeof seconds === 'number') parts.push(`Expires=${new Date(seconds * 1000).toUTCString()}`);
  if (typeof c.maxAge?.value === 'number') parts.push(`Max-Age=${c.maxAge.value}`);
  if (c.secure?.value) parts.push('Secure');
  if (c.httpOnly?.value) parts.push('HttpOnly');
  const sameSite = typeof c.sameSite === 'string' ? c.sameSite.toLowerCase() : c.sameSite;
  if (sameSite === 'strict' || sameSite === 1) parts.push('SameSite=Strict');
  else if (sameSite === 'lax' || sameSite === 2) parts.push('SameSite=Lax');
  else if (sameSite === 'explicitnone' || sameSite === 'none' || sameSite === 3) parts.push('SameSite=None');
  return parts.join('; ');
}

function typedDataToBuffer(data: RpcTypedData | null | undefined): Buffer {
  if (!data) return Buffer.alloc(0);
  if (data.bytes) return Buffer.from(data.bytes);
  if (data.stream) return Buffer.from(data.stream);
  if (typeof data.string === 'string') return Buffer.from(data.string);
  if (typeof data.json === 'string') return Buffer.from(data.json);
  if (typeof data.int === 'number') return Buffer.from(String(data.int));
  if (typeof data.double === 'number') return Buffer.from(String(data.double));
  return Buffer.alloc(0);
}

/** Writes the worker's `{ http: RpcHttpData }` (or nothing) as the HTTP response. */
export function writeRpcHttpResponse(res: ServerResponse, value: RpcTypedData | null | undefined): void {
  const http: RpcHttpData | undefined = value?.http ?? undefined;
  if (!http) {
    res.statusCode = 204;
    res.end();
    return;
  }
  const status = Number(http.statusCode ?? 200);
  res.statusCode = Number.isInteger(status) && status >= 100 && status <= 599 ? status : 200;
  for (const [k, v] of Object.entries(http.headers ?? {})) {
    if (k.toLowerCase() === 'set-cookie') continue;
    try {
      res.setHeader(k, v);
    } catch {
      // invalid header name/value from the app: skip it as the host would reject it
    }
  }
  const cookies = (http.cookies ?? []).map(cookieHeader).filter((c): c is string => c !== undefined);
  const setCookie = (http.headers ?? {})['set-cookie'];
  if (setCookie) cookies.unshift(setCookie);
  if (cookies.length > 0) res.setHeader('Set-Cookie', cookies);
  const body = typedDataToBuffer(http.body);
  if (res.statusCode === 204 || res.statusCode === 304) {
    res.end();
    return;
  }
  res.setHeader('Content-Length', body.length);
  res.end(body);
}
