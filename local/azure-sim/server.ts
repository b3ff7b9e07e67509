import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import * as http from 'node:http';
import * as https from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createAdminHandler } from './admin/admin-server';
import type { Provider } from './arm/context';
import { FaultInjector } from './arm/faults';
import { DEFAULT_LATENCY_MS, LroEngine, type LatencyKind } from './arm/lro';
import { AuthorizationProvider } from './arm/providers/authorization';
import { ContainerRegistryProvider } from './arm/providers/container-registry';
import { ManagementGroupsProvider } from './arm/providers/management-groups';
import { MlRegistriesProvider } from './arm/providers/ml-registries';
import { MlWorkspacesProvider } from './arm/providers/ml-workspaces';
import { NetworkProvider } from './arm/providers/network';
import { OperationsProvider } from './arm/providers/operations';
import { PrivateDnsProvider } from './arm/providers/private-dns';
import { PrivateEndpointsProvider } from './arm/providers/private-endpoints';
import { ResourceGroupsProvider } from './arm/providers/resource-groups';
import { StorageProvider } from './arm/providers/storage';
import { SubscriptionsProvider } from './arm/providers/subscriptions';
import { cloudMetadata } from './arm/metadata-endpoints';
import { RequestLog } from './arm/request-log';
import { createArmHandler } from './arm/router';
import { SimState, type RegistryAsyncOperationBody } from './arm/state';
import { DEFAULT_THROTTLE, Throttle, type ThrottleConfig } from './arm/throttle';
import { generateLocalTls, issueServerCert } from './ca';
import { createDiscoveryHandler } from './discovery';
import { startDnsServer } from './dns/server';
import { createEventGrid, type EventGridSim } from './eventgrid';
import { loadFixtures } from './fixtures';
import { Applications, type AppRegistration } from './identity/applications';
import { createMsiHandler, type ManagedIdentity } from './identity/msi-endpoint';
import { createOpenIdHandler, LOGIN_PREFIX } from './identity/openid';
import type { ProfileName } from './profiles';
import { ResourceStore } from './store';
import { TokenAuthority } from './tokens';
import { recordTraffic } from './traffic';

export interface SimOptions {
  host?: string;
  /** 0 (default) = a free port */
  armPort?: number;
  identityPort?: number;
  adminPort?: number;
  dnsPort?: number;
  /** where the CA certificate file is written (default: a new temp dir) */
  stateDir?: string;
  /** sign the https certificate with this CA (e.g. the dev CA that NODE_EXTRA_CA_CERTS trusts); default: a fresh CA */
  ca?: { certPem: string; keyPem: string; certFile?: string };
  subscriptionId?: string;
  /** further subscriptions of the tenant that exist (e.g. for bursts across subscriptions); each has its own throttling buckets */
  otherSubscriptionIds?: string[];
  tenantId?: string;
  /** the system-assigned identity the token endpoint issues tokens for */
  principal?: { oid: string; appid: string };
  /** more (user-assigned) identities the token endpoint knows */
  userAssignedIdentities?: ManagedIdentity[];
  identityHeader?: string;
  tokenLifetimeSeconds?: number;
  /** app registrations of the tenant (APIs with app roles); more through the admin API */
  applications?: AppRegistration[];
  /** multiplies every simulated duration (LRO latencies, throttling refill time). 1 = real time; default 0.001 */
  timeScale?: number;
  /** LRO durations in ms of simulated time, per operation kind (before timeScale) */
  latencyMs?: Partial<Record<LatencyKind, number>>;
  /** Retry-After seconds on LRO answers (0 = let the client use its own interval) */
  lroRetryAfterSeconds?: number;
  /** token-bucket throttling; false = off */
  throttling?: false | { reads?: Partial<ThrottleConfig['reads']>; writes?: Partial<ThrottleConfig['writes']>; enabled?: boolean };
  /** list page size (nextLink paging) */
  pageSize?: number;
  /** role named in events' authorization evidence */
  callerRole?: string;
  /** start the DNS server (default true) */
  dns?: boolean;
  /** start the Event Grid emulation (default true) */
  eventGrid?: boolean;
  /** ARM-shape JSON files to load at start */
  fixtures?: string[];
  /**
   * Record every call the https server answers (ARM, discovery, Event Grid topics), bodies
   * included, one oav live-traffic JSON file per call, into this folder (default: SIM_TRAFFIC_DIR
   * when set; see traffic.ts).
   */
  trafficDir?: string;
  /**
   * What the registry PUT's Azure-AsyncOperation URL answers once the operation succeeded:
   * 'status' (default, strict: an operation status `{ status: 'Succeeded', … }`, what ARM's async
   * protocol specifies and Azure's Python poller requires) or 'bare' (the registry itself, the
   * quirk Terraform's custom poller copes with). Which one Azure sends is not confirmed.
   */
  registryAsyncOperationBody?: RegistryAsyncOperationBody;
  /** the Azure behaviour profile (profiles.ts; default strict); switchable with the admin API's PUT /profile */
  profile?: ProfileName;
}

