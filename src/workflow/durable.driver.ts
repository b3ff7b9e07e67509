import * as df from 'durable-functions';
import type { OrchestrationContext, Task } from 'durable-functions';
import type { ActivityCall, Effect, RetrySpec, Settled, Workflow, WorkflowContext } from '../shared/workflow';

/**
 * The durable driver: carries a workflow's effects out with context.df, deterministically.
 *  - call     → callActivityWithRetry with the activity's policy; one call is yielded alone,
 *               several through Task.all (Task.all fails at the first failure: the calls that
 *               finished keep their answers, the others answer that failure)
 *  - sleep    → createTimer
 *  - waitForEvent → Task.any(waitForExternalEvent, createTimer); the timer is cancelled when the event wins
 *  - progress → setCustomStatus (synchronous: no task, nothing in history)
 * Time is currentUtcDateTime; log lines are dropped while replaying.
 */
export type RetryPolicies = Readonly<Record<string, RetrySpec>>;

export function retryOptionsOf(spec: RetrySpec): df.RetryOptions {
  const options = new df.RetryOptions(spec.firstRetryIntervalMs, spec.maxAttempts);
  options.backoffCoefficient = spec.backoffCoefficient;
  options.maxRetryIntervalInMilliseconds = spec.maxRetryIntervalMs;
  options.retryTimeoutInMilliseconds = spec.retryTimeoutMs;
  return options;
}

function asError(value: unknown): Error {
  return value instanceof Error ? value : new Error(String(value));
}

export function durableContextOf(context: OrchestrationContext, name: string): WorkflowContext {
  return {
    nowMs: () => context.df.currentUtcDateTime.getTime(),
    instanceId: context.df.instanceId,
    version: context.df.version,
    log: (message, extra = {}) => {
      if (!context.df.isReplaying) context.info(`${name}: ${message}`, { instanceId: context.df.instanceId, ...extra });
    },
  };
}

export class DurableDriver {
  private readonly options = new Map<string, df.RetryOptions>();

  constructor(
    private readonly context: OrchestrationContext,
    private readonly policies: RetryPolicies,
  ) {}

  private retryOf(name: string): df.RetryOptions {
    let options = this.options.get(name);
    if (options === undefined) {
      const spec = this.policies[name];
      if (spec === undefined) throw new Error(`no retry policy for activity '${name}'`);
      options = retryOptionsOf(spec);
      this.options.set(name, options);
    }
    return options;
  }

  private *calls(calls: readonly ActivityCall[]): Generator<Task, Settled[], unknown> {
    const tasks = calls.map((c) => this.context.df.callActivityWithRetry(c.name, this.retryOf(c.name), c.input));
    try {
      const values = tasks.length === 1 ? [yield tasks[0] as Task] : ((yield this.context.df.Task.all(tasks)) as unknown[]);
      return values.map((value) => ({ ok: true as const, value }));
    } catch (error) {
      return tasks.map((t) => {
        if (t.isCompleted && !t.isFaulted) return { ok: true as const, value: t.result };
        return { ok: false as const, error: asError(t.isFaulted ? t.result : error) };
      });
    }
  }

  private *effect(effect: Effect): Generator<Task, unknown, unknown> {
    switch (effect.kind) {
      case 'call':
        return yield* this.calls(effect.calls);
      case 'sleep':
        yield this.context.df.createTimer(new Date(effect.untilMs));
        return undefined;
      case 'waitForEvent': {
        const timer = this.context.df.createTimer(new Date(effect.untilMs));
        const event = this.context.df.waitForExternalEvent(effect.name);
        const winner = yield this.context.df.Task.any([event, timer]);
        if (winner === event && !timer.isCompleted) timer.cancel();
        return winner === event;
      }
      case 'progress':
        this.context.df.setCustomStatus(effect.status);
        return undefined;
    }
  }

  /** Drives the workflow to its end; its result (or its error) is the orchestration's. */
  *run<T>(workflow: Workflow<T>): Generator<Task, T, unknown> {
    let step = workflow.next();
    while (!step.done) {
      let answer: unknown;
      try {
        answer = yield* this.effect(step.value);
      } catch (error) {
        step = workflow.throw(error);
        continue;
      }
      step = workflow.next(answer);
    }
    return step.value;
  }
}
