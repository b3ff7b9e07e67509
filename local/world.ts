/**
 * The sandbox world, shared by `npm start` and the end-to-end tests: a local Azure
 * (local/azure-sim), a "secured workspace" network (VNet, endpoint subnet, the three private DNS
 * zones linked to it), and the app in the local Functions host (local/func-host), wired purely
 * through settings and subscribed to registry writes through Event Grid.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { AccessToken, TokenCredential } from '@azure/core-auth';
import { NetworkManagementClient } from '@azure/arm-network';
import { PrivateDnsManagementClient } from '@azure/arm-privatedns';
import { ResourceManagementClient } from '@azure/arm-resources';
import { loadOrCreateDevCa } from './azure-sim/ca';
import { DEFAULT_DEV_CA_DIR } from './azure-sim/dev-ca';
import { profileFromEnv } from './azure-sim/profiles';
import { startAzureSim, type AzureSim, type SimOptions } from './azure-sim/server';
import { DEFAULT_LATENCY_MS, type LatencyKind } from './azure-sim/arm/lro';
import { startFuncHost, type AppServiceAuthOptions, type FuncHost, type Logger } from './func-host';

/** The project folder (from local/ as TypeScript source under jest, or from dist/local compiled). */
export const ROOT = [resolve(__dirname, '..'), resolve(__dirname, '..', '..')].find((d) => existsSync(join(d, 'host.json'))) ?? process.cwd();
/** Where the sandbox keeps its state and writes endpoints.json and settings.json: .sandbox, or SANDBOX_DIR (e.g. a test's own folder). */
export const SANDBOX_DIR = process.env.SANDBOX_DIR ? resolve(process.env.SANDBOX_DIR) : join(ROOT, '.sandbox');

/**
 * The app the local host runs: the deploy package `npm run build` makes (tools/package-app.ts),
 * the folder holding the bundle the project's package.json `main` names. The host loads it as
 * the Functions host loads what azd deploys — through that folder's own package.json `main` and
 * host.json — so what the sandbox and the tests run is what ships.
 */
export function appPackageDir(root: string = ROOT): string {
  const { main } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { main: string };
  const dir = dirname(resolve(root, main));
  if (!existsSync(join(dir, 'package.json'))) throw new Error(`${dir} holds no package: run \`npm run build\` first`);
  return dir;
}
const REGISTRY_API = '2025-12-01';
export const DEMO = { rg: 'rg-ml-demo', registry: 'demoreg', regions: ['westeurope', 'northeurope'] };
export const NET = { rg: 'rg-network', vnet: 'vnet-ml', subnet: 'snet-pe', prefix: '10.20.0.0/16', subnetPrefix: '10.20.1.0/24', location: 'westeurope' };
const ZONES = ['privatelink.api.azureml.ms', 'privatelink.blob.core.windows.net', 'privatelink.azurecr.io'] as const;

/**
 * The app registration of the HTTP API in the local tenant (what AUTH_APP_ID names) and its app
 * roles (the app's names, spelled here because local/ talks to the app only over the wire).
 */
export const API_APP_ID = '00000000-0000-0000-0000-0000000000e1';
export const API_ROLES = { reader: 'Lockdown.Reader', operator: 'Lockdown.Operator', networkAdmin: 'Lockdown.NetworkAdmin' } as const;
export type CallerName = keyof typeof API_ROLES;

/**
 * Who may call the API in the sandbox: per role, a person (a user token, as after `az login`)
 * and a managed identity (a token from the managed-identity endpoint, as DefaultAzureCredential
 * gets it with AZURE_CLIENT_ID), each assigned that one app role.
 */
export const CALLERS: Readonly<Record<CallerName, { userOid: string; upn: string; identity: { principalId: string; clientId: string } }>> = {
  reader: { userOid: '00000000-0000-0000-0000-00000000d101', upn: 'reader@contoso.example', identity: { principalId: '00000000-0000-0000-0000-00000000e101', clientId: '00000000-0000-0000-0000-00000000c101' } },
  operator: { userOid: '00000000-0000-0000-0000-00000000d102', upn: 'operator@contoso.example', identity: { principalId: '00000000-0000-0000-0000-00000000e102', clientId: '00000000-0000-0000-0000-00000000c102' } },
  networkAdmin: { userOid: '00000000-0000-0000-0000-00000000d103', upn: 'network.admin@contoso.example', identity: { principalId: '00000000-0000-0000-0000-00000000e103', clientId: '00000000-0000-0000-0000-00000000c103' } },
};

