/**
 * The HTTP API in one table: each route's function name, method, path, auth level, and the
 * schemas of its parameters, query, body and responses. The registrations (src/functions/http-*.ts)
 * and the OpenAPI document are both built from it, so they cannot disagree.
 */
import type { z } from 'zod';
import { HttpFunctions } from '../names';
import * as S from './schemas';

/** host.json `extensions.http.routePrefix` (the Functions default). */
export const ROUTE_PREFIX = 'api';

/** Request bodies larger than this are refused with 413 before they are parsed. */
export const MAX_BODY_BYTES = 16 * 1024;

export type HttpMethod = 'GET' | 'POST' | 'DELETE';

export interface ResponseSpec {
  description: string;
  schema?: z.ZodType;
  headers?: Record<string, string>;
}

export interface RouteSpec<P extends z.ZodObject = z.ZodObject, Q extends z.ZodObject = z.ZodObject, B extends z.ZodType | undefined = z.ZodType | undefined> {
  /** the registered function name (names.ts) and the OpenAPI operationId */
  name: string;
  method: HttpMethod;
  /** route template below the prefix, as registered with the host */
  route: string;
  authLevel: 'function' | 'anonymous';
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

export const Routes = {
  getDiscovery: route({
    name: HttpFunctions.getDiscovery, method: 'GET', route: 'discovery/{region}/{registryName}', authLevel: 'function', tag: 'discovery',
    summary: "The registry's discovery document (registryFqdns per region), fetched with the app's token from the discovery host of that region.",
    params: S.discoveryParams, query: S.noQuery, body: undefined,
    responses: {
      200: { description: 'The discovery document (briefly cached, DISCOVERY_CACHE_SECONDS).', schema: S.discoveryDocumentSchema },
      404: { description: 'The registry may not exist in that region, or the app has no access to it (DISCOVERY.NOT_FOUND).', schema: S.errorResponseSchema },
      502: { description: "Discovery refused the app's token (DISCOVERY.UNAUTHORIZED) or failed (DISCOVERY.FAILED).", schema: S.errorResponseSchema },
    },
  }),
  startHardening: route({
    name: HttpFunctions.startHardening, method: 'POST', route: HARDEN, authLevel: 'function', tag: 'hardening',
    summary: 'Start a hardening run for the registry, or restart a finished or failed one; ?mode=plan is a dry run.',
    params: S.registryParams, query: S.startQuery, body: S.hardenOverridesBody,
    responses: {
      202: { description: 'Started; poll the Location.', schema: S.startAcceptedSchema, headers: { Location: 'The status URL of the run.' } },
      409: { description: 'A run of this registry is going on (RUN.ALREADY_RUNNING); its status is in `run`.', schema: S.conflictSchema },
    },
  }),
  getHardeningStatus: route({
    name: HttpFunctions.getHardeningStatus, method: 'GET', route: HARDEN, authLevel: 'function', tag: 'hardening',
    summary: "The registry's current or last run: runtime state, per-step progress, output.",
    params: S.registryParams, query: S.noQuery, body: undefined,
    responses: {
      200: { description: 'The run status.', schema: S.runStatusSchema },
      404: { description: 'The registry was never hardened by this app (RUN.NOT_FOUND).', schema: S.errorResponseSchema },
    },
  }),
  approveHardening: route({
    name: HttpFunctions.approveHardening, method: 'POST', route: `${HARDEN}/approve`, authLevel: 'function', tag: 'hardening',
    summary: 'Raise the approval event: the run re-checks its Pending private endpoint connections now.',
    params: S.registryParams, query: S.noQuery, body: undefined,
    responses: {
      202: { description: 'The event was raised.', schema: S.eventAcceptedSchema },
      404: { description: 'No run (RUN.NOT_FOUND).', schema: S.errorResponseSchema },
      409: { description: 'The run is not going on (RUN.NOT_RUNNING).', schema: S.errorResponseSchema },
    },
  }),
  terminateHardening: route({
    name: HttpFunctions.terminateHardening, method: 'DELETE', route: HARDEN, authLevel: 'function', tag: 'hardening',
    summary: 'Terminate the running run, with a reason.',
    params: S.registryParams, query: S.terminateQuery, body: undefined,
    responses: {
      202: { description: 'Termination requested.', schema: S.terminateAcceptedSchema },
      404: { description: 'No run (RUN.NOT_FOUND).', schema: S.errorResponseSchema },
      409: { description: 'The run is not going on (RUN.NOT_RUNNING).', schema: S.errorResponseSchema },
    },
  }),
  listRuns: route({
    name: HttpFunctions.listRuns, method: 'GET', route: 'runs', authLevel: 'function', tag: 'hardening',
    summary: 'Recent hardening runs, newest first, paged.',
    params: S.noParams, query: S.runsQuery, body: undefined,
    responses: { 200: { description: 'One page of runs.', schema: S.runsPageSchema } },
  }),
  getOpenApi: route({
    name: HttpFunctions.getOpenApi, method: 'GET', route: 'openapi.json', authLevel: 'anonymous', tag: 'meta',
    summary: 'This OpenAPI 3.0 document.',
    params: S.noParams, query: S.noQuery, body: undefined,
    responses: { 200: { description: 'The OpenAPI document.', schema: S.openApiDocumentSchema } },
  }),
} as const;

export type AnyRoute = RouteSpec<z.ZodObject, z.ZodObject, z.ZodType | undefined>;

export const ALL_ROUTES: readonly AnyRoute[] = Object.values(Routes);

/** The trigger options a route is registered with (route, methods, auth level). */
export function httpTriggerOptions(spec: AnyRoute): { route: string; methods: HttpMethod[]; authLevel: 'function' | 'anonymous' } {
  return { route: spec.route, methods: [spec.method], authLevel: spec.authLevel };
}
