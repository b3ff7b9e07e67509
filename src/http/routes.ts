/**
 * The HTTP API in one table: each route's function name, method, path, the app role it needs
 * (and the options that need a higher one), and the schemas of its parameters, query, body and
 * responses. The registrations (src/<feature>/functions.ts), the request checks
 * (src/http/request.ts) and the OpenAPI document are all built from it, so they cannot disagree.
 */
import type { z } from 'zod';
import { HttpFunctions } from '../shared/names';
import { AppRoles, type AppRole } from '../shared/caller';
import * as S from './schemas';
import * as WS from '../workspaces/http-schemas';
import * as EG from '../network/http-schemas';
import * as SW from '../sweep/http-schemas';
import * as FL from '../fleet/http-schemas';
import * as RP from '../report/http-schemas';

/** host.json `extensions.http.routePrefix` (the Functions default). */
export const ROUTE_PREFIX = 'api';

/** Request bodies larger than this are refused with 413 before they are parsed. */
export const MAX_BODY_BYTES = 16 * 1024;

export type HttpMethod = 'GET' | 'POST' | 'DELETE';

export interface ResponseSpec {
  description: string;
  schema?: z.ZodType;
  headers?: Record<string, string>;
  /** the route also answers this status as a text/html page (content negotiation): what the page is */
  html?: string;
}

/** An option of a call that needs a higher role than the route's (it weakens the result or loosens a rule). */
export interface Elevation<Q = unknown, B = unknown> {
  role: AppRole;
  /** the option, as the refusal and the OpenAPI document name it, e.g. "lockdownAcr: false" */
  what: string;
  /** whether the validated request uses the option */
  applies(input: { query: Q; body: B | undefined }): boolean;
}

/** Who may call a route: every call needs `role` (a higher role includes it), `elevated` options more. */
export interface RouteAuth<Q = unknown, B = unknown> {
  role: AppRole;
  elevated?: ReadonlyArray<Elevation<Q, B>>;
}

export interface RouteSpec<P extends z.ZodObject = z.ZodObject, Q extends z.ZodObject = z.ZodObject, B extends z.ZodType | undefined = z.ZodType | undefined> {
  /** the registered function name (names.ts) and the OpenAPI operationId */
  name: string;
  method: HttpMethod;
  /** route template below the prefix, as registered with the host */
  route: string;
  /** the app role of the caller (Microsoft Entra ID, through App Service Authentication) */
  auth: RouteAuth<z.output<Q>, B extends z.ZodType ? z.output<B> : undefined>;
  summary: string;
  tag: string;
  params: (ctx: S.SchemaContext) => P;
  query: Q;
  /** the JSON body, optional for the caller; undefined: the route takes no body */
  body: B;
  responses: Record<number, ResponseSpec>;
}

function route<P extends z.ZodObject, Q extends z.ZodObject, B extends z.ZodType | undefined>(spec: RouteSpec<P, Q, B>): RouteSpec<P, Q, B> {
  return spec;
}

const HARDEN = 'registries/{subscriptionId}/{resourceGroup}/{registryName}/harden';
const REGISTRY_EGRESS = 'workspaces/{subscriptionId}/{resourceGroup}/{workspaceName}/registry-egress';

const FLEET_RESPONSES: Record<number, ResponseSpec> = {
  200: { description: 'The report: per subscription (listed, or failed with the reason) and per workspace; reads only.', schema: FL.fleetReportSchema },
  409: { description: 'No target subscriptions configured (FLEET.NO_SUBSCRIPTIONS).', schema: S.errorResponseSchema },
};

