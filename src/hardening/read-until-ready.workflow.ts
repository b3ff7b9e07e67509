import { ErrorCodes, LockdownError } from '../shared/errors';
import { sleepUntil, type Workflow } from '../shared/workflow';
import type { HardenOptions, RegistryReading } from './domain/hardening';

/** What the read step needs from its run: the read call, a progress line, the clock. */
export interface ReadStepRun {
  read(): Workflow<RegistryReading>;
  progress(text: string): Workflow<void>;
  nowMs(): number;
  /** waits out the effect, recorded as a provisioning wait in the run's status */
  waited<T>(effect: Workflow<T>): Workflow<T>;
}

/**
 * Step 1: read the registry until it is ready. A registry still provisioning is looked at again
 * every PROVISIONING poll until PROVISIONING_DEADLINE_MINUTES (then HARDEN.PROVISIONING_DEADLINE).
 * `notFoundMeansProvisioning` (a run started by the registry's write event, from 2.1): ARM may
 * answer 404 until (and shortly after) an async creation completes, so 404 is looked at again the
 * same way, and only at the deadline is the answer NotFound.
 */
export function* readUntilReady(run: ReadStepRun, options: Pick<HardenOptions, 'provisioningDeadlineMinutes' | 'provisioningPollSeconds'>, notFoundMeansProvisioning: boolean): Workflow<RegistryReading> {
  const deadline = run.nowMs() + options.provisioningDeadlineMinutes * 60_000;
  let reading = yield* run.read();
  for (;;) {
    if (reading.status === 'ready' || (reading.status === 'notFound' && !notFoundMeansProvisioning)) return reading;
    const overdue = run.nowMs() >= deadline;
    if (reading.status === 'notFound' && overdue) return reading;
    if (reading.status === 'provisioning' && overdue) {
      throw new LockdownError(
        ErrorCodes.HARDEN_PROVISIONING_DEADLINE,
        `the registry is still '${reading.provisioningState}' after ${options.provisioningDeadlineMinutes} minute(s); start the run again once provisioning has finished.`,
      );
    }
    const next = Math.min(run.nowMs() + options.provisioningPollSeconds * 1000, deadline);
    const at = new Date(next).toISOString();
    yield* run.progress(
      reading.status === 'provisioning'
        ? `the registry is '${reading.provisioningState}'; next look at ${at}`
        : `the registry is not visible yet (404: its creation may still be completing); next look at ${at}, NotFound after ${new Date(deadline).toISOString()}`,
    );
    yield* run.waited(sleepUntil(next));
    reading = yield* run.read();
  }
}
