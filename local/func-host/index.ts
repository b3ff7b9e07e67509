/**
 * The local Azure Functions host: loads a compiled Node v4 app the way the Functions host does
 * and serves HTTP, Event Grid and timer triggers plus a durable engine (see local/func-host/README.md).
 */
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { loadApp } from './app-loader';
import { AppServiceAuth, type AppServiceAuthOptions } from './app-service-auth';
import { DurableClientApi } from './durable/client-api';
import { DurableEngine, type OrchestrationStatus } from './durable/engine';
import { InstanceStore } from './durable/store';
import { readHostSettings } from './host-json';
import { buildHttpRoutes } from './http-trigger';
import { Invoker } from './invoker';
import { DURABLETASK_SYSTEM_KEY, loadOrCreateKeys, normalizeKeys } from './keys';
import { setEnv } from './native';
import { Dispatcher } from './server';
import { TimerScheduler } from './timer';
import type { HostKeys, Logger, RpcParameterBinding } from './types';
import { defaultLogger, errorMessage } from './types';

export type { HostKeys, Logger } from './types';
export type { AppServiceAuthOptions } from './app-service-auth';
export type { OrchestrationStatus } from './durable/engine';

export interface FuncHostOptions {
  /** Folder with the app's package.json ("main" names the compiled entry files, globs allowed). */
  appDir: string;
  /** Default 7071; 0 picks a free port. */
  port?: number;
  host?: '127.0.0.1';
  /** Durable state, keys.json and timer status live here. */
  stateDir: string;
  /** Keys; default: `<stateDir>/keys.json`, created with random keys when missing. */
  keys?: HostKeys;
  /** host.json path; default `<appDir>/host.json`. */
  hostJson?: string;
  /** Applied to process.env before the app is loaded (app settings). */
  env?: Record<string, string>;
  /** Real time per durable time unit: 0.01 makes durable timers and retry backoff 100× faster. Default 1. */
  timeScale?: number;
  /** Default: stderr, or the file FUNC_HOST_LOG_FILE names (./types.ts defaultLogger). */
  logger?: Logger;
  /** Request body limit for HTTP triggers and webhooks (default 1 MiB; larger → 413). */
  maxBodyBytes?: number;
  /**
   * App Service Authentication (Microsoft Entra provider) in front of every request, as the
   * site's authsettingsV2 would configure it (./app-service-auth.ts); the app then sees
   * WEBSITE_AUTH_ENABLED=True. Unset: off, and X-MS-CLIENT-PRINCIPAL headers pass as sent.
   */
  auth?: AppServiceAuthOptions;
}

export interface RegistrationInfo {
  name: string;
  triggerType: string;
  bindings: Record<string, unknown>;
}

export interface FuncHost {
  baseUrl: string;
  port: number;
  keys: Required<HostKeys>;
  registrations: RegistrationInfo[];
  durable: {
    engine: DurableEngine;
    getStatus(instanceId: string): OrchestrationStatus | undefined;
    waitForStatus(instanceId: string, predicate: (s: OrchestrationStatus) => boolean, timeoutMs?: number): Promise<OrchestrationStatus>;
  };
  stop(options?: { abrupt?: boolean }): Promise<void>;
}

/** How long the host keeps an idle keep-alive connection open (Kestrel's default, 130 s). */
export const HOST_KEEP_ALIVE_MS = 130_000;

