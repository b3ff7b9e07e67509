/**
 * The OpenAPI 3.0 document of the HTTP API, generated from the route table and the same zod
 * schemas the handlers validate with.
 */
import { z } from 'zod';
import { APP_NAME, APP_VERSION } from '../shared/version';
import { ROUTE_PREFIX, type AnyRoute } from './routes';
import { errorResponseSchema, type SchemaContext } from './schemas';
import { ErrorCodes } from '../shared/error-codes';

type JsonSchema = Record<string, unknown>;

export interface OpenApiParameter {
  name: string;
  in: 'path' | 'query';
  required: boolean;
  description?: string;
  schema: JsonSchema;
}

export interface OpenApiOperation {
  operationId: string;
  summary: string;
  tags: string[];
  parameters: OpenApiParameter[];
  description: string;
  requestBody?: { required: boolean; description?: string; content: { 'application/json': { schema: JsonSchema } } };
  responses: Record<string, { description: string; headers?: Record<string, { description: string; schema: JsonSchema }>; content?: { 'application/json': { schema: JsonSchema } } }>;
  /** the app role every call needs (a higher role includes it) */
  'x-required-role': string;
  /** options that need a higher role */
  'x-elevated-options'?: Array<{ option: string; role: string }>;
}

export interface OpenApiDocument {
  openapi: '3.0.3';
  info: { title: string; version: string; description: string };
  servers?: Array<{ url: string }>;
  paths: Record<string, Partial<Record<'get' | 'post' | 'delete', OpenApiOperation>>>;
  components: { securitySchemes: Record<string, { type: 'http'; scheme: 'bearer'; bearerFormat: string; description: string }> };
  security: Array<Record<string, string[]>>;
}

function jsonSchema(schema: z.ZodType): JsonSchema {
  const js = z.toJSONSchema(schema, { target: 'openapi-3.0', io: 'input', unrepresentable: 'any' }) as JsonSchema;
  delete js.$schema;
  return js;
}

/** `/api/discovery/{region}/{registryName}` from a route template. */
export function openApiPath(route: string): string {
  return `/${ROUTE_PREFIX}/${route}`;
}

/** Path parameter names in the order of the template. */
export function templateParams(route: string): string[] {
  return [...route.matchAll(/\{([A-Za-z_]\w*)\}/g)].map((m) => m[1] as string);
}

function parametersOf(object: z.ZodObject, where: 'path' | 'query', order?: string[]): OpenApiParameter[] {
  const js = jsonSchema(object);
  const properties = (js.properties ?? {}) as Record<string, JsonSchema>;
  const required = new Set((js.required as string[] | undefined) ?? []);
  const names = order ?? Object.keys(properties);
  return names.map((name) => {
    const schema = { ...(properties[name] ?? {}) };
    const description = typeof schema.description === 'string' ? schema.description : undefined;
    delete schema.description;
    return { name, in: where, required: where === 'path' || required.has(name), ...(description ? { description } : {}), schema };
  });
}

const ERROR_CONTENT = { 'application/json': { schema: jsonSchema(errorResponseSchema) } };

/** "the app role Lockdown.Reader (Lockdown.Operator with mode=apply …)" */
function roleLine(route: AnyRoute): string {
  const more = (route.auth.elevated ?? []).map((e) => `${e.role} with ${e.what}`);
  return `the app role ${route.auth.role}${more.length ? ` (${more.join('; ')})` : ''}`;
}

