import type { OrchestrationContext, Task } from 'durable-functions';
import { Orchestrators } from '../shared/names';
import { DurableDriver, durableContextOf } from '../workflow/durable.driver';
import { ACTIVITY_RETRY } from './activities/retry-policies';
import { parseHardenInput } from './domain/harden-input';
import type { Outcome } from './domain/hardening';
import { hardenWorkflow } from './harden.workflow';

/**
 * The hardenRegistry orchestrator: the hardening workflow under the durable driver. The output is
 * the Outcome (also published, on failure too); a failed run throws with the stable `[CODE]` at
 * the start of its message, so the orchestration ends Failed. Bad input throws before anything runs.
 */
export function* hardenRegistryOrchestrator(context: OrchestrationContext): Generator<Task, Outcome, unknown> {
  const input = parseHardenInput(context.df.getInput());
  const driver = new DurableDriver(context, ACTIVITY_RETRY);
  const result = yield* driver.run(hardenWorkflow(durableContextOf(context, Orchestrators.hardenRegistry), input, { publish: true }));
  if (result.error !== undefined) throw result.error;
  return result.outcome;
}