export const Routes = {
  getDiscovery: route({
    name: HttpFunctions.getDiscovery, method: 'GET', route: 'discovery/{region}/{registryName}', tag: 'discovery',
    auth: { role: AppRoles.reader },
    summary: "The registry's discovery document (registryFqdns per region), fetched with the app's token from the discovery host of that region.",
    params: S.discoveryParams, query: S.noQuery, body: undefined,
    responses: {
      200: { description: 'The discovery document (briefly cached, DISCOVERY_CACHE_SECONDS).', schema: S.discoveryDocumentSchema },
      404: { description: 'The registry may not exist in that region, or the app has no access to it (DISCOVERY.NOT_FOUND).', schema: S.errorResponseSchema },
      502: { description: "Discovery refused the app's token (DISCOVERY.UNAUTHORIZED) or failed (DISCOVERY.FAILED).", schema: S.errorResponseSchema },
    },
  }),
  startHardening: route({
    name: HttpFunctions.startHardening, method: 'POST', route: HARDEN, tag: 'hardening',
    auth: {
      role: AppRoles.reader,
      elevated: [
        { role: AppRoles.operator, what: 'mode=apply (the default)', applies: ({ query }) => (query.mode ?? 'apply') === 'apply' },
        { role: AppRoles.networkAdmin, what: 'lockdownAcr: false', applies: ({ body }) => body?.lockdownAcr === false },
      ],
    },
    summary: "Start a hardening run for the registry: an apply run (one at a time per registry), or with ?mode=plan a dry run, which can start at any time and never blocks an apply run.",
    params: S.registryParams, query: S.startQuery, body: S.hardenOverridesBody,
    responses: {
      202: { description: 'Started; poll the Location.', schema: S.startAcceptedSchema, headers: { Location: 'The status URL of the run.' } },
      409: { description: 'An apply run of this registry is going on (RUN.ALREADY_RUNNING); its status is in `run`.', schema: S.conflictSchema },
    },
  }),
  getHardeningStatus: route({
    name: HttpFunctions.getHardeningStatus, method: 'GET', route: HARDEN, tag: 'hardening',
    auth: { role: AppRoles.reader },
    summary: "The registry's current or last apply run — or, with ?instanceId=, any one of its runs (apply or plan): runtime state, per-step progress, output.",
    params: S.registryParams, query: S.statusQuery, body: undefined,
    responses: {
      200: { description: 'The run status.', schema: S.runStatusSchema },
      404: { description: 'The registry has no apply run, or no run with that instanceId (RUN.NOT_FOUND).', schema: S.errorResponseSchema },
    },
  }),
  approveHardening: route({
    name: HttpFunctions.approveHardening, method: 'POST', route: `${HARDEN}/approve`, tag: 'hardening',
    auth: { role: AppRoles.operator },
    summary: 'Raise the approval event: the run re-checks its Pending private endpoint connections now.',
    params: S.registryParams, query: S.noQuery, body: undefined,
    responses: {
      202: { description: 'The event was raised.', schema: S.eventAcceptedSchema },
      404: { description: 'No run (RUN.NOT_FOUND).', schema: S.errorResponseSchema },
      409: { description: 'The run is not going on (RUN.NOT_RUNNING).', schema: S.errorResponseSchema },
    },
  }),
  terminateHardening: route({
    name: HttpFunctions.terminateHardening, method: 'DELETE', route: HARDEN, tag: 'hardening',
    auth: { role: AppRoles.operator },
    summary: 'Terminate the running run, with a reason.',
    params: S.registryParams, query: S.terminateQuery, body: undefined,
    responses: {
      202: { description: 'Termination requested.', schema: S.terminateAcceptedSchema },
      404: { description: 'No run (RUN.NOT_FOUND).', schema: S.errorResponseSchema },
      409: { description: 'The run is not going on (RUN.NOT_RUNNING).', schema: S.errorResponseSchema },
    },
  }),
  listRuns: route({
    name: HttpFunctions.listRuns, method: 'GET', route: 'runs', tag: 'hardening',
    auth: { role: AppRoles.reader },
    summary: 'Recent hardening runs, newest first, paged: every run, apply and plan, with its own status.',
    params: S.noParams, query: S.runsQuery, body: undefined,
    responses: { 200: { description: 'One page of runs.', schema: S.runsPageSchema } },
  }),
  startSweep: route({
    name: HttpFunctions.startSweep, method: 'POST', route: 'sweep', tag: 'sweep',
    auth: { role: AppRoles.operator },
    summary: 'Start the backfill and drift sweep over TARGET_SUBSCRIPTION_IDS: plan every registry, start runs for the non-compliant ones (paced by the ARM write budget); ?mode=plan reports only.',
    params: S.noParams, query: SW.sweepQuery, body: undefined,
    responses: {
      202: { description: 'Started; poll the Location for the report.', schema: SW.sweepAcceptedSchema, headers: { Location: 'The status URL of the sweep.' } },
      409: { description: 'No subscriptions configured (SWEEP.NO_SUBSCRIPTIONS), or a sweep is going on (RUN.ALREADY_RUNNING).', schema: S.errorResponseSchema },
    },
  }),
  getSweepStatus: route({
    name: HttpFunctions.getSweepStatus, method: 'GET', route: 'sweep', tag: 'sweep',
    auth: { role: AppRoles.reader },
    summary: 'The current or last sweep: progress while it runs, the per-subscription and per-registry report once done.',
    params: S.noParams, query: S.noQuery, body: undefined,
    responses: {
      200: { description: 'The sweep status and report.', schema: SW.sweepStatusSchema },
      404: { description: 'No sweep has run (RUN.NOT_FOUND).', schema: S.errorResponseSchema },
    },
  }),
  checkRegistryEgress: route({
    name: HttpFunctions.checkRegistryEgress, method: 'GET', route: REGISTRY_EGRESS, tag: 'network',
    auth: { role: AppRoles.reader },
    summary: "Secured workspace, public registry: whether the subnet's NSG lets out what the isolation guide lists (AzureMachineLearning TCP 443/877/18881 + UDP 5831; Storage, MicrosoftContainerRegistry, AzureContainerRegistry .<region> TCP 443): each present, missing or shadowed by a higher-priority deny.",
    params: EG.workspaceParams, query: EG.egressQuery, body: undefined,
    responses: {
      200: { description: 'The report.', schema: EG.egressReportSchema },
      404: { description: 'The workspace (EGRESS.WORKSPACE_NOT_FOUND) or the subnet (EGRESS.SUBNET_NOT_FOUND) does not exist.', schema: S.errorResponseSchema },
      409: { description: 'The subnet has no NSG (EGRESS.NO_NSG) or its NSG cannot be read (EGRESS.NSG_NOT_FOUND).', schema: S.errorResponseSchema },
      502: { description: 'ARM refused or failed (its code, e.g. ARM.FORBIDDEN).', schema: S.errorResponseSchema },
    },
  }),
  fixRegistryEgress: route({
    name: HttpFunctions.fixRegistryEgress, method: 'POST', route: REGISTRY_EGRESS, tag: 'network',
    auth: { role: AppRoles.networkAdmin },
    summary: "Add the missing or shadowed outbound rules as new Allow rules ahead of the deny that blocks them (free priorities, chosen deterministically); never modifies or deletes a rule. Only on a subnet one of the workspace's computes is in.",
    params: EG.workspaceParams, query: EG.egressFixQuery, body: undefined,
    responses: {
      200: { description: 'The report after the fix, with the rules added.', schema: EG.egressReportSchema },
      404: { description: 'The workspace (EGRESS.WORKSPACE_NOT_FOUND) or the subnet (EGRESS.SUBNET_NOT_FOUND) does not exist; nothing was changed.', schema: S.errorResponseSchema },
      409: { description: "The subnet is not one of the workspace's computes' subnets (EGRESS.SUBNET_NOT_USED), no NSG (EGRESS.NO_NSG, EGRESS.NSG_NOT_FOUND), or no free priority ahead of the blocking deny (EGRESS.NO_FREE_PRIORITY); nothing was changed.", schema: S.errorResponseSchema },
      502: { description: 'ARM refused or failed (its code, e.g. ARM.FORBIDDEN).', schema: S.errorResponseSchema },
    },
  }),
  getExfiltrationProtection: route({
    name: HttpFunctions.getExfiltrationProtection, method: 'GET', route: 'subnets/exfiltration', tag: 'network',
    auth: { role: AppRoles.reader },
    summary: 'Whether the subnet has the Microsoft.Storage service endpoint and a service endpoint policy with the /services/Azure/MachineLearning alias (exfiltration protection for system registries).',
    params: S.noParams, query: EG.exfiltrationQuery, body: undefined,
    responses: {
      200: { description: 'The report.', schema: EG.exfiltrationReportSchema },
      404: { description: 'The subnet does not exist (EXFILTRATION.SUBNET_NOT_FOUND).', schema: S.errorResponseSchema },
      502: { description: 'ARM refused or failed (its code, e.g. ARM.FORBIDDEN).', schema: S.errorResponseSchema },
    },
  }),
  applyExfiltrationProtection: route({
    name: HttpFunctions.applyExfiltrationProtection, method: 'POST', route: 'subnets/exfiltration', tag: 'network',
    auth: { role: AppRoles.networkAdmin },
    summary: "Attach a policy with the /services/Azure/MachineLearning alias (an existing one, or a new sep-aml-<hash> in the subnet's resource group) and the Microsoft.Storage service endpoint, keeping every existing endpoint and policy.",
    params: S.noParams, query: EG.exfiltrationQuery, body: undefined,
    responses: {
      200: { description: 'The report after the apply, with what was done.', schema: EG.exfiltrationReportSchema },
      404: { description: 'The subnet does not exist (EXFILTRATION.SUBNET_NOT_FOUND).', schema: S.errorResponseSchema },
      502: { description: 'ARM refused or failed (its code, e.g. ARM.FORBIDDEN).', schema: S.errorResponseSchema },
    },
  }),
  shareWorkspaceWithRegistry: route({
    name: HttpFunctions.shareWorkspaceWithRegistry, method: 'POST', route: 'workspaces/{subscriptionId}/{resourceGroup}/{workspaceName}/share-with', tag: 'workspaces',
    auth: { role: AppRoles.networkAdmin },
    summary: "Let a registry in on the workspace's storage account (sharing assets to the registry): public access from selected networks (Enabled + defaultAction Deny) plus a resource-instance rule for the registry, added to the existing rules; idempotent.",
    params: WS.workspaceRouteParams, query: WS.shareWithQuery, body: undefined,
    responses: {
      200: { description: 'Shared: the rule was added (one PATCH) or was already there (zero writes).', schema: WS.shareReportSchema },
      400: { description: 'Invalid input, or force=true on an account whose public access is Disabled without a reason (SHARING.REASON_REQUIRED); nothing changed.', schema: WS.refusalSchema },
      404: { description: 'The workspace (WORKSPACE.NOT_FOUND) or the registry (REGISTRY.NOT_FOUND) does not exist or is not visible to the app.', schema: S.errorResponseSchema },
      409: { description: 'Refused, nothing changed: fully public account (SHARING.FULLY_PUBLIC) or public access Disabled (SHARING.PUBLIC_ACCESS_DISABLED) without force=true, a network security perimeter (SHARING.SECURED_BY_PERIMETER), a storage account in another tenant (SHARING.STORAGE_OTHER_TENANT), missing or unreadable (SHARING.NO_STORAGE_ACCOUNT, SHARING.STORAGE_NOT_FOUND).', schema: WS.refusalSchema },
      502: { description: 'ARM refused or failed (its code, e.g. ARM.FORBIDDEN), or the re-read after the PATCH does not show the rule (SHARING.NOT_VERIFIED).', schema: WS.refusalSchema },
    },
  }),
  auditWorkspaceDeployments: route({
    name: HttpFunctions.auditWorkspaceDeployments, method: 'GET', route: 'workspaces/{subscriptionId}/{resourceGroup}/{workspaceName}/deployments-audit', tag: 'workspaces',
    auth: { role: AppRoles.reader },
    summary: 'Report only: the managed online deployments of the workspace that serve a registry model (azureml://registries/…) without egressPublicNetworkAccess Disabled.',
    params: WS.workspaceRouteParams, query: S.noQuery, body: undefined,
    responses: {
      200: { description: 'The audit (compliant: no findings).', schema: WS.deploymentsAuditSchema },
      404: { description: 'The workspace does not exist or is not visible to the app (WORKSPACE.NOT_FOUND).', schema: S.errorResponseSchema },
      502: { description: 'ARM refused or failed (its code, e.g. ARM.FORBIDDEN).', schema: S.errorResponseSchema },
    },
  }),
  fleetRegistryEgress: route({
    name: HttpFunctions.fleetRegistryEgress, method: 'GET', route: 'fleet/registry-egress', tag: 'fleet',
    auth: { role: AppRoles.reader },
    summary: "Report only, over every ML workspace of the target subscriptions (TARGET_SUBSCRIPTION_IDS + TARGET_MANAGEMENT_GROUP): the registry egress check of each subnet of the workspace's computes. The fix stays per workspace (POST …/registry-egress).",
    params: S.noParams, query: FL.fleetEgressQuery, body: undefined,
    responses: FLEET_RESPONSES,
  }),
  fleetExfiltration: route({
    name: HttpFunctions.fleetExfiltration, method: 'GET', route: 'fleet/exfiltration', tag: 'fleet',
    auth: { role: AppRoles.reader },
    summary: "Report only, over every ML workspace of the target subscriptions: the exfiltration protection (ML-alias service endpoint policy + Storage endpoint) of each subnet of the workspace's computes. Apply stays per subnet (POST /api/subnets/exfiltration).",
    params: S.noParams, query: S.noQuery, body: undefined,
    responses: FLEET_RESPONSES,
  }),
  fleetDeploymentsAudit: route({
    name: HttpFunctions.fleetDeploymentsAudit, method: 'GET', route: 'fleet/deployments-audit', tag: 'fleet',
    auth: { role: AppRoles.reader },
    summary: 'Report only, over every ML workspace of the target subscriptions: the online deployments audit of each.',
    params: S.noParams, query: S.noQuery, body: undefined,
    responses: FLEET_RESPONSES,
  }),
  getRegistryReport: route({
    name: HttpFunctions.getRegistryReport, method: 'GET', route: 'registries/{subscriptionId}/{resourceGroup}/{registryName}/report', tag: 'reports',
    auth: { role: AppRoles.reader },
    summary: "The registry's isolation report: its private endpoints and the public network access of the registry, each storage account and the ACR (read from ARM now), the DNS proof per name, the exposure window, the last run's timeline and the runs. An HTML page for a browser (Accept: text/html, or ?format=html), JSON otherwise. Reads only.",
    params: S.registryParams, query: RP.reportQuery, body: undefined,
    responses: {
      200: { description: 'The report.', schema: RP.registryReportSchema, html: 'The report as one self-contained page (no external resource; inline SVG timeline; print stylesheet).' },
      404: { description: 'The registry does not exist or the app cannot see it (REGISTRY.NOT_FOUND).', schema: S.errorResponseSchema, html: 'The same, as a page.' },
      502: { description: 'ARM refused or failed reading the registry (its code, e.g. ARM.FORBIDDEN); a storage account, ACR or endpoint that cannot be read is a line of the report instead.', schema: S.errorResponseSchema, html: 'The same, as a page.' },
    },
  }),
  getFleetReport: route({
    name: HttpFunctions.getFleetReport, method: 'GET', route: 'fleet/report', tag: 'reports',
    auth: { role: AppRoles.reader },
    summary: 'Every registry of the target subscriptions (TARGET_SUBSCRIPTION_IDS + TARGET_MANAGEMENT_GROUP): its state (Hardened, Drifted, Failed, Exempt, NeverRun, Running), when a run last checked it, a link to its report; the counts per state. HTML for a browser, JSON otherwise. Reads only.',
    params: S.noParams, query: RP.reportQuery, body: undefined,
    responses: {
      200: { description: 'The overview: per subscription (listed, or failed with the reason) and per registry.', schema: RP.fleetOverviewSchema, html: 'The overview as one self-contained page (sortable table; print stylesheet).' },
      409: { description: 'No target subscriptions configured (FLEET.NO_SUBSCRIPTIONS).', schema: S.errorResponseSchema, html: 'The same, as a page.' },
    },
  }),
  getOpenApi: route({
    name: HttpFunctions.getOpenApi, method: 'GET', route: 'openapi.json', tag: 'meta',
    auth: { role: AppRoles.reader },
    summary: 'This OpenAPI 3.0 document.',
    params: S.noParams, query: S.noQuery, body: undefined,
    responses: { 200: { description: 'The OpenAPI document.', schema: S.openApiDocumentSchema } },
  }),
} as const;

