import type { RegistryId, SubnetId } from '../shared/arm-id';
import { WORKFLOW_VERSION } from '../shared/version';
import type { ActivityDeps } from '../main';
import { instanceIdFor } from '../shared/instance-id';
import { InProcessDriver, inProcessContextOf } from '../workflow/in-process.driver';
import { hardenActivityHandlers } from './activities/handlers';
import { ACTIVITY_RETRY } from './activities/retry-policies';
import type { HardenInput, Outcome, StepStatus } from './domain/hardening';
import type { HardenStatus } from './domain/progress';
import { hardenWorkflow, type HardenRunOptions } from './harden.workflow';
import { verifyDnsWorkflow, type VerifyDnsResult } from './verify-dns.workflow';

export type { VerifyDnsResult } from './verify-dns.workflow';

/**
 * `aml-lockdown plan|apply`: the hardening workflow under the in-process driver — the same
 * steps, rules, activities and retry policies as the durable run, without the Functions host.
 * Waits are real sleeps (injectable with the clock, for tests), approval is polled, progress goes
 * to a callback as the same step list the orchestration keeps in its customStatus.
 */
export interface RunnerDeps {
  activity: ActivityDeps;
  sleep(ms: number): Promise<void>;
  onProgress(steps: readonly StepStatus[]): void;
}

export interface HardenRunResult {
  outcome: Outcome;
  steps: StepStatus[];
}

/** The instance id the CLI puts into its outcomes: the registry's durable instance id, marked as a CLI run. */
export function cliInstanceId(registryId: string): string {
  return `cli-${instanceIdFor(registryId)}`;
}

/** The in-process driver over the hardening activities, reporting progress as step lists. */
export function hardeningDriver(deps: RunnerDeps): InProcessDriver {
  return new InProcessDriver({
    activities: hardenActivityHandlers(() => deps.activity),
    policies: ACTIVITY_RETRY,
    now: () => deps.activity.now(),
    sleep: (ms) => deps.sleep(ms),
    onProgress: (status) => deps.onProgress((status as HardenStatus).steps),
  });
}

/** plan / apply in process. */
export async function runHardening(input: HardenInput, options: HardenRunOptions, deps: RunnerDeps): Promise<HardenRunResult> {
  const driver = hardeningDriver(deps);
  const context = inProcessContextOf({ now: () => deps.activity.now() }, cliInstanceId(input.registryId), WORKFLOW_VERSION);
  const result = await driver.run(hardenWorkflow(context, input, options));
  return { outcome: result.outcome, steps: result.status.steps };
}

/** verify-dns in process: one proof of the existing endpoints, no writes. */
export async function verifyDns(args: { registryId: RegistryId; subnetId?: SubnetId }, deps: RunnerDeps): Promise<VerifyDnsResult> {
  const context = inProcessContextOf({ now: () => deps.activity.now() }, cliInstanceId(args.registryId), WORKFLOW_VERSION);
  return hardeningDriver(deps).run(verifyDnsWorkflow(context, args));
}
