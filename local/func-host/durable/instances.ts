/**
 * The instances API the durable client reaches: start, query, raise, terminate, suspend/resume,
 * rewind, restart, purge, and waiting for a status (for tests and the sandbox).
 */
import { randomUUID } from 'node:crypto';
import type { ActivityQueue } from './activities';
import { jsonText } from './actions';
import { HistoryEventType, historyEvent, historyForStatus, parseJson } from './history';
import { DurableError, statusIsTerminal, type EngineRuntime } from './runtime';
import type { InstanceRecord, RuntimeStatus } from './store';
import type { TimerService } from './timers';

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

export class InstancesApi {
  constructor(
    private readonly rt: EngineRuntime,
    private readonly timers: TimerService,
    private readonly activities: ActivityQueue,
  ) {}

  /** `version`: the client's explicit version; default: host.json defaultVersion (none = unversioned). */
  startNew(name: string, instanceId: string | undefined, input: unknown, parent?: InstanceRecord['parent'], version?: string): InstanceRecord {
    if (this.rt.stopped) throw new Error('The host is stopping');
    const reg = this.rt.opts.findFunction(name);
    if (!reg || reg.triggerType.toLowerCase() !== 'orchestrationtrigger') {
      throw new DurableError('UnknownFunction', `The function '${name}' doesn't exist, is disabled, or is not an orchestrator function.`);
    }
    const id = instanceId && instanceId !== '' ? instanceId : randomUUID().replace(/-/g, '');
    if (/[/\\#?]/.test(id) || [...id].some((c) => c.charCodeAt(0) < 0x20) || id.length > 256) {
      throw new DurableError('Precondition', `Instance ID '${id}' contains invalid characters.`);
    }
    const existing = this.rt.instances.get(id);
    if (existing && !statusIsTerminal(existing.runtimeStatus)) {
      throw new DurableError('AlreadyExists', `An Orchestration instance with the status ${existing.runtimeStatus} already exists.`);
    }
    if (existing) this.timers.clearInstance(existing.instanceId);
    const now = new Date().toISOString();
    const stamped = version !== undefined && version !== '' ? version : this.rt.opts.versioning?.defaultVersion;
    const rec: InstanceRecord = {
      instanceId: id,
      name: reg.name,
      executionId: randomUUID().replace(/-/g, ''),
      ...(stamped !== undefined ? { version: stamped } : {}),
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
    this.rt.instances.set(id, rec);
    this.rt.persist(rec);
    this.rt.kick(id);
    return rec;
  }

  getRecord(instanceId: string): InstanceRecord | undefined {
    return this.rt.instances.get(instanceId);
  }

  getStatus(instanceId: string, options: StatusOptions = {}): OrchestrationStatus | undefined {
    const rec = this.rt.instances.get(instanceId);
    return rec ? toStatus(rec, options) : undefined;
  }

  list(query: ListQuery): { items: OrchestrationStatus[]; continuationToken?: string } {
    const all = [...this.rt.instances.values()]
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
      items: page.map((r) => toStatus(r, { showInput: query.showInput ?? true })),
      continuationToken: next < all.length ? Buffer.from(String(next)).toString('base64url') : undefined,
    };
  }

  raiseEvent(instanceId: string, eventName: string, data: unknown): void {
    const rec = this.requireLive(instanceId);
    this.rt.deliver(rec, { type: 'EventRaised', name: eventName, input: jsonText(data) });
  }

  terminate(instanceId: string, reason: string): void {
    const rec = this.requireLive(instanceId);
    rec.inbox.unshift({ type: 'Terminate', reason });
    this.rt.persist(rec);
    this.rt.kick(instanceId);
  }

  suspend(instanceId: string, reason: string): void {
    const rec = this.requireLive(instanceId);
    if (rec.runtimeStatus === 'Suspended') return;
    rec.history.push(historyEvent(HistoryEventType.ExecutionSuspended, this.rt.clock.now(), { Reason: reason }));
    rec.runtimeStatus = 'Suspended';
    this.rt.persist(rec);
  }

  resumeInstance(instanceId: string, reason: string): void {
    const rec = this.requireLive(instanceId);
    if (rec.runtimeStatus !== 'Suspended') return;
    rec.history.push(historyEvent(HistoryEventType.ExecutionResumed, this.rt.clock.now(), { Reason: reason }));
    rec.runtimeStatus = rec.history.some((e) => e.EventType === HistoryEventType.OrchestratorCompleted) ? 'Running' : 'Pending';
    this.rt.persist(rec);
    this.rt.kick(instanceId);
  }

  /**
   * Rewind a Failed instance: the failed activity attempts (plain activities, not retry chains
   * or sub-orchestrations) are taken out of history and run again.
   */
  rewind(instanceId: string, reason: string): void {
    const rec = this.rt.requireInstance(instanceId);
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
    rec.history.push(historyEvent(HistoryEventType.GenericEvent, this.rt.clock.now(), { Data: `Rewound: ${reason}` }));
    rec.runtimeStatus = 'Running';
    rec.output = null;
    rec.failure = undefined;
    for (const id of ids) rec.tasks[String(id)]!.state = 'scheduled';
    this.rt.persist(rec);
    for (const id of ids) this.activities.enqueue(rec, rec.tasks[String(id)]!);
  }

  /** Restart: a new execution with the same name and input (same or new instance id). */
  restart(instanceId: string, newInstanceId: boolean): InstanceRecord {
    const rec = this.rt.requireInstance(instanceId);
    return this.startNew(rec.name, newInstanceId ? undefined : rec.instanceId, parseJson(rec.input));
  }

  purge(instanceId: string): number {
    const rec = this.rt.instances.get(instanceId);
    if (!rec) return 0;
    this.timers.clearInstance(instanceId);
    this.rt.instances.delete(instanceId);
    this.rt.opts.store.delete(instanceId);
    return 1;
  }

  purgeBy(filter: { createdTimeFrom: Date; createdTimeTo?: Date; runtimeStatus?: RuntimeStatus[] }): number {
    let n = 0;
    for (const rec of [...this.rt.instances.values()]) {
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
        this.rt.events.off('change', onChange);
      };
      this.rt.events.on('change', onChange);
      check();
    });
  }

  /** The instance, if it has not finished (410 Gone otherwise). */
  private requireLive(instanceId: string): InstanceRecord {
    const rec = this.rt.requireInstance(instanceId);
    if (statusIsTerminal(rec.runtimeStatus)) throw new DurableError('Gone', `Instance '${instanceId}' is ${rec.runtimeStatus}.`);
    return rec;
  }
}

function toStatus(rec: InstanceRecord, options: StatusOptions): OrchestrationStatus {
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
