import { InvocationContext } from '@azure/functions';
import type { FunctionsCoreMock } from './functions-core-mock';

/**
 * Drives an orchestrator the way the Durable Functions extension does out of process: every
 * episode sends the whole history (OrchestratorStarted, the new messages, …) to the registered
 * handler, reads back the cumulative actions, and records the new decisions as TaskScheduled /
 * TimerCreated events with the sequence ids the JS SDK assigns (one per activity or timer, in
 * yield order; a failed retry attempt consumes a timer id and the next attempt's id).
 *
 * A test says, episode by episode, what happened to the scheduled work:
 *   const h = new DurableHistory(handler, input);
 *   await h.start();                       // schedules the first activity
 *   h.complete('readRegistry', reading);   // its answer
 *   await h.next();                        // replays and schedules what follows
 *
 * Limitation: ids of retry attempts are given when `fail` is called, so a failure with retries
 * should not share an episode with a completion that lets the orchestrator schedule new work
 * before the failed task is processed (the SDK would then hand out ids in another order).
 */

export const HistoryEventType = {
  ExecutionStarted: 0,
  TaskScheduled: 4,
  TaskCompleted: 5,
  TaskFailed: 6,
  TimerCreated: 10,
  TimerFired: 11,
  OrchestratorStarted: 12,
  OrchestratorCompleted: 13,
  EventRaised: 15,
} as const;

export const ActionType = {
  CallActivity: 0,
  CallActivityWithRetry: 1,
  CreateTimer: 5,
  WaitForExternalEvent: 6,
  WhenAny: 11,
  WhenAll: 12,
} as const;

export interface HistoryEvent {
  EventType: number;
  EventId: number;
  IsPlayed: boolean;
  Timestamp: string;
  [key: string]: unknown;
}

export interface RetrySpec {
  firstRetryIntervalInMilliseconds: number;
  maxNumberOfAttempts: number;
  backoffCoefficient?: number;
  maxRetryIntervalInMilliseconds?: number;
  retryTimeoutInMilliseconds?: number;
}

export interface DurableAction {
  actionType: number;
  functionName?: string;
  input?: unknown;
  retryOptions?: RetrySpec;
  fireAt?: string;
  isCanceled?: boolean;
  externalEventName?: string;
  compoundActions?: DurableAction[];
}

/** What the orchestrator handler returns (or carries in its failure). */
export interface OrchestratorState {
  isDone: boolean;
  actions: DurableAction[][];
  output?: unknown;
  error?: string;
  customStatus?: unknown;
  schemaVersion: number;
}

export interface ScheduledTask {
  /** the current sequence id (changes when a retry attempt is scheduled) */
  id: number;
  type: 'activity' | 'timer';
  /** activity name, or 'timer' */
  name: string;
  input: unknown;
  fireAt?: string;
  retry?: RetrySpec;
  attempts: number;
  state: 'open' | 'completed' | 'failed' | 'fired' | 'canceled';
  /** the episode in which the orchestrator scheduled it */
  episode: number;
}

export interface Episode {
  number: number;
  state: OrchestratorState;
  /** the orchestration failed (the handler threw) */
  failed: boolean;
  /** the orchestration finished (done or failed) */
  finished: boolean;
  /** work scheduled in this episode, in order */
  scheduled: ScheduledTask[];
  /** external events waited for in this episode */
  waitingFor: string[];
}

export type OrchestrationTriggerHandler = (triggerInput: unknown, context: InvocationContext) => Promise<unknown>;

const OUT_OF_PROC_LABEL = '\n\n$OutOfProcData$:';

/** The handler `df.app.orchestration(name, …)` registered through the functions-core mock. */
export function registeredOrchestration(core: FunctionsCoreMock, name: string): OrchestrationTriggerHandler {
  const fn = core.registered.get(name);
  if (!fn) throw new Error(`no function '${name}' was registered`);
  const trigger = Object.values(fn.metadata.bindings).find((b) => /trigger$/i.test(b.type));
  if (trigger?.type !== 'orchestrationTrigger') throw new Error(`'${name}' is not an orchestration (trigger ${trigger?.type})`);
  return fn.handler as OrchestrationTriggerHandler;
}

function flatten(actions: unknown): DurableAction[] {
  const out: DurableAction[] = [];
  const visit = (a: unknown): void => {
    if (Array.isArray(a)) a.forEach(visit);
    else if (a && typeof a === 'object') {
      const action = a as DurableAction;
      if (action.actionType === ActionType.WhenAll || action.actionType === ActionType.WhenAny) visit(action.compoundActions ?? []);
      else out.push(action);
    }
  };
  visit(actions);
  return out;
}

