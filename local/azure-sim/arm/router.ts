import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ARM_AUDIENCE } from '../tokens';
import { API_VERSIONS } from './api-versions';
import type { ArmRequest, ArmResult, AuthorizationCheck, HttpMethod, Route } from './context';
import { enforceDenyAssignment, isInsideResourceGroup } from './deny-assignment';
import { ArmError, armErrors } from './errors';
import type { FaultInjector } from './faults';
import { actionForRequest, isSubscriptionOperationPath, needsNoAction, scopeOfPath } from './rbac';
import type { RequestLog, RequestLogEntry } from './request-log';
import type { SimState } from './state';
import type { Throttle } from './throttle';

interface CompiledRoute {
  route: Route;
  segments: { literal?: string; param?: string }[];
  literals: number;
}

function compile(route: Route): CompiledRoute {
  const segments = route.template
    .split('/')
    .filter(Boolean)
    .map((s) => (s.startsWith('{') && s.endsWith('}') ? { param: s.slice(1, -1) } : { literal: s.toLowerCase() }));
  return { route, segments, literals: segments.filter((s) => s.literal).length };
}

function match(c: CompiledRoute, parts: string[]): Record<string, string> | undefined {
  if (c.segments.length !== parts.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < parts.length; i++) {
    const seg = c.segments[i];
    const part = parts[i] ?? '';
    if (!seg) return undefined;
    if (seg.literal !== undefined) {
      if (seg.literal !== part.toLowerCase()) return undefined;
    } else if (seg.param) {
      params[seg.param] = part;
    }
  }
  return params;
}

export interface ArmRouterDeps {
  state: SimState;
  throttle: Throttle;
  faults: FaultInjector;
  log: RequestLog;
  routes: Route[];
  /** non-ARM handlers on the same https server (discovery, Event Grid topics); return true when handled */
  extra?: (req: IncomingMessage, res: ServerResponse, path: string) => boolean;
}

