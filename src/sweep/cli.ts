import type { Config } from '../config';
import { optionsFromConfig } from '../config/harden-options';
import { targetsFromConfig } from '../config/targets';
import { codedFailure } from '../shared/errors';
import { parseSweepInput, type SweepInput, type SweepRegistryLine, type SweepReport } from './domain/sweep';
import type { Command } from '../cli/args';
import type { Output } from '../cli/render';
import type { RunnerDeps } from '../hardening';
import { runSweepInProcess } from './sweep.in-process';

export { runSweepInProcess, type SweepCliOptions } from './sweep.in-process';

const MARK: Readonly<Record<SweepRegistryLine['result'], string>> = {
  compliant: '✔', hardened: '✔', exempt: '–', skipped: '–', nonCompliant: '✗', started: '→', running: '…', failed: '✗',
};

/** One line per registry as it is decided. */
export function sweepLine(line: SweepRegistryLine): string {
  return `${MARK[line.result]} ${line.result.padEnd(12)} ${line.registryId}\n    ${line.detail}\n`;
}

/** The human display of the report's totals and failed subscriptions. */
export function sweepSummary(report: SweepReport): string {
  const out: string[] = [];
  for (const g of report.managementGroups ?? []) {
    out.push(g.ok ? `management group ${g.managementGroupId}: ${g.subscriptions} subscription(s)` : `✗ management group ${g.managementGroupId}: failed: [${g.error?.code ?? '?'}] ${g.error?.message ?? ''}`);
  }
  for (const s of report.subscriptions) {
    out.push(s.ok ? `subscription ${s.subscriptionId}: ${s.registries} registr${s.registries === 1 ? 'y' : 'ies'}` : `✗ subscription ${s.subscriptionId}: failed: [${s.error?.code ?? '?'}] ${s.error?.message ?? ''}`);
  }
  const totals = Object.entries(report.totals).filter(([, n]) => n > 0).map(([k, n]) => `${n} ${k}`);
  out.push(`Sweep (${report.mode}): ${report.registries.length} registr${report.registries.length === 1 ? 'y' : 'ies'} in ${report.subscriptions.length} subscription(s)${totals.length > 0 ? `: ${totals.join(', ')}` : ''}; ${report.failures} failure(s)`);
  return `${out.join('\n')}\n`;
}

export type SweepCommand = Extract<Command, { command: 'sweep' }>;

/**
 * The `sweep` command: exit 0 when nothing failed (every registry compliant, hardened, exempt,
 * or — without --apply — reported non-compliant), 1 when a subscription or a registry failed,
 * 2 when no subscription is configured.
 */
export async function sweepCommand(command: SweepCommand, config: Config, deps: RunnerDeps, out: { stdout: Output; stderr: Output }): Promise<0 | 1 | 2> {
  // --subscriptions names the whole list; otherwise the settings: TARGET_SUBSCRIPTION_IDS + TARGET_MANAGEMENT_GROUP
  const targets = targetsFromConfig(config, command.subscriptionIds);
  let input: SweepInput;
  try {
    input = parseSweepInput({
      ...targets,
      mode: command.apply ? 'apply' : 'plan',
      options: optionsFromConfig(config, command),
      budget: { capacity: config.SWEEP_WRITE_BURST, refillPerSecond: config.SWEEP_WRITE_REFILL_PER_SECOND },
      concurrency: config.SWEEP_CONCURRENCY,
      trigger: 'cli',
    });
  } catch (e) {
    out.stderr.write(`aml-lockdown: ${codedFailure(e).message}\nRun 'aml-lockdown --help' for usage.\n`);
    return 2;
  }
  if (!command.json) out.stdout.write(`aml-lockdown sweep${command.apply ? ' --apply' : ''}: ${input.subscriptionIds.length} subscription(s)${input.managementGroupId !== undefined ? ` + management group ${input.managementGroupId}` : ''}\n`);
  const report = await runSweepInProcess(input, { publish: command.publish, ...(command.json ? {} : { onLine: (line: SweepRegistryLine) => out.stdout.write(sweepLine(line)) }) }, deps);
  if (command.json) out.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  else out.stdout.write(sweepSummary(report));
  return report.failures > 0 ? 1 : 0;
}
