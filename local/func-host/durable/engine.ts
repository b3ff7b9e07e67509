/**
 * The durable engine: drives orchestrations by replaying their full history through the
 * orchestrator function (out-of-proc protocol), one new message per episode, and applies the
 * actions it returns (activities, retries, timers, external events, sub-orchestrations,
 * continue-as-new). State is persisted after every step; activities run at least once.
 */
import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import type { InvocationResult, Logger, Registration, RpcParameterBinding } from '../types';
import { errorMessage, errorStack, isRecord } from '../types';
import { HistoryEventType, historyEvent, historyForStatus, parseJson, type HistoryEvent } from './history';
import {
  InstanceStore,
  TERMINAL_STATUSES,
  type InboxMessage,
  type InstanceRecord,
  type RetryOptionsData,
  type RuntimeStatus,
  type TaskRecord,
} from './store';

export const MAXIMUM_SHORT_TIMER_DURATION = '6.00:00:00';
export const LONG_RUNNING_TIMER_INTERVAL = '3.00:00:00';
const MAX_SHORT_MS = 6 * 24 * 3600 * 1000;
const LONG_INTERVAL_MS = 3 * 24 * 3600 * 1000;
const OUT_OF_PROC_LABEL = '\n\n$OutOfProcData$:';

export interface EngineOptions {
  store: InstanceStore;
  logger: Logger;
  timeScale: number;
  maxConcurrentActivities: number;
  findFunction(name: string): Registration | undefined;
  invoke(reg: Registration, inputData: RpcParameterBinding[]): Promise<InvocationResult>;
  /** Extra inputs (durable client) a registration declares. */
  extraInputs(reg: Registration): RpcParameterBinding[];
}

export interface OrchestrationStatus {
  name: string;
  instanceId: string;
  runtimeStatus: RuntimeStatus;
  input: unknown;
  customStatus: unknown;
  output: unknown;
  createdTime: string;
  lastUpdatedTime: string;
  historyEvents?: Record<string, unknown>[];
}

export interface StatusOptions {
  showHistory?: boolean;
  showHistoryOutput?: boolean;
  showInput?: boolean;
}

export interface ListQuery {
  runtimeStatus?: RuntimeStatus[];
  createdTimeFrom?: Date;
  createdTimeTo?: Date;
  instanceIdPrefix?: string;
  top?: number;
  continuationToken?: string;
  showInput?: boolean;
}

export class DurableError extends Error {
  constructor(
    readonly code: 'NotFound' | 'AlreadyExists' | 'UnknownFunction' | 'Gone' | 'NotSupported' | 'Precondition',
    message: string,
  ) {
    super(message);
  }
}

interface ActionLeaf {
  actionType: number;
  action: Record<string, unknown>;
}

interface Work {
  instanceId: string;
  executionId: string;
  taskId: number;
  name: string;
  input: string | null;
}

/** Engine clock: runs 1/timeScale times faster than the wall clock and never goes backwards. */
class EngineClock {
  private base = Date.now();
  private readonly realStart = Date.now();
  private last = 0;

  constructor(private readonly timeScale: number) {}

  advanceTo(ms: number): void {
    if (ms > this.base) this.base = ms;
  }

  now(): Date {
    const t = Math.floor(this.base + (Date.now() - this.realStart) / this.timeScale);
    this.last = Math.max(this.last, t);
    return new Date(this.last);
  }

  /** Real milliseconds until the engine clock reaches `at`. */
  realDelayUntil(at: Date): number {
    return Math.max(0, (at.getTime() - this.now().getTime()) * this.timeScale);
  }
}

function statusIsTerminal(s: RuntimeStatus): boolean {
  return TERMINAL_STATUSES.has(s);
}

function jsonText(value: unknown): string | null {
  if (value === undefined) return null;
  return JSON.stringify(value) ?? null;
}

/**
 * Activity and continue-as-new inputs arrive pre-serialized when they are strings
 * (durable-functions' Utils.processInput JSON-stringifies strings); other values are raw.
 */
function actionInputText(value: unknown): string | null {
  return typeof value === 'string' ? value : jsonText(value);
}

function parseRetryOptions(value: unknown): RetryOptionsData {
  const o = isRecord(value) ? value : {};
  const num = (k: string): number | undefined => (typeof o[k] === 'number' && Number.isFinite(o[k]) ? (o[k] as number) : undefined);
  return {
    firstRetryIntervalInMilliseconds: num('firstRetryIntervalInMilliseconds') ?? 1000,
    maxNumberOfAttempts: num('maxNumberOfAttempts') ?? 1,
    backoffCoefficient: num('backoffCoefficient'),
    maxRetryIntervalInMilliseconds: num('maxRetryIntervalInMilliseconds'),
    retryTimeoutInMilliseconds: num('retryTimeoutInMilliseconds'),
  };
}

/** DTFx RetryInterceptor: delay after the n-th failed attempt (n is 1-based). */
export function retryDelayMs(options: RetryOptionsData, failedAttempt: number): number {
  const coefficient = options.backoffCoefficient && options.backoffCoefficient > 0 ? options.backoffCoefficient : 1;
  const delay = options.firstRetryIntervalInMilliseconds * Math.pow(coefficient, failedAttempt - 1);
  const max = options.maxRetryIntervalInMilliseconds;
  return max !== undefined && max > 0 && delay > max ? max : delay;
}

/** Flattens cumulative actions into distinct leaves (by identity) in the order the library tracks them. */
export function flattenActions(actions: unknown): ActionLeaf[] {
  const seen = new Set<object>();
  const leaves: ActionLeaf[] = [];
  const visit = (a: unknown): void => {
    if (!isRecord(a)) return;
    const type = typeof a.actionType === 'number' ? a.actionType : -1;
    if (type === 11 || type === 12) {
      if (Array.isArray(a.compoundActions)) for (const c of a.compoundActions) visit(c);
      return;
    }
    if (seen.has(a)) return;
    seen.add(a);
    leaves.push({ actionType: type, action: a });
  };
  if (Array.isArray(actions)) {
    for (const group of actions) {
      if (Array.isArray(group)) for (const a of group) visit(a);
      else visit(group);
    }
  }
  return leaves;
}