/** How long the sandbox's ready-made user tokens last (a working day; the CLI gets fresh ones). */
const CALLER_TOKEN_SECONDS = 12 * 3600;

/** Registers the API and assigns each caller its role, through the simulator's admin API. */
async function registerApi(sim: AzureSim): Promise<void> {
  const put = async (path: string, body: unknown): Promise<void> => {
    const r = await fetch(`${sim.adminUrl}${path}`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    if (!r.ok) throw new Error(`PUT ${path}: ${r.status} ${await r.text()}`);
  };
  await put(`/applications/${API_APP_ID}`, { displayName: 'aml-registry-lockdown API', appRoles: Object.values(API_ROLES) });
  for (const [name, c] of Object.entries(CALLERS) as Array<[CallerName, (typeof CALLERS)[CallerName]]>) {
    await put(`/app-role-assignments/${c.userOid}`, { appId: API_APP_ID, roles: [API_ROLES[name]] });
    await put(`/app-role-assignments/${c.identity.principalId}`, { appId: API_APP_ID, roles: [API_ROLES[name]] });
  }
}

/** A user's access token for the API from the simulator's admin API (roles: the user's assignments unless given). */
export async function mintUserToken(sim: AzureSim, spec: { oid?: string; upn?: string; roles?: string[]; audience?: string; lifetimeSeconds?: number; claims?: Record<string, unknown> } = {}): Promise<string> {
  const r = await fetch(`${sim.adminUrl}/tokens/user`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ appId: API_APP_ID, ...spec }) });
  if (!r.ok) throw new Error(`POST /tokens/user: ${r.status} ${await r.text()}`);
  return ((await r.json()) as { access_token: string }).access_token;
}

/**
 * The emulated App Service Authentication of the app: the authsettingsV2 of
 * infra/app/function-app.bicep (test/unit/infra/auth-settings.test.ts keeps them equal), pointed at
 * the local tenant — a call without a valid token is the platform's 401, except the Event Grid
 * webhook.
 */
export const EVENTGRID_WEBHOOK_PATHS = ['/runtime/webhooks/eventgrid', '/runtime/webhooks/EventGrid'];

export function appServiceAuthOf(sim: AzureSim, caPem: string, overrides: Partial<AppServiceAuthOptions> = {}): AppServiceAuthOptions {
  return {
    openIdIssuer: `${sim.authorityHost}/${sim.tenantId}/v2.0`,
    clientId: API_APP_ID,
    allowedAudiences: [`api://${API_APP_ID}`, API_APP_ID],
    requireAuthentication: true,
    unauthenticatedClientAction: 'Return401',
    excludedPaths: EVENTGRID_WEBHOOK_PATHS,
    ca: caPem,
    ...overrides,
  };
}

/** The demo user's ARM token claims: a person signed in with the Azure CLI (its client id), never the app. */
export const DEMO_USER = { oid: '00000000-0000-0000-0000-00000000d001', appid: '04b07795-8ddb-461a-bbee-02f9e1bf7b46', idtyp: 'user', name: 'Demo User', upn: 'demo.user@contoso.example' } as const;

/** The demo user's ARM tokens: events of their writes carry their claims (the app records them as the run's caller). */
export function userCredential(sim: AzureSim): TokenCredential {
  return {
    async getToken(): Promise<AccessToken> {
      const { token, claims } = sim.tokens.issue('https://management.azure.com/', 3600, { ...DEMO_USER });
      return { token, expiresOnTimestamp: claims.exp * 1000 };
    },
  };
}

/**
 * The set-up's own LROs (the user's side, not the app's) poll every 20 ms instead of the SDK's
 * 2 s default (the simulator sends no Retry-After unless told to): the app under test keeps its
 * production polling.
 */
const SETUP_POLLING = { updateIntervalInMs: 20 };

