import type { TokenCredential } from '@azure/core-auth';
import { apiErrorOf, apiGet, jsonOf, apiToken, refusalWithoutBody } from '../cli/api-token';
import type { RegistryRef } from './domain/registry';
import type { RunStatusView } from '../cli/render';
import type { DiscoveryPort } from './domain/ports';
import { ErrorCodes } from '../shared/error-codes';
import { registryRoutePath, Routes } from '../http/routes';
import type { ActivityDeps } from '../main';
import type { Config } from '../config';
import { optionsFromConfig } from '../config/harden-options';
import { codedFailure, withoutCode } from '../shared/errors';
import type { Command } from '../cli/args';
import { discoverySummary, outcomeSummary, ProgressDisplay, statusSummary, verifyDnsSummary, type Output } from '../cli/render';
import { parseHardenInput } from './domain/harden-input';
import type { OutcomeKind, RunMode } from './domain/hardening';
import { runHardening, verifyDns, type RunnerDeps } from './harden.in-process';

/**
 * `aml-lockdown status`: the app's run of a registry, read through its HTTP API
 * (`GET /api/registries/{subscriptionId}/{resourceGroup}/{registryName}/harden`) with a
 * Microsoft Entra ID token for the app (scope `api://<app-id>/.default`, app role
 * Lockdown.Reader). The token goes only to the --api host: https (plain http only to this
 * machine), and no redirect is followed.
 */
export type StatusAnswer =
  | { kind: 'status'; body: RunStatusView & Record<string, unknown> }
  | { kind: 'neverRun'; message: string }
  | { kind: 'error'; httpStatus: number; code: string; message: string };

export function statusUrl(apiBase: string, registry: RegistryRef): string {
  return `${apiBase}${registryRoutePath(Routes.getHardeningStatus, registry)}`;
}

export async function fetchStatus(args: { api: string; token: string; registry: RegistryRef; timeoutMs?: number }, fetchImpl: typeof fetch = fetch): Promise<StatusAnswer> {
  const url = statusUrl(args.api, args.registry);
  const got = await apiGet(url, args.token, 'application/json', args.timeoutMs ?? 30_000, fetchImpl);
  if (!got.ok) return { kind: 'error', httpStatus: got.httpStatus, code: got.code, message: got.message };
  const { response } = got;
  const text = await response.text();
  const body = jsonOf(text);
  const apiError = apiErrorOf(body);
  if (response.status === 200 && typeof body === 'object' && body !== null && !Array.isArray(body)) {
    return { kind: 'status', body: body as RunStatusView & Record<string, unknown> };
  }
  if (response.status === 404 && apiError.code !== undefined) {
    return { kind: 'neverRun', message: apiError.message ?? `the registry ${args.registry.id} has never been hardened by the app` };
  }
  if (response.status === 401 || response.status === 403) {
    return { kind: 'error', httpStatus: response.status, code: apiError.code ?? ErrorCodes.HTTP_UNAUTHORIZED, message: apiError.message ?? refusalWithoutBody(response.status, response.headers.get('www-authenticate')) };
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
  // a run that failed, or found no registry (a typo'd name, a deleted registry), is not a success
  const kind = typeof result === 'object' && result !== null ? (result as { kind?: unknown }).kind : undefined;
  if (kind === 'Failed' || kind === 'NotFound') return 1;
  return 0;
}

/* ---------- the hardening commands: status, discovery, verify-dns, plan, apply ---------- */

export interface HardeningCliIo {
  stdout: Output;
  stderr: Output;
  sleep?: (ms: number) => Promise<void>;
}

type HardeningCommand = Extract<Command, { command: 'verify-dns' | 'plan' | 'apply' }>;

const OK_KINDS: ReadonlySet<OutcomeKind> = new Set(['Hardened', 'Planned', 'Exempt']);

function json(io: HardeningCliIo, value: unknown): void {
  io.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

/** `status`: the run's status from the deployed app's HTTP API (0 compliant, 1 otherwise). */
export async function statusCommand(command: Extract<Command, { command: 'status' }> & { api: string }, auth: { appId: string; credential: TokenCredential }, io: HardeningCliIo): Promise<0 | 1> {
  const token = await apiToken(auth.credential, auth.appId);
  const answer: StatusAnswer = token.ok ? await fetchStatus({ api: command.api, token: token.token, registry: command.registry }) : { kind: 'error', httpStatus: 0, code: token.code, message: token.message };
  if (answer.kind === 'status') {
    if (command.json) json(io, answer.body);
    else io.stdout.write(statusSummary(command.registry.id, answer.body));
    return statusExitCode(answer);
  }
  const error = answer.kind === 'neverRun' ? { code: ErrorCodes.RUN_NOT_FOUND, message: answer.message } : { code: answer.code, message: answer.message };
  if (command.json) json(io, { error });
  else io.stderr.write(`aml-lockdown status: ${error.code}: ${error.message}\n`);
  return 1;
}

/** `discovery`: the registry's discovery document (0), or the coded failure (1). Needs no hardening settings. */
export async function discoveryCommand(command: Extract<Command, { command: 'discovery' }>, discovery: DiscoveryPort, io: HardeningCliIo): Promise<0 | 1> {
  try {
    const doc = await discovery.discover(command.region, command.registryName);
    if (command.json) json(io, doc);
    else io.stdout.write(discoverySummary(command.region, command.registryName, doc));
    return 0;
  } catch (e) {
    const error = codedFailure(e);
    if (command.json) json(io, { error });
    else io.stderr.write(`aml-lockdown discovery: ${error.code}: ${error.message}\n`);
    return 1;
  }
}

/**
 * verify-dns / plan / apply in process, over the app's activities (the in-process driver).
 * 0 done / compliant, 1 failed (DNS not proven included), 2 bad run options.
 */
export async function hardeningCommand(command: HardeningCommand, config: Config, activity: ActivityDeps, io: HardeningCliIo): Promise<0 | 1 | 2> {
  const title = `aml-lockdown ${command.command} ${command.registry.id}`;
  const display = command.json ? undefined : new ProgressDisplay(io.stdout, title);
  const deps: RunnerDeps = {
    activity,
    sleep: io.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms))),
    onProgress: (steps) => display?.update(steps),
  };

  if (command.command === 'verify-dns') {
    const result = await verifyDns({ registryId: command.registry.id, ...(command.subnetId !== undefined ? { subnetId: command.subnetId } : {}) }, deps);
    if (command.json) {
      const { steps: _steps, ...document } = result;
      json(io, document);
    } else io.stdout.write(verifyDnsSummary(result));
    return result.proven ? 0 : 1;
  }

  const mode: RunMode = command.command;
  let input;
  try {
    input = parseHardenInput({ registryId: command.registry.id, mode, options: optionsFromConfig(config, command), trigger: 'cli' });
  } catch (e) {
    io.stderr.write(`aml-lockdown: ${withoutCode(e)}\nRun 'aml-lockdown --help' for usage.\n`);
    return 2;
  }
  const { outcome } = await runHardening(input, { publish: command.publish }, deps);
  if (command.json) json(io, outcome);
  else io.stdout.write(outcomeSummary(outcome));
  return OK_KINDS.has(outcome.kind) ? 0 : 1;
}
