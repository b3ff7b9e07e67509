import { Activities } from '../shared/names';
import { ErrorCodes, LockdownError, withoutStack } from '../shared/errors';
import { sleepUntil, type ActivityCall, type Workflow } from '../shared/workflow';
import { firstPollDelayMs, isBusy, isStarted, nextPollDelayMs, type OperationHandle, type OperationKind, type OperationPoll, type WriteStart } from './domain/operations';

/**
 * Writes whose long-running operations the workflow drives (2.3 on; ARCHITECTURE.md,
 * "Long-running operations"). Every write is started by an activity that answers at once; the
 * run then sleeps on a durable timer until the first poll is due — the larger of ARM's
 * Retry-After, what the kind usually takes and what it took earlier in this run — and asks
 * `pollOperations` about every operation due in one call; a running one is asked again as its
 * Retry-After says. No activity waits on an operation, so none can outlive the function timeout,
 * and a host restart loses nothing: the handles are in the run's history.
 *
 * A failed operation, and a resource busy with another operation, are started again with the
 * write's `restart` call, which checks the resource before it writes: a start never races an
 * operation of its own still in flight.
 */

/** How often a write is started in all before its failed operation fails the run (as the durable retry of a write would). */
export const MAX_STARTS = 4;

export interface WriteItem {
  /** the first start */
  start: ActivityCall;
  /** a later start (after a failed operation or a busy resource): the same write, checking the resource first */
  restart: ActivityCall;
  /** `PUT <id>`: for progress lines and errors */
  what: string;
}

export interface WriteResult<T> {
  value: T;
  /** when the run saw it done (the run's clock) */
  atMs: number;
}

/** What the writes need from their run. */
export interface WriteRun {
  nowMs(): number;
  /**
   * Makes the calls in parallel and answers in their order (throttling and access waits are the
   * run's); fills `answeredAt` (when given) with the run's time each call was answered, which is
   * earlier than the last answer's when others were made again after a wait.
   */
  calls(calls: ActivityCall[], answeredAt?: number[]): Workflow<unknown[]>;
  progress(text: string): Workflow<void>;
}

/** The run's operation memory: the longest each kind took so far (ms). */
export type LearnedDurations = Partial<Record<OperationKind, number>>;

type Slot<T> =
  | { phase: 'start'; starts: number; firstAtMs?: number; deadlineAtMs?: number }
  | { phase: 'op'; starts: number; firstAtMs: number; deadlineAtMs: number; handle: OperationHandle; pending: T; startedAtMs: number; dueAtMs: number }
  | { phase: 'wait'; starts: number; firstAtMs: number; deadlineAtMs: number; dueAtMs: number; busy: string }
  | { phase: 'done'; result: WriteResult<T> };

function deadlineError(what: string, minutes: number, detail: string): LockdownError {
  return new LockdownError(
    ErrorCodes.ARM_LRO_DEADLINE,
    `${what} was still running after ${minutes} minute(s) (LRO_DEADLINE_MINUTES)${detail}; Azure may still finish it: look at the resource's provisioning state, then start the run again.`,
  );
}

