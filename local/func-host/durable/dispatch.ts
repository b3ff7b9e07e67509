/**
 * Hands a scheduled task to what runs it: activities to the work queue, timers to the timer
 * service, sub-orchestrations to a child instance (created once, found again after a restart).
 */
import { errorMessage } from '../types';
import type { ActivityQueue } from './activities';
import { parseJson } from './history';
import type { InstancesApi } from './instances';
import type { Outcomes } from './outcome';
import { statusIsTerminal, type EngineRuntime } from './runtime';
import type { InstanceRecord, TaskRecord } from './store';
import type { TimerService } from './timers';

export class TaskDispatcher {
  constructor(
    private readonly rt: EngineRuntime,
    private readonly instances: InstancesApi,
    private readonly activities: ActivityQueue,
    private readonly timers: TimerService,
    private readonly outcomes: Outcomes,
  ) {}

  dispatch(rec: InstanceRecord, t: TaskRecord): void {
    if (t.state !== 'scheduled') return;
    if (t.kind === 'activity') this.activities.enqueue(rec, t);
    else if (t.kind === 'timer') this.timers.arm(rec, t);
    else this.ensureSubOrchestration(rec, t);
  }

  private ensureSubOrchestration(rec: InstanceRecord, t: TaskRecord): void {
    const childId = t.subInstanceId ?? `${rec.instanceId}:${t.id}`;
    const existing = this.rt.instances.get(childId);
    if (existing && existing.parent?.instanceId === rec.instanceId && existing.parent.executionId === rec.executionId && existing.parent.taskId === t.id) {
      if (statusIsTerminal(existing.runtimeStatus) && !existing.parentNotified) this.outcomes.notifyParent(existing);
      return;
    }
    try {
      this.instances.startNew(t.name ?? '', childId, parseJson(t.input ?? null), { instanceId: rec.instanceId, executionId: rec.executionId, taskId: t.id }, t.version);
    } catch (err) {
      this.rt.deliver(rec, { type: 'SubOrchestrationFailed', executionId: rec.executionId, taskId: t.id, reason: errorMessage(err), details: '' });
    }
  }
}
