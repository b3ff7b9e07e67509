/**
 * `aml-lockdown report <registryId> | --all --api <functionsBaseUrl> [--app-id] [--out <file>] [--json]`:
 * the isolation report (or the fleet overview) as the app serves it — the same page or JSON,
 * read through its HTTP API, since only the app's run history has the runs and only the app's
 * network resolves the private names as the app does. The caller's Microsoft Entra ID token for
 * the app (`api://<app-id>/.default`, app role Lockdown.Reader) goes only to the --api host, and no
 * redirect is followed with it.
 */
import { writeFileSync } from 'node:fs';
import type { TokenCredential } from '@azure/core-auth';
import type { ReportCommand } from '../cli/args';
import type { Output } from '../cli/render';
import { ErrorCodes } from '../shared/error-codes';
import { apiErrorOf, apiGet, jsonOf, apiToken, refusalWithoutBody } from '../cli/api-token';
import { FLEET_REPORT_PATH, reportPath } from './paths';

export interface ReportCliIo {
  stdout: Output;
  stderr: Output;
  /** writes the report to a file (default: the file system) */
  writeFile?: (path: string, content: string) => void;
}

/** A report command whose API base is known (--api or LOCKDOWN_API_URL, resolved by app.ts). */
export type ApiReportCommand = ReportCommand & { api: string };

export type ReportAnswer = { ok: true; body: string } | { ok: false; code: string; message: string };

/** The report's URL on the app: the registry's report or the fleet overview, in the format asked. */
export function reportUrl(command: Pick<ApiReportCommand, 'api' | 'all' | 'registry' | 'json'>): string {
  const path = command.all || command.registry === undefined ? FLEET_REPORT_PATH : reportPath(command.registry);
  return `${command.api}${path}?format=${command.json ? 'json' : 'html'}`;
}

/** GETs the report with the token; a redirect, a refusal or an API error answers as a coded failure. */
async function fetchReport(command: ApiReportCommand, token: string, fetchImpl: typeof fetch = fetch, timeoutMs = 300_000): Promise<ReportAnswer> {
  const url = reportUrl(command);
  // ?format= picks the report's format; accepting JSON makes the app answer its errors as JSON
  const got = await apiGet(url, token, command.json ? 'application/json' : 'text/html, application/json;q=0.5', timeoutMs, fetchImpl);
  if (!got.ok) return { ok: false, code: got.code, message: got.message };
  const { response } = got;
  const text = await response.text();
  if (response.status === 200) return { ok: true, body: text };
  const error = apiErrorOf(jsonOf(text));
  if (response.status === 401 || response.status === 403) {
    return { ok: false, code: error.code ?? ErrorCodes.HTTP_UNAUTHORIZED, message: error.message ?? refusalWithoutBody(response.status, response.headers.get('www-authenticate')) };
  }
  if (response.status === 404 && error.code === undefined) {
    return { ok: false, code: ErrorCodes.HTTP_NOT_FOUND, message: `${url} answered 404 without an API error: is --api the function app's base URL, and does it serve the report routes?` };
  }
  return { ok: false, code: error.code ?? `HTTP.${response.status}`, message: error.message ?? `${url} answered ${response.status}` };
}

/** 0 the report was written, 1 the app could not give it (the reason on stderr). */
export async function runReportCommand(command: ApiReportCommand, auth: { appId: string; credential: TokenCredential }, io: ReportCliIo, fetchImpl: typeof fetch = fetch): Promise<0 | 1> {
  const token = await apiToken(auth.credential, auth.appId);
  const answer: ReportAnswer = token.ok ? await fetchReport(command, token.token, fetchImpl) : token;
  if (!answer.ok) {
    io.stderr.write(`aml-lockdown report: ${answer.code}: ${answer.message}\n`);
    return 1;
  }
  if (command.out === undefined) {
    io.stdout.write(answer.body.endsWith('\n') ? answer.body : `${answer.body}\n`);
    return 0;
  }
  (io.writeFile ?? ((path, content) => writeFileSync(path, content, 'utf8')))(command.out, answer.body);
  io.stdout.write(`aml-lockdown report: wrote ${command.out} (${command.json ? 'JSON' : 'HTML'}, ${Buffer.byteLength(answer.body, 'utf8')} bytes) from ${reportUrl(command)}\n`);
  return 0;
}
