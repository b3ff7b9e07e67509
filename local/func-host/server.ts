/** Request dispatch of the local host: HTTP triggers, Event Grid webhook, durable endpoints, admin API. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AppServiceAuth } from './app-service-auth';
import { DurableClientApi, RPC_BASE_PATH, WEBHOOK_BASE_PATH } from './durable/client-api';
import { EVENTGRID_PATH, findEventGridFunction, handleEventGrid } from './eventgrid-trigger';
import { buildRpcHttpRequest, findRoute, writeRpcHttpResponse, type HttpRoute } from './http-trigger';
import { ClientAbortedError, PayloadTooLargeError, presentedKey, readBody, sendEmpty, sendJson } from './http-util';
import type { Invoker } from './invoker';
import { DURABLETASK_SYSTEM_KEY, EVENTGRID_SYSTEM_KEY, isAuthorized } from './keys';
import type { HostKeys, Logger, Registration, RpcParameterBinding } from './types';
import { errorMessage, errorStack } from './types';

export interface DispatcherOptions {
  routes: HttpRoute[];
  routePrefix: string;
  registrations: Map<string, Registration>;
  keys: Required<HostKeys>;
  invoker: Invoker;
  clientApi: DurableClientApi;
  logger: Logger;
  maxBodyBytes: number;
  baseUrl(): string;
  /** App Service Authentication in front of every request (off when unset) */
  auth?: AppServiceAuth;
}