export interface AzureSim {
  armEndpoint: string;
  caCertFile: string;
  caCertPem: string;
  identityEndpoint: string;
  identityHeader: string;
  /** stands in for https://login.microsoftonline.com: `${authorityHost}/${tenantId}/v2.0` is the tenant's OpenID issuer URL */
  authorityHost: string;
  dnsServer: { host: string; port: number };
  discoveryUrlTemplate: string;
  adminUrl: string;
  subscriptionId: string;
  tenantId: string;
  principal: { oid: string; appid: string };
  store: ResourceStore;
  tokens: TokenAuthority;
  applications: Applications;
  stop(): Promise<void>;
}

/** The simulator's time scale unless `timeScale` says otherwise: simulated Azure durations × 0.001 in real time. */
export const SIM_DEFAULT_TIME_SCALE = 0.001;
export const DEFAULT_SUBSCRIPTION_ID = '00000000-0000-0000-0000-0000000000a1';
export const DEFAULT_TENANT_ID = '00000000-0000-0000-0000-0000000000f1';
export const DEFAULT_PRINCIPAL = { oid: '00000000-0000-0000-0000-0000000000b1', appid: '00000000-0000-0000-0000-0000000000c1' };

/**
 * How long the simulator's servers keep an idle connection open (Node's default is 5 s). Their
 * clients often share the process (a test, the sandbox): one whose event loop was blocked for
 * longer than that (loading the app into the local host takes seconds on a busy machine) would
 * send its next request into a connection the server is closing at that moment, and see
 * ECONNRESET. stop() closes every connection anyway.
 */
const IDLE_CONNECTION_MS = 60_000;

