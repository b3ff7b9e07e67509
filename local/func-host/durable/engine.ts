/**
 * The durable engine: drives orchestrations by replaying their full history through the
 * orchestrator function (out-of-proc protocol), one new message per episode, and applies the
 * actions it returns (activities, retries, timers, external events, sub-orchestrations,
 * continue-as-new). State is persisted after every step; activities run at least once.
 *
 * This file wires the parts together and is the API the host uses:
 *   runtime.ts    shared state, persistence, inbox and the per-instance work loop
 *   instances.ts  start / query / raise / terminate / suspend / rewind / restart / purge
 *   replay.ts     one episode: history → orchestrator → decisions applied
 *   decisions.ts  actions → tasks, determinism check     actions.ts  reading the actions
 *   retries.ts    callActivityWithRetry chains            timers.ts   durable timers
 *   activities.ts the activity work queue                 dispatch.ts tasks → what runs them
 *   outcome.ts    completion, failure, parent notification
 */
import { ActivityQueue } from './activities';
import { TaskDispatcher } from './dispatch';
import { InstancesApi, type ListQuery, type OrchestrationStatus, type StatusOptions } from './instances';
import { Outcomes } from './outcome';
import { EpisodeRunner } from './replay';
import { EngineRuntime, statusIsTerminal, type EngineMetrics, type EngineOptions } from './runtime';
import type { InstanceRecord, RuntimeStatus } from './store';
import { TimerService } from './timers';

export { flattenActions } from './actions';
export { DurableError, type EngineMetrics, type EngineOptions } from './runtime';
export type { ListQuery, OrchestrationStatus, StatusOptions } from './instances';
export { retryDelayMs } from './retries';
export { compareVersions, versionMismatch, type VersioningSettings } from './versioning';
export { LONG_RUNNING_TIMER_INTERVAL, MAXIMUM_SHORT_TIMER_DURATION } from './timers';

export class DurableEngine {
  private readonly rt: EngineRuntime;
  private readonly timers: TimerService;
  private readonly activities: ActivityQueue;
  private readonly outcomes: Outcomes;
  private readonly api: InstancesApi;
  private readonly dispatcher: TaskDispatcher;

  constructor(opts: EngineOptions) {
    this.rt = new EngineRuntime(opts);
    this.timers = new TimerService(this.rt);
    this.activities = new ActivityQueue(this.rt);
    this.outcomes = new Outcomes(this.rt, this.timers);
    this.api = new InstancesApi(this.rt, this.timers, this.activities);
    this.dispatcher = new TaskDispatcher(this.rt, this.api, this.activities, this.timers, this.outcomes);
    const episodes = new EpisodeRunner(this.rt, this.timers, this.outcomes, this.dispatcher);
    this.rt.setEpisodeRunner((rec, msg) => episodes.run(rec, msg));
  }

  /** opt-in CPU/wall probe (see EngineMetrics) */
  get metrics(): EngineMetrics | undefined {
    return this.rt.metrics;
  }

  set metrics(value: EngineMetrics | undefined) {
    this.rt.metrics = value;
  }

  get events(): EngineRuntime['events'] {
    return this.rt.events;
  }

  /** How many activities run right now (for tests of the concurrency limit). */
  get runningActivities(): number {
    return this.activities.running;
  }

  // ---------- lifecycle ----------

  start(): void {
    let maxTs = 0;
    for (const rec of this.rt.opts.store.loadAll()) {
      this.rt.instances.set(rec.instanceId, rec);
      for (const e of rec.history) maxTs = Math.max(maxTs, Date.parse(e.Timestamp) || 0);
    }
    this.rt.clock.advanceTo(maxTs + 1);
    for (const rec of this.rt.instances.values()) this.resume(rec);
  }

  /** Re-arms everything a persisted instance was waiting for (at-least-once re-run of activities). */
  private resume(rec: InstanceRecord): void {
    if (statusIsTerminal(rec.runtimeStatus)) {
      if (rec.parent && !rec.parentNotified) this.outcomes.notifyParent(rec);
      return;
    }
    const pending = new Set<number>();
    for (const m of rec.inbox) {
      if ('taskId' in m) pending.add(m.taskId);
      if (m.type === 'TimerFired') pending.add(m.timerId);
    }
    for (const task of Object.values(rec.tasks)) {
      if (task.state !== 'scheduled' || pending.has(task.id)) continue;
      this.dispatcher.dispatch(rec, task);
    }
    this.rt.kick(rec.instanceId);
  }

  async stop(options: { abrupt?: boolean } = {}): Promise<void> {
    this.rt.stopped = true;
    this.rt.abrupt = options.abrupt === true;
    this.timers.clearAll();
    this.activities.drop();
    if (!this.rt.abrupt) {
      const deadline = new Promise((r) => setTimeout(r, 15_000).unref());
      await Promise.race([Promise.allSettled([...this.activities.runningWork(), ...this.rt.runningEpisodes()]), deadline]);
    }
    this.rt.events.removeAllListeners();
  }

  // ---------- client operations (instances.ts) ----------

  startNew(name: string, instanceId: string | undefined, input: unknown, parent?: InstanceRecord['parent'], version?: string): InstanceRecord {
    return this.api.startNew(name, instanceId, input, parent, version);
  }

  getRecord(instanceId: string): InstanceRecord | undefined {
    return this.api.getRecord(instanceId);
  }

  getStatus(instanceId: string, options: StatusOptions = {}): OrchestrationStatus | undefined {
    return this.api.getStatus(instanceId, options);
  }

  list(query: ListQuery): { items: OrchestrationStatus[]; continuationToken?: string } {
    return this.api.list(query);
  }

  raiseEvent(instanceId: string, eventName: string, data: unknown): void {
    this.api.raiseEvent(instanceId, eventName, data);
  }

  terminate(instanceId: string, reason: string): void {
    this.api.terminate(instanceId, reason);
  }

  suspend(instanceId: string, reason: string): void {
    this.api.suspend(instanceId, reason);
  }

  resumeInstance(instanceId: string, reason: string): void {
    this.api.resumeInstance(instanceId, reason);
  }

  rewind(instanceId: string, reason: string): void {
    this.api.rewind(instanceId, reason);
  }

  restart(instanceId: string, newInstanceId: boolean): InstanceRecord {
    return this.api.restart(instanceId, newInstanceId);
  }

  purge(instanceId: string): number {
    return this.api.purge(instanceId);
  }

  purgeBy(filter: { createdTimeFrom: Date; createdTimeTo?: Date; runtimeStatus?: RuntimeStatus[] }): number {
    return this.api.purgeBy(filter);
  }

  waitForStatus(instanceId: string, predicate: (s: OrchestrationStatus) => boolean, timeoutMs = 30_000): Promise<OrchestrationStatus> {
    return this.api.waitForStatus(instanceId, predicate, timeoutMs);
  }
}
