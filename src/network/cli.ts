/**
 * `aml-lockdown egress-check` and `aml-lockdown exfiltration`: the same use cases as the HTTP
 * routes (src/network/activities/registry-egress.ts), in process, with a human or JSON rendering.
 */
import { checkExfiltration, checkRegistryEgress, refuseForeignSubnet, type EgressCheck } from './activities/registry-egress';
import type { EgressTarget } from '../cli/args';
import { subnetsOfComputes } from '../fleet/domain/fleet';
import type { WorkspacesPort } from '../workspaces/domain/ports';
import { errorCodeOf, ErrorCodes, LockdownError } from '../shared/errors';
import type { FlowResult } from './domain/egress';
import type { NetworkSecurityPort } from './domain/ports';
import { isKnownRegion, type AzureCloud } from '../shared/regions';
import type { Output } from '../cli/render';

export type NetworkCommand =
  | ({ command: 'egress-check'; regions?: string[]; fix: boolean; json: boolean } & EgressTarget)
  | { command: 'exfiltration'; subnetId: string; apply: boolean; json: boolean };

export interface NetworkIo {
  stdout: Output;
  stderr: Output;
}

function writeJson(io: NetworkIo, value: unknown): void {
  io.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

function fail(io: NetworkIo, command: NetworkCommand, code: string, message: string): 1 {
  if (command.json) writeJson(io, { error: { code, message } });
  else io.stderr.write(`aml-lockdown ${command.command}: ${code}: ${message}\n`);
  return 1;
}

const MARK: Record<FlowResult['state'], string> = { present: 'ok      ', missing: 'MISSING ', shadowed: 'SHADOWED' };

function flowLine(f: FlowResult): string {
  return `  ${MARK[f.state]} ${f.serviceTag.padEnd(42)} ${f.protocol} ${String(f.port).padEnd(5)}  ${f.why}\n`;
}

function egressDocument(result: EgressCheck): Record<string, unknown> {
  return { subnetId: result.subnetId, nsgId: result.nsgId, regions: result.regions, compliant: result.report.compliant, counts: result.report.counts, flows: result.report.flows, ...(result.added ? { added: result.added } : {}) };
}

function egressText(result: EgressCheck, fix: boolean): string {
  const { counts } = result.report;
  let text = `aml-lockdown egress-check ${result.subnetId}\nNSG ${result.nsgId}, registry region(s) ${result.regions.join(', ')}\n`;
  for (const f of result.report.flows) text += flowLine(f);
  if (result.added !== undefined) {
    text += result.added.length === 0 ? 'fix: nothing to add\n' : `fix: added ${result.added.map((r) => `${r.name} (priority ${r.priority})`).join(', ')}\n`;
  }
  text += `${result.report.compliant ? 'compliant' : 'NOT compliant'}: ${counts.present} present, ${counts.missing} missing, ${counts.shadowed} shadowed${!result.report.compliant && !fix ? ' (run with --fix to add them)' : ''}\n`;
  return text;
}

/**
 * egress-check of a workspace: read it (unknown: EGRESS.WORKSPACE_NOT_FOUND, nothing checked),
 * then --subnet, or every subnet of its computes, each checked (and with --fix, fixed) on its own.
 */
async function workspaceEgress(command: Extract<NetworkCommand, { command: 'egress-check' }> & { workspaceId: string }, port: NetworkSecurityPort, workspaces: Pick<WorkspacesPort, 'get' | 'listComputeSubnets'>, io: NetworkIo): Promise<0 | 1> {
  const workspace = await workspaces.get(command.workspaceId);
  if (!workspace) return fail(io, command, ErrorCodes.EGRESS_WORKSPACE_NOT_FOUND, `workspace ${command.workspaceId} does not exist (or the app cannot read it); nothing was checked or changed.`);
  if (command.fix && command.subnetId !== undefined) {
    const foreign = await refuseForeignSubnet(workspaces, workspace.id, command.subnetId);
    if (foreign) return fail(io, command, foreign.code, foreign.message);
  }
  const subnetIds = command.subnetId !== undefined ? [command.subnetId] : subnetsOfComputes(await workspaces.listComputeSubnets(workspace.id)).map((s) => s.subnetId);
  if (subnetIds.length === 0) return fail(io, command, ErrorCodes.EGRESS_NO_SUBNET, `no compute of workspace ${workspace.id} is in a subnet (AmlCompute / ComputeInstance with a subnet): name the subnet with --subnet.`);
  const results: Array<{ subnetId: string; check?: EgressCheck; error?: { code: string; message: string } }> = [];
  for (const subnetId of subnetIds) {
    const r = await checkRegistryEgress(port, { subnetId, fix: command.fix, ...(command.regions ? { regions: command.regions } : {}) });
    results.push(r.kind === 'refused' ? { subnetId, error: { code: r.code, message: r.message } } : { subnetId, check: r });
  }
  const compliant = results.every((r) => r.check?.report.compliant === true);
  if (command.json) writeJson(io, { workspaceId: workspace.id, compliant, subnets: results.map((r) => (r.check ? egressDocument(r.check) : { subnetId: r.subnetId, error: r.error })) });
  else {
    io.stdout.write(`workspace ${workspace.id}: ${results.length} subnet(s)\n`);
    for (const r of results) io.stdout.write(r.check ? egressText(r.check, command.fix) : `aml-lockdown egress-check ${r.subnetId}\n  ${r.error?.code ?? ''}: ${r.error?.message ?? ''}\n`);
  }
  return compliant ? 0 : 1;
}

/**
 * Runs one of the two commands. Exit 0: compliant / protected (after the fix or apply when
 * asked); 1: not compliant, refused, or an ARM failure; 2: a region unknown to the cloud.
 */
export async function runNetworkCommand(command: NetworkCommand, port: NetworkSecurityPort, workspaces: Pick<WorkspacesPort, 'get' | 'listComputeSubnets'>, cloud: AzureCloud, io: NetworkIo): Promise<0 | 1 | 2> {
  try {
    if (command.command === 'egress-check') {
      const unknown = (command.regions ?? []).filter((r) => !isKnownRegion(r, cloud));
      if (unknown.length > 0) {
        io.stderr.write(`aml-lockdown: --region: '${unknown.join("', '")}' ${unknown.length === 1 ? 'is not a region' : 'are not regions'} of ${cloud}\nRun 'aml-lockdown --help' for usage.\n`);
        return 2;
      }
      if (command.workspaceId !== undefined) return await workspaceEgress({ ...command, workspaceId: command.workspaceId }, port, workspaces, io);
      const result = await checkRegistryEgress(port, { subnetId: command.subnetId, fix: command.fix, ...(command.regions ? { regions: command.regions } : {}) });
      if (result.kind === 'refused') return fail(io, command, result.code, result.message);
      if (command.json) writeJson(io, egressDocument(result));
      else io.stdout.write(egressText(result, command.fix));
      return result.report.compliant ? 0 : 1;
    }
    const result = await checkExfiltration(port, { subnetId: command.subnetId, apply: command.apply });
    if (result.kind === 'refused') return fail(io, command, result.code, result.message);
    if (command.json) {
      writeJson(io, { ...result.report, unreadablePolicies: result.unreadablePolicies, ...(result.changes ? { changes: result.changes } : {}) });
    } else {
      const r = result.report;
      let text = `aml-lockdown exfiltration ${r.subnetId}\n`;
      text += `  Microsoft.Storage service endpoint: ${r.storageServiceEndpoint ? 'yes' : 'NO'}\n`;
      text += `  policy with /services/Azure/MachineLearning: ${r.aliasPolicies.length > 0 ? r.aliasPolicies.join(', ') : 'NONE'}\n`;
      if (result.changes !== undefined) text += result.changes.length === 0 ? 'apply: nothing to do\n' : `apply: ${result.changes.join('; ')}\n`;
      for (const id of result.unreadablePolicies) text += `  warning: attached policy ${id} could not be read\n`;
      text += `${r.protected ? 'protected' : 'NOT protected'}: ${r.why}${!r.protected && !command.apply ? ' (run with --apply to set it up)' : ''}\n`;
      io.stdout.write(text);
    }
    return result.report.protected ? 0 : 1;
  } catch (e) {
    if (!(e instanceof LockdownError)) throw e;
    if (errorCodeOf(e) === ErrorCodes.ARM_ID_INVALID) {
      io.stderr.write(`aml-lockdown: ${e.detail}\nRun 'aml-lockdown --help' for usage.\n`);
      return 2;
    }
    return fail(io, command, e.code, e.detail);
  }
}
