import { ErrorCodes, LockdownError } from '../../shared/errors';
import { instanceIdFor, isRunIdOf } from '../../shared/instance-id';
import { parseHardenInput } from './harden-input';
import type { HardenInput, HardenOptions } from './hardening';

/**
 * The registry's runs and its apply lock (issue 15 item 1), as pure rules:
 *
 * - An apply run is the sub-orchestration of the registry's lock (`hardenRegistryLock`, at the
 *   fixed id `harden-<name>-<hash>`), which lives exactly as long: while the lock goes on, a
 *   second apply start is refused — the duplicate events, and the events of our own writes,
 *   start nothing — and every run keeps its own instance, status and outcome.
 * - A plan run takes no lock: it never blocks an apply run.
 * - An event (or a sweep) that finds an apply run going on queues a follow-up
 *   (`hardenFollowUp`, at `<run id>-next`, one per run however many events come): it looks at
 *   the lock now and then, and once the run it waits behind has ended, starts the next apply run,
 *   which re-reads the registry. So a write that came while a run went on — after the run read
 *   the registry, or after its lockdown step, or while it was being terminated — is never
 *   dropped. The follow-up ends as soon as any apply run newer than the one it waited behind has
 *   started (that run read the registry after the event), so follow-ups do not pile up; the
 *   follow-up run's own writes raise no follow-up (the app's own registry PUT starts nothing).
 */

/** The lock's input: the run's input and the id its sub-orchestration gets. */
export interface ApplyLockInput extends HardenInput {
  runId: string;
}

export function parseApplyLockInput(raw: unknown): ApplyLockInput {
  const input = parseHardenInput(raw);
  const runId = (raw as { runId?: unknown }).runId;
  if (input.mode !== 'apply') throw new LockdownError(ErrorCodes.HARDEN_INPUT_INVALID, 'invalid lock input: the lock runs apply runs only.');
  if (typeof runId !== 'string' || !runId.startsWith(`${instanceIdFor(input.registryId)}-`) || !isRunIdOf(input.registryId, runId)) {
    throw new LockdownError(ErrorCodes.HARDEN_INPUT_INVALID, `invalid lock input: runId must be an apply run id of ${input.registryId}.`);
  }
  return { ...input, runId };
}

/** What a follow-up carries: the run it waits behind, and the next run's input. */
export interface FollowUpInput {
  registryId: HardenInput['registryId'];
  /** the apply run that was going on when the event came */
  after: string;
  options: HardenOptions;
  triggeredAt?: string;
  eventId?: string;
  /** who asked for the next run: the writer of the event (or the sweep's caller) that queued the follow-up */
  caller?: HardenInput['caller'];
  /** how many times it has looked at the lock (the wait grows with it) */
  polls: number;
}

export function parseFollowUpInput(raw: unknown): FollowUpInput {
  const run = parseHardenInput({ ...(typeof raw === 'object' && raw !== null ? raw : {}), mode: 'apply', trigger: FOLLOW_UP_TRIGGER });
  const { after, polls } = (raw ?? {}) as { after?: unknown; polls?: unknown };
  if (typeof after !== 'string' || !isRunIdOf(run.registryId, after)) {
    throw new LockdownError(ErrorCodes.HARDEN_INPUT_INVALID, `invalid follow-up input: after must be a run id of ${run.registryId}.`);
  }
  const count = polls ?? 0;
  if (typeof count !== 'number' || !Number.isInteger(count) || count < 0) throw new LockdownError(ErrorCodes.HARDEN_INPUT_INVALID, 'invalid follow-up input: polls must be a count.');
  return {
    registryId: run.registryId, after, options: run.options, polls: count,
    ...(run.triggeredAt !== undefined ? { triggeredAt: run.triggeredAt } : {}),
    ...(run.eventId !== undefined ? { eventId: run.eventId } : {}),
    ...(run.caller !== undefined ? { caller: run.caller } : {}),
  };
}

/** The trigger of a run a follow-up started. */
export const FOLLOW_UP_TRIGGER = 'follow-up';

/** What the follow-up's look at the lock found. */
export type FollowUpAnswer =
  /** the run it waits behind still holds the lock */
  | { state: 'waiting' }
  /** it started the next apply run */
  | { state: 'started'; instanceId: string }
  /** an apply run newer than the one it waited behind has started: that run covers the event */
  | { state: 'covered'; instanceId: string };

const FIRST_WAIT_MS = 10_000;
const MAX_WAIT_MS = 120_000;

/** How long a follow-up waits before its next look: 10 s, doubling, at most 2 minutes. */
export function followUpWaitMs(polls: number): number {
  return Math.min(FIRST_WAIT_MS * 2 ** Math.min(polls, 10), MAX_WAIT_MS);
}

/** What the durable client reports about the lock instance, as far as these rules need it. */
export interface LockStatusLike {
  instanceId?: string;
  name?: string;
  input?: unknown;
}

/**
 * The apply run a lock instance stands for: the run id in its input, or — for a run from before
 * the lock, which ran at the lock's id itself — that instance.
 */
export function runIdOfLock(lock: LockStatusLike, runOrchestrator: string): string | undefined {
  if (lock.name === runOrchestrator) return lock.instanceId;
  const input = typeof lock.input === 'string' ? safeParse(lock.input) : lock.input;
  const runId = typeof input === 'object' && input !== null ? (input as { runId?: unknown }).runId : undefined;
  return typeof runId === 'string' ? runId : undefined;
}

function safeParse(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
