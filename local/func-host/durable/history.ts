/** Durable Task history events in the shape the out-of-proc protocol sends them. */

export enum HistoryEventType {
  ExecutionStarted = 0,
  ExecutionCompleted = 1,
  ExecutionFailed = 2,
  ExecutionTerminated = 3,
  TaskScheduled = 4,
  TaskCompleted = 5,
  TaskFailed = 6,
  SubOrchestrationInstanceCreated = 7,
  SubOrchestrationInstanceCompleted = 8,
  SubOrchestrationInstanceFailed = 9,
  TimerCreated = 10,
  TimerFired = 11,
  OrchestratorStarted = 12,
  OrchestratorCompleted = 13,
  EventSent = 14,
  EventRaised = 15,
  ContinueAsNew = 16,
  GenericEvent = 17,
  HistoryState = 18,
  ExecutionSuspended = 19,
  ExecutionResumed = 20,
}

export interface HistoryEvent {
  EventType: HistoryEventType;
  EventId: number;
  IsPlayed: boolean;
  Timestamp: string;
  [key: string]: unknown;
}

export function historyEvent(type: HistoryEventType, timestamp: Date, fields: Record<string, unknown> = {}, eventId = -1): HistoryEvent {
  return { EventType: type, EventId: eventId, IsPlayed: false, Timestamp: timestamp.toISOString(), ...fields };
}

/** History as the management API shows it (`showHistory=true`): event types by name. */
export function historyForStatus(history: HistoryEvent[], showOutput: boolean): Record<string, unknown>[] {
  const scheduled = new Map<number, HistoryEvent>();
  for (const e of history) {
    if (e.EventType === HistoryEventType.TaskScheduled || e.EventType === HistoryEventType.SubOrchestrationInstanceCreated) scheduled.set(e.EventId, e);
  }
  const out: Record<string, unknown>[] = [];
  for (const e of history) {
    const name = HistoryEventType[e.EventType];
    switch (e.EventType) {
      case HistoryEventType.OrchestratorStarted:
      case HistoryEventType.OrchestratorCompleted:
      case HistoryEventType.TaskScheduled:
      case HistoryEventType.SubOrchestrationInstanceCreated:
        continue;
      case HistoryEventType.ExecutionStarted:
        out.push({ EventType: name, FunctionName: e.Name, Timestamp: e.Timestamp, ...(showOutput ? { Input: parseJson(e.Input) } : {}) });
        break;
      case HistoryEventType.TaskCompleted:
      case HistoryEventType.TaskFailed:
      case HistoryEventType.SubOrchestrationInstanceCompleted:
      case HistoryEventType.SubOrchestrationInstanceFailed: {
        const s = scheduled.get(Number(e.TaskScheduledId));
        out.push({
          EventType: name,
          FunctionName: s?.Name,
          ScheduledTime: s?.Timestamp,
          Timestamp: e.Timestamp,
          ...(e.Reason !== undefined ? { Reason: e.Reason, Details: e.Details } : {}),
          ...(showOutput && e.Result !== undefined ? { Result: parseJson(e.Result) } : {}),
        });
        break;
      }
      case HistoryEventType.ExecutionCompleted:
        out.push({ EventType: name, OrchestrationStatus: e.OrchestrationStatus, Timestamp: e.Timestamp, ...(showOutput ? { Result: parseJson(e.Result) } : {}) });
        break;
      default: {
        const { EventType: _t, EventId: _i, IsPlayed: _p, ...rest } = e;
        out.push({ EventType: name, ...rest });
      }
    }
  }
  return out;
}

export function parseJson(value: unknown): unknown {
  if (typeof value !== 'string') return value ?? null;
  try {
    return JSON.parse(value) as unknown;
  } catch {
    return value;
  }
}
