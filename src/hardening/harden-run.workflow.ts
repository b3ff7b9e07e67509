import { callerLabel } from '../shared/caller';
import { callAll, progress, versionAtLeast, type Workflow, type WorkflowContext } from '../shared/workflow';
import { isActivityRefusal, isActivityThrottled, isActivityWaiting, type ActivityThrottled, type ActivityWaiting, type HardenActivities, type HardenActivityName } from './activities/contracts';
import type { HardenInput, StepName, StepState } from './domain/hardening';
import { runWrites, type LearnedDurations, type WriteItem, type WriteResult, type WriteRun } from './operations.workflow';
import { waitForAccess, waitOutThrottling, type WaitRun, type WaitState } from './run-waits.workflow';
import { beginWait, endWait, initialSteps, runningStep, withStep, type HardenStatus, type WaitKind } from './domain/progress';

/**
 * The plumbing of one hardening run (./harden.workflow.ts has the job): its status and steps,
 * the clock, the workflow version's gates, and how it calls activities — one or several at once,
 * made again after throttling or a refusal that access is still propagating
 * (./run-waits.workflow.ts), long-running writes polled by the run (./operations.workflow.ts).
 */

export interface HardenRunOptions {
  /** publish the outcome CloudEvent (the CLI's --no-publish turns it off) */
  publish: boolean;
}

export type Call = { [K in HardenActivityName]: { name: K; input: HardenActivities[K]['input'] } }[HardenActivityName];

/** An activity's answer; a refusal (a failure no retry can fix) is thrown as the error it stands for. */
function answerOf(value: unknown): unknown {
  if (isActivityRefusal(value)) throw new Error(value.refused);
  return value;
}

export abstract class HardenRunBase {
  status: HardenStatus;
  protected readonly startedAt: string;
  /** throttling and access waits so far */
  protected readonly waits: WaitState = { throttledMs: 0, throttleWaits: 0 };
  /** 2.4: work the next access wait does before it sleeps (taken by that wait) */
  protected meanwhile: (() => Workflow<void>) | undefined;
  /** the longest each kind of long-running operation took so far in this run (2.3: when to look first at the next one) */
  protected readonly learned: LearnedDurations = {};

  /** Runs from 2.2 on: the managed group's deny assignment, the lockdown order, access propagation, event-started 404s. */
  protected get v22(): boolean {
    return versionAtLeast(this.ctx.version, '2.2');
  }

  /**
   * Runs from 2.3 on: writes answered at once and their operations polled by the run (no activity
   * waits on one); the fewest reads (the registry read once, the endpoints listed, the DNS names
   * from the plan's zone groups or one expanded GET per endpoint).
   */
  protected get v23(): boolean {
    return versionAtLeast(this.ctx.version, '2.3');
  }

  /**
   * Runs from 2.4 on: of several calls refused while access propagates, one looks again for all
   * (the canary); lockdown first, the endpoints to the registry are made while storage and ACR wait.
   */
  protected get v24(): boolean {
    return versionAtLeast(this.ctx.version, '2.4');
  }

  constructor(
    protected readonly ctx: WorkflowContext,
    protected readonly input: HardenInput,
    protected readonly options: HardenRunOptions,
  ) {
    this.startedAt = this.nowIso();
    this.status = { registryId: input.registryId, mode: input.mode, steps: initialSteps() };
  }


  protected nowMs(): number {
    return this.ctx.nowMs();
  }

  /** The audit trail on every log line of the run: who asked for it, when a principal did. */
  protected requestedBy(): { requestedBy?: string } {
    return this.input.caller ? { requestedBy: callerLabel(this.input.caller) } : {};
  }

  protected nowIso(): string {
    return new Date(this.ctx.nowMs()).toISOString();
  }

  protected *setSteps(steps: HardenStatus['steps']): Workflow<void> {
    this.status = { ...this.status, steps };
    yield* progress(this.status);
  }

  /**
   * Waits out `effect` (a sleep, an event) as a wait of `kind` inside the running step: begun and
   * ended in the status (customStatus only: nothing in history, so no change of the run's shape).
   */
  protected *waited<T>(kind: WaitKind, effect: Workflow<T>): Workflow<T> {
    this.status = { ...this.status, waits: beginWait(this.status.waits, runningStep(this.status.steps) ?? 'read', kind, this.nowIso()) };
    yield* progress(this.status);
    const answer = yield* effect;
    this.status = { ...this.status, waits: endWait(this.status.waits, this.nowIso()) };
    yield* progress(this.status);
    return answer;
  }

