/**
 * The activity work queue: scheduled activities run at most `maxConcurrentActivities` at a
 * time, at least once (a restart re-enqueues what had not completed), and their outcome is
 * delivered to the instance as TaskCompleted / TaskFailed.
 */
import type { RpcParameterBinding } from '../types';
import { errorMessage, errorStack } from '../types';
import { jsonText } from './actions';
import { cpuSince, type EngineRuntime } from './runtime';
import type { InboxMessage, InstanceRecord, TaskRecord } from './store';
import { taskKey } from './timers';

interface Work {
  instanceId: string;
  executionId: string;
  taskId: number;
  name: string;
  input: string | null;
}

export class ActivityQueue {
  private readonly queue: Work[] = [];
  private readonly activeWork = new Map<string, Promise<void>>();

  constructor(private readonly rt: EngineRuntime) {}

  enqueue(rec: InstanceRecord, t: TaskRecord): void {
    if (this.rt.stopped) return;
    const work: Work = { instanceId: rec.instanceId, executionId: rec.executionId, taskId: t.id, name: t.name ?? '', input: t.input ?? null };
    const key = taskKey(work.instanceId, work.executionId, work.taskId);
    if (this.activeWork.has(key) || this.queue.some((w) => taskKey(w.instanceId, w.executionId, w.taskId) === key)) return;
    this.queue.push(work);
    this.pump();
  }

  /** How many activities run right now (for tests of the concurrency limit). */
  get running(): number {
    return this.activeWork.size;
  }

  /** Drops queued work (a stop); running activities finish on their own. */
  drop(): void {
    this.queue.length = 0;
  }

  runningWork(): Promise<void>[] {
    return [...this.activeWork.values()];
  }

  private pump(): void {
    const limit = Math.max(1, this.rt.opts.maxConcurrentActivities);
    while (!this.rt.stopped && this.activeWork.size < limit && this.queue.length > 0) {
      const work = this.queue.shift()!;
      const key = taskKey(work.instanceId, work.executionId, work.taskId);
      const p = this.run(work).finally(() => {
        this.activeWork.delete(key);
        this.pump();
      });
      this.activeWork.set(key, p);
    }
  }

  private async run(work: Work): Promise<void> {
    const reg = this.rt.opts.findFunction(work.name);
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
          ...this.rt.opts.extraInputs(reg),
        ];
        const cpu = process.cpuUsage();
        const wall = performance.now();
        const res = await this.rt.opts.invoke(reg, inputData);
        this.rt.metrics?.activity?.({ instanceId: work.instanceId, name: work.name, cpuMicros: cpuSince(cpu), wallMs: performance.now() - wall });
        msg = { type: 'TaskCompleted', executionId: work.executionId, taskId: work.taskId, result: jsonText(res.result) ?? 'null' };
      } catch (err) {
        msg = { type: 'TaskFailed', executionId: work.executionId, taskId: work.taskId, reason: errorMessage(err), details: errorStack(err) ?? errorMessage(err) };
      }
    }
    const rec = this.rt.instances.get(work.instanceId);
    if (!rec || rec.executionId !== work.executionId) return;
    this.rt.deliver(rec, msg);
  }
}
