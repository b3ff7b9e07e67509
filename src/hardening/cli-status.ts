import type { RegistryRef } from './domain/registry';
import type { RunStatusView } from '../cli/render';
import { ErrorCodes } from '../shared/error-codes';

/**
 * `aml-lockdown status`: the app's run of a registry, read through its HTTP API
 * (`GET /api/registries/{subscriptionId}/{resourceGroup}/{registryName}/harden`, function key in
 * `x-functions-key`). The key goes only to the --api host.
 */
export type StatusAnswer =
  | { kind: 'status'; body: RunStatusView & Record<string, unknown> }
  | { kind: 'neverRun'; message: string }
  | { kind: 'error'; httpStatus: number; code: string; message: string };

export function statusUrl(apiBase: string, registry: RegistryRef): string {
  const seg = (s: string): string => encodeURIComponent(s);
  return `${apiBase}/api/registries/${seg(registry.subscriptionId)}/${seg(registry.resourceGroup)}/${seg(registry.name)}/harden`;
}

function errorOf(body: unknown): { code?: string; message?: string } {
  if (typeof body !== 'object' || body === null) return {};
  const error = (body as { error?: unknown }).error;
  if (typeof error !== 'object' || error === null) return {};
  const { code, message } = error as { code?: unknown; message?: unknown };
  return { ...(typeof code === 'string' ? { code } : {}), ...(typeof message === 'string' ? { message } : {}) };
}

export async function fetchStatus(args: { api: string; key: string; registry: RegistryRef; timeoutMs?: number }, fetchImpl: typeof fetch = fetch): Promise<StatusAnswer> {
  const url = statusUrl(args.api, args.registry);
  let response: Response;
  try {
    response = await fetchImpl(url, { headers: { 'x-functions-key': args.key, accept: 'application/json' }, signal: AbortSignal.timeout(args.timeoutMs ?? 30_000) });
  } catch (e) {
    const cause = (e as Error & { cause?: unknown }).cause;
    return { kind: 'error', httpStatus: 0, code: ErrorCodes.HTTP_UNREACHABLE, message: `cannot reach ${url}: ${(e as Error).message}${cause instanceof Error ? ` (${cause.message})` : ''}` };
  }
  const text = await response.text();
  let body: unknown;
  try {
    body = text === '' ? undefined : JSON.parse(text);
  } catch {
    body = undefined;
  }
  const apiError = errorOf(body);
  if (response.status === 200 && typeof body === 'object' && body !== null && !Array.isArray(body)) {
    return { kind: 'status', body: body as RunStatusView & Record<string, unknown> };
  }
  if (response.status === 404 && apiError.code !== undefined) {
    return { kind: 'neverRun', message: apiError.message ?? `the registry ${args.registry.id} has never been hardened by the app` };
  }
  if (response.status === 401 || response.status === 403) {
    return { kind: 'error', httpStatus: response.status, code: apiError.code ?? ErrorCodes.HTTP_UNAUTHORIZED, message: apiError.message ?? `the function app refused the key (${response.status}); give the right one with --key or AML_LOCKDOWN_FUNCTION_KEY` };
  }
  if (response.status === 404) {
    return { kind: 'error', httpStatus: 404, code: ErrorCodes.HTTP_NOT_FOUND, message: `${url} answered 404 without an API error: is --api the function app's base URL, and does it serve the status route?` };
  }
  return {
    kind: 'error',
    httpStatus: response.status,
    code: apiError.code ?? `HTTP.${response.status}`,
    message: apiError.message ?? `${url} answered ${response.status}${text ? `: ${text.slice(0, 500)}` : ''}`,
  };
}

const FAILED_RUNTIME = new Set(['Failed', 'Terminated', 'Canceled']);

/** 0 while a run is fine (running or completed with anything but a Failed outcome), 1 otherwise. */
export function statusExitCode(answer: StatusAnswer): 0 | 1 {
  if (answer.kind !== 'status') return 1;
  const { runtimeStatus } = answer.body;
  if (runtimeStatus !== undefined && FAILED_RUNTIME.has(runtimeStatus)) return 1;
  const result = answer.body.summary ?? answer.body.output;
  if (typeof result === 'object' && result !== null && (result as { kind?: unknown }).kind === 'Failed') return 1;
  return 0;
}
