/**
 * `aml-lockdown allow-sharing <workspaceId> <registryId> [--force] [--json]` and
 * `aml-lockdown audit-deployments <workspaceId>... [--json]`: the workspace capabilities of the
 * HTTP API, in process. Parsed here (node:util parseArgs, strict) and dispatched from app.ts.
 */
import { parseArgs } from 'node:util';
import { auditWorkspaceDeployments, shareWorkspaceWithRegistry, type CapabilityFailure, type ShareReport } from './activities/workspace-capabilities';
import { createAzureClients } from '../azure/client-factory';
import { createPorts, createWorkspacePorts } from '../main';
import { subscriptionList, WORKSPACE_COMMANDS } from '../cli/args';
import { withOptionGuess } from '../shared/did-you-mean';
import { runFleetCommand } from '../fleet';
import type { WorkspacePorts } from './domain/ports';
import { loadBaseConfig, type BaseConfig } from '../config';
import type { EnvironmentMap } from '../config/cli-environment';
import { parseResourceIdOfType } from '../shared/arm-id';
import { errorCodeOf, ErrorCodes, withoutCode } from '../shared/errors';
import type { WorkspaceDeploymentsAudit } from './domain/deployments-audit';
import { parseWorkspaceId, REGISTRY_RESOURCE_TYPE } from './domain/workspace';
import type { Output } from '../cli/render';

export type WorkspaceCommandName = (typeof WORKSPACE_COMMANDS)[number];

export const WORKSPACE_USAGE = `Usage:
  aml-lockdown allow-sharing <workspaceId> <registryId> [--force [--reason <why>]] [--json] [--settings <file>]
      let the registry in on the workspace's storage account: selected networks + a
      resource-instance rule, added to the existing rules (zero writes when already there);
      refuses a fully public account or one with public access Disabled unless --force;
      turning Disabled into Enabled also needs --reason (recorded in the report)
  aml-lockdown audit-deployments <workspaceId>... [--json] [--settings <file>]
      report managed online deployments serving a registry model without
      egressPublicNetworkAccess Disabled (reads only)
  aml-lockdown audit-deployments --all [--subscriptions <ids>] [--json] [--settings <file>]
      the same for every workspace of TARGET_SUBSCRIPTION_IDS + TARGET_MANAGEMENT_GROUP (or
      --subscriptions); a subscription or workspace that cannot be read is a failed line
  allow-sharing has no --all: it lets one registry in on one workspace's storage, named each time
Exit codes: 0 shared / compliant, 1 refused, failed or findings, 2 bad usage or settings.`;

export type WorkspaceCommand =
  | { command: 'help' }
  | { command: 'allow-sharing'; workspaceId: string; registryId: string; force: boolean; reason?: string; json: boolean; settingsFile?: string }
  | { command: 'audit-deployments'; workspaceIds: string[]; json: boolean; settingsFile?: string }
  | { command: 'audit-deployments-all'; subscriptionIds?: string[]; json: boolean; settingsFile?: string };

export class WorkspaceUsageError extends Error {
  override readonly name = 'WorkspaceUsageError';
}

export function isWorkspaceCommand(argv: readonly string[]): boolean {
  const first = argv.find((a) => !a.startsWith('-'));
  return (WORKSPACE_COMMANDS as readonly string[]).includes(first ?? '');
}

const WORKSPACE_OPTIONS = { json: { type: 'boolean' }, settings: { type: 'string' }, force: { type: 'boolean' }, reason: { type: 'string' }, all: { type: 'boolean' }, subscriptions: { type: 'string' }, help: { type: 'boolean', short: 'h' } } as const;

