/**
 * The durable client's HTTP contract: the `rpcBaseUrl` endpoints durable-functions 3.x calls
 * (`/durabletask/...`) and the webhook management URLs (`/runtime/webhooks/durabletask/...`)
 * that createCheckStatusResponse hands out. Paths, status codes and bodies follow the
 * Durable Functions extension's HttpApiHandler.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { readBody, sendEmpty, sendJson } from '../http-util';
import type { Registration, RpcParameterBinding } from '../types';
import { errorMessage } from '../types';
import { DurableError, type DurableEngine, type OrchestrationStatus } from './engine';
import type { RuntimeStatus } from './store';

export const RPC_BASE_PATH = '/durabletask/';
export const WEBHOOK_BASE_PATH = '/runtime/webhooks/durabletask/';
const RUNTIME_STATUSES: RuntimeStatus[] = ['Pending', 'Running', 'Completed', 'Failed', 'Terminated', 'ContinuedAsNew', 'Suspended'];

export interface ClientApiOptions {
  engine: DurableEngine;
  taskHubName: string;
  /** Base URL of the host, e.g. http://127.0.0.1:7071 */
  baseUrl(): string;
  /** The system key the webhook URLs carry as `code`. */
  systemKey: string;
}

export class DurableClientApi {
  constructor(private readonly opts: ClientApiOptions) {}

  managementUrls(instanceId: string, origin = this.opts.baseUrl()): Record<string, string> {
    const q = `taskHub=${encodeURIComponent(this.opts.taskHubName)}&connection=Storage&code=${encodeURIComponent(this.opts.systemKey)}`;
    const base = `${origin}${WEBHOOK_BASE_PATH}instances/${instanceId}`;
    return {
      id: instanceId,
      statusQueryGetUri: `${base}?${q}`,
      sendEventPostUri: `${base}/raiseEvent/{eventName}?${q}`,
      terminatePostUri: `${base}/terminate?reason={text}&${q}`,
      rewindPostUri: `${base}/rewind?reason={text}&${q}`,
      purgeHistoryDeleteUri: `${base}?${q}`,
      restartPostUri: `${base}/restart?${q}`,
      suspendPostUri: `${base}/suspend?reason={text}&${q}`,
      resumePostUri: `${base}/resume?reason={text}&${q}`,
    };
  }

  /** The `durableClient` input binding data (OrchestrationClientInputData). */
  clientInputData(): Record<string, unknown> {
    const origin = this.opts.baseUrl();
    const code = encodeURIComponent(this.opts.systemKey);
    return {
      taskHubName: this.opts.taskHubName,
      creationUrls: {
        createNewInstancePostUri: `${origin}${WEBHOOK_BASE_PATH}orchestrators/{functionName}[/{instanceId}]?code=${code}`,
        waitOnNewInstancePostUri: `${origin}${WEBHOOK_BASE_PATH}orchestrators/{functionName}[/{instanceId}]?timeout={timeoutInSeconds}&pollingInterval={intervalInSeconds}&code=${code}`,
      },
      managementUrls: this.managementUrls('INSTANCEID'),
      baseUrl: `${origin}/runtime/webhooks/durabletask`,
      requiredQueryStringParameters: `code=${code}`,
      rpcBaseUrl: `${origin}${RPC_BASE_PATH}`,
      httpBaseUrl: `${origin}/runtime/webhooks/durabletask`,
    };
  }

  extraInputs(reg: Registration): RpcParameterBinding[] {
    const out: RpcParameterBinding[] = [];
    for (const [name, b] of Object.entries(reg.metadata.bindings)) {
      const type = typeof b.type === 'string' ? b.type.toLowerCase() : '';
      if (b.direction === 'in' && (type === 'durableclient' || type === 'orchestrationclient')) {
        out.push({ name, data: { string: JSON.stringify(this.clientInputData()) } });
      }
    }
    return out;
  }

