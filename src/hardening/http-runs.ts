import type { HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import type * as df from 'durable-functions';
import { requestContext } from '../main';
import { errorResponse, internalError, jsonResponse } from '../http/errors';
import { parseRequest } from '../http/request';
import { Routes } from '../http/routes';
import { compareRuns, decodeCursor, encodeCursor, pageOf, runSummary } from '../http/views';
import type { DurableStatusRecord } from '../shared/durable-status';
import { Orchestrators } from '../shared/names';
import { ErrorCodes } from '../shared/error-codes';

const DEFAULT_TOP = 20;

export type RunsClient = Pick<df.DurableClient, 'getStatusBy'>;

/** GET /api/runs?status=&top=&continuationToken=: hardening runs, newest first, paged. */
export async function listRuns(request: HttpRequest, client: RunsClient, context: InvocationContext): Promise<HttpResponseInit> {
  try {
    const parsed = await parseRequest(Routes.listRuns, request, requestContext());
    if (!parsed.ok) return parsed.response;
    const { status, top, continuationToken } = parsed.value.query;
    const after = continuationToken === undefined ? undefined : decodeCursor(continuationToken);
    if (continuationToken !== undefined && after === undefined) {
      return errorResponse(ErrorCodes.REQUEST_INVALID_PARAMETER, "query parameter 'continuationToken': is not a token this API issued.");
    }
    const statuses = status ? [...new Set(status.split(','))] : [];
    const all = (await client.getStatusBy(statuses.length > 0 ? { runtimeStatus: statuses as df.OrchestrationRuntimeStatus[] } : {})) as DurableStatusRecord[];
    const origin = new URL(request.url).origin;
    const runs = all
      .filter((s) => s.name === undefined || s.name === Orchestrators.hardenRegistry)
      .filter((s) => statuses.length === 0 || statuses.includes(String(s.runtimeStatus)))
      .map((s) => runSummary(s, origin))
      .sort(compareRuns);
    const page = pageOf(runs, top ?? DEFAULT_TOP, after);
    return jsonResponse(200, { items: page.items, continuationToken: page.next ? encodeCursor(page.next) : null });
  } catch (e) {
    return internalError(context, e);
  }
}