function listen(server: http.Server | https.Server, host: string, port: number): Promise<number> {
  server.keepAliveTimeout = IDLE_CONNECTION_MS;
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

function close(server: http.Server | https.Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}

/** Starts the local Azure: ARM over https, the managed-identity endpoint, admin API, DNS, Event Grid. */
export async function startAzureSim(opts: SimOptions = {}): Promise<AzureSim> {
  const host = opts.host ?? '127.0.0.1';
  const subscriptionId = opts.subscriptionId ?? DEFAULT_SUBSCRIPTION_ID;
  const tenantId = opts.tenantId ?? DEFAULT_TENANT_ID;
  const principal = opts.principal ?? DEFAULT_PRINCIPAL;
  const timeScale = opts.timeScale ?? SIM_DEFAULT_TIME_SCALE;
  const identityHeader = opts.identityHeader ?? randomUUID();

  const store = new ResourceStore();
  store.setMaxListeners(50);
  const tokens = new TokenAuthority(tenantId, principal, undefined, opts.ca?.keyPem);
  const applications = new Applications(opts.applications ?? []);
  const latency: Record<LatencyKind, number> = { ...DEFAULT_LATENCY_MS, ...(opts.latencyMs ?? {}) };
  const lro = new LroEngine((kind) => latency[kind] * timeScale);
  const state = new SimState(store, tokens, lro, {
    subscriptionId,
    otherSubscriptionIds: opts.otherSubscriptionIds ?? [],
    tenantId,
    pageSize: opts.pageSize ?? 100,
    lroRetryAfterSeconds: opts.lroRetryAfterSeconds ?? 0,
    callerRole: opts.callerRole ?? 'Contributor',
    registryAsyncOperationBody: opts.registryAsyncOperationBody ?? 'status',
    timeScale,
  });
  state.profile.set(opts.profile ?? 'strict');
  const throttleCfg: ThrottleConfig =
    opts.throttling === false
      ? { ...DEFAULT_THROTTLE, enabled: false }
      : {
          enabled: opts.throttling?.enabled ?? true,
          reads: { ...DEFAULT_THROTTLE.reads, ...(opts.throttling?.reads ?? {}) },
          writes: { ...DEFAULT_THROTTLE.writes, ...(opts.throttling?.writes ?? {}) },
        };
  const throttle = new Throttle(throttleCfg, timeScale);
  const faults = new FaultInjector();
  const log = new RequestLog();

  // TLS: a leaf from the given CA, or a fresh CA
  let caCertPem: string;
  let cert: { certPem: string; keyPem: string };
  if (opts.ca) {
    caCertPem = opts.ca.certPem;
    cert = issueServerCert(opts.ca);
  } else {
    const tls = generateLocalTls();
    caCertPem = tls.caCertPem;
    cert = { certPem: tls.certPem, keyPem: tls.keyPem };
  }
  const stateDir = opts.stateDir ?? mkdtempSync(join(tmpdir(), 'azure-sim-'));
  mkdirSync(stateDir, { recursive: true });
  const caCertFile = opts.ca?.certFile ?? join(stateDir, 'ca.pem');
  if (!opts.ca?.certFile) writeFileSync(caCertFile, caCertPem);

  // discovery + Event Grid (mounted on the ARM https server)
  const discovery = createDiscoveryHandler({ store, tokens });
  const eventGrid: EventGridSim | undefined =
    opts.eventGrid === false ? undefined : createEventGrid({ store, tokens, timeScale: timeScale > 0 ? 1 / timeScale : 1, tenantId });

  let discoveryUrlTemplate = '';
  const openId = createOpenIdHandler({ tokens, authorityHost: () => `${state.armBase}${LOGIN_PREFIX}` });
  const providers: Provider[] = [
    new OperationsProvider(state),
    new ResourceGroupsProvider(state),
    new ManagementGroupsProvider(state),
    new MlRegistriesProvider(state, () => discoveryUrlTemplate),
    new MlWorkspacesProvider(state),
    new StorageProvider(state),
    new ContainerRegistryProvider(state),
    new NetworkProvider(state),
    new PrivateEndpointsProvider(state),
    new PrivateDnsProvider(state),
    new AuthorizationProvider(state),
  ];
  providers.push(new SubscriptionsProvider(state, providers.flatMap((p) => p.routes())));
  const armHandler = createArmHandler({
    state,
    throttle,
    faults,
    log,
    routes: providers.flatMap((p) => p.routes()),
    extra: (req, res, path) => {
      // the tenant's OpenID metadata and signing keys (anonymous, as Entra serves them)
      if (openId(req, res, path)) return true;
      // how clients register a cloud: answered without a token, as ARM does
      if (/^\/metadata\/endpoints\/?$/i.test(path) && req.method === 'GET') {
        const answer = cloudMetadata(state.armBase, new URL(req.url ?? '/', state.armBase).searchParams.get('api-version'));
        const text = JSON.stringify(answer.body);
        res.writeHead(answer.status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) });
        res.end(text);
        return true;
      }
      const d = /^\/discovery\/([^/]+)\/registrymanagement\/v1\.0\/registries\/([^/]+)\/discovery\/?$/i.exec(path);
      if (d && d[1] && d[2]) {
        discovery(req, res, decodeURIComponent(d[1]), decodeURIComponent(d[2]));
        return true;
      }
      const t = /^\/eventgrid\/topics\/([^/]+)\/api\/events\/?$/i.exec(path);
      if (t && t[1] && eventGrid) {
        void eventGrid.handleTopic(req, res, decodeURIComponent(t[1]));
        return true;
      }
      return false;
    },
  });
  const trafficDir = opts.trafficDir ?? (process.env.SIM_TRAFFIC_DIR || undefined);
  const armServed = trafficDir !== undefined ? recordTraffic(armHandler, trafficDir, () => state.armBase) : armHandler;
  const arm = https.createServer({ cert: cert.certPem, key: cert.keyPem, keepAlive: true }, armServed);
  const armPort = await listen(arm, host, opts.armPort ?? 0);
  state.armBase = `https://${host}:${armPort}`;
  discoveryUrlTemplate = `${state.armBase}/discovery/{region}`;

  const identities = (): ManagedIdentity[] => [{ principalId: principal.oid, clientId: principal.appid }, ...(opts.userAssignedIdentities ?? [])];
  const identity = http.createServer(createMsiHandler({ tokens, identityHeader, identities, tokenLifetimeSeconds: opts.tokenLifetimeSeconds ?? 3600, applications }));
  const identityPort = await listen(identity, host, opts.identityPort ?? 0);

  // DNS client VNets: admin-configurable, default every VNet
  let clientVnetIds: string[] | undefined;
  const clientVnets = {
    get: (): string[] => clientVnetIds ?? store.list('Microsoft.Network/virtualNetworks').map((v) => v.id),
    set: (ids: string[] | undefined): void => {
      clientVnetIds = ids;
    },
    configured: (): string[] | undefined => clientVnetIds,
  };
  const dns = opts.dns === false ? undefined : await startDnsServer({ store, host, port: opts.dnsPort ?? 0, clientVnetIds: clientVnets.get });

  const admin = http.createServer(
    createAdminHandler({
      state,
      faults,
      log,
      throttle,
      latency,
      clientVnets,
      applications,
      ...(eventGrid ? { eventGridAdmin: (req: http.IncomingMessage, res: http.ServerResponse, sub: string) => eventGrid.handleAdmin(req, res, sub) } : {}),
    }),
  );
  const adminPort = await listen(admin, host, opts.adminPort ?? 0);

  if (opts.fixtures?.length) loadFixtures(store, opts.fixtures);

  let stopped = false;
  return {
    armEndpoint: state.armBase,
    caCertFile,
    caCertPem,
    identityEndpoint: `http://${host}:${identityPort}/msi/token`,
    identityHeader,
    authorityHost: `${state.armBase}${LOGIN_PREFIX}`,
    dnsServer: { host: dns?.host ?? host, port: dns?.port ?? 0 },
    discoveryUrlTemplate,
    adminUrl: `http://${host}:${adminPort}`,
    subscriptionId,
    tenantId,
    principal,
    store,
    tokens,
    applications,
    async stop(): Promise<void> {
      if (stopped) return;
      stopped = true;
      lro.stop();
      await Promise.all([close(arm), close(identity), close(admin), eventGrid?.stop(), dns?.stop()]);
    },
  };
}