const METHODS: readonly HttpMethod[] = ['GET', 'PUT', 'PATCH', 'POST', 'DELETE', 'HEAD'];

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function header(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

/** The ARM front door: faults, auth, routing, api-version, throttling, authorization, the provider's own limits, provider call, log. */
export function createArmHandler(deps: ArmRouterDeps): (req: IncomingMessage, res: ServerResponse) => void {
  const compiled = deps.routes.map(compile).sort((a, b) => b.literals - a.literals);

  return (req, res) => {
    void handle(req, res).catch((e: unknown) => {
      if (!res.headersSent) {
        res.writeHead(500, { 'content-type': 'application/json; charset=utf-8' });
        res.end(JSON.stringify(armErrors.internal(String(e)).toBody()));
      }
    });
  };

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const { state } = deps;
    // clients that join the endpoint and an id may send `//subscriptions/…`: collapse repeated slashes
    const url = new URL((req.url ?? '/').replace(/^\/{2,}/, '/').replace(/([^:])\/{2,}/g, '$1/'), state.armBase || 'https://127.0.0.1');
    const path = url.pathname;
    // fault injection comes first: it models failures anywhere on the path (discovery and Event Grid topics too)
    const fault = deps.faults.take(req.method ?? 'GET', path);
    if (fault?.kind === 'slow') await new Promise((r) => setTimeout(r, fault.delayMs ?? 5000));
    const answered = fault !== undefined && ['hang', 'reset', 'conflict', 'respond'].includes(fault.kind);
    if (!answered && deps.extra?.(req, res, path)) return;

    const method = (req.method ?? 'GET').toUpperCase() as HttpMethod;
    const requestId = randomUUID();
    const correlationId = header(req, 'x-ms-correlation-request-id') ?? randomUUID();
    const clientRequestId = header(req, 'x-ms-client-request-id') ?? '';
    const apiVersion = url.searchParams.get('api-version');
    const started = new Date();
    let principal: string | null = null;
    let throttledBy: RequestLogEntry['throttledBy'];
    const checks: AuthorizationCheck[] = [];
    const baseHeaders: Record<string, string> = {
      'x-ms-request-id': requestId,
      'x-ms-correlation-request-id': correlationId,
      'x-ms-routing-request-id': `LOCAL:${started.toISOString().replace(/[-:.]/g, '')}:${requestId}`,
      'cache-control': 'no-cache',
      'strict-transport-security': 'max-age=31536000; includeSubDomains',
      'x-content-type-options': 'nosniff',
    };
    if (clientRequestId) baseHeaders['x-ms-client-request-id'] = clientRequestId;

    const send = (result: ArmResult): void => {
      const headers: Record<string, string> = { ...baseHeaders, ...(result.headers ?? {}) };
      let payload: string | undefined;
      if (result.body !== undefined && method !== 'HEAD') {
        payload = JSON.stringify(result.body);
        headers['content-type'] = 'application/json; charset=utf-8';
      }
      headers['content-length'] = String(payload ? Buffer.byteLength(payload) : 0);
      res.writeHead(result.status, headers);
      res.end(payload);
      const own = checks.find((c) => !c.linked);
      const linked = checks.filter((c) => c.linked).map((c) => c.action);
      const denied = checks.filter((c) => !c.allowed).map((c) => c.action);
      deps.log.add({
        method,
        path,
        status: result.status,
        time: started.toISOString(),
        principal,
        ...(apiVersion ? { apiVersion } : {}),
        ...(own ? { action: own.action } : {}),
        ...(linked.length ? { linkedActions: linked } : {}),
        ...(denied.length ? { denied } : {}),
        ...(throttledBy ? { throttledBy } : {}),
      });
    };
    const sendError = (e: ArmError): void => send({ status: e.status, body: e.toBody(), headers: e.headers });

    const rawBody = await readBody(req);

    if (fault?.kind === 'hang') {
      deps.log.add({ method, path, status: 0, time: started.toISOString(), principal: null });
      return;
    }
    if (fault?.kind === 'reset') {
      deps.log.add({ method, path, status: 0, time: started.toISOString(), principal: null });
      req.socket.destroy();
      return;
    }
    if (fault?.kind === 'conflict') {
      sendError(armErrors.anotherOperationInProgress(path.replace(/\/+$/, ''), randomUUID()));
      return;
    }
    if (fault?.kind === 'respond') {
      const status = fault.status ?? 500;
      send({ status, body: fault.body ?? armErrors.internal().toBody(), headers: fault.headers ?? {} });
      return;
    }

    // authentication
    const verdict = state.tokens.verify(header(req, 'authorization'), ARM_AUDIENCE);
    if (!verdict.ok) {
      const e = new ArmError(401, verdict.code, verdict.message, undefined, {
        'WWW-Authenticate': `Bearer authorization_uri="https://login.microsoftonline.com/${state.options.tenantId}", error="invalid_token", error_description="${verdict.message.replace(/"/g, "'")}"`,
      });
      sendError(e);
      return;
    }
    const claims = verdict.claims;
    principal = String(claims.oid);

    if (!METHODS.includes(method)) {
      sendError(armErrors.methodNotAllowed(method, path));
      return;
    }

    const parts = path.split('/').filter(Boolean).map((p) => decodeURIComponent(p));
    let found: { route: Route; params: Record<string, string> } | undefined;
    let pathMatched = false;
    for (const wanted of method === 'HEAD' ? ['HEAD', 'GET'] : [method]) {
      for (const c of compiled) {
        const params = match(c, parts);
        if (!params) continue;
        pathMatched = true;
        if (c.route.method === wanted) {
          found = { route: c.route, params };
          break;
        }
      }
      if (found) break;
    }
    if (!found) {
      sendError(pathMatched ? armErrors.methodNotAllowed(method, path) : armErrors.noRoute(method, path));
      return;
    }
    if (!apiVersion) {
      sendError(armErrors.missingApiVersion());
      return;
    }
    const supported = API_VERSIONS[found.route.apiGroup];
    if (!supported.includes(apiVersion)) {
      sendError(armErrors.invalidApiVersion(apiVersion, supported));
      return;
    }

    const kind = method === 'GET' || method === 'HEAD' ? 'read' : 'write';
    const subscriptionId = found.params.subscriptionId ?? state.options.subscriptionId;
    const t = deps.throttle.take(subscriptionId, principal, kind);
    const remainingHeader = kind === 'read' ? 'x-ms-ratelimit-remaining-subscription-reads' : 'x-ms-ratelimit-remaining-subscription-writes';
    baseHeaders[remainingHeader] = String(t.remaining);
    baseHeaders[kind === 'read' ? 'x-ms-ratelimit-remaining-subscription-global-reads' : 'x-ms-ratelimit-remaining-subscription-global-writes'] = String(t.remaining);
    if (!t.ok) {
      const e = armErrors.throttled(kind, subscriptionId, principal, t.retryAfterSeconds);
      // time-scaled run: the wait ARM would ask for, scaled (Retry-After rounds it up to whole seconds)
      if (t.retryAfterMs !== t.retryAfterSeconds * 1000) Object.assign(e.headers, { 'Retry-After': String(Math.ceil(t.retryAfterMs / 1000)), 'retry-after-ms': String(t.retryAfterMs) });
      throttledBy = 'arm';
      sendError(e);
      return;
    }

    // authorization: the caller's role assignment must cover the request's action
    const action = needsNoAction(path) ? undefined : actionForRequest(method, path);
    if (action) {
      const scope = scopeOfPath(path);
      const allowed = isSubscriptionOperationPath(path)
        ? state.rbac.allowsSomewhereIn(principal, action, `/subscriptions/${found.params.subscriptionId ?? ''}`)
        : state.rbac.allows(principal, action, scope);
      checks.push({ action, scope, linked: false, allowed });
      if (!allowed) {
        sendError(armErrors.authorizationFailed(principal, action, scope));
        return;
      }
      // the registry's deny assignment on its managed resource group (profile flag managedRgDenyAssignment)
      if (kind === 'write' && isInsideResourceGroup(path)) {
        try {
          enforceDenyAssignment(state, principal, action, scopeOfPath(path));
        } catch (e) {
          if (!(e instanceof ArmError)) throw e;
          sendError(e);
          return;
        }
      }
    }

    // what ARM let through reaches the resource provider, which applies its own limits (the Network RP's windows)
    const limited = deps.throttle.takeProvider(path, subscriptionId, kind);
    if (limited) {
      baseHeaders[kind === 'read' ? 'x-ms-ratelimit-remaining-subscription-resource-entities-read' : 'x-ms-ratelimit-remaining-subscription-resource-requests'] = String(limited.remaining);
      if (!limited.ok) {
        const e = armErrors.providerThrottled('Microsoft.Network', kind, subscriptionId, limited.limit.limit, limited.limit.windowSeconds, limited.retryAfterSeconds);
        if (limited.retryAfterMs !== limited.retryAfterSeconds * 1000) Object.assign(e.headers, { 'Retry-After': String(Math.ceil(limited.retryAfterMs / 1000)), 'retry-after-ms': String(limited.retryAfterMs) });
        throttledBy = limited.provider;
        sendError(e);
        return;
      }
    }

    let body: unknown = undefined;
    if (rawBody.trim() !== '') {
      try {
        body = JSON.parse(rawBody) as unknown;
      } catch (e) {
        sendError(armErrors.invalidRequestContent(`Unexpected character encountered while parsing value. ${(e as Error).message}`));
        return;
      }
    }

    const armReq: ArmRequest = {
      method,
      path,
      query: url.searchParams,
      apiVersion,
      headers: req.headers,
      body,
      params: found.params,
      claims,
      principalId: principal,
      correlationId,
      requestId,
      clientRequestId,
      clientIp: req.socket.remoteAddress ?? '127.0.0.1',
      url: `${state.armBase}${req.url ?? path}`,
      checks,
      ...(fault?.kind === 'lroStall' && fault.released ? { injectedLroStall: fault.released } : {}),
      ...(fault?.kind === 'lroFail'
        ? {
            injectedLroFailure:
              fault.body && typeof fault.body === 'object' && 'error' in fault.body
                ? (fault.body as { error: { code: string; message: string } }).error
                : { code: 'InternalServerError', message: 'The operation failed (injected fault).' },
          }
        : {}),
    };
    try {
      send(await found.route.handler(armReq));
    } catch (e) {
      sendError(e instanceof ArmError ? e : armErrors.internal(e instanceof Error ? e.message : String(e)));
    }
  }
}
