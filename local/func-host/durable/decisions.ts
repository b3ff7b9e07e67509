/**
 * Applying the orchestrator's decisions: the actions beyond the tasks already in history become
 * new tasks (activity, retry chain, sub-orchestration, timer), and the actions replay produced
 * for known tasks must match them (the determinism check).
 */
import { ACTION_NAMES, actionInputText, jsonText, type ActionLeaf } from './actions';
import { parseRetryOptions } from './retries';
import type { InstanceRecord, TaskRecord } from './store';
import { timerTask } from './timers';

/** Action types the local engine turns into tasks (4 ContinueAsNew and 6 WaitForExternalEvent need none). */
export const TASK_ACTION_TYPES: ReadonlySet<number> = new Set([0, 1, 2, 3, 5]);

export function taskFromAction(rec: InstanceRecord, leaf: ActionLeaf, id: number, now: Date): TaskRecord {
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
      const version = typeof a.version === 'string' && a.version !== '' ? a.version : undefined;
      const t: TaskRecord = { id, kind: 'suborchestration', name, input, state: 'scheduled', subInstanceId: explicit ?? `${rec.instanceId}:${id}`, version };
      if (leaf.actionType === 3) {
        t.retry = { options: parseRetryOptions(a.retryOptions), attempt: 1, role: 'attempt', firstAttemptAt: now.toISOString(), target: { kind: 'suborchestration', name, input, instanceId: explicit, version } };
      }
      return t;
    }
    default:
      return timerTask(id, a.fireAt, now);
  }
}

export function checkDeterminism(rec: InstanceRecord, leaves: ActionLeaf[]): string | undefined {
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
