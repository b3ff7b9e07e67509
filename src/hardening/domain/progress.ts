import type { RegistryId } from '../../shared/arm-id';
import type { RunMode, StepName, StepState, StepStatus } from './hardening';

/** The orchestration's customStatus: what the status endpoint shows while a run goes on. */
export interface HardenStatus {
  registryId: RegistryId;
  mode: RunMode;
  steps: StepStatus[];
  /** the run's waits so far, oldest first (absent until the first one): the isolation report draws them inside their steps */
  waits?: StepWait[];
}

/**
 * What a run waited for: approval of its connections, ARM throttling, DNS answers (retries),
 * the registry's provisioning, access still propagating.
 */
export type WaitKind = 'approval' | 'throttling' | 'dns' | 'provisioning' | 'access';

/**
 * One wait of a run, inside the step that was running. Waits of the same kind that follow each
 * other in the same step (approval polls, DNS retries) are one entry, `count` of them; the
 * short calls between them are inside its span. `endedAt` is absent while the run waits.
 */
export interface StepWait {
  step: StepName;
  kind: WaitKind;
  startedAt: string;
  endedAt?: string;
  count: number;
}

/** At most this many wait entries are kept in the status (its size is limited); later unmergeable waits are not recorded. */
export const MAX_WAITS = 40;

/** The waits with one more begun at `at` in `step` (merged into the last entry when that is the same step and kind). */
export function beginWait(waits: readonly StepWait[] | undefined, step: StepName, kind: WaitKind, at: string): StepWait[] {
  const list = [...(waits ?? [])];
  const last = list[list.length - 1];
  if (last !== undefined && last.step === step && last.kind === kind) {
    const { endedAt: _open, ...rest } = last;
    list[list.length - 1] = { ...rest, count: last.count + 1 };
    return list;
  }
  if (list.length >= MAX_WAITS) return list;
  list.push({ step, kind, startedAt: at, count: 1 });
  return list;
}

/** The waits with the open one (the last, if open) ended at `at`. */
export function endWait(waits: readonly StepWait[] | undefined, at: string): StepWait[] {
  const list = [...(waits ?? [])];
  const last = list[list.length - 1];
  if (last !== undefined && last.endedAt === undefined) list[list.length - 1] = { ...last, endedAt: at };
  return list;
}

export const STEP_ORDER: readonly StepName[] = ['read', 'resolve', 'plan', 'endpoints', 'approval', 'lockdown', 'dns', 'publish'];

export function initialSteps(): StepStatus[] {
  return STEP_ORDER.map((step) => ({ step, state: 'pending', detail: '' }));
}

/**
 * A new step list with one step moved to `state`. Entering 'running' stamps startedAt (once);
 * entering done/skipped/failed stamps endedAt (and startedAt, for steps that never ran).
 */
export function withStep(steps: readonly StepStatus[], step: StepName, state: StepState, detail: string, at: string): StepStatus[] {
  return steps.map((s) => {
    if (s.step !== step) return s;
    const next: StepStatus = { ...s, state, detail };
    if (state === 'running') next.startedAt = s.startedAt ?? at;
    if (state === 'done' || state === 'skipped' || state === 'failed') {
      next.startedAt = s.startedAt ?? at;
      next.endedAt = at;
    }
    return next;
  });
}

/** Every step still pending becomes skipped (the run ended early: exempt, not found, plan mode). */
export function skipPending(steps: readonly StepStatus[], detail: string, at: string): StepStatus[] {
  return steps.map((s) => (s.state === 'pending' ? { ...s, state: 'skipped', detail, startedAt: at, endedAt: at } : s));
}

/** The step that was running when something went wrong. */
export function runningStep(steps: readonly StepStatus[]): StepName | undefined {
  return [...steps].reverse().find((s) => s.state === 'running')?.step;
}
