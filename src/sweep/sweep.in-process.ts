import { WORKFLOW_VERSION } from '../shared/version';
import { runHardening, type RunnerDeps } from '../hardening';
import { parseHardenInput } from '../hardening/domain/harden-input';
import { SweepActivities } from '../shared/names';
import { InProcessDriver, inProcessContextOf, type ActivityHandler } from '../workflow/in-process.driver';
import { SWEEP_RETRY, type SweepActivityName } from './activities/retry-policies';
import { listManagementGroupSubscriptions, listRegistries, planRegistry } from './activities/sweep.activity';
import type { ListManagementGroupInput, ListRegistriesInput, PlanRegistryInput, StartHardeningRunInput, StartHardeningRunOutput, SweepInput, SweepRegistryLine, SweepReport } from './domain/sweep';
import { sweepWorkflow } from './sweep.workflow';

/**
 * `aml-lockdown sweep`: the sweep workflow under the in-process driver. The read-only
 * activities are the durable ones; "start a run" is the hardening workflow run to its end right
 * here (in-process driver too), so the sweep's line says how it ended.
 */
export interface SweepCliOptions {
  /** publish each run's outcome event */
  publish: boolean;
  /** one line per registry as it is decided (the human display) */
  onLine?: (line: SweepRegistryLine) => void;
}

export async function runSweepInProcess(input: SweepInput, options: SweepCliOptions, deps: RunnerDeps): Promise<SweepReport> {
  const startRun = async (start: StartHardeningRunInput): Promise<StartHardeningRunOutput> => {
    const hardenInput = parseHardenInput({ registryId: start.registryId, mode: 'apply', options: start.options, trigger: start.trigger, ...(start.triggeredAt !== undefined ? { triggeredAt: start.triggeredAt } : {}), ...(start.caller !== undefined ? { caller: start.caller } : {}) });
    const { outcome } = await runHardening(hardenInput, { publish: options.publish }, { ...deps, onProgress: () => undefined });
    return { ok: true, started: true, instanceId: outcome.instanceId, outcome };
  };
  const activities: Record<SweepActivityName, ActivityHandler> = {
    [SweepActivities.listManagementGroupSubscriptions]: (i) => listManagementGroupSubscriptions(i as ListManagementGroupInput, deps.activity),
    [SweepActivities.listRegistries]: (i) => listRegistries(i as ListRegistriesInput, deps.activity),
    [SweepActivities.planRegistry]: (i) => planRegistry(i as PlanRegistryInput, deps.activity),
    [SweepActivities.startHardeningRun]: (i) => startRun(i as StartHardeningRunInput),
  };
  const driver = new InProcessDriver({
    activities,
    policies: SWEEP_RETRY,
    now: () => deps.activity.now(),
    sleep: (ms) => deps.sleep(ms),
    onProgress: (_status, detail) => {
      if (Array.isArray(detail)) for (const line of detail as SweepRegistryLine[]) options.onLine?.(line);
    },
  });
  return driver.run(sweepWorkflow(inProcessContextOf({ now: () => deps.activity.now() }, 'cli-sweep', WORKFLOW_VERSION), input));
}
