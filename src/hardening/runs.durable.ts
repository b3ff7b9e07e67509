import type { OrchestrationContext, Task } from 'durable-functions';
import { Orchestrators, RunActivities } from '../shared/names';
import { retryOptionsOf } from '../workflow/durable.driver';
import { RetryPolicies } from './activities/retry-policies';
import { followUpWaitMs, parseApplyLockInput, parseFollowUpInput, type FollowUpAnswer } from './domain/runs';

/**
 * The two small orchestrations around the hardening run (the rules: ./domain/runs.ts). Neither
 * changes the hardening workflow: the lock calls it as a sub-orchestration, the follow-up only
 * starts a new lock through its activity.
 */

/**
 * hardenRegistryLock, at the registry's lock id: runs one apply run as its sub-orchestration (with
 * the run's own id) and ends with it — with its outcome, or failed with its error (terminated
 * included). While it goes on, no second apply run of the registry starts.
 */
export function* hardenRegistryLockOrchestrator(context: OrchestrationContext): Generator<Task, unknown, unknown> {
  const { runId, ...run } = parseApplyLockInput(context.df.getInput());
  return yield context.df.callSubOrchestrator(Orchestrators.hardenRegistry, run, runId);
}

/**
 * hardenFollowUp, at `<run id>-next`: looks at the lock (the activity); while the run it waits
 * behind goes on, waits (10 s, doubling, at most 2 minutes) and starts over as new (so its
 * history stays one look long); ends once it has started the next apply run or a newer one has.
 */
export function* hardenFollowUpOrchestrator(context: OrchestrationContext): Generator<Task, FollowUpAnswer | undefined, unknown> {
  const input = parseFollowUpInput(context.df.getInput());
  const answer = (yield context.df.callActivityWithRetry(RunActivities.startFollowUpRun, retryOptionsOf(RetryPolicies.followUp), input)) as FollowUpAnswer;
  if (answer.state !== 'waiting') return answer;
  yield context.df.createTimer(new Date(context.df.currentUtcDateTime.getTime() + followUpWaitMs(input.polls)));
  context.df.continueAsNew({ ...input, polls: input.polls + 1 });
  return undefined;
}