export function parseWorkspaceCommand(argv: readonly string[]): WorkspaceCommand {
  let parsed;
  try {
    parsed = parseArgs({ args: [...argv], allowPositionals: true, strict: true, options: WORKSPACE_OPTIONS });
  } catch (e) {
    throw new WorkspaceUsageError(withOptionGuess(withoutCode(e), Object.keys(WORKSPACE_OPTIONS)));
  }
  const { values, positionals } = parsed;
  const [name, ...rest] = positionals;
  if (values.help === true) return { command: 'help' };
  const json = values.json === true;
  const settings = values.settings !== undefined ? { settingsFile: values.settings } : {};
  if (name === 'allow-sharing' && (values.all !== undefined || values.subscriptions !== undefined)) {
    throw new WorkspaceUsageError("'allow-sharing' has no --all / --subscriptions: sharing lets one registry in on one workspace's storage account, so both are always named");
  }
  if (values.reason !== undefined && name !== 'allow-sharing') throw new WorkspaceUsageError("--reason goes with 'allow-sharing --force'");
  if (values.reason !== undefined && (values.reason.trim() === '' || values.reason.length > 500 || /[\r\n]/.test(values.reason))) throw new WorkspaceUsageError('--reason must be one line of 1 to 500 characters');
  if (name === 'audit-deployments' && values.all === true) {
    if (values.force !== undefined) throw new WorkspaceUsageError("--force is not an option of 'audit-deployments'");
    if (rest.length > 0) throw new WorkspaceUsageError("'audit-deployments --all' takes no <workspaceId>: it covers every workspace of the target subscriptions");
    let subscriptionIds: string[] | undefined;
    try {
      subscriptionIds = values.subscriptions === undefined ? undefined : subscriptionList(values.subscriptions);
    } catch (e) {
      throw new WorkspaceUsageError(withoutCode(e));
    }
    return { command: 'audit-deployments-all', json, ...settings, ...(subscriptionIds ? { subscriptionIds } : {}) };
  }
  if (values.subscriptions !== undefined) throw new WorkspaceUsageError('--subscriptions goes with audit-deployments --all');
  if (name === 'allow-sharing') {
    if (rest.length !== 2) throw new WorkspaceUsageError(`'allow-sharing' takes <workspaceId> <registryId>; got ${rest.length === 0 ? 'nothing' : rest.map((r) => `'${r}'`).join(' ')}`);
    const [ws, reg] = rest as [string, string];
    let workspaceId: string;
    try {
      workspaceId = parseWorkspaceId(ws).id;
    } catch (e) {
      throw new WorkspaceUsageError(`bad <workspaceId>: ${withoutCode(e)}`);
    }
    let registryId: string;
    try {
      registryId = parseResourceIdOfType(reg, REGISTRY_RESOURCE_TYPE).id;
    } catch (e) {
      throw new WorkspaceUsageError(`bad <registryId>: ${withoutCode(e)}`);
    }
    return { command: 'allow-sharing', workspaceId, registryId, force: values.force === true, ...(values.reason !== undefined ? { reason: values.reason.trim() } : {}), json, ...settings };
  }
  if (name === 'audit-deployments') {
    if (values.force !== undefined) throw new WorkspaceUsageError("--force is not an option of 'audit-deployments' (its options: --json, --settings)");
    if (rest.length === 0) throw new WorkspaceUsageError("'audit-deployments' takes one or more <workspaceId>");
    const workspaceIds = rest.map((w) => {
      try {
        return parseWorkspaceId(w).id;
      } catch (e) {
        throw new WorkspaceUsageError(`bad <workspaceId>: ${withoutCode(e)}`);
      }
    });
    return { command: 'audit-deployments', workspaceIds: workspaceIds.filter((w, i) => workspaceIds.findIndex((x) => x.toLowerCase() === w.toLowerCase()) === i), json, ...settings };
  }
  throw new WorkspaceUsageError(`unknown command '${name ?? ''}': use one of ${WORKSPACE_COMMANDS.join(', ')}`);
}

export interface WorkspaceCliIo {
  stdout: Output;
  stderr: Output;
  environment: (settingsFile: string | undefined) => EnvironmentMap;
  /** the adapters; default: built from the settings */
  ports?: (config: BaseConfig) => WorkspacePorts;
}

function usage(io: WorkspaceCliIo, message: string): 2 {
  io.stderr.write(`aml-lockdown: ${message}\nRun 'aml-lockdown allow-sharing --help' for usage.\n`);
  return 2;
}