export async function layOutNetwork(sim: AzureSim, cred: TokenCredential, subnetPrefix: string = NET.subnetPrefix): Promise<{ subnetId: string; zoneIds: string[] }> {
  const sub = sim.subscriptionId;
  const opts = { endpoint: sim.armEndpoint };
  const resources = new ResourceManagementClient(cred, sub, opts);
  const network = new NetworkManagementClient(cred, sub, opts);
  const dns = new PrivateDnsManagementClient(cred, sub, opts);
  for (const rg of [NET.rg, DEMO.rg]) await resources.resourceGroups.createOrUpdate(rg, { location: NET.location });
  const vnet = await network.virtualNetworks.createOrUpdate(NET.rg, NET.vnet, {
    location: NET.location,
    addressSpace: { addressPrefixes: [NET.prefix] },
    subnets: [{ name: NET.subnet, addressPrefix: subnetPrefix }],
  }, SETUP_POLLING);
  const subnetId = `${vnet.id ?? ''}/subnets/${NET.subnet}`;
  const zoneIds: string[] = [];
  for (const zone of ZONES) {
    const z = await dns.privateZones.createOrUpdate(NET.rg, zone, { location: 'global' }, SETUP_POLLING);
    await dns.virtualNetworkLinks.createOrUpdate(NET.rg, zone, `link-${NET.vnet}`, { location: 'global', virtualNetwork: { id: vnet.id }, registrationEnabled: false }, SETUP_POLLING);
    zoneIds.push(z.id ?? '');
  }
  return { subnetId, zoneIds };
}

/** Where the app publishes its outcomes in the simulator. */
export function outcomeTopicOf(sim: AzureSim): string {
  return `${sim.armEndpoint}/eventgrid/topics/lockdown-outcomes/api/events`;
}

/**
 * The app settings that point the app (in the host, or the CLI) at the simulator and the laid
 * out network; callers add DNS_DEADLINE_MINUTES and their own overrides. The operations'
 * expected durations are the simulator's, on the wall clock (the CLI's; the host's time scale
 * is startWorld's to apply).
 */
export function worldSettings(sim: AzureSim, network: { subnetId: string; zoneIds: string[] }): Record<string, string> {
  const [api, blob, acr] = network.zoneIds as [string, string, string];
  return {
    IDENTITY_ENDPOINT: sim.identityEndpoint,
    IDENTITY_HEADER: sim.identityHeader,
    // the object id of the identity the app's tokens come from (the simulator's system-assigned one)
    APP_PRINCIPAL_ID: sim.principal.oid,
    // the target scope, as infra/main.bicep sets it by default: the subscription the app is deployed for
    TARGET_SUBSCRIPTION_IDS: sim.subscriptionId,
    // the HTTP API's app registration (App Service Authentication validates its tokens)
    AUTH_APP_ID: API_APP_ID,
    ARM_ENDPOINT: sim.armEndpoint,
    DNS_SERVERS: `${sim.dnsServer.host}:${sim.dnsServer.port}`,
    DISCOVERY_URL_TEMPLATE: sim.discoveryUrlTemplate,
    OUTCOME_TOPIC_ENDPOINT: outcomeTopicOf(sim),
    PRIVATE_ENDPOINT_SUBNET_ID: network.subnetId,
    PRIVATE_ENDPOINT_RESOURCE_GROUP: NET.rg,
    PRIVATE_DNS_ZONE_ID_API_AZUREML: api,
    PRIVATE_DNS_ZONE_ID_BLOB: blob,
    PRIVATE_DNS_ZONE_ID_ACR: acr,
    ARM_LRO_EXPECTED_SECONDS: expectedOperationSeconds(sim.timeScale, 1, sim.latencyMs),
  };
}

/** The app's operation kinds (ARM_LRO_EXPECTED_SECONDS) and the simulator's latency kinds they are. */
const OPERATION_LATENCY: ReadonlyArray<readonly [string, LatencyKind]> = [['registryPut', 'registryUpdate'], ['acrPatch', 'acrUpdate'], ['endpointPut', 'privateEndpointCreate'], ['zoneGroupPut', 'zoneGroupCreate']];