export interface DurableHistoryOptions {
  instanceId?: string;
  startAt?: Date;
  functionName?: string;
  upperSchemaVersion?: number;
  /** collects context.log output */
  logs?: string[];
  /** the orchestration version recorded on ExecutionStarted (host.json defaultVersion when the run started); none: a run from before versioning */
  version?: string;
}

export class DurableHistory {
  readonly history: HistoryEvent[] = [];
  readonly tasks: ScheduledTask[] = [];
  readonly episodes: Episode[] = [];
  now: Date;
  private pending: HistoryEvent[] = [];
  private nextId = 0;
  /** id-consuming actions seen so far (index into the flattened cumulative actions) */
  private knownActions = 0;
  private knownWaits = 0;
  private readonly instanceId: string;

  constructor(
    private readonly handler: OrchestrationTriggerHandler,
    private readonly input: unknown,
    private readonly options: DurableHistoryOptions = {},
  ) {
    this.now = options.startAt ?? new Date('2026-03-01T10:00:00.000Z');
    this.instanceId = options.instanceId ?? 'test-instance';
  }

  private event(type: number, fields: Record<string, unknown> = {}, eventId = -1): HistoryEvent {
    return { EventType: type, EventId: eventId, IsPlayed: false, Timestamp: this.now.toISOString(), ...fields };
  }

  get last(): Episode {
    const e = this.episodes[this.episodes.length - 1];
    if (!e) throw new Error('no episode has run yet; call start()');
    return e;
  }

  /** Open work, optionally of one activity name (or 'timer'). */
  open(name?: string): ScheduledTask[] {
    return this.tasks.filter((t) => t.state === 'open' && (name === undefined || t.name === name));
  }

  private one(taskOrName: ScheduledTask | string): ScheduledTask {
    if (typeof taskOrName !== 'string') return taskOrName;
    const open = this.open(taskOrName);
    if (open.length !== 1) throw new Error(`expected one open '${taskOrName}', found ${open.length}`);
    return open[0] as ScheduledTask;
  }

  advance(ms: number): this {
    this.now = new Date(this.now.getTime() + ms);
    return this;
  }

  /** The activity answered. */
  complete(taskOrName: ScheduledTask | string, result?: unknown): this {
    const task = this.one(taskOrName);
    if (task.type !== 'activity') throw new Error(`task ${task.id} is a timer; use fireTimer`);
    this.pending.push(this.event(HistoryEventType.TaskCompleted, { TaskScheduledId: task.id, Result: JSON.stringify(result ?? null) }));
    task.state = 'completed';
    return this;
  }

  /** Every open activity of a name answers, in scheduling order. */
  completeAll(name: string, result: (input: unknown, index: number) => unknown): this {
    this.open(name).forEach((t, i) => this.complete(t, result(t.input, i)));
    return this;
  }

  /**
   * The activity failed. With a retry policy, the extension retries: by default every remaining
   * attempt fails too (then the error reaches the orchestrator); `attempts: 1` fails only the
   * current attempt, and the next one stays open.
   */
  fail(taskOrName: ScheduledTask | string, message: string, opts: { attempts?: number; details?: string } = {}): this {
    const task = this.one(taskOrName);
    const max = task.retry?.maxNumberOfAttempts ?? 1;
    const failures = Math.min(opts.attempts ?? max - task.attempts + 1, max - task.attempts + 1);
    const failed = (id: number) => this.event(HistoryEventType.TaskFailed, { TaskScheduledId: id, Reason: message, Details: opts.details ?? '' });
    for (let n = 0; n < failures; n++) {
      this.pending.push(failed(task.id));
      if (task.retry === undefined) break;
      const timerId = this.nextId++;
      const fireAt = this.now.toISOString();
      this.pending.push(this.event(HistoryEventType.TimerCreated, { FireAt: fireAt }, timerId));
      this.pending.push(this.event(HistoryEventType.TimerFired, { TimerId: timerId, FireAt: fireAt }));
      if (task.attempts >= max) break;
      task.attempts++;
      task.id = this.nextId++;
      this.pending.push(this.event(HistoryEventType.TaskScheduled, { Name: task.name }, task.id));
    }
    if (task.attempts >= max || task.retry === undefined) task.state = 'failed';
    return this;
  }

  /** The timer fired (the clock moves to its fireAt if that is later). */
  fireTimer(taskOrName: ScheduledTask | string = 'timer'): this {
    const task = this.one(taskOrName);
    if (task.type !== 'timer') throw new Error(`task ${task.id} is not a timer`);
    if (task.fireAt !== undefined && Date.parse(task.fireAt) > this.now.getTime()) this.now = new Date(task.fireAt);
    this.pending.push(this.event(HistoryEventType.TimerFired, { TimerId: task.id, FireAt: task.fireAt }));
    task.state = 'fired';
    return this;
  }