const ACTION_NAMES: Record<number, string> = {
  0: 'CallActivity',
  1: 'CallActivityWithRetry',
  2: 'CallSubOrchestrator',
  3: 'CallSubOrchestratorWithRetry',
  4: 'ContinueAsNew',
  5: 'CreateTimer',
  6: 'WaitForExternalEvent',
  7: 'CallEntity',
  8: 'CallHttp',
  9: 'SignalEntity',
  13: 'LockEntities',
  14: 'ReleaseEntities',
};

/**
 * An opt-in probe for the bench (a dev tool: production has no such hook): CPU of each
 * orchestrator episode with the history length it replayed, and CPU and wall time of each
 * activity. CPU is process.cpuUsage() around the invocation, so work running concurrently in this
 * process is counted too.
 */
export interface EngineMetrics {
  episode?(m: { instanceId: string; name: string; historyLength: number; cpuMicros: number; wallMs: number }): void;
  activity?(m: { instanceId: string; name: string; cpuMicros: number; wallMs: number }): void;
}

function cpuSince(start: NodeJS.CpuUsage): number {
  const d = process.cpuUsage(start);
  return d.user + d.system;
}

export class DurableEngine {
  readonly events = new EventEmitter();
  /** opt-in CPU/wall probe (see EngineMetrics) */
  metrics: EngineMetrics | undefined;
  private readonly instances = new Map<string, InstanceRecord>();
  private readonly clock: EngineClock;
  private readonly processing = new Set<string>();
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly queue: Work[] = [];
  private readonly activeWork = new Map<string, Promise<void>>();
  private readonly episodes = new Set<Promise<void>>();
  private stopped = false;
  private abrupt = false;

  constructor(private readonly opts: EngineOptions) {
    this.clock = new EngineClock(opts.timeScale > 0 ? opts.timeScale : 1);
    this.events.setMaxListeners(0);
  }

  // ---------- lifecycle ----------

  start(): void {
    let maxTs = 0;
    for (const rec of this.opts.store.loadAll()) {
      this.instances.set(rec.instanceId, rec);
      for (const e of rec.history) maxTs = Math.max(maxTs, Date.parse(e.Timestamp) || 0);
    }
    this.clock.advanceTo(maxTs + 1);
    for (const rec of this.instances.values()) this.resume(rec);
  }

  /** Re-arms everything a persisted instance was waiting for (at-least-once re-run of activities). */
  private resume(rec: InstanceRecord): void {
    if (statusIsTerminal(rec.runtimeStatus)) {
      if (rec.parent && !rec.parentNotified) this.notifyParent(rec);
      return;
    }
    const pending = new Set<number>();
    for (const m of rec.inbox) {
      if ('taskId' in m) pending.add(m.taskId);
      if (m.type === 'TimerFired') pending.add(m.timerId);
    }
    for (const task of Object.values(rec.tasks)) {
      if (task.state !== 'scheduled' || pending.has(task.id)) continue;
      if (task.kind === 'activity') this.enqueueActivity(rec, task);
      else if (task.kind === 'timer') this.armTimer(rec, task);
      else if (task.kind === 'suborchestration') this.ensureSubOrchestration(rec, task);
    }
    this.kick(rec.instanceId);
  }

  async stop(options: { abrupt?: boolean } = {}): Promise<void> {
    this.stopped = true;
    this.abrupt = options.abrupt === true;
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
    this.queue.length = 0;
    if (!this.abrupt) {
      const deadline = new Promise((r) => setTimeout(r, 15_000).unref());
      await Promise.race([Promise.allSettled([...this.activeWork.values(), ...this.episodes]), deadline]);
    }
    this.events.removeAllListeners();
  }

  // ---------- client operations ----------

