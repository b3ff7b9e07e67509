/**
 * Request checks for the HTTP handlers, in this order: the caller (a Microsoft Entra ID
 * principal, src/http/auth.ts) and the app role the route needs; then path parameters, query and
 * JSON body against the route's schemas; then the role of any option that needs more (the route
 * table's `elevated`); then the target scope (every subscription the request names must be a
 * target, 403 REQUEST.OUT_OF_SCOPE). Every refusal is a 4xx (503 while authentication is not
 * configured) `{ error: { code, message } }` before anything is read or written. Values from the
 * caller are never echoed back (they may be long or hostile); messages name the field.
 */
import type { HttpRequest, HttpResponseInit } from '@azure/functions';
import type { z } from 'zod';
import type { Config } from '../config';
import { authenticate, authorize, authSettingsOf, type AuthSettings } from './auth';
import { errorResponse } from './errors';
import { MAX_BODY_BYTES, ROUTE_PREFIX, type RouteSpec } from './routes';
import type { SchemaContext } from './schemas';
import type { Caller } from '../shared/caller';
import { ErrorCodes } from '../shared/error-codes';
import { errorCodeOf, withoutCode } from '../shared/errors';
import { subscriptionOf, type TargetScope } from '../shared/target-scope';

/**
 * What a handler checks a request against: who may call (the authentication settings), the
 * cloud's regions (schemas) and the target scope every subscription the request names must be in.
 */
export interface RequestContext extends SchemaContext {
  auth: AuthSettings;
  scope: Pick<TargetScope, 'outside' | 'describe'>;
}

/** The request context from settings (AZURE_CLOUD, AUTH_APP_ID, WEBSITE_AUTH_ENABLED) and the target scope. */
export function requestContextOf(config: Pick<Config, 'AZURE_CLOUD' | 'AUTH_APP_ID' | 'WEBSITE_AUTH_ENABLED'>, scope: RequestContext['scope']): RequestContext {
  return { cloud: config.AZURE_CLOUD, auth: authSettingsOf(config), scope };
}

export type Parsed<R extends RouteSpec> = {
  params: z.output<ReturnType<R['params']>>;
  query: z.output<R['query']>;
  body: R['body'] extends z.ZodType ? z.output<R['body']> | undefined : undefined;
  /** who called (recorded with every state change) */
  caller: Caller;
};

export type ParseResult<R extends RouteSpec> = { ok: true; value: Parsed<R> } | { ok: false; response: HttpResponseInit };

const JSON_TYPE = /^application\/(?:[\w.+-]*\+)?json\s*(?:;|$)/i;

function describeIssues(where: string, error: z.ZodError): string {
  return error.issues
    .slice(0, 10)
    .map((i) => {
      const path = i.path.map(String).join('.');
      return `${where}${path ? ` '${path}'` : ''}: ${i.message}`;
    })
    .join('; ');
}

function unknownFields(error: z.ZodError): string[] {
  return error.issues.flatMap((i) => (i.code === 'unrecognized_keys' ? i.keys.map((k) => [...i.path.map(String), k].join('.')) : []));
}

function fail(code: string, message: string, headers: Record<string, string> = {}): { ok: false; response: HttpResponseInit } {
  const response = errorResponse(code, message);
  return { ok: false, response: { ...response, headers: { ...(response.headers as Record<string, string>), ...headers } } };
}

/** Reads at most MAX_BODY_BYTES (+1 to detect more); a declared larger length is refused unread. */
async function readBody(request: HttpRequest): Promise<{ ok: true; bytes: Buffer } | { ok: false; response: HttpResponseInit }> {
  const declared = Number(request.headers.get('content-length') ?? '0');
  if (Number.isFinite(declared) && declared > MAX_BODY_BYTES) {
    return fail(ErrorCodes.REQUEST_BODY_TOO_LARGE, `the request body must be at most ${MAX_BODY_BYTES} bytes.`);
  }
  const bytes = request.body === null ? Buffer.alloc(0) : Buffer.from(await request.arrayBuffer());
  if (bytes.length > MAX_BODY_BYTES) return fail(ErrorCodes.REQUEST_BODY_TOO_LARGE, `the request body must be at most ${MAX_BODY_BYTES} bytes.`);
  return { ok: true, bytes };
}

async function parseBody(request: HttpRequest, schema: z.ZodType | undefined): Promise<{ ok: true; value: unknown } | { ok: false; response: HttpResponseInit }> {
  const read = await readBody(request);
  if (!read.ok) return read;
  const bytes = read.bytes;
  if (bytes.length === 0 || bytes.toString('utf8').trim() === '') return { ok: true, value: undefined };
  if (schema === undefined) return fail(ErrorCodes.REQUEST_BODY_NOT_ALLOWED, 'this operation takes no request body.');
  const type = request.headers.get('content-type') ?? '';
  if (!JSON_TYPE.test(type)) return fail(ErrorCodes.REQUEST_UNSUPPORTED_MEDIA_TYPE, 'the request body must be JSON (Content-Type: application/json).');
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return fail(ErrorCodes.REQUEST_INVALID_JSON, 'the request body is not UTF-8.');
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return fail(ErrorCodes.REQUEST_INVALID_JSON, 'the request body is not valid JSON.');
  }
  const parsed = schema.safeParse(json);
  if (parsed.success) return { ok: true, value: parsed.data };
  const unknown = unknownFields(parsed.error);
  if (unknown.length > 0) return fail(ErrorCodes.REQUEST_UNKNOWN_FIELD, `unknown field(s) in the request body: ${unknown.slice(0, 10).map((k) => k.slice(0, 64)).join(', ')}.`);
  return fail(ErrorCodes.REQUEST_INVALID_BODY, `${describeIssues('body', parsed.error)}.`);
}