function shareSummary(r: ShareReport): string {
  const lines = [
    `${r.action === 'added' ? 'Shared' : 'Already shared'}: registry ${r.registryId}`,
    `  storage account ${r.storageAccountId} (workspace ${r.workspaceId})`,
    `  rule { tenantId: ${r.tenantId}, resourceId: ${r.registryId} }${r.forced ? ' (forced)' : ''}`,
    ...r.changes.map((c) => `  changed: ${c}`),
    ...(r.reason !== undefined ? [`  reason: ${r.reason}`] : []),
    `  writes: ${r.writes}`,
  ];
  return `${lines.join('\n')}\n`;
}

function auditSummary(a: WorkspaceDeploymentsAudit): string {
  const head = `${a.compliant ? 'Compliant' : 'FINDINGS'}: ${a.workspaceId} — ${a.endpoints} endpoint(s), ${a.deployments} deployment(s), ${a.registryModelDeployments} with a registry model`;
  const lines = [head, ...a.findings.map((f) => `  ✗ ${f.endpointName}/${f.deploymentName}: ${f.reason}`), ...a.skipped.map((s) => `  - ${s.deploymentId}: ${s.computeType}, not judged`)];
  return `${lines.join('\n')}\n`;
}

function failureText(f: CapabilityFailure): string {
  return `${f.code}: ${f.message}`;
}

export async function runWorkspaceCommand(argv: readonly string[], io: WorkspaceCliIo): Promise<0 | 1 | 2> {
  let command: WorkspaceCommand;
  try {
    command = parseWorkspaceCommand(argv);
  } catch (e) {
    if (e instanceof WorkspaceUsageError) return usage(io, e.message);
    throw e;
  }
  if (command.command === 'help') {
    io.stdout.write(`${WORKSPACE_USAGE}\n`);
    return 0;
  }
  let config: BaseConfig;
  try {
    config = loadBaseConfig(io.environment(command.settingsFile));
  } catch (e) {
    if (errorCodeOf(e) === ErrorCodes.CONFIG_INVALID) return usage(io, withoutCode(e));
    throw e;
  }
  if (command.command === 'audit-deployments-all') {
    const fleet = { capability: 'deployments-audit' as const, json: command.json, ...(command.subscriptionIds ? { subscriptionIds: command.subscriptionIds } : {}) };
    return runFleetCommand(fleet, config, createPorts(config), io);
  }
  const ports = io.ports ? io.ports(config) : createWorkspacePorts(createAzureClients(config), config.ARM_SCOPE);
  const json = (value: unknown) => io.stdout.write(`${JSON.stringify(value, null, 2)}\n`);

  if (command.command === 'allow-sharing') {
    const result = await shareWorkspaceWithRegistry(ports, { workspaceId: command.workspaceId, registryId: command.registryId, force: command.force, ...(command.reason !== undefined ? { reason: command.reason } : {}) });
    if (result.ok) {
      if (command.json) json(result.value);
      else io.stdout.write(shareSummary(result.value));
      return 0;
    }
    const f = result.failure;
    if (command.json) json({ error: { code: f.code, message: f.message }, ...(f.storageAccountId ? { storageAccountId: f.storageAccountId } : {}), ...(f.current ? { current: f.current } : {}) });
    else io.stderr.write(`aml-lockdown allow-sharing: ${failureText(f)}\n`);
    return 1;
  }

  // audit-deployments: each workspace on its own; one failing does not hide the others
  const results: Array<{ workspaceId: string; audit?: WorkspaceDeploymentsAudit; error?: { code: string; message: string } }> = [];
  for (const workspaceId of command.workspaceIds) {
    const r = await auditWorkspaceDeployments(ports, workspaceId);
    results.push(r.ok ? { workspaceId, audit: r.value } : { workspaceId, error: { code: r.failure.code, message: r.failure.message } });
  }
  const compliant = results.every((r) => r.audit?.compliant === true);
  if (command.json) json({ compliant, workspaces: results });
  else {
    for (const r of results) {
      if (r.audit) io.stdout.write(auditSummary(r.audit));
      else io.stdout.write(`FAILED: ${r.workspaceId} — ${r.error?.code ?? ''}: ${r.error?.message ?? ''}\n`);
    }
  }
  return compliant ? 0 : 1;
}
