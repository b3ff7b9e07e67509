/**
 * callActivityWithRetry / callSubOrchestratorWithRetry semantics: a failed attempt schedules a
 * retry timer (DTFx RetryInterceptor backoff), the fired retry timer schedules the next attempt
 * while attempts remain, and an expired retryTimeout fails the next attempt at once. Each step
 * consumes a task id, as durable-functions' executor counts them.
 */
import { isRecord } from '../types';
import { scheduledEvent } from './actions';
import { HistoryEventType, historyEvent, type HistoryEvent } from './history';
import type { InboxMessage, InstanceRecord, RetryOptionsData, TaskRecord } from './store';

export function parseRetryOptions(value: unknown): RetryOptionsData {
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

export interface RetryFollowUp {
  task: TaskRecord;
  event: HistoryEvent;
  /** A failure to deliver right away (the retry timeout expired). */
  synthetic?: InboxMessage;
}

/**
 * The bookkeeping the library does when a message settles a task of a retry chain: after a
 * failed attempt the retry timer, after the retry timer the next attempt. Undefined when the
 * task is not part of a chain or the chain is exhausted (the failure then reaches the code).
 */
export function retryFollowUp(rec: InstanceRecord, task: TaskRecord, msg: InboxMessage, now: Date): RetryFollowUp | undefined {
  const retry = task.retry;
  if (!retry) return undefined;
  if (retry.role === 'attempt' && (msg.type === 'TaskFailed' || msg.type === 'SubOrchestrationFailed')) {
    const id = rec.nextSequence++;
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
    return { task: timer, event: historyEvent(HistoryEventType.TimerCreated, now, { FireAt: timer.fireAt }, id) };
  }
  if (retry.role === 'timer' && msg.type === 'TimerFired') {
    if (retry.attempt + 1 > retry.options.maxNumberOfAttempts) return undefined;
    const id = rec.nextSequence++;
    const attempt: TaskRecord = {
      id,
      kind: retry.target.kind,
      name: retry.target.name,
      input: retry.target.input,
      state: 'scheduled',
      retry: { ...retry, role: 'attempt', attempt: retry.attempt + 1 },
    };
    if (attempt.kind === 'suborchestration') {
      attempt.subInstanceId = retry.target.instanceId ?? `${rec.instanceId}:${id}`;
      attempt.version = retry.target.version;
    }
    const followUp: RetryFollowUp = { task: attempt, event: scheduledEvent(attempt, now) };
    const elapsed = now.getTime() - Date.parse(retry.firstAttemptAt);
    const timeout = retry.options.retryTimeoutInMilliseconds;
    if (timeout !== undefined && timeout > 0 && elapsed >= timeout) {
      followUp.synthetic = {
        type: attempt.kind === 'activity' ? 'TaskFailed' : 'SubOrchestrationFailed',
        executionId: rec.executionId,
        taskId: id,
        reason: retry.lastReason ?? 'Retry timeout expired',
        details: retry.lastDetails ?? '',
      } as InboxMessage;
    }
    return followUp;
  }
  return undefined;
}