  startNew(name: string, instanceId: string | undefined, input: unknown, parent?: InstanceRecord['parent']): InstanceRecord {
    if (this.stopped) throw new Error('The host is stopping');
    const reg = this.opts.findFunction(name);
    if (!reg || reg.triggerType.toLowerCase() !== 'orchestrationtrigger') {
      throw new DurableError('UnknownFunction', `The function '${name}' doesn't exist, is disabled, or is not an orchestrator function.`);
    }
    const id = instanceId && instanceId !== '' ? instanceId : randomUUID().replace(/-/g, '');
    if (/[/\\#?]/.test(id) || [...id].some((c) => c.charCodeAt(0) < 0x20) || id.length > 256) {
      throw new DurableError('Precondition', `Instance ID '${id}' contains invalid characters.`);
    }
    const existing = this.instances.get(id);
    if (existing && !statusIsTerminal(existing.runtimeStatus)) {
      throw new DurableError('AlreadyExists', `An Orchestration instance with the status ${existing.runtimeStatus} already exists.`);
    }
    if (existing) this.clearTimers(existing.instanceId);
    const now = new Date().toISOString();
    const rec: InstanceRecord = {
      instanceId: id,
      name: reg.name,
      executionId: randomUUID().replace(/-/g, ''),
      runtimeStatus: 'Pending',
      input: jsonText(input),
      output: null,
      customStatus: null,
      createdTime: now,
      lastUpdatedTime: now,
      parent,
      history: [],
      inbox: [{ type: 'ExecutionStarted' }],
      tasks: {},
      nextSequence: 0,
      primaryOrder: [],
    };
    this.instances.set(id, rec);
    this.persist(rec);
    this.kick(id);
    return rec;
  }

  getRecord(instanceId: string): InstanceRecord | undefined {
    return this.instances.get(instanceId);
  }

  getStatus(instanceId: string, options: StatusOptions = {}): OrchestrationStatus | undefined {
    const rec = this.instances.get(instanceId);
    return rec ? this.toStatus(rec, options) : undefined;
  }

  list(query: ListQuery): { items: OrchestrationStatus[]; continuationToken?: string } {
    const all = [...this.instances.values()]
      .filter((r) => !query.runtimeStatus || query.runtimeStatus.length === 0 || query.runtimeStatus.includes(r.runtimeStatus))
      .filter((r) => !query.createdTimeFrom || Date.parse(r.createdTime) >= query.createdTimeFrom.getTime())
      .filter((r) => !query.createdTimeTo || Date.parse(r.createdTime) <= query.createdTimeTo.getTime())
      .filter((r) => !query.instanceIdPrefix || r.instanceId.startsWith(query.instanceIdPrefix))
      .sort((a, b) => a.createdTime.localeCompare(b.createdTime) || a.instanceId.localeCompare(b.instanceId));
    let offset = 0;
    if (query.continuationToken) {
      const n = Number(Buffer.from(query.continuationToken, 'base64url').toString('utf8'));
      if (Number.isInteger(n) && n >= 0) offset = n;
    }
    const top = query.top && query.top > 0 ? query.top : all.length;
    const page = all.slice(offset, offset + top);
    const next = offset + page.length;
    return {
      items: page.map((r) => this.toStatus(r, { showInput: query.showInput ?? true })),
      continuationToken: next < all.length ? Buffer.from(String(next)).toString('base64url') : undefined,
    };
  }

  raiseEvent(instanceId: string, eventName: string, data: unknown): void {
    const rec = this.requireInstance(instanceId);
    if (statusIsTerminal(rec.runtimeStatus)) throw new DurableError('Gone', `Instance '${instanceId}' is ${rec.runtimeStatus}.`);
    this.deliver(rec, { type: 'EventRaised', name: eventName, input: jsonText(data) });
  }

  terminate(instanceId: string, reason: string): void {
    const rec = this.requireInstance(instanceId);
    if (statusIsTerminal(rec.runtimeStatus)) throw new DurableError('Gone', `Instance '${instanceId}' is ${rec.runtimeStatus}.`);
    rec.inbox.unshift({ type: 'Terminate', reason });
    this.persist(rec);
    this.kick(instanceId);
  }

  suspend(instanceId: string, reason: string): void {
    const rec = this.requireInstance(instanceId);
    if (statusIsTerminal(rec.runtimeStatus)) throw new DurableError('Gone', `Instance '${instanceId}' is ${rec.runtimeStatus}.`);
    if (rec.runtimeStatus === 'Suspended') return;
    rec.history.push(historyEvent(HistoryEventType.ExecutionSuspended, this.clock.now(), { Reason: reason }));
    rec.runtimeStatus = 'Suspended';
    this.persist(rec);
  }

  resumeInstance(instanceId: string, reason: string): void {
    const rec = this.requireInstance(instanceId);
    if (statusIsTerminal(rec.runtimeStatus)) throw new DurableError('Gone', `Instance '${instanceId}' is ${rec.runtimeStatus}.`);
    if (rec.runtimeStatus !== 'Suspended') return;
    rec.history.push(historyEvent(HistoryEventType.ExecutionResumed, this.clock.now(), { Reason: reason }));
    rec.runtimeStatus = rec.history.some((e) => e.EventType === HistoryEventType.OrchestratorCompleted) ? 'Running' : 'Pending';
    this.persist(rec);
    this.kick(instanceId);
  }

  /**
   * Rewind a Failed instance: the failed activity attempts (plain activities, not retry chains
   * or sub-orchestrations) are taken out of history and run again.
   */
  rewind(instanceId: string, reason: string): void {
    const rec = this.requireInstance(instanceId);
    if (rec.runtimeStatus !== 'Failed') {
      if (statusIsTerminal(rec.runtimeStatus)) throw new DurableError('Gone', `Instance '${instanceId}' is ${rec.runtimeStatus}.`);
      throw new DurableError('Precondition', 'The rewind operation is only supported on failed orchestration instances.');
    }
    const failedIds = rec.history
      .filter((e) => e.EventType === HistoryEventType.TaskFailed || e.EventType === HistoryEventType.SubOrchestrationInstanceFailed)
      .map((e) => Number(e.TaskScheduledId));
    const rewindable = failedIds.filter((id) => {
      const t = rec.tasks[String(id)];
      return t && t.kind === 'activity' && !t.retry;
    });
    if (rewindable.length === 0 || rewindable.length !== failedIds.length) {
      throw new DurableError('NotSupported', 'The local host rewinds only failures of plain activities (no retry chains or sub-orchestrations).');
    }
    const ids = new Set(rewindable);
    let lastCompleted = rec.history.length;
    for (let i = rec.history.length - 1; i >= 0; i--) {
      if (rec.history[i]!.EventType === HistoryEventType.ExecutionCompleted) {
        lastCompleted = i;
        break;
      }
    }
    rec.history = rec.history.filter(
      (e, i) => i !== lastCompleted && !(e.EventType === HistoryEventType.TaskFailed && ids.has(Number(e.TaskScheduledId))),
    );
    rec.history.push(historyEvent(HistoryEventType.GenericEvent, this.clock.now(), { Data: `Rewound: ${reason}` }));
    rec.runtimeStatus = 'Running';
    rec.output = null;
    rec.failure = undefined;
    for (const id of ids) rec.tasks[String(id)]!.state = 'scheduled';
    this.persist(rec);
    for (const id of ids) this.enqueueActivity(rec, rec.tasks[String(id)]!);
  }

  /** Restart: a new execution with the same name and input (same or new instance id). */
  restart(instanceId: string, newInstanceId: boolean): InstanceRecord {
    const rec = this.requireInstance(instanceId);
    return this.startNew(rec.name, newInstanceId ? undefined : rec.instanceId, parseJson(rec.input));
  }

  purge(instanceId: string): number {
    const rec = this.instances.get(instanceId);
    if (!rec) return 0;
    this.clearTimers(instanceId);
    this.instances.delete(instanceId);
    this.opts.store.delete(instanceId);
    return 1;
  }

  purgeBy(filter: { createdTimeFrom: Date; createdTimeTo?: Date; runtimeStatus?: RuntimeStatus[] }): number {
    let n = 0;
    for (const rec of [...this.instances.values()]) {
      const created = Date.parse(rec.createdTime);
      if (created < filter.createdTimeFrom.getTime()) continue;
      if (filter.createdTimeTo && created > filter.createdTimeTo.getTime()) continue;
      if (filter.runtimeStatus && filter.runtimeStatus.length > 0 && !filter.runtimeStatus.includes(rec.runtimeStatus)) continue;
      n += this.purge(rec.instanceId);
    }
    return n;
  }

  /** Resolves with the status once `predicate` holds (checked after every state change). */
  waitForStatus(instanceId: string, predicate: (s: OrchestrationStatus) => boolean, timeoutMs = 30_000): Promise<OrchestrationStatus> {
    return new Promise((resolve, reject) => {
      const check = (): boolean => {
        const s = this.getStatus(instanceId, { showHistory: true, showHistoryOutput: true });
        if (s && predicate(s)) {
          cleanup();
          resolve(s);
          return true;
        }
        return false;
      };
      const onChange = (id: string): void => {
        if (id === instanceId) check();
      };
      const timer = setTimeout(() => {
        cleanup();
        const s = this.getStatus(instanceId);
        reject(new Error(`Timed out after ${timeoutMs} ms waiting for instance '${instanceId}' (status: ${s?.runtimeStatus ?? 'none'})`));
      }, timeoutMs);
      const cleanup = (): void => {
        clearTimeout(timer);
        this.events.off('change', onChange);
      };
      this.events.on('change', onChange);
      check();
    });
  }

  // ---------- internals ----------

  private requireInstance(instanceId: string): InstanceRecord {
    const rec = this.instances.get(instanceId);
    if (!rec) throw new DurableError('NotFound', `No instance with ID '${instanceId}' found.`);
    return rec;
  }

  private toStatus(rec: InstanceRecord, options: StatusOptions): OrchestrationStatus {
    const status: OrchestrationStatus = {
      name: rec.name,
      instanceId: rec.instanceId,
      runtimeStatus: rec.runtimeStatus,
      input: options.showInput === false ? null : parseJson(rec.input),
      customStatus: parseJson(rec.customStatus),
      output: parseJson(rec.output),
      createdTime: rec.createdTime.replace(/\.\d{3}Z$/, 'Z'),
      lastUpdatedTime: rec.lastUpdatedTime.replace(/\.\d{3}Z$/, 'Z'),
    };
    if (options.showHistory) status.historyEvents = historyForStatus(rec.history, options.showHistoryOutput === true);
    return status;
  }

  private persist(rec: InstanceRecord): void {
    if (this.stopped && this.abrupt) return;
    rec.lastUpdatedTime = new Date().toISOString();
    if (this.instances.get(rec.instanceId) !== rec) return; // purged or replaced meanwhile
    this.opts.store.save(rec);
    this.events.emit('change', rec.instanceId);
  }

  private deliver(rec: InstanceRecord, msg: InboxMessage): void {
    if (this.stopped && this.abrupt) return;
    if (this.instances.get(rec.instanceId) !== rec || statusIsTerminal(rec.runtimeStatus)) return;
    rec.inbox.push(msg);
    this.persist(rec);
    this.kick(rec.instanceId);
  }

  private kick(instanceId: string): void {
    if (this.stopped || this.processing.has(instanceId)) return;
    this.processing.add(instanceId);
    const p = (async () => {
      // let the caller finish its synchronous work first (e.g. an HTTP response for startNew)
      await new Promise((r) => setImmediate(r));
      try {
        for (;;) {
          const rec = this.instances.get(instanceId);
          if (!rec || this.stopped) break;
          const msg = this.nextMessage(rec);
          if (!msg) break;
          await this.runEpisode(rec, msg);
        }
      } catch (err) {
        this.opts.logger.error(`Durable engine error on '${instanceId}': ${errorStack(err) ?? errorMessage(err)}`);
      } finally {
        this.processing.delete(instanceId);
      }
    })();
    this.episodes.add(p);
    void p.finally(() => this.episodes.delete(p));
  }

  private nextMessage(rec: InstanceRecord): InboxMessage | undefined {
    if (statusIsTerminal(rec.runtimeStatus)) {
      if (rec.inbox.length > 0) {
        rec.inbox = [];
        this.persist(rec);
      }
      return undefined;
    }
    if (rec.runtimeStatus === 'Suspended') return rec.inbox.find((m) => m.type === 'Terminate');
    return rec.inbox[0];
  }

  private removeMessage(rec: InstanceRecord, msg: InboxMessage): void {
    const i = rec.inbox.indexOf(msg);
    if (i >= 0) rec.inbox.splice(i, 1);
  }

  private messageEvent(rec: InstanceRecord, msg: InboxMessage, now: Date): HistoryEvent | undefined {
    switch (msg.type) {
      case 'ExecutionStarted':
        return historyEvent(HistoryEventType.ExecutionStarted, now, {
          Name: rec.name,
          Input: rec.input,
          Version: '',
          OrchestrationInstance: { InstanceId: rec.instanceId, ExecutionId: rec.executionId },
          ...(rec.parent ? { ParentInstance: { OrchestrationInstance: { InstanceId: rec.parent.instanceId, ExecutionId: rec.parent.executionId }, TaskScheduleId: rec.parent.taskId } } : {}),
        });
      case 'TaskCompleted':
        return historyEvent(HistoryEventType.TaskCompleted, now, { TaskScheduledId: msg.taskId, Result: msg.result });
      case 'TaskFailed':
        return historyEvent(HistoryEventType.TaskFailed, now, { TaskScheduledId: msg.taskId, Reason: msg.reason, Details: msg.details });
      case 'TimerFired':
        return historyEvent(HistoryEventType.TimerFired, now, { TimerId: msg.timerId, FireAt: msg.fireAt });
      case 'SubOrchestrationCompleted':
        return historyEvent(HistoryEventType.SubOrchestrationInstanceCompleted, now, { TaskScheduledId: msg.taskId, Result: msg.result });
      case 'SubOrchestrationFailed':
        return historyEvent(HistoryEventType.SubOrchestrationInstanceFailed, now, { TaskScheduledId: msg.taskId, Reason: msg.reason, Details: msg.details });
      case 'EventRaised':
        return historyEvent(HistoryEventType.EventRaised, now, { Name: msg.name, Input: msg.input });
      case 'Terminate':
        return undefined;
    }
  }

  private targetTaskId(msg: InboxMessage): number | undefined {
    if (msg.type === 'TimerFired') return msg.timerId;
    if ('taskId' in msg) return msg.taskId;
    return undefined;
  }

  private async runEpisode(rec: InstanceRecord, msg: InboxMessage): Promise<void> {
    if (msg.type === 'Terminate') {
      this.removeMessage(rec, msg);
      this.finish(rec, 'Terminated', jsonText(msg.reason), [
        historyEvent(HistoryEventType.OrchestratorStarted, this.clock.now()),
        historyEvent(HistoryEventType.ExecutionTerminated, this.clock.now(), { Input: jsonText(msg.reason) }),
      ]);
      return;
    }
    // Completions for another execution, unknown tasks or tasks already settled are dropped (at-least-once).
    const taskId = this.targetTaskId(msg);
    if (taskId !== undefined) {
      const task = rec.tasks[String(taskId)];
      const exec = 'executionId' in msg ? msg.executionId : rec.executionId;
      if (!task || task.state !== 'scheduled' || exec !== rec.executionId) {
        this.removeMessage(rec, msg);
        this.persist(rec);
        return;
      }
    }

    const now = this.clock.now();
    const started = historyEvent(HistoryEventType.OrchestratorStarted, now);
    const messageEvent = this.messageEvent(rec, msg, now)!;
    const decisions: HistoryEvent[] = [];
    const newTasks: TaskRecord[] = [];
    const synthetic: InboxMessage[] = [];
    const task = taskId !== undefined ? rec.tasks[String(taskId)] : undefined;
    if (task) task.state = msg.type === 'TaskFailed' || msg.type === 'SubOrchestrationFailed' ? 'failed' : 'completed';

    // Bookkeeping the library does when it processes this message (retry timers, next attempts, long timers).
    if (task?.retry && task.retry.role === 'attempt' && (msg.type === 'TaskFailed' || msg.type === 'SubOrchestrationFailed')) {
      const id = rec.nextSequence++;
      const retry = task.retry;
      const elapsed = now.getTime() - Date.parse(retry.firstAttemptAt);
      const timedOut = retry.options.retryTimeoutInMilliseconds !== undefined && retry.options.retryTimeoutInMilliseconds > 0 && elapsed >= retry.options.retryTimeoutInMilliseconds;
      const delay = timedOut ? 0 : retryDelayMs(retry.options, retry.attempt);
      const fireAt = new Date(now.getTime() + delay);
      const timer: TaskRecord = {
        id,
        kind: 'timer',
        fireAt: fireAt.toISOString(),
        state: 'scheduled',
        retry: { ...retry, role: 'timer', lastReason: msg.reason, lastDetails: msg.details },
      };
      newTasks.push(timer);
      decisions.push(historyEvent(HistoryEventType.TimerCreated, now, { FireAt: timer.fireAt }, id));
    } else if (task?.retry && task.retry.role === 'timer' && msg.type === 'TimerFired') {
      const retry = task.retry;
      if (retry.attempt + 1 <= retry.options.maxNumberOfAttempts) {
        const id = rec.nextSequence++;
        const attempt: TaskRecord = {
          id,
          kind: retry.target.kind,
          name: retry.target.name,
          input: retry.target.input,
          state: 'scheduled',
          retry: { ...retry, role: 'attempt', attempt: retry.attempt + 1 },
        };
        if (attempt.kind === 'suborchestration') attempt.subInstanceId = retry.target.instanceId ?? `${rec.instanceId}:${id}`;
        newTasks.push(attempt);
        decisions.push(this.scheduledEvent(attempt, now));
        const elapsed = now.getTime() - Date.parse(retry.firstAttemptAt);
        const timeout = retry.options.retryTimeoutInMilliseconds;
        if (timeout !== undefined && timeout > 0 && elapsed >= timeout) {
          synthetic.push({
            type: attempt.kind === 'activity' ? 'TaskFailed' : 'SubOrchestrationFailed',
            executionId: rec.executionId,
            taskId: id,
            reason: retry.lastReason ?? 'Retry timeout expired',
            details: retry.lastDetails ?? '',
          } as InboxMessage);
        }
      }
    } else if (task?.longTimerFinalFireAt && msg.type === 'TimerFired') {
      const final = Date.parse(task.longTimerFinalFireAt);
      if (final > now.getTime()) {
        const id = rec.nextSequence++;
        const fireAt = final - now.getTime() > MAX_SHORT_MS ? new Date(now.getTime() + LONG_INTERVAL_MS) : new Date(final);
        const child: TaskRecord = { id, kind: 'timer', fireAt: fireAt.toISOString(), state: 'scheduled', longTimerFinalFireAt: task.longTimerFinalFireAt };
        newTasks.push(child);
        decisions.push(historyEvent(HistoryEventType.TimerCreated, now, { FireAt: child.fireAt }, id));
      }
    }

    const replayHistory = [...rec.history.map((e) => ({ ...e, IsPlayed: true })), started, messageEvent];
    const payload = {
      history: replayHistory,
      input: parseJson(rec.input),
      instanceId: rec.instanceId,
      isReplaying: rec.history.length > 0,
      parentInstanceId: rec.parent?.instanceId,
      upperSchemaVersion: 3,
      maximumShortTimerDuration: MAXIMUM_SHORT_TIMER_DURATION,
      longRunningTimerIntervalDuration: LONG_RUNNING_TIMER_INTERVAL,
      defaultHttpAsyncRequestSleepTimeMillseconds: 30000,
    };

    const reg = this.opts.findFunction(rec.name);
    let state: Record<string, unknown> | undefined;
    let failure: { message: string; details?: string } | undefined;
    if (!reg) {
      failure = { message: `The orchestrator function '${rec.name}' is not registered in this app.` };
    } else {
      try {
        const cpu = process.cpuUsage();
        const wall = performance.now();
        const inputData: RpcParameterBinding[] = [{ name: reg.triggerName, data: { string: JSON.stringify(payload) } }, ...this.opts.extraInputs(reg)];
        const res = await this.opts.invoke(reg, inputData);
        this.metrics?.episode?.({ instanceId: rec.instanceId, name: rec.name, historyLength: replayHistory.length, cpuMicros: cpuSince(cpu), wallMs: performance.now() - wall });
        state = isRecord(res.result) ? res.result : undefined;
        if (!state) failure = { message: 'The orchestrator returned no orchestration state.' };
      } catch (err) {
        const message = errorMessage(err);
        const idx = message.indexOf(OUT_OF_PROC_LABEL);
        // durable-functions throws `${orchestratorReturned}\n\n$OutOfProcData$:${JSON state}`; the user's error is state.error.
        let userMessage = idx >= 0 ? message.slice(0, idx) : message;
        if (idx >= 0) {
          const data: unknown = parseJson(message.slice(idx + OUT_OF_PROC_LABEL.length));
          if (isRecord(data)) {
            if (data.customStatus !== undefined) rec.customStatus = jsonText(data.customStatus);
            if (typeof data.error === 'string' && data.error !== '') userMessage = data.error;
          }
        }
        failure = { message: userMessage, details: errorStack(err) };
      }
    }
    if (this.instances.get(rec.instanceId) !== rec || (this.stopped && this.abrupt)) return;

    const episodeEvents: HistoryEvent[] = [started, messageEvent];
    if (failure) {
      this.removeMessage(rec, msg);
      this.failInstance(rec, failure, episodeEvents);
      return;
    }
    const st = state!;
    rec.customStatus = jsonText(st.customStatus);

    // Map the cumulative actions onto task ids: leaves beyond the known ones are new decisions.
    const leaves = flattenActions(st.actions).filter((l) => l.actionType !== 6 && l.actionType !== 4);
    const unsupported = leaves.find((l) => ![0, 1, 2, 3, 5].includes(l.actionType));
    if (unsupported) {
      this.removeMessage(rec, msg);
      this.failInstance(rec, { message: `The local host does not support the ${ACTION_NAMES[unsupported.actionType] ?? `#${unsupported.actionType}`} action.` }, episodeEvents);
      return;
    }
    const mismatch = this.checkDeterminism(rec, leaves);
    if (mismatch) {
      this.removeMessage(rec, msg);
      this.failInstance(rec, { message: mismatch }, episodeEvents);
      return;
    }
    for (const leaf of leaves.slice(rec.primaryOrder.length)) {
      const id = rec.nextSequence++;
      const t = this.taskFromAction(rec, leaf, id, now);
      rec.primaryOrder.push(id);
      newTasks.push(t);
      decisions.push(this.scheduledEvent(t, now));
    }
    // Timers the orchestrator canceled (after Task.any) will not fire.
    for (const [i, leaf] of leaves.entries()) {
      if (leaf.actionType === 5 && leaf.action.isCanceled === true) {
        const t = rec.tasks[String(rec.primaryOrder[i])];
        if (t && t.kind === 'timer' && t.state === 'scheduled') {
          t.state = 'canceled';
          this.clearTimer(rec, t.id);
        }
      }
    }
    for (const t of newTasks) rec.tasks[String(t.id)] = t;

    const continueAsNew = flattenActions(st.actions).find((l) => l.actionType === 4);
    this.removeMessage(rec, msg);
    if (st.isDone === true && continueAsNew) {
      rec.history.push(...episodeEvents, ...decisions,
        historyEvent(HistoryEventType.ExecutionCompleted, now, { OrchestrationStatus: 'ContinuedAsNew', Result: actionInputText(continueAsNew.action.input) }),
        historyEvent(HistoryEventType.OrchestratorCompleted, now));
      this.clearTimers(rec.instanceId);
      rec.input = actionInputText(continueAsNew.action.input);
      rec.executionId = randomUUID().replace(/-/g, '');
      rec.history = [];
      rec.tasks = {};
      rec.nextSequence = 0;
      rec.primaryOrder = [];
      rec.runtimeStatus = 'Running';
      rec.inbox = [{ type: 'ExecutionStarted' }, ...rec.inbox.filter((m) => m.type === 'EventRaised' || m.type === 'Terminate')];
      this.persist(rec);
      return;
    }
    if (st.isDone === true) {
      const output = jsonText(st.output);
      this.finish(rec, 'Completed', output, [...episodeEvents, ...decisions]);
      return;
    }
    rec.history.push(...episodeEvents, ...decisions, historyEvent(HistoryEventType.OrchestratorCompleted, now));
    if (rec.runtimeStatus === 'Pending') rec.runtimeStatus = 'Running';
    rec.inbox.push(...synthetic);
    this.persist(rec);
    for (const t of newTasks) this.dispatch(rec, t);
  }

  private checkDeterminism(rec: InstanceRecord, leaves: ActionLeaf[]): string | undefined {
    const known = rec.primaryOrder.length;
    for (let i = 0; i < Math.min(known, leaves.length); i++) {
      const leaf = leaves[i]!;
      const task = rec.tasks[String(rec.primaryOrder[i])]!;
      const leafKind = leaf.actionType <= 1 ? 'activity' : leaf.actionType <= 3 ? 'suborchestration' : 'timer';
      const leafName = typeof leaf.action.functionName === 'string' ? leaf.action.functionName : undefined;
      const taskName = task.retry && task.retry.role === 'attempt' ? task.retry.target.name : task.name;
      if (leafKind !== task.kind || (leafKind !== 'timer' && leafName !== taskName)) {
        const historyName = task.kind === 'timer' ? 'TimerCreated' : task.kind === 'activity' ? `TaskScheduled '${taskName}'` : `SubOrchestrationInstanceCreated '${taskName}'`;
        const actionName = `${ACTION_NAMES[leaf.actionType] ?? leaf.actionType}${leafName ? ` '${leafName}'` : ''}`;
        return `Non-Deterministic workflow detected: the orchestrator now produces ${actionName} where the history has ${historyName} (EventId ${task.id}). Orchestrator code must be deterministic; changed code needs a new orchestration.`;
      }
    }
    if (leaves.length < known) {
      return `Non-Deterministic workflow detected: the history has ${known} scheduled tasks but replay produced only ${leaves.length}.`;
    }
    return undefined;
  }

  private taskFromAction(rec: InstanceRecord, leaf: ActionLeaf, id: number, now: Date): TaskRecord {
    const a = leaf.action;
    const name = typeof a.functionName === 'string' ? a.functionName : '';
    const input = leaf.actionType <= 1 ? actionInputText(a.input) : jsonText(a.input);
    switch (leaf.actionType) {
      case 0:
        return { id, kind: 'activity', name, input, state: 'scheduled' };
      case 1:
        return {
          id,
          kind: 'activity',
          name,
          input,
          state: 'scheduled',
          retry: { options: parseRetryOptions(a.retryOptions), attempt: 1, role: 'attempt', firstAttemptAt: now.toISOString(), target: { kind: 'activity', name, input } },
        };
      case 2:
      case 3: {
        const explicit = typeof a.instanceId === 'string' && a.instanceId !== '' ? a.instanceId : undefined;
        const t: TaskRecord = { id, kind: 'suborchestration', name, input, state: 'scheduled', subInstanceId: explicit ?? `${rec.instanceId}:${id}` };
        if (leaf.actionType === 3) {
          t.retry = { options: parseRetryOptions(a.retryOptions), attempt: 1, role: 'attempt', firstAttemptAt: now.toISOString(), target: { kind: 'suborchestration', name, input, instanceId: explicit } };
        }
        return t;
      }
      default: {
        const fireAtRaw = a.fireAt;
        const finalAt = new Date(typeof fireAtRaw === 'string' || fireAtRaw instanceof Date ? fireAtRaw : now);
        if (finalAt.getTime() - now.getTime() > MAX_SHORT_MS) {
          return { id, kind: 'timer', fireAt: new Date(now.getTime() + LONG_INTERVAL_MS).toISOString(), state: 'scheduled', longTimerFinalFireAt: finalAt.toISOString() };
        }
        return { id, kind: 'timer', fireAt: finalAt.toISOString(), state: 'scheduled' };
      }
    }
  }

  private scheduledEvent(t: TaskRecord, now: Date): HistoryEvent {
    if (t.kind === 'activity') return historyEvent(HistoryEventType.TaskScheduled, now, { Name: t.name, Version: '', Input: t.input }, t.id);
    if (t.kind === 'suborchestration') return historyEvent(HistoryEventType.SubOrchestrationInstanceCreated, now, { Name: t.name, Version: '', InstanceId: t.subInstanceId, Input: t.input }, t.id);
    return historyEvent(HistoryEventType.TimerCreated, now, { FireAt: t.fireAt }, t.id);
  }

  private dispatch(rec: InstanceRecord, t: TaskRecord): void {
    if (t.state !== 'scheduled') return;
    if (t.kind === 'activity') this.enqueueActivity(rec, t);
    else if (t.kind === 'timer') this.armTimer(rec, t);
    else this.ensureSubOrchestration(rec, t);
  }

  private failInstance(rec: InstanceRecord, failure: { message: string; details?: string }, episodeEvents: HistoryEvent[]): void {
    rec.failure = failure;
    const output = jsonText(`Orchestrator function '${rec.name}' failed: ${failure.message}`);
    this.opts.logger.warn(`Orchestration '${rec.instanceId}' (${rec.name}) failed: ${failure.message}`);
    this.finish(rec, 'Failed', output, episodeEvents);
  }

  private finish(rec: InstanceRecord, status: 'Completed' | 'Failed' | 'Terminated', output: string | null, events: HistoryEvent[]): void {
    const now = this.clock.now();
    rec.history.push(
      ...events,
      historyEvent(HistoryEventType.ExecutionCompleted, now, {
        OrchestrationStatus: status,
        Result: output,
        ...(status === 'Failed' && rec.failure ? { FailureDetails: { ErrorMessage: rec.failure.message } } : {}),
      }),
      historyEvent(HistoryEventType.OrchestratorCompleted, now),
    );
    rec.runtimeStatus = status;
    rec.output = output;
    rec.inbox = [];
    for (const t of Object.values(rec.tasks)) if (t.state === 'scheduled') t.state = 'canceled';
    this.clearTimers(rec.instanceId);
    rec.parentNotified = rec.parent ? false : undefined;
    this.persist(rec);
    if (rec.parent) this.notifyParent(rec);
  }

  private notifyParent(child: InstanceRecord): void {
    const p = child.parent;
    if (!p) return;
    const parent = this.instances.get(p.instanceId);
    if (parent && parent.executionId === p.executionId && !statusIsTerminal(parent.runtimeStatus)) {
      const msg: InboxMessage =
        child.runtimeStatus === 'Completed'
          ? { type: 'SubOrchestrationCompleted', executionId: p.executionId, taskId: p.taskId, result: child.output ?? 'null' }
          : {
              type: 'SubOrchestrationFailed',
              executionId: p.executionId,
              taskId: p.taskId,
              reason: child.runtimeStatus === 'Terminated' ? `Sub-orchestration '${child.instanceId}' was terminated.` : child.failure?.message ?? String(parseJson(child.output)),
              details: child.failure?.details ?? '',
            };
      this.deliver(parent, msg);
    }
    child.parentNotified = true;
    this.persist(child);
  }

  private ensureSubOrchestration(rec: InstanceRecord, t: TaskRecord): void {
    const childId = t.subInstanceId ?? `${rec.instanceId}:${t.id}`;
    const existing = this.instances.get(childId);
    if (existing && existing.parent?.instanceId === rec.instanceId && existing.parent.executionId === rec.executionId && existing.parent.taskId === t.id) {
      if (statusIsTerminal(existing.runtimeStatus) && !existing.parentNotified) this.notifyParent(existing);
      return;
    }
    try {
      this.startNew(t.name ?? '', childId, parseJson(t.input ?? null), { instanceId: rec.instanceId, executionId: rec.executionId, taskId: t.id });
    } catch (err) {
      this.deliver(rec, { type: 'SubOrchestrationFailed', executionId: rec.executionId, taskId: t.id, reason: errorMessage(err), details: '' });
    }
  }

  private timerKey(instanceId: string, executionId: string, taskId: number): string {
    return `${instanceId}\u0000${executionId}\u0000${taskId}`;
  }

  private armTimer(rec: InstanceRecord, t: TaskRecord): void {
    if (this.stopped) return;
    const key = this.timerKey(rec.instanceId, rec.executionId, t.id);
    if (this.timers.has(key)) return;
    const fireAt = new Date(t.fireAt ?? Date.now());
    const executionId = rec.executionId;
    const fire = (): void => {
      const delay = this.clock.realDelayUntil(fireAt);
      if (delay > 0) {
        const h = setTimeout(fire, Math.min(delay, 2 ** 31 - 1));
        this.timers.set(key, h);
        return;
      }
      this.timers.delete(key);
      const current = this.instances.get(rec.instanceId);
      if (!current || current.executionId !== executionId) return;
      this.deliver(current, { type: 'TimerFired', executionId, timerId: t.id, fireAt: fireAt.toISOString() });
    };
    const h = setTimeout(fire, Math.min(this.clock.realDelayUntil(fireAt), 2 ** 31 - 1));
    this.timers.set(key, h);
  }

  private clearTimer(rec: InstanceRecord, taskId: number): void {
    const key = this.timerKey(rec.instanceId, rec.executionId, taskId);
    const h = this.timers.get(key);
    if (h) clearTimeout(h);
    this.timers.delete(key);
  }

  private clearTimers(instanceId: string): void {
    for (const [key, h] of this.timers) {
      if (key.startsWith(`${instanceId}\u0000`)) {
        clearTimeout(h);
        this.timers.delete(key);
      }
    }
  }

  private enqueueActivity(rec: InstanceRecord, t: TaskRecord): void {
    if (this.stopped) return;
    const work: Work = { instanceId: rec.instanceId, executionId: rec.executionId, taskId: t.id, name: t.name ?? '', input: t.input ?? null };
    const key = this.timerKey(work.instanceId, work.executionId, work.taskId);
    if (this.activeWork.has(key) || this.queue.some((w) => this.timerKey(w.instanceId, w.executionId, w.taskId) === key)) return;
    this.queue.push(work);
    this.pump();
  }

  private pump(): void {
    const limit = Math.max(1, this.opts.maxConcurrentActivities);
    while (!this.stopped && this.activeWork.size < limit && this.queue.length > 0) {
      const work = this.queue.shift()!;
      const key = this.timerKey(work.instanceId, work.executionId, work.taskId);
      const p = this.runActivity(work).finally(() => {
        this.activeWork.delete(key);
        this.pump();
      });
      this.activeWork.set(key, p);
    }
  }

  /** How many activities run right now (for tests of the concurrency limit). */
  get runningActivities(): number {
    return this.activeWork.size;
  }

  private async runActivity(work: Work): Promise<void> {
    const reg = this.opts.findFunction(work.name);
    let msg: InboxMessage;
    if (!reg || reg.triggerType.toLowerCase() !== 'activitytrigger') {
      msg = {
        type: 'TaskFailed',
        executionId: work.executionId,
        taskId: work.taskId,
        reason: `The function '${work.name}' doesn't exist, is disabled, or is not an activity function.`,
        details: '',
      };
    } else {
      try {
        const inputData: RpcParameterBinding[] = [
          { name: reg.triggerName, data: work.input === null ? undefined : { string: work.input } },
          ...this.opts.extraInputs(reg),
        ];
        const cpu = process.cpuUsage();
        const wall = performance.now();
        const res = await this.opts.invoke(reg, inputData);
        this.metrics?.activity?.({ instanceId: work.instanceId, name: work.name, cpuMicros: cpuSince(cpu), wallMs: performance.now() - wall });
        msg = { type: 'TaskCompleted', executionId: work.executionId, taskId: work.taskId, result: jsonText(res.result) ?? 'null' };
      } catch (err) {
        msg = { type: 'TaskFailed', executionId: work.executionId, taskId: work.taskId, reason: errorMessage(err), details: errorStack(err) ?? errorMessage(err) };
      }
    }
    const rec = this.instances.get(work.instanceId);
    if (!rec || rec.executionId !== work.executionId) return;
    this.deliver(rec, msg);
  }
}
