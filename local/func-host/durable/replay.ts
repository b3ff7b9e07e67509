/**
 * One orchestration episode: the new message becomes a history event, the full history is
 * replayed through the orchestrator function (out-of-proc protocol), and its cumulative actions
 * are applied (new tasks, canceled timers, continue-as-new, completion or failure).
 */
import { randomUUID } from 'node:crypto';
import type { RpcParameterBinding } from '../types';
import { errorMessage, errorStack, isRecord } from '../types';
import { ACTION_NAMES, actionInputText, flattenActions, jsonText, scheduledEvent } from './actions';
import { checkDeterminism, taskFromAction, TASK_ACTION_TYPES } from './decisions';
import type { TaskDispatcher } from './dispatch';
import { HistoryEventType, historyEvent, parseJson, type HistoryEvent } from './history';
import type { Outcomes } from './outcome';
import { retryFollowUp, type RetryFollowUp } from './retries';
import { cpuSince, type EngineRuntime } from './runtime';
import { versionMismatch } from './versioning';
import type { InboxMessage, InstanceRecord, TaskRecord } from './store';
import { LONG_RUNNING_TIMER_INTERVAL, MAXIMUM_SHORT_TIMER_DURATION, nextLongTimerLeg, type TimerService } from './timers';

const OUT_OF_PROC_LABEL = '\n\n$OutOfProcData$:';