  protected *step(step: StepName, state: StepState, text: string): Workflow<void> {
    yield* this.setSteps(withStep(this.status.steps, step, state, text, this.nowIso()));
    this.ctx.log(`${step} ${state}`, { registryId: this.input.registryId, step, state, detail: text, ...this.requestedBy() });
  }

  protected *call<K extends HardenActivityName>(name: K, input: HardenActivities[K]['input']): Workflow<HardenActivities[K]['output']> {
    const [answer] = yield* this.settle([{ name, input } as Call]);
    return answer as HardenActivities[K]['output'];
  }

  protected *all<T>(calls: Call[]): Workflow<T[]> {
    return (yield* this.settle(calls)) as T[];
  }

  /**
   * Makes the calls (one alone, several in parallel) and answers in their order. A failed call
   * fails the run; calls answered ActivityThrottled are made again after a sleep, the others keep
   * their answers, until the run's throttle patience is spent. Calls refused while access may
   * still be propagating are made again after an access wait; from 2.4 only one of them (the
   * canary: they wait on the same exemption) until it is let through, then the others at once.
   */
  protected *settle(calls: Call[], answeredAt?: number[]): Workflow<unknown[]> {
    const answers: unknown[] = new Array<unknown>(calls.length);
    let open = calls.map((_, i) => i);
    /** calls refused for access that wait for the canary (2.4) */
    let held: number[] = [];
    while (open.length > 0) {
      const got = yield* callAll(open.map((i) => calls[i] as Call));
      const throttled: ActivityThrottled[] = [];
      const waiting: ActivityWaiting[] = [];
      const again: number[] = [];
      const refused: number[] = [];
      got.forEach((settled, k) => {
        const i = open[k] as number;
        if (!settled.ok) throw settled.error;
        if (isActivityThrottled(settled.value)) {
          throttled.push(settled.value);
          again.push(i);
        } else if (isActivityWaiting(settled.value) && this.v22) {
          waiting.push(settled.value);
          refused.push(i);
        } else if (isActivityWaiting(settled.value)) throw new Error(settled.value.waiting);
        else {
          answers[i] = answerOf(settled.value);
          if (answeredAt) answeredAt[i] = this.nowMs();
        }
      });
      if (this.v24 && refused.length > 0) {
        again.push(...refused.slice(0, 1));
        held.push(...refused.slice(1));
      } else again.push(...refused);
      const names = [...again, ...held].map((i) => (calls[i] as Call).name);
      if (throttled.length > 0) yield* waitOutThrottling(this.waitRun(), this.waits, throttled, names);
      else if (waiting.length > 0) {
        const meanwhile = this.v24 ? this.meanwhile : undefined;
        this.meanwhile = undefined;
        yield* waitForAccess(this.waitRun(), this.waits, waiting, names, meanwhile);
      }
      else if (held.length > 0) {
        // the canary was let through: the calls it held are made now
        again.push(...held);
        held = [];
      }
      open = again.sort((a, b) => a - b);
    }
    return answers;
  }

  /** The long-running writes' view of this run (./operations.workflow.ts). */
  protected writeRun(): WriteRun {
    return {
      nowMs: () => this.nowMs(),
      // 2.4: when each call was answered (one answered before a wait for the others starts its clock then)
      calls: (calls, answeredAt) => this.settle(calls as Call[], this.v24 ? answeredAt : undefined),
      progress: (text) => this.step(runningStep(this.status.steps) ?? 'read', 'running', text),
    };
  }

  protected *writes<T>(items: WriteItem[]): Workflow<WriteResult<T>[]> {
    return yield* runWrites<T>(this.writeRun(), this.learned, items);
  }

  /** The waits' view of this run (./run-waits.workflow.ts). */
  protected waitRun(): WaitRun {
    return {
      instanceId: this.ctx.instanceId,
      options: this.input.options,
      nowMs: () => this.nowMs(),
      progress: (text) => this.step(runningStep(this.status.steps) ?? 'read', 'running', text),
      waited: (kind, effect) => this.waited(kind, effect),
    };
  }
}
