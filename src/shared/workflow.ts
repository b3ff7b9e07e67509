/**
 * The effect vocabulary every workflow is written in (house style 16: one use case, several
 * drivers). A workflow is a generator that yields these effects and does no I/O of its own; a
 * driver carries them out:
 *  - the durable driver (src/workflow/durable.driver.ts) maps them onto context.df —
 *    callActivityWithRetry, Task.all, createTimer, waitForExternalEvent + Task.any, setCustomStatus;
 *  - the in-process driver (src/workflow/in-process.driver.ts, the CLI) awaits the same activity
 *    handlers with the same retry policies, sleeps for real and, having no events, polls.
 * Time, the instance id and logging come from the driver's WorkflowContext, so the workflow
 * stays deterministic under durable replay.
 */

/** One activity call: the registered name and its (JSON) input. */
export interface ActivityCall<N extends string = string> {
  name: N;
  input: unknown;
}

/** What a call ended with, after the driver's retries: its value, or the error of its last attempt. */
export type Settled = { ok: true; value: unknown } | { ok: false; error: Error };

export type Effect =
  /** call the activities (one alone, or several in parallel); answers Settled[] in the same order */
  | { kind: 'call'; calls: readonly ActivityCall[] }
  /** wait until this time (epoch ms); answers undefined */
  | { kind: 'sleep'; untilMs: number }
  /** wait for the named external event or the time, whichever comes first; answers true when the event came */
  | { kind: 'waitForEvent'; name: string; untilMs: number }
  /** the run's status for whoever watches it (durable customStatus, the CLI's display); `detail` only reaches in-process watchers */
  | { kind: 'progress'; status: unknown; detail?: unknown };

export type Workflow<T> = Generator<Effect, T, unknown>;

/** What a driver tells the workflow about the run it drives. */
export interface WorkflowContext {
  /** the run's clock: currentUtcDateTime under durable replay, the wall clock in process */
  nowMs(): number;
  instanceId: string;
  /**
   * The workflow version this run started under (durable: context.df.version, recorded from
   * host.json `defaultVersion` when the run started; in process: always the current one). A
   * workflow whose shape changed branches on it, so a run in flight keeps the shape it started with.
   */
  version: string | undefined;
  /** a log line (the durable driver drops it while replaying) */
  log(message: string, extra?: Record<string, unknown>): void;
}

/** A durable retry policy, as plain numbers so both drivers apply the same one. */
export interface RetrySpec {
  firstRetryIntervalMs: number;
  maxAttempts: number;
  backoffCoefficient: number;
  maxRetryIntervalMs: number;
  retryTimeoutMs: number;
}

/** The delay before retry number `retry` (1 = after the first failure), as Durable Task computes it. */
export function retryDelayMs(spec: RetrySpec, retry: number): number {
  return Math.min(spec.firstRetryIntervalMs * spec.backoffCoefficient ** (retry - 1), spec.maxRetryIntervalMs);
}

/* ---------- the effects as sub-generators, so a workflow reads as straight-line code ---------- */

export function* callAll(calls: readonly ActivityCall[]): Workflow<Settled[]> {
  if (calls.length === 0) return [];
  return (yield { kind: 'call', calls }) as Settled[];
}

export function* sleepUntil(untilMs: number): Workflow<void> {
  yield { kind: 'sleep', untilMs };
}

export function* waitForEvent(name: string, untilMs: number): Workflow<boolean> {
  return (yield { kind: 'waitForEvent', name, untilMs }) === true;
}

export function* progress(status: unknown, detail?: unknown): Workflow<void> {
  yield detail === undefined ? { kind: 'progress', status } : { kind: 'progress', status, detail };
}

/**
 * Whether a run that started under `version` has the shape of version `since` or later. Versions
 * are `major.minor` numbers; a run from before versioning (no version) is 1.0.
 */
export function versionAtLeast(version: string | undefined, since: string): boolean {
  const parse = (v: string | undefined): [number, number] => {
    const m = /^(\d+)(?:\.(\d+))?/.exec((v ?? '').trim());
    return m ? [Number(m[1]), Number(m[2] ?? 0)] : [1, 0];
  };
  const [a, b] = parse(version);
  const [c, d] = parse(since);
  return a > c || (a === c && b >= d);
}
