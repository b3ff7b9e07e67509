import { app, type HttpRequest, type HttpResponseInit, type InvocationContext } from '@azure/functions';
import { getConfig } from '../config';
import { internalError, jsonResponse } from './errors';
import { openApiDocument } from './openapi-document';
import { parseRequest, requestContextOf } from './request';
import { ALL_ROUTES, httpTriggerOptions, Routes } from './routes';

/** GET /api/openapi.json (Lockdown.Reader): the API's OpenAPI 3.0 document, from the route table. */
export async function getOpenApi(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  try {
    const ctx = requestContextOf(getConfig());
    const parsed = await parseRequest(Routes.getOpenApi, request, ctx);
    if (!parsed.ok) return parsed.response;
    return jsonResponse(200, openApiDocument(ALL_ROUTES, { cloud: ctx.cloud }, new URL(request.url).origin), { 'cache-control': 'private, max-age=300' });
  } catch (e) {
    return internalError(context, e);
  }
}

app.http(Routes.getOpenApi.name, { ...httpTriggerOptions(Routes.getOpenApi), handler: getOpenApi });
