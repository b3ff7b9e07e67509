/**
 * Durable timers: arming (on the engine clock, re-armed after a restart), cancelling, and the
 * long-timer split the extension does (timers beyond maximumShortTimerDuration fire every
 * longRunningTimerIntervalDuration until the final fire time).
 */
import { HistoryEventType, historyEvent, type HistoryEvent } from './history';
import type { EngineRuntime } from './runtime';
import type { InstanceRecord, TaskRecord } from './store';

export const MAXIMUM_SHORT_TIMER_DURATION = '6.00:00:00';
export const LONG_RUNNING_TIMER_INTERVAL = '3.00:00:00';
const MAX_SHORT_MS = 6 * 24 * 3600 * 1000;
const LONG_INTERVAL_MS = 3 * 24 * 3600 * 1000;

/** The timer task a CreateTimer action schedules (the first leg of a long timer). */
export function timerTask(id: number, fireAtRaw: unknown, now: Date): TaskRecord {
  const finalAt = new Date(typeof fireAtRaw === 'string' || fireAtRaw instanceof Date ? fireAtRaw : now);
  if (finalAt.getTime() - now.getTime() > MAX_SHORT_MS) {
    return { id, kind: 'timer', fireAt: new Date(now.getTime() + LONG_INTERVAL_MS).toISOString(), state: 'scheduled', longTimerFinalFireAt: finalAt.toISOString() };
  }
  return { id, kind: 'timer', fireAt: finalAt.toISOString(), state: 'scheduled' };
}

/** When a leg of a long timer fires before the final time: the next leg (and its TimerCreated). */
export function nextLongTimerLeg(rec: InstanceRecord, fired: TaskRecord, now: Date): { task: TaskRecord; event: HistoryEvent } | undefined {
  if (!fired.longTimerFinalFireAt) return undefined;
  const final = Date.parse(fired.longTimerFinalFireAt);
  if (final <= now.getTime()) return undefined;
  const id = rec.nextSequence++;
  const fireAt = final - now.getTime() > MAX_SHORT_MS ? new Date(now.getTime() + LONG_INTERVAL_MS) : new Date(final);
  const task: TaskRecord = { id, kind: 'timer', fireAt: fireAt.toISOString(), state: 'scheduled', longTimerFinalFireAt: fired.longTimerFinalFireAt };
  return { task, event: historyEvent(HistoryEventType.TimerCreated, now, { FireAt: task.fireAt }, id) };
}

/** Key of one task of one execution (timers and activity work share it). */
export function taskKey(instanceId: string, executionId: string, taskId: number): string {
  return `${instanceId}\u0000${executionId}\u0000${taskId}`;
}

export class TimerService {
  private readonly timers = new Map<string, NodeJS.Timeout>();

  constructor(private readonly rt: EngineRuntime) {}

  arm(rec: InstanceRecord, t: TaskRecord): void {
    if (this.rt.stopped) return;
    const key = taskKey(rec.instanceId, rec.executionId, t.id);
    if (this.timers.has(key)) return;
    const fireAt = new Date(t.fireAt ?? Date.now());
    const executionId = rec.executionId;
    const fire = (): void => {
      const delay = this.rt.clock.realDelayUntil(fireAt);
      if (delay > 0) {
        const h = setTimeout(fire, Math.min(delay, 2 ** 31 - 1));
        this.timers.set(key, h);
        return;
      }
      this.timers.delete(key);
      const current = this.rt.instances.get(rec.instanceId);
      if (!current || current.executionId !== executionId) return;
      this.rt.deliver(current, { type: 'TimerFired', executionId, timerId: t.id, fireAt: fireAt.toISOString() });
    };
    const h = setTimeout(fire, Math.min(this.rt.clock.realDelayUntil(fireAt), 2 ** 31 - 1));
    this.timers.set(key, h);
  }

  clear(rec: InstanceRecord, taskId: number): void {
    const key = taskKey(rec.instanceId, rec.executionId, taskId);
    const h = this.timers.get(key);
    if (h) clearTimeout(h);
    this.timers.delete(key);
  }

  /** Every timer of an instance (all executions). */
  clearInstance(instanceId: string): void {
    for (const [key, h] of this.timers) {
      if (key.startsWith(`${instanceId}\u0000`)) {
        clearTimeout(h);
        this.timers.delete(key);
      }
    }
  }

  clearAll(): void {
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
  }
}
