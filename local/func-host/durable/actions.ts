/**
 * What the orchestrator returns, read the way durable-functions' executor builds it: the
 * cumulative actions flattened into leaves in task-id order, action names, the JSON forms of
 * inputs, and the history event a scheduled task is recorded with.
 */
import { isRecord } from '../types';
import { HistoryEventType, historyEvent, type HistoryEvent } from './history';
import type { TaskRecord } from './store';

export interface ActionLeaf {
  actionType: number;
  action: Record<string, unknown>;
}

export const ACTION_NAMES: Record<number, string> = {
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

export function jsonText(value: unknown): string | null {
  if (value === undefined) return null;
  return JSON.stringify(value) ?? null;
}

/**
 * Activity and continue-as-new inputs arrive pre-serialized when they are strings
 * (durable-functions' Utils.processInput JSON-stringifies strings); other values are raw.
 */
export function actionInputText(value: unknown): string | null {
  return typeof value === 'string' ? value : jsonText(value);
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

/** The history event that records a newly scheduled task. */
export function scheduledEvent(t: TaskRecord, now: Date): HistoryEvent {
  if (t.kind === 'activity') return historyEvent(HistoryEventType.TaskScheduled, now, { Name: t.name, Version: '', Input: t.input }, t.id);
  if (t.kind === 'suborchestration') return historyEvent(HistoryEventType.SubOrchestrationInstanceCreated, now, { Name: t.name, Version: t.version ?? '', InstanceId: t.subInstanceId, Input: t.input }, t.id);
  return historyEvent(HistoryEventType.TimerCreated, now, { FireAt: t.fireAt }, t.id);
}
