/**
 * How an execution ends: Completed / Failed / Terminated recorded in history, pending tasks
 * canceled, timers cleared, and the parent of a sub-orchestration told (once, also after a
 * restart).
 */
import { jsonText } from './actions';
import { HistoryEventType, historyEvent, parseJson, type HistoryEvent } from './history';
import { statusIsTerminal, type EngineRuntime } from './runtime';
import type { InboxMessage, InstanceRecord } from './store';
import type { TimerService } from './timers';

export class Outcomes {
  constructor(
    private readonly rt: EngineRuntime,
    private readonly timers: TimerService,
  ) {}

  fail(rec: InstanceRecord, failure: { message: string; details?: string; errorType?: string }, episodeEvents: HistoryEvent[]): void {
    rec.failure = failure;
    const output = jsonText(`Orchestrator function '${rec.name}' failed: ${failure.message}`);
    this.rt.opts.logger.warn(`Orchestration '${rec.instanceId}' (${rec.name}) failed: ${failure.message}`);
    this.finish(rec, 'Failed', output, episodeEvents);
  }

  finish(rec: InstanceRecord, status: 'Completed' | 'Failed' | 'Terminated', output: string | null, events: HistoryEvent[]): void {
    const now = this.rt.clock.now();
    rec.history.push(
      ...events,
      historyEvent(HistoryEventType.ExecutionCompleted, now, {
        OrchestrationStatus: status,
        Result: output,
        ...(status === 'Failed' && rec.failure ? { FailureDetails: { ...(rec.failure.errorType ? { ErrorType: rec.failure.errorType } : {}), ErrorMessage: rec.failure.message } } : {}),
      }),
      historyEvent(HistoryEventType.OrchestratorCompleted, now),
    );
    rec.runtimeStatus = status;
    rec.output = output;
    rec.inbox = [];
    for (const t of Object.values(rec.tasks)) if (t.state === 'scheduled') t.state = 'canceled';
    this.timers.clearInstance(rec.instanceId);
    rec.parentNotified = rec.parent ? false : undefined;
    this.rt.persist(rec);
    if (rec.parent) this.notifyParent(rec);
  }

  notifyParent(child: InstanceRecord): void {
    const p = child.parent;
    if (!p) return;
    const parent = this.rt.instances.get(p.instanceId);
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
      this.rt.deliver(parent, msg);
    }
    child.parentNotified = true;
    this.rt.persist(child);
  }
}
