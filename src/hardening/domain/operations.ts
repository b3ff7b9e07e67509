/**
 * ARM long-running operations as the run drives them (workflow 2.3 on): an activity starts a
 * write and answers at once — done (ARM answered synchronously, or nothing had to be written),
 * started (the operation's handle), or busy (an operation already runs on the resource) — and the
 * workflow waits with durable timers and asks `pollOperations` about every open operation in one
 * call. Nothing here does I/O: the handle is plain JSON, kept in the run's history.
 */

/** The writes of a hardening run that ARM answers as long-running operations. */
export type OperationKind = 'registryPut' | 'acrPatch' | 'endpointPut' | 'zoneGroupPut';

export const OPERATION_KINDS: readonly OperationKind[] = ['registryPut', 'acrPatch', 'endpointPut', 'zoneGroupPut'];

/**
 * Rough durations of these operations in Azure (seconds), the first poll's default wait when
 * ARM_LRO_EXPECTED_SECONDS does not say otherwise: registry update ~30 s, ACR update ~15 s,
 * private endpoint ~30 s, zone group ~10 s (the simulator's latency model uses the same figures).
 */
export const DEFAULT_OPERATION_SECONDS: Readonly<Record<OperationKind, number>> = Object.freeze({ registryPut: 30, acrPatch: 15, endpointPut: 30, zoneGroupPut: 10 });

/** Where ARM said to ask about an operation it started (its answer's headers). */
export interface OperationLocation {
  /** `Azure-AsyncOperation` (a status body) or, without it, `Location` (202 until done): always on the ARM endpoint */
  pollUrl: string;
  via: 'azure-async-operation' | 'location';
  /** ARM's Retry-After on that answer (ms) */
  retryAfterMs?: number;
}

/** A started long-running operation: where to ask, and when. */
export interface OperationHandle extends OperationLocation {
  kind: OperationKind;
  /** the resource being written */
  resourceId: string;
  /** how long this kind usually takes (ARM_LRO_EXPECTED_SECONDS), ms */
  expectedMs: number;
  /** the wait between polls when ARM sends no Retry-After (ARM_LRO_POLL_INTERVAL_MS) */
  pollMs: number;
  /** how long the run waits for it from its start (LRO_DEADLINE_MINUTES), ms */
  deadlineMs: number;
}

/** One look at an operation. */
export type OperationPoll =
  | { state: 'running'; retryAfterMs?: number; /** a Location answer may move the URL */ pollUrl?: string }
  | { state: 'succeeded' }
  /** `error`: `[CODE] message` with Azure's reason */
  | { state: 'failed'; error: string };

/**
 * What a start answers. `done`: nothing is pending (`T` is the result); `started`: the operation
 * runs, `T` is what is known already and becomes the result when it succeeds; `busy`: another
 * operation runs on the resource (one of ours whose answer was lost, or someone else's): look
 * again later, checking the resource first.
 */
export type WriteStart<T> =
  | { done: T }
  | { started: OperationHandle; pending: T }
  | { busy: string; retryAfterMs?: number; pollMs: number; deadlineMs: number };

export function isStarted<T>(a: WriteStart<T>): a is Extract<WriteStart<T>, { started: OperationHandle }> {
  return 'started' in a;
}

export function isBusy<T>(a: WriteStart<T>): a is Extract<WriteStart<T>, { busy: string }> {
  return 'busy' in a;
}

/** When to look first: the larger of ARM's Retry-After, what this kind usually takes and what it has taken earlier in the run. */
export function firstPollDelayMs(handle: OperationHandle, learnedMs: number | undefined): number {
  return Math.max(handle.retryAfterMs ?? 0, handle.expectedMs, learnedMs ?? 0, 1);
}

/** When to look again after a `running` answer: as its Retry-After says, else the configured interval. */
export function nextPollDelayMs(poll: { retryAfterMs?: number }, pollMs: number): number {
  return poll.retryAfterMs !== undefined && poll.retryAfterMs > 0 ? poll.retryAfterMs : Math.max(pollMs, 1);
}

/** ARM_LRO_EXPECTED_SECONDS: `kind=seconds` pairs (comma-separated) over the defaults; what is wrong, or the table. */
export function parseOperationSeconds(text: string): { ok: true; value: Record<OperationKind, number> } | { ok: false; problem: string } {
  const value: Record<OperationKind, number> = { ...DEFAULT_OPERATION_SECONDS };
  for (const part of text.split(',').map((p) => p.trim()).filter((p) => p.length > 0)) {
    const m = /^([A-Za-z]+)\s*=\s*(\d+(?:\.\d+)?)$/.exec(part);
    const kind = OPERATION_KINDS.find((k) => k === m?.[1]);
    const seconds = Number(m?.[2]);
    if (!m || kind === undefined) return { ok: false, problem: `'${part.slice(0, 40)}' is not <kind>=<seconds> with a kind of ${OPERATION_KINDS.join(', ')}` };
    if (!(seconds > 0 && seconds <= 24 * 3600)) return { ok: false, problem: `${kind}: seconds must be in (0, 86400]` };
    value[kind] = seconds;
  }
  return { ok: true, value };
}