function messageEvent(rec: InstanceRecord, msg: InboxMessage, now: Date): HistoryEvent | undefined {
  switch (msg.type) {
    case 'ExecutionStarted':
      return historyEvent(HistoryEventType.ExecutionStarted, now, {
        Name: rec.name,
        Input: rec.input,
        Version: rec.version ?? '',
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

function targetTaskId(msg: InboxMessage): number | undefined {
  if (msg.type === 'TimerFired') return msg.timerId;
  if ('taskId' in msg) return msg.taskId;
  return undefined;
}

type Failure = { message: string; details?: string };

export class EpisodeRunner {
  /** Instances whose rejection was logged (once per instance and host). */
  private readonly rejected = new Set<string>();

  constructor(
    private readonly rt: EngineRuntime,
    private readonly timers: TimerService,
    private readonly outcomes: Outcomes,
    private readonly dispatcher: TaskDispatcher,
  ) {}

  async run(rec: InstanceRecord, msg: InboxMessage): Promise<void | 'rejected'> {
    const rt = this.rt;
    if (msg.type === 'Terminate') {
      rt.removeMessage(rec, msg);
      this.outcomes.finish(rec, 'Terminated', jsonText(msg.reason), [
        historyEvent(HistoryEventType.OrchestratorStarted, rt.clock.now()),
        historyEvent(HistoryEventType.ExecutionTerminated, rt.clock.now(), { Input: jsonText(msg.reason) }),
      ]);
      return;
    }
    // Completions for another execution, unknown tasks or tasks already settled are dropped (at-least-once).
    const taskId = targetTaskId(msg);
    if (taskId !== undefined) {
      const task = rec.tasks[String(taskId)];
      const exec = 'executionId' in msg ? msg.executionId : rec.executionId;
      if (!task || task.state !== 'scheduled' || exec !== rec.executionId) {
        rt.removeMessage(rec, msg);
        rt.persist(rec);
        return;
      }
    }

    const now = rt.clock.now();
    const started = historyEvent(HistoryEventType.OrchestratorStarted, now);
    const newEvent = messageEvent(rec, msg, now)!;

    // Versioning: the work item is checked before the orchestrator runs (terminate bypasses it above).
    const mismatch = rt.opts.versioning ? versionMismatch(rec.version, rt.opts.versioning) : undefined;
    if (mismatch) {
      if (rt.opts.versioning!.failureStrategy === 'Reject') {
        if (!this.rejected.has(rec.instanceId)) rt.opts.logger.warn(`Orchestration '${rec.instanceId}' (${rec.name}) rejected, left as it is: ${mismatch}`);
        this.rejected.add(rec.instanceId);
        return 'rejected';
      }
      rt.removeMessage(rec, msg);
      this.outcomes.fail(rec, { message: mismatch, errorType: 'VersionMismatch' }, [started, newEvent]);
      return;
    }
    this.rejected.delete(rec.instanceId);
    const decisions: HistoryEvent[] = [];
    const newTasks: TaskRecord[] = [];
    const synthetic: InboxMessage[] = [];
    const task = taskId !== undefined ? rec.tasks[String(taskId)] : undefined;
    if (task) task.state = msg.type === 'TaskFailed' || msg.type === 'SubOrchestrationFailed' ? 'failed' : 'completed';

    // Bookkeeping the library does when it processes this message (retry timers, next attempts, long timers).
    const followUp: RetryFollowUp | undefined = task
      ? (retryFollowUp(rec, task, msg, now) ?? (msg.type === 'TimerFired' && !task.retry ? nextLongTimerLeg(rec, task, now) : undefined))
      : undefined;
    if (followUp) {
      newTasks.push(followUp.task);
      decisions.push(followUp.event);
      if (followUp.synthetic) synthetic.push(followUp.synthetic);
    }

    const replayHistory = [...rec.history.map((e) => ({ ...e, IsPlayed: true })), started, newEvent];
    const { state, failure } = await this.invokeOrchestrator(rec, replayHistory);
    if (rt.instances.get(rec.instanceId) !== rec || rt.halted) return;

    const episodeEvents: HistoryEvent[] = [started, newEvent];
    if (failure) {
      rt.removeMessage(rec, msg);
      this.outcomes.fail(rec, failure, episodeEvents);
      return;
    }
    const st = state!;
    rec.customStatus = jsonText(st.customStatus);

    // Map the cumulative actions onto task ids: leaves beyond the known ones are new decisions.
    const leaves = flattenActions(st.actions).filter((l) => l.actionType !== 6 && l.actionType !== 4);
    const unsupported = leaves.find((l) => !TASK_ACTION_TYPES.has(l.actionType));
    if (unsupported) {
      rt.removeMessage(rec, msg);
      this.outcomes.fail(rec, { message: `The local host does not support the ${ACTION_NAMES[unsupported.actionType] ?? `#${unsupported.actionType}`} action.` }, episodeEvents);
      return;
    }
    const nondeterminism = checkDeterminism(rec, leaves);
    if (nondeterminism) {
      rt.removeMessage(rec, msg);
      this.outcomes.fail(rec, { message: nondeterminism }, episodeEvents);
      return;
    }
    for (const leaf of leaves.slice(rec.primaryOrder.length)) {
      const id = rec.nextSequence++;
      const t = taskFromAction(rec, leaf, id, now);
      rec.primaryOrder.push(id);
      newTasks.push(t);
      decisions.push(scheduledEvent(t, now));
    }
    // Timers the orchestrator canceled (after Task.any) will not fire.
    for (const [i, leaf] of leaves.entries()) {
      if (leaf.actionType === 5 && leaf.action.isCanceled === true) {
        const t = rec.tasks[String(rec.primaryOrder[i])];
        if (t && t.kind === 'timer' && t.state === 'scheduled') {
          t.state = 'canceled';
          this.timers.clear(rec, t.id);
        }
      }
    }
    for (const t of newTasks) rec.tasks[String(t.id)] = t;

    const continueAsNew = flattenActions(st.actions).find((l) => l.actionType === 4);
    rt.removeMessage(rec, msg);
    if (st.isDone === true && continueAsNew) {
      rec.history.push(...episodeEvents, ...decisions,
        historyEvent(HistoryEventType.ExecutionCompleted, now, { OrchestrationStatus: 'ContinuedAsNew', Result: actionInputText(continueAsNew.action.input) }),
        historyEvent(HistoryEventType.OrchestratorCompleted, now));
      this.timers.clearInstance(rec.instanceId);
      rec.input = actionInputText(continueAsNew.action.input);
      rec.executionId = randomUUID().replace(/-/g, '');
      rec.history = [];
      rec.tasks = {};
      rec.nextSequence = 0;
      rec.primaryOrder = [];
      rec.runtimeStatus = 'Running';
      rec.inbox = [{ type: 'ExecutionStarted' }, ...rec.inbox.filter((m) => m.type === 'EventRaised' || m.type === 'Terminate')];
      rt.persist(rec);
      return;
    }
    if (st.isDone === true) {
      this.outcomes.finish(rec, 'Completed', jsonText(st.output), [...episodeEvents, ...decisions]);
      return;
    }
    rec.history.push(...episodeEvents, ...decisions, historyEvent(HistoryEventType.OrchestratorCompleted, now));
    if (rec.runtimeStatus === 'Pending') rec.runtimeStatus = 'Running';
    rec.inbox.push(...synthetic);
    rt.persist(rec);
    for (const t of newTasks) this.dispatcher.dispatch(rec, t);
  }

  /** Calls the orchestrator function with the episode's history; its state, or why it failed. */
  private async invokeOrchestrator(rec: InstanceRecord, replayHistory: HistoryEvent[]): Promise<{ state?: Record<string, unknown>; failure?: Failure }> {
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
    const reg = this.rt.opts.findFunction(rec.name);
    if (!reg) return { failure: { message: `The orchestrator function '${rec.name}' is not registered in this app.` } };
    try {
      const cpu = process.cpuUsage();
      const wall = performance.now();
      const inputData: RpcParameterBinding[] = [{ name: reg.triggerName, data: { string: JSON.stringify(payload) } }, ...this.rt.opts.extraInputs(reg)];
      const res = await this.rt.opts.invoke(reg, inputData);
      this.rt.metrics?.episode?.({ instanceId: rec.instanceId, name: rec.name, historyLength: replayHistory.length, cpuMicros: cpuSince(cpu), wallMs: performance.now() - wall });
      // the worker sends its answer to the host as JSON (RPC TypedData): so does this host, which
      // turns a timer's fireAt Date (from another realm, e.g. under jest) into its ISO string
      const answer: unknown = res.result === undefined ? undefined : JSON.parse(JSON.stringify(res.result));
      const state = isRecord(answer) ? answer : undefined;
      return state ? { state } : { failure: { message: 'The orchestrator returned no orchestration state.' } };
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
      return { failure: { message: userMessage, details: errorStack(err) } };
    }
  }
}
