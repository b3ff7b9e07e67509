import { listRegistries, planRegistry } from './activities/sweep.activity';
import { mapBounded } from '../shared/bounded';
import { resolveTargetSubscriptions } from './activities/targets';
import type { Config } from '../config';
import { optionsFromConfig } from '../config/harden-options';
import { targetsFromConfig } from '../config/targets';
import { codedFailure } from '../shared/errors';
import { parseHardenInput } from '../hardening/domain/harden-input';
import type { Outcome } from '../hardening/domain/hardening';
import {
  admitStarts,
  assembleReport,
  estimatedWrites,
  lineFromPlan,
  needsRun,
  parseSweepInput,
  subscriptionOf,
  type PendingStart,
  type RegistryPlanSummary,
  type SweepInput,
  type SweepRegistryLine,
  type SweepReport,
  type SweepSubscriptionLine,
} from './domain/sweep';
import type { BucketState } from '../shared/token-bucket';
import type { Command } from '../cli/args';
import type { Output } from '../cli/render';
import { runHardening, type RunnerDeps } from '../hardening';

/**
 * `aml-lockdown sweep`: the sweepRegistries orchestration in process. List every target
 * subscription, plan each registry (reads only), and with --apply harden the non-compliant ones
 * right here with the runner (the same activities as a durable run), `concurrency` at a time,
 * paced by the same per-subscription write bucket on the wall clock. Failures of a subscription
 * or a registry are report lines; the others go on.
 */
export interface SweepCliOptions {
  /** publish each run's outcome event */
  publish: boolean;
  /** one line per registry as it is decided (the human display) */
  onLine?: (line: SweepRegistryLine) => void;
}

function lineFromOutcome(summary: RegistryPlanSummary, outcome: Outcome): SweepRegistryLine {
  const plan = lineFromPlan(summary);
  switch (outcome.kind) {
    case 'Hardened':
      return { ...plan, result: 'hardened', detail: `hardened: ${outcome.changes.length} change(s)` };
    case 'Exempt':
      return { ...plan, result: 'exempt', detail: 'the registry carries the exemption tag' };
    case 'NotFound':
      return { ...plan, result: 'skipped', detail: 'the registry was deleted meanwhile' };
    case 'Planned':
      return { ...plan, result: 'nonCompliant' };
    case 'Failed': {
      const error = outcome.error ?? { code: 'HARDEN.UNEXPECTED', message: 'the run failed' };
      return { ...plan, result: 'failed', detail: `[${error.code}] ${error.message}`, error };
    }
  }
}

export async function runSweepInProcess(input: SweepInput, options: SweepCliOptions, deps: RunnerDeps): Promise<SweepReport> {
  const now = (): Date => deps.activity.now();
  const startedAt = now().toISOString();
  const emit = (line: SweepRegistryLine): SweepRegistryLine => {
    options.onLine?.(line);
    return line;
  };

  const { subscriptionIds, managementGroups } = await resolveTargetSubscriptions(input, deps.activity);
  const listed = await Promise.all(subscriptionIds.map((subscriptionId) => listRegistries({ subscriptionId }, deps.activity)));
  const subscriptions: SweepSubscriptionLine[] = [];
  const registryIds: string[] = [];
  subscriptionIds.forEach((subscriptionId, i) => {
    const r = listed[i];
    if (r?.ok) {
      subscriptions.push({ subscriptionId, ok: true, registries: r.registryIds.length });
      registryIds.push(...r.registryIds);
    } else subscriptions.push({ subscriptionId, ok: false, registries: 0, error: r?.ok === false ? r.error : { code: 'HARDEN.UNEXPECTED', message: 'no result' } });
  });

  const summaries = await mapBounded(registryIds, input.concurrency, (registryId) =>
    planRegistry({ registryId, lockdownAcr: input.options.lockdownAcr, ...(input.options.subnetId !== undefined ? { subnetId: input.options.subnetId } : {}) }, deps.activity));

  const lines: SweepRegistryLine[] = [];
  const summaryOf = new Map<string, RegistryPlanSummary>();
  let pending: PendingStart[] = [];
  for (const s of summaries) {
    if (input.mode === 'apply' && needsRun(s)) {
      pending.push({ registryId: s.registryId, subscriptionId: subscriptionOf(s.registryId), cost: estimatedWrites(s) });
      summaryOf.set(s.registryId, s);
    } else lines.push(emit(lineFromPlan(s)));
  }

  let buckets: Record<string, BucketState> = {};
  while (pending.length > 0) {
    const admission = admitStarts(pending, buckets, input.budget, now().getTime(), input.concurrency);
    buckets = admission.buckets;
    pending = admission.rest;
    if (admission.admitted.length === 0) {
      await deps.sleep(Math.max(0, (admission.nextAtMs ?? now().getTime()) - now().getTime()));
      continue;
    }
    const done = await mapBounded(admission.admitted, input.concurrency, async (p) => {
      const summary = summaryOf.get(p.registryId) as RegistryPlanSummary;
      const hardenInput = parseHardenInput({ registryId: p.registryId, mode: 'apply', options: input.options, trigger: input.trigger });
      const { outcome } = await runHardening(hardenInput, { publish: options.publish }, { ...deps, onProgress: () => undefined });
      return emit(lineFromOutcome(summary, outcome));
    });
    lines.push(...done);
  }

  return assembleReport({ mode: input.mode, trigger: input.trigger, startedAt, endedAt: now().toISOString(), ...(managementGroups ? { managementGroups } : {}), subscriptions, registries: lines });
}

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