export async function startFuncHost(opts: FuncHostOptions): Promise<FuncHost> {
  const logger = opts.logger ?? defaultLogger();
  const appDir = path.resolve(opts.appDir);
  const stateDir = path.resolve(opts.stateDir);
  fs.mkdirSync(stateDir, { recursive: true });
  const envUndo: Array<() => void> = [];
  for (const [k, v] of Object.entries(opts.env ?? {})) envUndo.push(setEnv(k, v));
  // App Service tells the app whether its authentication module is on (read-only for the app)
  envUndo.push(setEnv('WEBSITE_AUTH_ENABLED', opts.auth ? 'True' : 'False'));

  const keys = opts.keys ? normalizeKeys(opts.keys) : loadOrCreateKeys(stateDir);
  const hostJson = opts.hostJson ?? path.join(appDir, 'host.json');
  const settings = readHostSettings(hostJson, process.env);
  const app = loadApp(appDir, logger);
  const invoker = new Invoker(app.standIn, logger, settings.functionTimeout);
  const registrations = app.registrations;
  const findFunction = (name: string) => registrations.get(name.toLowerCase());

  let baseUrl = '';
  const store = new InstanceStore(stateDir);
  const engine: DurableEngine = new DurableEngine({
    store,
    logger,
    timeScale: opts.timeScale ?? 1,
    maxConcurrentActivities: settings.maxConcurrentActivityFunctions,
    versioning: settings.versioning,
    findFunction,
    invoke: (reg, inputData) => invoker.invoke(reg, { inputData }),
    extraInputs: (reg): RpcParameterBinding[] => clientApi.extraInputs(reg),
  });
  const clientApi: DurableClientApi = new DurableClientApi({
    engine,
    taskHubName: settings.hubName,
    baseUrl: () => baseUrl,
    systemKey: keys.systemKeys[DURABLETASK_SYSTEM_KEY]!,
  });
  const dispatcher = new Dispatcher({
    routes: buildHttpRoutes(registrations.values()),
    routePrefix: settings.routePrefix,
    registrations,
    keys,
    invoker,
    clientApi,
    logger,
    maxBodyBytes: opts.maxBodyBytes ?? 1024 * 1024,
    baseUrl: () => baseUrl,
    ...(opts.auth ? { auth: new AppServiceAuth(opts.auth) } : {}),
  });

  const server = http.createServer((req, res) => {
    void dispatcher.handle(req, res);
  });
  // As the Functions host (Kestrel) does: an idle keep-alive connection stays open 130 s, far past
  // the 5 s after which Node's clients (the durable client's axios, fetch) stop reusing theirs. A
  // server that closed at 5 s raced those clients: a request sent on a socket the server was
  // closing failed with ECONNRESET / "socket hang up" (seen in bursts as failed onRegistryWrite).
  server.keepAliveTimeout = HOST_KEEP_ALIVE_MS;
  server.headersTimeout = HOST_KEEP_ALIVE_MS + 1000;
  const hostName = opts.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 7071, hostName, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  baseUrl = `http://${hostName}:${port}`;
  if (!opts.env?.WEBSITE_HOSTNAME) envUndo.push(setEnv('WEBSITE_HOSTNAME', `${hostName}:${port}`));

  const timerRegs = [...registrations.values()].filter((r) => r.triggerType.toLowerCase() === 'timertrigger');
  const timers = new TimerScheduler(
    timerRegs,
    stateDir,
    (reg, inputData) => invoker.invoke(reg, { inputData: [...inputData, ...clientApi.extraInputs(reg)] }),
    logger,
  );
  try {
    await invoker.appStart();
  } catch (err) {
    logger.error(`appStart hook failed: ${errorMessage(err)}`);
  }
  engine.start();
  timers.start();
  logger.info(`Local Functions host on ${baseUrl} with ${registrations.size} function(s)`);

  let stopping: Promise<void> | undefined;
  return {
    baseUrl,
    port,
    keys,
    registrations: [...registrations.values()].map((r) => ({ name: r.name, triggerType: r.triggerType, bindings: r.metadata.bindings })),
    durable: {
      engine,
      getStatus: (id) => engine.getStatus(id, { showHistory: true, showHistoryOutput: true }),
      waitForStatus: (id, predicate, timeoutMs) => engine.waitForStatus(id, predicate, timeoutMs),
    },
    stop(options = {}) {
      stopping ??= (async () => {
        const abrupt = options.abrupt === true;
        server.close();
        if (abrupt) server.closeAllConnections();
        await Promise.all([timers.stop(abrupt), engine.stop({ abrupt })]);
        if (!abrupt) {
          try {
            await invoker.appTerminate();
          } catch (err) {
            logger.warn(`appTerminate hook failed: ${errorMessage(err)}`);
          }
        }
        server.closeAllConnections();
        await new Promise<void>((resolve) => server.close(() => resolve()));
        for (const undo of envUndo.reverse()) undo();
        app.unload();
      })();
      return stopping;
    },
  };
}