function queryObject(request: HttpRequest): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of request.query.entries()) out[k] = v;
  return out;
}

/** Where a request names a subscription: a `subscriptionId` field, or a string that is an ARM id (`/subscriptions/{id}…`). */
interface NamedSubscription {
  where: string;
  subscriptionId: string;
}

function subscriptionsIn(where: string, value: unknown, path: string[] = [], out: NamedSubscription[] = [], depth = 0): NamedSubscription[] {
  const at = (): string => `${where}${path.length > 0 ? ` '${path.join('.')}'` : ''}`;
  if (typeof value === 'string') {
    const key = path[path.length - 1];
    const subscriptionId = key === 'subscriptionId' ? value.trim().toLowerCase() : subscriptionOf(value);
    if (subscriptionId !== undefined) out.push({ where: at(), subscriptionId });
  } else if (depth < 32 && typeof value === 'object' && value !== null) {
    for (const [k, v] of Object.entries(value)) subscriptionsIn(where, v, [...path, k], out, depth + 1);
  }
  return out;
}

/**
 * The target-scope check (issue 15 item 3), after validation and before the handler makes any
 * ARM call: every subscription the request names must be a target. 403 REQUEST.OUT_OF_SCOPE
 * naming the fields (not their values); a management group that cannot be listed answers its
 * own code (e.g. 502 ARM.FORBIDDEN).
 */
async function checkScope(named: NamedSubscription[], scope: RequestContext['scope']): Promise<{ ok: true } | { ok: false; response: HttpResponseInit }> {
  if (named.length === 0) return { ok: true };
  let outside: string[];
  try {
    outside = await scope.outside(named.map((n) => n.subscriptionId));
  } catch (e) {
    const code = errorCodeOf(e);
    if (code === undefined) throw e;
    return fail(code, `the target scope could not be read: ${withoutCode(e)}`);
  }
  if (outside.length === 0) return { ok: true };
  const fields = [...new Set(named.filter((n) => outside.includes(n.subscriptionId)).map((n) => n.where))];
  return fail(ErrorCodes.REQUEST_OUT_OF_SCOPE, `${fields.slice(0, 5).join(', ')} ${fields.length === 1 ? 'names a subscription' : 'name subscriptions'} outside the app's target scope (${scope.describe()}); nothing was read or changed.`);
}

/**
 * Checks the caller, then validates params, query and body of a request against its route, then
 * the role of the options used, then the target scope; the first problem found answers.
 */
export async function parseRequest<R extends RouteSpec>(route: R, request: HttpRequest, ctx: RequestContext): Promise<ParseResult<R>> {
  const who = authenticate(request.headers, ctx.auth);
  if (!who.ok) return fail(who.code, who.message, who.code === ErrorCodes.AUTH_UNAUTHENTICATED ? { 'www-authenticate': 'Bearer' } : {});
  const caller = who.caller;
  const allowed = authorize(caller, route.auth.role, `${route.method} /${ROUTE_PREFIX}/${route.route}`);
  if (!allowed.ok) return fail(allowed.code, allowed.message);
  const params = route.params(ctx).safeParse(request.params ?? {});
  if (!params.success) return fail(ErrorCodes.REQUEST_INVALID_PARAMETER, `${describeIssues('path parameter', params.error)}.`);
  const query = route.query.safeParse(queryObject(request));
  if (!query.success) return fail(ErrorCodes.REQUEST_INVALID_PARAMETER, `${describeIssues('query parameter', query.error)}.`);
  const body = await parseBody(request, route.body);
  if (!body.ok) return body;
  const input = { query: query.data, body: body.value };
  for (const option of route.auth.elevated ?? []) {
    if (!option.applies(input as never)) continue;
    const elevated = authorize(caller, option.role, `${route.method} /${ROUTE_PREFIX}/${route.route} with ${option.what}`);
    if (!elevated.ok) return fail(elevated.code, elevated.message);
  }
  const named = [...subscriptionsIn('path parameter', params.data), ...subscriptionsIn('query parameter', query.data), ...subscriptionsIn('body', body.value)];
  const scoped = await checkScope(named, ctx.scope);
  if (!scoped.ok) return scoped;
  return { ok: true, value: { params: params.data, query: query.data, body: body.value, caller } as Parsed<R> };
}