export type AnyRoute = RouteSpec<z.ZodObject, z.ZodObject, z.ZodType | undefined>;

export const ALL_ROUTES: readonly AnyRoute[] = Object.values(Routes);

/**
 * The trigger options a route is registered with (route, methods, auth level). The Functions host
 * lets every call through to the app (`anonymous`): the caller is a Microsoft Entra ID principal
 * that App Service Authentication validated, and the app checks its role (src/http/request.ts).
 * Function keys open only the Event Grid webhook.
 */
export function httpTriggerOptions(spec: AnyRoute): { route: string; methods: HttpMethod[]; authLevel: 'anonymous' } {
  return { route: spec.route, methods: [spec.method], authLevel: 'anonymous' };
}

/**
 * The path of a route below the host (`/api/…`) with its `{name}` segments filled in, each
 * encoded: the one way a link to a route is made (status URLs, report links, the CLI's calls).
 */
export function routePath(spec: Pick<AnyRoute, 'route'>, params: Readonly<Record<string, string>>): string {
  const path = spec.route.replace(/\{(\w+)\}/g, (_, name: string) => {
    const value = params[name];
    if (value === undefined) throw new Error(`route ${spec.route} needs its {${name}}`);
    return encodeURIComponent(value);
  });
  return `/${ROUTE_PREFIX}/${path}`;
}

/** A registry as its routes address it (`registries/{subscriptionId}/{resourceGroup}/{registryName}/…`). */
export interface RegistryAddress {
  subscriptionId: string;
  resourceGroup: string;
  name: string;
}

/** The path of one of a registry's routes: `/api/registries/{sub}/{rg}/{name}/harden`, `…/report`. */
export function registryRoutePath(spec: Pick<AnyRoute, 'route'>, registry: RegistryAddress): string {
  return routePath(spec, { subscriptionId: registry.subscriptionId, resourceGroup: registry.resourceGroup, registryName: registry.name });
}