  private checkStatusResponse(res: ServerResponse, req: IncomingMessage, instanceId: string): void {
    const host = req.headers.host;
    const origin = host ? `http://${host}` : this.opts.baseUrl();
    const payload = this.managementUrls(instanceId, origin);
    sendJson(res, 202, payload, { Location: payload.statusQueryGetUri!, 'Retry-After': '10' });
  }

  private sendStatus(res: ServerResponse, url: URL, status: OrchestrationStatus): void {
    const running = ['Running', 'Pending', 'ContinuedAsNew', 'Suspended'].includes(status.runtimeStatus);
    const failed500 = status.runtimeStatus === 'Failed' && url.searchParams.get('returnInternalServerErrorOnFailure') === 'true';
    sendJson(res, running ? 202 : failed500 ? 500 : 200, status, running ? { Location: url.toString(), 'Retry-After': '5' } : {});
  }

  /** Handles a request whose path is below RPC_BASE_PATH or WEBHOOK_BASE_PATH (`rest` = the remainder). */
  async handle(req: IncomingMessage, res: ServerResponse, url: URL, rest: string): Promise<void> {
    const method = (req.method ?? 'GET').toUpperCase();
    const parts = rest.split('/').filter((p) => p !== '').map((p) => decodeURIComponent(p));
    const engine = this.opts.engine;
    try {
      if (parts[0]?.toLowerCase() === 'orchestrators' && parts.length >= 2 && parts.length <= 3) {
        if (method !== 'POST') return sendEmpty(res, 404);
        const body = (await readBody(req, 16 * 1024 * 1024)).toString('utf8');
        let input: unknown = undefined;
        if (body.trim() !== '') {
          try {
            input = JSON.parse(body) as unknown;
          } catch {
            return sendJson(res, 400, { Message: 'Invalid JSON content' });
          }
        }
        // durable-functions' startNew({ version }) sends ?version= (StartNewOptions.version)
        const rec = engine.startNew(parts[1]!, parts[2], input, undefined, url.searchParams.get('version') ?? undefined);
        return this.checkStatusResponse(res, req, rec.instanceId);
      }
      if (parts[0]?.toLowerCase() === 'entities') return sendJson(res, 501, { Message: 'Durable entities are not supported by the local host.' });
      if (parts[0]?.toLowerCase() !== 'instances') return sendEmpty(res, 404);
      const instanceId = parts[1];
      const operation = parts[2]?.toLowerCase();
      if (instanceId === undefined) {
        if (method === 'GET') return this.list(res, req, url);
        if (method === 'DELETE') return this.purgeBy(res, url);
        return sendEmpty(res, 404);
      }
      if (operation === undefined) {
        if (method === 'GET') {
          const flag = (k: string, d: boolean): boolean => {
            const v = url.searchParams.get(k);
            return v === null ? d : v.toLowerCase() === 'true';
          };
          const status = engine.getStatus(instanceId, { showHistory: flag('showHistory', false), showHistoryOutput: flag('showHistoryOutput', false), showInput: flag('showInput', true) });
          if (!status) return sendEmpty(res, 404);
          return this.sendStatus(res, url, status);
        }
        if (method === 'DELETE') {
          const n = engine.purge(instanceId);
          return n === 0 ? sendEmpty(res, 404) : sendJson(res, 200, { instancesDeleted: n });
        }
        return sendEmpty(res, 404);
      }
      if (method !== 'POST') return sendEmpty(res, 404);
      const reason = url.searchParams.get('reason') ?? '';
      switch (operation) {
        case 'raiseevent': {
          const eventName = parts[3];
          if (!eventName) return sendEmpty(res, 404);
          const text = (await readBody(req, 16 * 1024 * 1024)).toString('utf8');
          let data: unknown = null;
          if (text.trim() !== '') {
            try {
              data = JSON.parse(text) as unknown;
            } catch {
              return sendJson(res, 400, { Message: 'Invalid JSON content' });
            }
          }
          engine.raiseEvent(instanceId, eventName, data);
          return sendEmpty(res, 202);
        }
        case 'terminate':
          engine.terminate(instanceId, reason);
          return sendEmpty(res, 202);
        case 'suspend':
          engine.suspend(instanceId, reason);
          return sendEmpty(res, 202);
        case 'resume':
          engine.resumeInstance(instanceId, reason);
          return sendEmpty(res, 202);
        case 'rewind':
          engine.rewind(instanceId, reason);
          return sendEmpty(res, 202);
        case 'restart': {
          const rec = engine.restart(instanceId, url.searchParams.get('restartWithNewInstanceId') === 'true');
          return this.checkStatusResponse(res, req, rec.instanceId);
        }
        default:
          return sendEmpty(res, 404);
      }
    } catch (err) {
      if (err instanceof DurableError) {
        switch (err.code) {
          case 'NotFound':
            return sendEmpty(res, 404);
          case 'Gone':
            return sendEmpty(res, 410);
          case 'UnknownFunction':
            return sendJson(res, 400, { Message: 'One or more of the arguments submitted is incorrect', ExceptionMessage: err.message, ExceptionType: 'System.ArgumentException' });
          case 'Precondition':
            return sendJson(res, 412, err.message);
          case 'NotSupported':
            return sendJson(res, 501, err.message);
          case 'AlreadyExists':
            // The extension's StartNewAsync throws InvalidOperationException → HttpApiHandler answers 500.
            return sendJson(res, 500, { Message: 'Something went wrong while processing your request', ExceptionMessage: err.message, ExceptionType: 'System.InvalidOperationException' });
        }
      }
      return sendJson(res, 500, { Message: 'Something went wrong while processing your request', ExceptionMessage: errorMessage(err) });
    }
  }