/**
 * ARM_LRO_EXPECTED_SECONDS for a world, as an operator would tune it to their Azure: each kind's
 * duration in the simulator's latency model, in the app's time (the simulator's and the host's
 * clocks run at their own scales), with half again as margin, so the first look at an operation
 * finds it done.
 */
export function expectedOperationSeconds(simTimeScale: number, hostTimeScale: number, latencyMs: Partial<Record<LatencyKind, number>> = DEFAULT_LATENCY_MS): string {
  return OPERATION_LATENCY.map(([kind, latency]) => {
    const simulated = (latencyMs[latency] ?? DEFAULT_LATENCY_MS[latency]) / 1000;
    const seconds = Math.max(0.001, (simulated * simTimeScale * 1.5) / hostTimeScale);
    return `${kind}=${Number(seconds.toFixed(3))}`;
  }).join(',');
}

/** The simulator's time scale in a world unless `simTimeScale` says otherwise (Azure's durations × 0.01 in real time). */
export const WORLD_SIM_TIME_SCALE = 0.01;

/**
 * Creates a registry through ARM as `az ml registry create` would. `wait: false` only sends the
 * PUT (the creation event still comes when the LRO succeeds), e.g. for a burst of creations.
 */
export async function createRegistry(sim: Pick<AzureSim, 'armEndpoint' | 'subscriptionId'> & Partial<Pick<AzureSim, 'tokens'>>, cred: TokenCredential, spec: { subscriptionId?: string; resourceGroup?: string; name?: string; regions?: string[]; tags?: Record<string, string>; identity?: Record<string, unknown>; assignedIdentities?: string[]; wait?: boolean } = {}): Promise<string> {
  const sub = spec.subscriptionId ?? sim.subscriptionId;
  const rg = spec.resourceGroup ?? DEMO.rg;
  const name = spec.name ?? DEMO.registry;
  const regions = spec.regions ?? DEMO.regions;
  const resources = new ResourceManagementClient(cred, sub, { endpoint: sim.armEndpoint });
  const id = `/subscriptions/${sub}/resourceGroups/${rg}/providers/Microsoft.MachineLearningServices/registries/${name}`;
  const begin = spec.wait === false ? resources.resources.beginCreateOrUpdateById.bind(resources.resources) : resources.resources.createOrUpdateById.bind(resources.resources);
  await begin(id, REGISTRY_API, {
    location: regions[0],
    tags: spec.tags ?? { purpose: 'sandbox demo' },
    identity: spec.identity ?? { type: 'SystemAssigned' },
    properties: {
      publicNetworkAccess: 'Enabled',
      // principals exempt from the managed group's deny assignment (as `az ml registry create` with a YAML that lists them)
      ...(spec.assignedIdentities ? { managedResourceGroupSettings: { assignedIdentities: spec.assignedIdentities.map((principalId) => ({ principalId })) } } : {}),
      regionDetails: regions.map((location) => ({
        location,
        acrDetails: [{ systemCreatedAcrAccount: { acrAccountSku: 'Premium' } }],
        storageAccountDetails: [{ systemCreatedStorageAccount: { storageAccountType: 'Standard_LRS', storageAccountHnsEnabled: false, allowBlobPublicAccess: false } }],
      })),
    },
  } as Parameters<typeof resources.resources.createOrUpdateById>[2], SETUP_POLLING);
  if (spec.wait !== false && sim.tokens) await untilVisibleToOthers({ armEndpoint: sim.armEndpoint, tokens: sim.tokens }, id);
  return id;
}

/**
 * A creator sees its registry once its LRO is done; others may not yet (profile `eventual`'s
 * read lag). The set-up returns once another principal (an observer, not the app) sees it too,
 * so that a run started by hand next finds it, as it would after a human's pause.
 */
async function untilVisibleToOthers(sim: Pick<AzureSim, 'armEndpoint' | 'tokens'>, id: string): Promise<void> {
  const { token } = sim.tokens.issue('https://management.azure.com/', 600, { oid: '00000000-0000-0000-0000-00000000d0b5', appid: '00000000-0000-0000-0000-00000000d0b5', idtyp: 'app' });
  const deadline = Date.now() + 60_000;
  for (;;) {
    const res = await fetch(`${sim.armEndpoint}${id}?api-version=${REGISTRY_API}`, { headers: { authorization: `Bearer ${token}` } });
    await res.arrayBuffer();
    if (res.ok || Date.now() > deadline) return;
    await new Promise((r) => setTimeout(r, 50));
  }
}