  /** An external event arrives (raiseEvent). */
  raise(name: string, input?: unknown): this {
    this.pending.push(this.event(HistoryEventType.EventRaised, { Name: name, Input: input === undefined ? undefined : JSON.stringify(input) }));
    return this;
  }

  /** The first episode: ExecutionStarted. */
  start(): Promise<Episode> {
    if (this.episodes.length > 0) throw new Error('already started');
    this.pending.push(this.event(HistoryEventType.ExecutionStarted, { Name: this.options.functionName ?? 'orchestrator', Input: JSON.stringify(this.input), ...(this.options.version !== undefined ? { Version: this.options.version } : {}) }));
    return this.next();
  }

  /** Replays the history plus the queued messages, and records the new decisions. */
  async next(): Promise<Episode> {
    if (this.episodes.some((e) => e.finished)) throw new Error('the orchestration has already finished');
    const number = this.episodes.length + 1;
    const started = this.event(HistoryEventType.OrchestratorStarted);
    const history = [...this.history.map((e) => ({ ...e, IsPlayed: true })), started, ...this.pending];
    const trigger = {
      history,
      input: this.input,
      instanceId: this.instanceId,
      isReplaying: this.episodes.length > 0,
      parentInstanceId: null,
      upperSchemaVersion: this.options.upperSchemaVersion ?? 3,
      maximumShortTimerDuration: '6.00:00:00',
      longRunningTimerIntervalDuration: '3.00:00:00',
      defaultHttpAsyncRequestSleepTimeMillseconds: 30000,
    };
    const logs = this.options.logs;
    const context = new InvocationContext({
      invocationId: `${this.instanceId}-${number}`,
      functionName: this.options.functionName ?? 'orchestrator',
      logHandler: (level, ...args) => logs?.push(`${level}: ${args.map((a) => (typeof a === 'string' ? a : JSON.stringify(a))).join(' ')}`),
    });
    let state: OrchestratorState;
    let failed = false;
    try {
      // the worker hands over the JSON the host sent, and sends back JSON
      state = JSON.parse(JSON.stringify(await this.handler(JSON.parse(JSON.stringify(trigger)), context))) as OrchestratorState;
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      const at = message.indexOf(OUT_OF_PROC_LABEL);
      if (at < 0) throw error;
      state = JSON.parse(message.slice(at + OUT_OF_PROC_LABEL.length)) as OrchestratorState;
      failed = true;
    }

    this.history.push(started, ...this.pending);
    this.pending = [];

    const flat = flatten(state.actions);
    const idActions = flat.filter((a) => a.actionType !== ActionType.WaitForExternalEvent);
    const waits = flat.filter((a) => a.actionType === ActionType.WaitForExternalEvent);
    const scheduled: ScheduledTask[] = [];
    // canceled timers: the cumulative list carries the flag on the original action
    idActions.slice(0, this.knownActions).forEach((a, i) => {
      const task = this.taskByActionIndex[i];
      if (task && a.isCanceled && task.state === 'open') task.state = 'canceled';
    });
    for (const action of idActions.slice(this.knownActions)) {
      const id = this.nextId++;
      const task: ScheduledTask =
        action.actionType === ActionType.CreateTimer
          ? { id, type: 'timer', name: 'timer', input: undefined, fireAt: action.fireAt, attempts: 1, state: action.isCanceled ? 'canceled' : 'open', episode: number }
          : { id, type: 'activity', name: action.functionName ?? '?', input: action.input, retry: action.retryOptions, attempts: 1, state: 'open', episode: number };
      this.tasks.push(task);
      this.taskByActionIndex.push(task);
      scheduled.push(task);
      this.history.push(
        task.type === 'timer'
          ? this.event(HistoryEventType.TimerCreated, { FireAt: task.fireAt }, id)
          : this.event(HistoryEventType.TaskScheduled, { Name: task.name, Input: JSON.stringify(task.input) }, id),
      );
    }
    this.knownActions = idActions.length;
    const waitingFor = waits.slice(this.knownWaits).map((a) => a.externalEventName ?? '?');
    this.knownWaits = waits.length;
    this.history.push(this.event(HistoryEventType.OrchestratorCompleted));

    const episode: Episode = { number, state, failed, finished: failed || state.isDone, scheduled, waitingFor };
    this.episodes.push(episode);
    return episode;
  }

  private readonly taskByActionIndex: ScheduledTask[] = [];
}
