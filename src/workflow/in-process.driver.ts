import { retryDelayMs, type ActivityCall, type Effect, type RetrySpec, type Settled, type Workflow, type WorkflowContext } from '../shared/workflow';

/**
 * The in-process driver (the CLI): carries a workflow's effects out in this process, with the
 * same activity handlers the durable registrations use and the same retry policies.
 *  - call     → awaits the handlers (in parallel), retrying a thrown error as callActivityWithRetry would
 *  - sleep    → a real sleep (injectable)
 *  - waitForEvent → there are no external events here: sleeps until the time and answers false,
 *               so the workflow looks again (it polls)
 *  - progress → onProgress
 */
export type ActivityHandler = (input: unknown) => Promise<unknown>;

export interface InProcessDeps {
  /** the activity handlers by registered name (the same functions the durable registrations call) */
  activities: Readonly<Record<string, ActivityHandler>>;
  policies: Readonly<Record<string, RetrySpec>>;
  now(): Date;
  sleep(ms: number): Promise<void>;
  onProgress?(status: unknown, detail: unknown): void;
  log?(message: string, extra?: Record<string, unknown>): void;
}

/** An in-process run always has the current shape: `version` is the workflow's current version. */
export function inProcessContextOf(deps: Pick<InProcessDeps, 'now' | 'log'>, instanceId: string, version: string): WorkflowContext {
  return { nowMs: () => deps.now().getTime(), instanceId, version, log: (message, extra) => deps.log?.(message, extra) };
}

function asError(value: unknown): Error {
  return value instanceof Error ? value : new Error(String(value));
}

export class InProcessDriver {
  constructor(private readonly deps: InProcessDeps) {}

  private async callOne(call: ActivityCall): Promise<Settled> {
    const handler = this.deps.activities[call.name];
    const spec = this.deps.policies[call.name];
    if (handler === undefined || spec === undefined) return { ok: false, error: new Error(`no activity '${call.name}' in this driver`) };
    const firstAt = this.deps.now().getTime();
    for (let attempt = 1; ; attempt++) {
      try {
        // a JSON round trip, as durable history does: the workflow sees the same values either way
        const value = await handler(JSON.parse(JSON.stringify(call.input ?? null)) as unknown);
        return { ok: true, value: value === undefined ? undefined : (JSON.parse(JSON.stringify(value)) as unknown) };
      } catch (error) {
        const delay = retryDelayMs(spec, attempt);
        const outOfTime = this.deps.now().getTime() + delay - firstAt > spec.retryTimeoutMs;
        if (attempt >= spec.maxAttempts || outOfTime) return { ok: false, error: asError(error) };
        await this.deps.sleep(delay);
      }
    }
  }

  private async effect(effect: Effect): Promise<unknown> {
    switch (effect.kind) {
      case 'call':
        return Promise.all(effect.calls.map((c) => this.callOne(c)));
      case 'sleep':
        await this.deps.sleep(Math.max(0, effect.untilMs - this.deps.now().getTime()));
        return undefined;
      case 'waitForEvent':
        await this.deps.sleep(Math.max(0, effect.untilMs - this.deps.now().getTime()));
        return false;
      case 'progress':
        this.deps.onProgress?.(effect.status, effect.detail);
        return undefined;
    }
  }

  /** Drives the workflow to its end; answers its result or throws its error. */
  async run<T>(workflow: Workflow<T>): Promise<T> {
    let step = workflow.next();
    while (!step.done) {
      let answer: unknown;
      try {
        answer = await this.effect(step.value);
      } catch (error) {
        step = workflow.throw(error);
        continue;
      }
      step = workflow.next(answer);
    }
    return step.value;
  }
}