export interface WorldAuth {
  /** AUTH_APP_ID: the API's app registration */
  appId: string;
  /** a ready user token per role (12 h) */
  tokens: Record<CallerName, string>;
  /** `{ authorization: 'Bearer …' }` of a role's user token */
  headers(role: CallerName): Record<string, string>;
}

export interface World {
  sim: AzureSim;
  host: FuncHost;
  user: TokenCredential;
  /** who may call the HTTP API (Microsoft Entra ID through the emulated App Service Authentication) */
  auth: WorldAuth;
  subnetId: string;
  zoneIds: { api: string; blob: string; acr: string };
  outcomeTopic: string;
  /** a function key: it opens only the Event Grid webhook (the HTTP API wants a token) */
  functionKey: string;
  endpoints: Record<string, unknown>;
  /** stops the app's host (abrupt: like a crash) and starts it again on the same port and state; `host` is the new one */
  restartHost(options?: { abrupt?: boolean }): Promise<FuncHost>;
  stop(): Promise<void>;
}

export interface WorldOptions {
  port?: number;
  stateDir?: string;
  /** app settings on top of the sandbox's (e.g. LOCKDOWN_ACR=false) */
  settings?: Record<string, string>;
  /** local host time scale (durable timers, retry backoff) */
  hostTimeScale?: number;
  /** simulator time scale (LRO latencies, throttling refill) */
  simTimeScale?: number;
  /** the endpoints' subnet (default NET.subnetPrefix, a /24: 251 addresses, as Azure reserves 5) */
  subnetPrefix?: string;
  /** write .sandbox/endpoints.json */
  writeEndpoints?: boolean;
  /** further simulator options (e.g. throttling, latencyMs, otherSubscriptionIds) */
  sim?: Omit<SimOptions, 'ca' | 'stateDir' | 'timeScale'>;
  /** record the simulator's traffic (oav live-traffic files) into this folder (default: SIM_TRAFFIC_DIR when set) */
  trafficDir?: string;
  /** where the host writes its log lines, the app's included (default: warnings and errors to stderr) */
  hostLogger?: Logger;
  /** App Service Authentication of the host: changes to the sandbox's, or false for none (the app then answers 503) */
  auth?: false | Partial<AppServiceAuthOptions>;
}

