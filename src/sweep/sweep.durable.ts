import type { OrchestrationContext, Task } from 'durable-functions';
import { Orchestrators } from '../shared/names';
import { DurableDriver, durableContextOf } from '../workflow/durable.driver';
import { SWEEP_RETRY } from './activities/retry-policies';
import { parseSweepInput, type SweepReport } from './domain/sweep';
import { sweepWorkflow } from './sweep.workflow';

/** The sweepRegistries orchestrator: the sweep workflow under the durable driver. Bad input fails the sweep with its code. */
export function* sweepRegistriesOrchestrator(context: OrchestrationContext): Generator<Task, SweepReport, unknown> {
  const input = parseSweepInput(context.df.getInput());
  return yield* new DurableDriver(context, SWEEP_RETRY).run(sweepWorkflow(durableContextOf(context, Orchestrators.sweepRegistries), input));
}
