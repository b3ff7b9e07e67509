/**
 * `egress-check --all`, `exfiltration --all`, `audit-deployments --all`: the fleet reports of
 * GET /api/fleet/*, in process (src/fleet/activities/fleet.ts), over TARGET_SUBSCRIPTION_IDS +
 * TARGET_MANAGEMENT_GROUP or `--subscriptions`. Reads only.
 */
import { NO_SUBSCRIPTIONS_MESSAGE, runFleetReport } from './activities/fleet';
import type { Ports } from '../main';
import type { BaseConfig } from '../config';
import { targetsFromConfig } from '../config/targets';
import type { FleetCapability, FleetReport, FleetWorkspaceLine } from './domain/fleet';
import { isKnownRegion } from '../shared/regions';
import { hasTargets } from '../shared/targets';
import type { Output } from '../cli/render';

export interface FleetCommand {
  capability: FleetCapability;
  subscriptionIds?: string[];
  regions?: string[];
  json: boolean;
}

const COMMAND_OF: Readonly<Record<FleetCapability, string>> = { 'registry-egress': 'egress-check', exfiltration: 'exfiltration', 'deployments-audit': 'audit-deployments' };
const MARK: Readonly<Record<FleetWorkspaceLine['result'], string>> = { compliant: '✔', nonCompliant: '✗', noSubnet: '–', failed: '✗' };

function workspaceText(w: FleetWorkspaceLine): string {
  let text = `${MARK[w.result]} ${w.result.padEnd(12)} ${w.workspaceId}\n    ${w.detail}\n`;
  for (const s of w.subnets ?? []) text += `    ${s.result === 'compliant' ? 'ok' : s.result === 'failed' ? 'FAILED' : 'NOT compliant'}: ${s.subnetId} (${s.computes.join(', ')})${s.result === 'compliant' ? '' : `: ${s.detail}`}\n`;
  return text;
}

/** The human display: groups, subscriptions, one block per workspace, the totals. */
export function fleetSummary(report: FleetReport): string {
  const out: string[] = [];
  for (const g of report.managementGroups ?? []) {
    out.push(g.ok ? `management group ${g.managementGroupId}: ${g.subscriptions} subscription(s)` : `✗ management group ${g.managementGroupId}: failed: [${g.error?.code ?? '?'}] ${g.error?.message ?? ''}`);
  }
  for (const s of report.subscriptions) {
    out.push(s.ok ? `subscription ${s.subscriptionId}: ${s.workspaces} workspace(s)` : `✗ subscription ${s.subscriptionId}: failed: [${s.error?.code ?? '?'}] ${s.error?.message ?? ''}`);
  }
  const blocks = report.workspaces.map(workspaceText).join('');
  const totals = Object.entries(report.totals).filter(([, n]) => n > 0).map(([k, n]) => `${n} ${k}`);
  return `${out.join('\n')}\n${blocks}${report.capability} (report only): ${report.workspaces.length} workspace(s) in ${report.subscriptions.length} subscription(s)${totals.length > 0 ? `: ${totals.join(', ')}` : ''}; ${report.failures} failure(s)\n`;
}

/** Exit 0: nothing failed, no workspace non-compliant; 1 otherwise; 2: an unknown region or no target subscriptions. */
export async function runFleetCommand(command: FleetCommand, config: BaseConfig, ports: Ports, io: { stdout: Output; stderr: Output }): Promise<0 | 1 | 2> {
  const name = COMMAND_OF[command.capability];
  const unknown = (command.regions ?? []).filter((r) => !isKnownRegion(r, config.AZURE_CLOUD));
  if (unknown.length > 0) {
    io.stderr.write(`aml-lockdown: --region: '${unknown.join("', '")}' ${unknown.length === 1 ? 'is not a region' : 'are not regions'} of ${config.AZURE_CLOUD}\nRun 'aml-lockdown --help' for usage.\n`);
    return 2;
  }
  const targets = targetsFromConfig(config, command.subscriptionIds);
  if (!hasTargets(targets)) {
    io.stderr.write(`aml-lockdown ${name} --all: ${NO_SUBSCRIPTIONS_MESSAGE}\nRun 'aml-lockdown --help' for usage.\n`);
    return 2;
  }
  const report = await runFleetReport({ capability: command.capability, targets, concurrency: config.SWEEP_CONCURRENCY, ...(command.regions ? { regions: command.regions } : {}) }, ports);
  if (command.json) io.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  else io.stdout.write(`aml-lockdown ${name} --all: ${targets.subscriptionIds.length} subscription(s)${targets.managementGroupId !== undefined ? ` + management group ${targets.managementGroupId}` : ''}\n${fleetSummary(report)}`);
  return report.compliant ? 0 : 1;
}
