import { ErrorCodes, LockdownError, withoutStack } from '../shared/errors';
import { throttleWaitMs } from '../shared/throttle-wait';
import { sleepUntil, type Workflow } from '../shared/workflow';
import type { ActivityThrottled, ActivityWaiting } from './activities/contracts';
import type { HardenOptions } from './domain/hardening';
import type { WaitKind } from './domain/progress';

/** What the waits need from their run. */
export interface WaitRun {
  instanceId: string;
  options: Pick<HardenOptions, 'throttlePatienceMinutes' | 'accessPropagationMinutes' | 'accessPollSeconds'>;
  nowMs(): number;
  /** a progress line on the running step */
  progress(text: string): Workflow<void>;
  /** waits out the effect, recorded as a wait of that kind in the run's status */
  waited<T>(kind: WaitKind, effect: Workflow<T>): Workflow<T>;
}

/** The run's waits so far: time spent on throttling and how many waits (seeds the jitter); when it first waited for access. */
export interface WaitState {
  throttledMs: number;
  throttleWaits: number;
  accessWaitSinceMs?: number;
  /** how many access waits so far (the first ones are short: the exemption often holds within seconds) */
  accessWaits?: number;
}

/** The first look again after an access refusal; each later wait doubles, up to accessPollSeconds. */
export const FIRST_ACCESS_WAIT_SECONDS = 5;

/** ARM throttled some calls: sleep as it asks (with jitter) and call again, within THROTTLE_PATIENCE_MINUTES in total. */
export function* waitOutThrottling(run: WaitRun, state: WaitState, throttled: ActivityThrottled[], names: string[]): Workflow<void> {
  const patienceMs = run.options.throttlePatienceMinutes * 60_000;
  const retryAfterMs = Math.max(...throttled.map((t) => t.retryAfterMs));
  const waitMs = throttleWaitMs(retryAfterMs, `${run.instanceId}#${state.throttleWaits}`);
  const what = [...new Set(names)].join(', ');
  if (state.throttledMs + waitMs > patienceMs) {
    throw new LockdownError(
      ErrorCodes.ARM_THROTTLED,
      `ARM kept throttling ${what} after this run had waited ${Math.round(state.throttledMs / 1000)} s in total (THROTTLE_PATIENCE_MINUTES=${run.options.throttlePatienceMinutes}); ` +
        `start the run again later, raise THROTTLE_PATIENCE_MINUTES, or spread the load over time (other clients of the subscription share its ARM request budget). Last answer: ${withoutStack(throttled[0]?.throttled ?? '')}`,
    );
  }
  state.throttledMs += waitMs;
  state.throttleWaits++;
  const until = run.nowMs() + waitMs;
  yield* run.progress(`ARM is throttling ${what} (${throttled.length} call(s)); calling again at ${new Date(until).toISOString()} (Retry-After ${Math.ceil(retryAfterMs / 1000)} s)`);
  yield* run.waited('throttling', sleepUntil(until));
}

/**
 * ARM refused access that may still be propagating (a role assignment, the managed group's
 * exemption): sleep and call again (after 5 s, then twice as long each time, at most
 * accessPollSeconds), until ACCESS_PROPAGATION_MINUTES after the run's first such wait; then fail
 * with the refusal's own code and text. `meanwhile` (2.4): work that needs no such access, done
 * before the sleep.
 */
export function* waitForAccess(run: WaitRun, state: WaitState, waiting: ActivityWaiting[], names: string[], meanwhile?: () => Workflow<void>): Workflow<void> {
  const { accessPropagationMinutes, accessPollSeconds } = run.options;
  const first = withoutStack(waiting[0]?.waiting ?? '');
  state.accessWaitSinceMs ??= run.nowMs();
  const deadline = state.accessWaitSinceMs + accessPropagationMinutes * 60_000;
  if (run.nowMs() >= deadline) {
    throw new Error(`${first} Still refused after waiting ${accessPropagationMinutes} minute(s) for access to take effect (ACCESS_PROPAGATION_MINUTES).`);
  }
  const waits = state.accessWaits ?? 0;
  state.accessWaits = waits + 1;
  const waitSeconds = Math.min(accessPollSeconds, FIRST_ACCESS_WAIT_SECONDS * 2 ** waits);
  const until = Math.min(run.nowMs() + waitSeconds * 1000, deadline);
  yield* run.progress(`ARM refused ${[...new Set(names)].join(', ')}, which may be access still taking effect; calling again at ${new Date(until).toISOString()}: ${first}`);
  if (meanwhile) yield* meanwhile();
  // work done meanwhile may have outlasted the wait: then the call is made again at once
  if (run.nowMs() < until) yield* run.waited('access', sleepUntil(until));
}