/** Starts the simulator, lays out the network, starts the app in the host and subscribes it to registry writes. */
export async function startWorld(options: WorldOptions = {}): Promise<World> {
  mkdirSync(SANDBOX_DIR, { recursive: true });
  if (!process.env.NODE_EXTRA_CA_CERTS) throw new Error('NODE_EXTRA_CA_CERTS is not set: run through `npm start` / `npm test`, which trust the development CA.');
  const ca = loadOrCreateDevCa(DEFAULT_DEV_CA_DIR);
  const stateDir = options.stateDir ?? join(SANDBOX_DIR, 'sandbox');
  // the Azure behaviour profile: the caller's, else SIM_PROFILE (so a whole suite can run under one), else strict
  const profile = options.sim?.profile ?? profileFromEnv(process.env.SIM_PROFILE);
  const sim = await startAzureSim({
    // the app waits for an operation's Retry-After on a durable timer, on the host's clock: the simulator says it in that clock
    principalTimeScale: options.hostTimeScale ?? 1,
    ...options.sim,
    ...(profile ? { profile } : {}),
    ...(options.trafficDir !== undefined ? { trafficDir: options.trafficDir } : {}),
    userAssignedIdentities: [...(options.sim?.userAssignedIdentities ?? []), ...Object.values(CALLERS).map((c) => c.identity)],
    ca,
    stateDir: join(stateDir, 'sim'),
    timeScale: options.simTimeScale ?? WORLD_SIM_TIME_SCALE,
  });
  const user = userCredential(sim);
  let host: FuncHost | undefined;
  try {
    await registerApi(sim);
    const tokens = {} as Record<CallerName, string>;
    for (const [name, c] of Object.entries(CALLERS) as Array<[CallerName, (typeof CALLERS)[CallerName]]>) {
      tokens[name] = await mintUserToken(sim, { oid: c.userOid, upn: c.upn, lifetimeSeconds: CALLER_TOKEN_SECONDS });
    }
    const auth: WorldAuth = { appId: API_APP_ID, tokens, headers: (role) => ({ authorization: `Bearer ${tokens[role]}` }) };
    const { subnetId, zoneIds } = await layOutNetwork(sim, user, options.subnetPrefix);
    const [api, blob, acr] = zoneIds as [string, string, string];
    const outcomeTopic = outcomeTopicOf(sim);
    const hostOptions = {
      appDir: appPackageDir(),
      port: options.port ?? 0,
      stateDir: join(stateDir, 'host'),
      timeScale: options.hostTimeScale ?? 1,
      ...(options.hostLogger ? { logger: options.hostLogger } : {}),
      env: {
        ...worldSettings(sim, { subnetId, zoneIds }),
        DNS_DEADLINE_MINUTES: '5',
        ARM_LRO_EXPECTED_SECONDS: expectedOperationSeconds(sim.timeScale, options.hostTimeScale ?? 1, sim.latencyMs),
        ...options.settings,
      },
      ...(options.auth === false ? {} : { auth: appServiceAuthOf(sim, ca.certPem, options.auth ?? {}) }),
    };
    host = await startFuncHost(hostOptions);
    const h = host;
    const functionKey = h.keys.functionKeys.default ?? Object.values(h.keys.functionKeys)[0] ?? '';
    const eventGridKey = h.keys.systemKeys.eventgrid_extension ?? '';
    const subscribe = await fetch(`${sim.adminUrl}/eventgrid/subscriptions`, {
      method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        name: 'registry-writes', schema: 'EventGridSchema',
        endpoint: `${h.baseUrl}/runtime/webhooks/eventgrid?functionName=onRegistryWrite&code=${encodeURIComponent(eventGridKey)}`,
        includedEventTypes: ['Microsoft.Resources.ResourceWriteSuccess'],
        advancedFilters: [{ operatorType: 'StringIn', key: 'data.operationName', values: ['Microsoft.MachineLearningServices/registries/write'] }],
      }),
    });
    if (!subscribe.ok) throw new Error(`could not subscribe the app to registry writes: ${subscribe.status} ${await subscribe.text()}`);
    const endpoints = {
      armEndpoint: sim.armEndpoint, caCertFile: ca.certFile, identityEndpoint: sim.identityEndpoint, identityHeader: sim.identityHeader,
      dnsServer: `${sim.dnsServer.host}:${sim.dnsServer.port}`, functionsBaseUrl: h.baseUrl,
      subscriptionId: sim.subscriptionId, tenantId: sim.tenantId, discoveryUrlTemplate: sim.discoveryUrlTemplate, adminUrl: sim.adminUrl,
      // who may call the HTTP API: AUTH_APP_ID, the tenant's OpenID issuer, a ready bearer token per app role (user
      // tokens, 12 h), and per role a managed identity for DefaultAzureCredential (AZURE_CLIENT_ID + the two IDENTITY_* above)
      appId: API_APP_ID, openIdIssuer: `${sim.authorityHost}/${sim.tenantId}/v2.0`,
      tokens, clientIds: Object.fromEntries(Object.entries(CALLERS).map(([name, c]) => [name, c.identity.clientId])),
    };
    if (options.writeEndpoints) writeFileSync(join(SANDBOX_DIR, 'endpoints.json'), JSON.stringify(endpoints, null, 2));
    const world: World = {
      sim, host: h, user, auth, subnetId, zoneIds: { api, blob, acr }, outcomeTopic, functionKey, endpoints,
      restartHost: async (restart = {}) => {
        await world.host.stop(restart);
        world.host = await startFuncHost({ ...hostOptions, port: world.host.port });
        return world.host;
      },
      stop: async () => {
        await world.host.stop();
        await sim.stop();
      },
    };
    return world;
  } catch (e) {
    if (host) await host.stop();
    await sim.stop();
    throw e;
  }
}
