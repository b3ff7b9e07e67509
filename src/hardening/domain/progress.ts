import type { RegistryId } from '../../shared/arm-id';
import type { RunMode, StepName, StepState, StepStatus } from './hardening';

/** The orchestration's customStatus: what the status endpoint shows while a run goes on. */
export interface HardenStatus {
  registryId: RegistryId;
  mode: RunMode;
  steps: StepStatus[];
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