function operationOf(route: AnyRoute, ctx: SchemaContext): OpenApiOperation {
  const pathParams = templateParams(route.route);
  const parameters = [...parametersOf(route.params(ctx), 'path', pathParams), ...parametersOf(route.query, 'query')];
  const responses: OpenApiOperation['responses'] = {};
  for (const [status, spec] of Object.entries(route.responses)) {
    responses[status] = {
      description: spec.description,
      ...(spec.headers ? { headers: Object.fromEntries(Object.entries(spec.headers).map(([h, d]) => [h, { description: d, schema: { type: 'string' } }])) } : {}),
      ...(spec.schema ? { content: { 'application/json': { schema: jsonSchema(spec.schema) } } } : {}),
    };
  }
  if (parameters.length > 0 || route.body) {
    responses['400'] ??= { description: `Invalid input (${[ErrorCodes.REQUEST_INVALID_PARAMETER, ...(route.body ? [ErrorCodes.REQUEST_INVALID_JSON, ErrorCodes.REQUEST_INVALID_BODY, ErrorCodes.REQUEST_UNKNOWN_FIELD] : [ErrorCodes.REQUEST_BODY_NOT_ALLOWED])].join(', ')}).`, content: ERROR_CONTENT };
  }
  responses['401'] = { description: `No Microsoft Entra ID principal: no bearer token, or one App Service Authentication refused (${ErrorCodes.AUTH_UNAUTHENTICATED}); a function key alone is refused too.`, content: ERROR_CONTENT };
  responses['403'] = { description: `The caller lacks the app role (${ErrorCodes.AUTH_FORBIDDEN}): ${roleLine(route)}.`, content: ERROR_CONTENT };
  responses['503'] = { description: `Authentication is not configured on the app (${ErrorCodes.AUTH_NOT_CONFIGURED}): it answers nobody.`, content: ERROR_CONTENT };
  if (route.body) {
    responses['413'] = { description: `The body is larger than the limit (${ErrorCodes.REQUEST_BODY_TOO_LARGE}).`, content: ERROR_CONTENT };
    responses['415'] = { description: `The body is not JSON (${ErrorCodes.REQUEST_UNSUPPORTED_MEDIA_TYPE}).`, content: ERROR_CONTENT };
  }
  responses['500'] = { description: `Unexpected failure (${ErrorCodes.INTERNAL_ERROR}); details are in the app's logs.`, content: ERROR_CONTENT };
  const op: OpenApiOperation = { operationId: route.name, summary: route.summary, description: `Needs ${roleLine(route)}.`, tags: [route.tag], parameters, responses, 'x-required-role': route.auth.role };
  if (route.auth.elevated?.length) op['x-elevated-options'] = route.auth.elevated.map((e) => ({ option: e.what, role: e.role }));
  if (route.body) {
    const schema = jsonSchema(route.body);
    const description = typeof schema.description === 'string' ? schema.description : undefined;
    op.requestBody = { required: false, ...(description ? { description } : {}), content: { 'application/json': { schema } } };
  }
  return op;
}

export function openApiDocument(routes: readonly AnyRoute[], ctx: SchemaContext, serverUrl?: string): OpenApiDocument {
  const paths: OpenApiDocument['paths'] = {};
  for (const route of routes) {
    const path = openApiPath(route.route);
    const method = route.method.toLowerCase() as 'get' | 'post' | 'delete';
    const item = (paths[path] ??= {});
    if (item[method]) throw new Error(`two routes for ${route.method} ${path}`);
    item[method] = operationOf(route, ctx);
  }
  return {
    openapi: '3.0.3',
    info: {
      title: `${APP_NAME} HTTP API`,
      version: APP_VERSION,
      description: 'Discovery proxy, hardening runs (start, plan, status, approve, terminate), run history, the sweep, network and workspace capabilities and fleet reports. Every operation needs a Microsoft Entra ID access token for the app (App Service Authentication) with the app role it names (x-required-role; Lockdown.Reader < Lockdown.Operator < Lockdown.NetworkAdmin, each including the ones before it); function keys open only the Event Grid webhook.',
    },
    ...(serverUrl ? { servers: [{ url: serverUrl }] } : {}),
    paths,
    components: {
      securitySchemes: {
        entraId: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: "A Microsoft Entra ID access token for the app registration (scope api://<AUTH_APP_ID>/.default), validated by App Service Authentication; its roles claim carries the caller's app roles." },
      },
    },
    security: [{ entraId: [] }],
  };
}