/** Starts the writes (in parallel), drives their operations to the end and answers their results in order. */
export function* runWrites<T>(run: WriteRun, learned: LearnedDurations, items: readonly WriteItem[]): Workflow<WriteResult<T>[]> {
  const slots: Slot<T>[] = items.map(() => ({ phase: 'start', starts: 0 }));
  for (;;) {
    const now = run.nowMs();
    const starting = slots.flatMap((s, i) => (s.phase === 'start' ? [i] : []));
    const polling = slots.flatMap((s, i) => (s.phase === 'op' && s.dueAtMs <= now ? [i] : []));
    if (starting.length > 0 || polling.length > 0) {
      const calls: ActivityCall[] = starting.map((i) => {
        const slot = slots[i] as Extract<Slot<T>, { phase: 'start' }>;
        const item = items[i] as WriteItem;
        return slot.starts === 0 ? item.start : item.restart;
      });
      const handles = polling.map((i) => (slots[i] as Extract<Slot<T>, { phase: 'op' }>).handle);
      if (handles.length > 0) calls.push({ name: Activities.pollOperations, input: { operations: handles } });
      const answeredAt: number[] = [];
      const answers = yield* run.calls(calls, answeredAt);
      const at = run.nowMs();
      starting.forEach((i, k) => {
        slots[i] = afterStart(slots[i] as Extract<Slot<T>, { phase: 'start' }>, answers[k] as WriteStart<T>, answeredAt[k] ?? at, learned);
      });
      if (handles.length > 0) {
        const polls = answers[starting.length] as OperationPoll[];
        polling.forEach((i, k) => {
          slots[i] = afterPoll(slots[i] as Extract<Slot<T>, { phase: 'op' }>, polls[k] as OperationPoll, at, learned, items[i] as WriteItem);
        });
      }
    }
    const later = run.nowMs();
    for (const [i, s] of slots.entries()) {
      if (s.phase === 'wait' && s.dueAtMs <= later) {
        if (later >= s.deadlineAtMs) throw deadlineError((items[i] as WriteItem).what, Math.round((s.deadlineAtMs - s.firstAtMs) / 60_000), `: another operation still runs on the resource (${withoutStack(s.busy)})`);
        slots[i] = { phase: 'start', starts: s.starts, firstAtMs: s.firstAtMs, deadlineAtMs: s.deadlineAtMs };
      }
    }
    if (slots.every((s) => s.phase === 'done')) return slots.map((s) => (s as Extract<Slot<T>, { phase: 'done' }>).result);
    if (slots.some((s) => s.phase === 'start')) continue;
    const due = Math.min(...slots.flatMap((s) => (s.phase === 'op' || s.phase === 'wait' ? [s.dueAtMs] : [])));
    const open = slots.flatMap((s, i) => (s.phase === 'op' ? [(items[i] as WriteItem).what] : []));
    if (open.length > 0) yield* run.progress(`${open.length} operation(s) running (${open.join(', ')}); next look at ${new Date(due).toISOString()}`);
    yield* sleepUntil(due);
  }
}

function afterStart<T>(slot: Extract<Slot<T>, { phase: 'start' }>, answer: WriteStart<T>, at: number, learned: LearnedDurations): Slot<T> {
  const starts = slot.starts + 1;
  if (isStarted(answer)) {
    const firstAtMs = slot.firstAtMs ?? at;
    const deadlineAtMs = slot.deadlineAtMs ?? firstAtMs + answer.started.deadlineMs;
    return { phase: 'op', starts, firstAtMs, deadlineAtMs, handle: answer.started, pending: answer.pending, startedAtMs: at, dueAtMs: at + firstPollDelayMs(answer.started, learned[answer.started.kind]) };
  }
  if (isBusy(answer)) {
    const firstAtMs = slot.firstAtMs ?? at;
    const deadlineAtMs = slot.deadlineAtMs ?? firstAtMs + answer.deadlineMs;
    // a busy resource does not count as a start: nothing was sent
    return { phase: 'wait', starts: slot.starts, firstAtMs, deadlineAtMs, busy: answer.busy, dueAtMs: Math.min(at + nextPollDelayMs(answer, answer.pollMs), deadlineAtMs) };
  }
  return { phase: 'done', result: { value: answer.done, atMs: at } };
}

function afterPoll<T>(slot: Extract<Slot<T>, { phase: 'op' }>, poll: OperationPoll, at: number, learned: LearnedDurations, item: WriteItem): Slot<T> {
  const { handle } = slot;
  if (poll.state === 'succeeded') {
    learned[handle.kind] = Math.max(learned[handle.kind] ?? 0, at - slot.startedAtMs);
    return { phase: 'done', result: { value: slot.pending, atMs: at } };
  }
  if (poll.state === 'failed') {
    if (slot.starts >= MAX_STARTS) throw new Error(`${withoutStack(poll.error)} (${item.what}: started ${slot.starts} times, every operation failed)`);
    return { phase: 'start', starts: slot.starts, firstAtMs: slot.firstAtMs, deadlineAtMs: slot.deadlineAtMs };
  }
  if (at >= slot.deadlineAtMs) throw deadlineError(item.what, Math.round(handle.deadlineMs / 60_000), '');
  const next = { ...handle, ...(poll.pollUrl !== undefined ? { pollUrl: poll.pollUrl } : {}) };
  return { ...slot, handle: next, dueAtMs: Math.min(at + nextPollDelayMs(poll, handle.pollMs), slot.deadlineAtMs) };
}