export class Dispatcher {
  constructor(private readonly o: DispatcherOptions) {}

  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let url: URL;
    try {
      url = new URL(req.url ?? '/', this.o.baseUrl());
    } catch {
      return sendEmpty(res, 400);
    }
    const path = url.pathname;
    const lower = path.toLowerCase();
    try {
      // App Service Authentication stands in front of the site; the durable RPC endpoints are the
      // worker's own channel to the host (a loopback port in Azure), never reached through it
      if (this.o.auth && !lower.startsWith(RPC_BASE_PATH)) {
        const verdict = await this.o.auth.apply(req, path);
        if (verdict.kind === 'refuse') {
          req.resume();
          return sendEmpty(res, verdict.status, verdict.headers);
        }
      }
      if (lower === EVENTGRID_PATH || lower === `${EVENTGRID_PATH}/`) return await this.eventGrid(req, res, url);
      if (lower.startsWith(RPC_BASE_PATH)) return await this.o.clientApi.handle(req, res, url, path.slice(RPC_BASE_PATH.length));
      if (lower.startsWith(WEBHOOK_BASE_PATH)) {
        if (!isAuthorized(this.o.keys, 'system', presentedKey(req, url), DURABLETASK_SYSTEM_KEY)) return sendEmpty(res, 401);
        return await this.o.clientApi.handle(req, res, url, path.slice(WEBHOOK_BASE_PATH.length));
      }
      if (lower.startsWith('/admin/')) return await this.admin(req, res, url, lower);
      if (path === '/' && req.method === 'GET') return sendJson(res, 200, { state: 'Running', host: 'local func-host' });
      const prefix = this.o.routePrefix === '' ? '/' : `/${this.o.routePrefix.toLowerCase()}/`;
      if (lower.startsWith(prefix) || (this.o.routePrefix !== '' && lower === `/${this.o.routePrefix.toLowerCase()}`)) {
        const rest = path.slice(Math.min(prefix.length, path.length));
        return await this.httpTrigger(req, res, url, rest);
      }
      return sendEmpty(res, 404);
    } catch (err) {
      if (err instanceof PayloadTooLargeError) return sendEmpty(res, 413, { Connection: 'close' });
      if (err instanceof ClientAbortedError) {
        this.o.logger.warn(`Request ${req.method} ${path}: ${err.message}`);
        return void res.destroy();
      }
      this.o.logger.error(`Request ${req.method} ${path} failed: ${errorStack(err) ?? errorMessage(err)}`);
      if (!res.headersSent) sendEmpty(res, 500);
      else res.destroy();
    }
  }

  private async httpTrigger(req: IncomingMessage, res: ServerResponse, url: URL, rest: string): Promise<void> {
    let segments: string[];
    try {
      segments = rest.split('/').filter((s) => s !== '').map((s) => decodeURIComponent(s));
    } catch {
      return sendEmpty(res, 400);
    }
    const method = (req.method ?? 'GET').toUpperCase();
    const found = findRoute(this.o.routes, method, segments);
    if (!found) return sendEmpty(res, 404);
    const { route, params } = found;
    if (!isAuthorized(this.o.keys, route.authLevel, presentedKey(req, url))) return sendEmpty(res, 401);
    const body = await readBody(req, this.o.maxBodyBytes);
    const reg = route.registration;
    const rpcReq = buildRpcHttpRequest(req, url, body, params);
    const inputData: RpcParameterBinding[] = [{ name: reg.triggerName, data: { http: rpcReq } }, ...this.o.clientApi.extraInputs(reg)];
    let returnValue;
    let outputData;
    try {
      ({ returnValue, outputData } = await this.o.invoker.invoke(reg, { inputData }));
    } catch (err) {
      this.o.logger.error(`Function "${reg.name}" failed: ${errorStack(err) ?? errorMessage(err)}`);
      return sendEmpty(res, 500);
    }
    // app.http puts the response on $return; an explicit http output binding lands in outputData.
    const httpOut = returnValue?.http ? returnValue : outputData.find((o) => o.data.http)?.data;
    writeRpcHttpResponse(res, httpOut);
  }

  private async eventGrid(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    if (!isAuthorized(this.o.keys, 'system', presentedKey(req, url), EVENTGRID_SYSTEM_KEY)) return sendEmpty(res, 401);
    const name = url.searchParams.get('functionName') ?? url.searchParams.get('functionname');
    const reg = findEventGridFunction(this.o.registrations.values(), name);
    if (!reg) return sendJson(res, 404, { error: { code: 'NotFound', message: `No Event Grid function named "${name ?? ''}"` } });
    const body = await readBody(req, this.o.maxBodyBytes);
    await handleEventGrid(req, res, reg, body, async (r, event) => {
      try {
        await this.o.invoker.invoke(r, {
          inputData: [{ name: r.triggerName, data: { json: JSON.stringify(event) } }, ...this.o.clientApi.extraInputs(r)],
        });
      } catch (err) {
        this.o.logger.error(`Event Grid function "${r.name}" failed: ${errorStack(err) ?? errorMessage(err)}`);
        throw err;
      }
    });
  }

  /** A subset of the host admin API (master key): host status and manual runs of non-HTTP functions. */
  private async admin(req: IncomingMessage, res: ServerResponse, url: URL, lower: string): Promise<void> {
    if (!isAuthorized(this.o.keys, 'admin', presentedKey(req, url))) return sendEmpty(res, 401);
    if (lower === '/admin/host/status' && req.method === 'GET') return sendJson(res, 200, { state: 'Running', version: '4.0.0-local' });
    const m = /^\/admin\/functions\/([^/]+)$/.exec(url.pathname);
    if (m && req.method === 'POST') {
      const reg = this.o.registrations.get(decodeURIComponent(m[1]!).toLowerCase());
      if (!reg || ['httptrigger', 'orchestrationtrigger', 'activitytrigger', 'entitytrigger'].includes(reg.triggerType.toLowerCase())) return sendEmpty(res, 404);
      const text = (await readBody(req, this.o.maxBodyBytes)).toString('utf8');
      let input: unknown;
      try {
        const parsed: unknown = text.trim() === '' ? {} : JSON.parse(text);
        input = typeof parsed === 'object' && parsed !== null && 'input' in parsed ? (parsed as { input: unknown }).input : undefined;
      } catch {
        return sendEmpty(res, 400);
      }
      const isTimer = reg.triggerType.toLowerCase() === 'timertrigger';
      const data = isTimer
        ? { json: JSON.stringify({ Schedule: { AdjustForDST: true }, ScheduleStatus: null, IsPastDue: false }) }
        : typeof input === 'string'
          ? { string: input }
          : { json: JSON.stringify(input ?? null) };
      void this.o.invoker
        .invoke(reg, { inputData: [{ name: reg.triggerName, data }, ...this.o.clientApi.extraInputs(reg)] })
        .catch((err: unknown) => this.o.logger.error(`Manual run of "${reg.name}" failed: ${errorMessage(err)}`));
      return sendEmpty(res, 202);
    }
    return sendEmpty(res, 404);
  }
}