  private list(res: ServerResponse, req: IncomingMessage, url: URL): void {
    const statuses = (url.searchParams.getAll('runtimeStatus').join(',') || '')
      .split(',')
      .map((s) => s.trim())
      .map((s) => RUNTIME_STATUSES.find((r) => r.toLowerCase() === s.toLowerCase()))
      .filter((s): s is RuntimeStatus => s !== undefined);
    const date = (k: string): Date | undefined => {
      const v = url.searchParams.get(k);
      const t = v ? Date.parse(v) : NaN;
      return Number.isNaN(t) ? undefined : new Date(t);
    };
    const top = Number(url.searchParams.get('top') ?? '');
    const token = req.headers['x-ms-continuation-token'];
    const { items, continuationToken } = this.opts.engine.list({
      runtimeStatus: statuses,
      createdTimeFrom: date('createdTimeFrom'),
      createdTimeTo: date('createdTimeTo'),
      instanceIdPrefix: url.searchParams.get('instanceIdPrefix') ?? undefined,
      top: Number.isInteger(top) && top > 0 ? top : undefined,
      continuationToken: typeof token === 'string' && token !== '' ? token : undefined,
      showInput: url.searchParams.get('showInput') !== 'false',
    });
    sendJson(res, 200, items, continuationToken ? { 'x-ms-continuation-token': continuationToken } : {});
  }

  private purgeBy(res: ServerResponse, url: URL): void {
    const from = Date.parse(url.searchParams.get('createdTimeFrom') ?? '');
    if (Number.isNaN(from)) return sendJson(res, 400, "Please provide value for 'createdTimeFrom' parameter.");
    const to = Date.parse(url.searchParams.get('createdTimeTo') ?? '');
    const statuses = (url.searchParams.get('runtimeStatus') ?? '')
      .split(',')
      .map((s) => RUNTIME_STATUSES.find((r) => r.toLowerCase() === s.trim().toLowerCase()))
      .filter((s): s is RuntimeStatus => s !== undefined);
    const n = this.opts.engine.purgeBy({ createdTimeFrom: new Date(from), createdTimeTo: Number.isNaN(to) ? new Date() : new Date(to), runtimeStatus: statuses });
    if (n === 0) return sendEmpty(res, 404);
    sendJson(res, 200, { instancesDeleted: n });
  }
}
