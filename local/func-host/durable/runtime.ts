/**
 * The engine's shared state and its inbox: the instances in memory, persistence after every
 * step, message delivery, and the per-instance work loop that hands one message at a time to
 * the episode runner (replay.ts). Everything else in durable/ works through this object.
 */
import { EventEmitter } from 'node:events';
import type { InvocationResult, Logger, Registration, RpcParameterBinding } from '../types';
import { errorMessage, errorStack } from '../types';
import { EngineClock } from './clock';
import type { VersioningSettings } from './versioning';
import { TERMINAL_STATUSES, type InboxMessage, type InstanceRecord, type InstanceStore, type RuntimeStatus } from './store';

export interface EngineOptions {
  store: InstanceStore;
  logger: Logger;
  timeScale: number;
  maxConcurrentActivities: number;
  findFunction(name: string): Registration | undefined;
  invoke(reg: Registration, inputData: RpcParameterBinding[]): Promise<InvocationResult>;
  /** Extra inputs (durable client) a registration declares. */
  extraInputs(reg: Registration): RpcParameterBinding[];
  /** host.json `defaultVersion` / `versionMatchStrategy` / `versionFailureStrategy` (default: unversioned). */
  versioning?: VersioningSettings;
}

/**
 * An opt-in probe for the bench (a dev tool: production has no such hook): CPU of each
 * orchestrator episode with the history length it replayed, and CPU and wall time of each
 * activity. CPU is process.cpuUsage() around the invocation, so work running concurrently in this
 * process is counted too.
 */
export interface EngineMetrics {
  episode?(m: { instanceId: string; name: string; historyLength: number; cpuMicros: number; wallMs: number }): void;
  activity?(m: { instanceId: string; name: string; cpuMicros: number; wallMs: number }): void;
}

export class DurableError extends Error {
  constructor(
    readonly code: 'NotFound' | 'AlreadyExists' | 'UnknownFunction' | 'Gone' | 'NotSupported' | 'Precondition',
    message: string,
  ) {
    super(message);
  }
}

export function statusIsTerminal(s: RuntimeStatus): boolean {
  return TERMINAL_STATUSES.has(s);
}

export function cpuSince(start: NodeJS.CpuUsage): number {
  const d = process.cpuUsage(start);
  return d.user + d.system;
}

/** 'rejected': the work item stays in the inbox untouched (a version this worker may not run). */
export type EpisodeRunner = (rec: InstanceRecord, msg: InboxMessage) => Promise<void | 'rejected'>;

export class EngineRuntime {
  readonly events = new EventEmitter();
  metrics: EngineMetrics | undefined;
  readonly instances = new Map<string, InstanceRecord>();
  readonly clock: EngineClock;
  stopped = false;
  abrupt = false;
  private readonly processing = new Set<string>();
  private readonly episodes = new Set<Promise<void>>();
  private episodeRunner: EpisodeRunner | undefined;

  constructor(readonly opts: EngineOptions) {
    this.clock = new EngineClock(opts.timeScale > 0 ? opts.timeScale : 1);
    this.events.setMaxListeners(0);
  }

  setEpisodeRunner(runner: EpisodeRunner): void {
    this.episodeRunner = runner;
  }

  /** After an abrupt stop nothing is persisted or delivered any more (a crash). */
  get halted(): boolean {
    return this.stopped && this.abrupt;
  }

  /** Episodes in flight (for a graceful stop). */
  runningEpisodes(): Promise<void>[] {
    return [...this.episodes];
  }

  requireInstance(instanceId: string): InstanceRecord {
    const rec = this.instances.get(instanceId);
    if (!rec) throw new DurableError('NotFound', `No instance with ID '${instanceId}' found.`);
    return rec;
  }

  persist(rec: InstanceRecord): void {
    if (this.halted) return;
    rec.lastUpdatedTime = new Date().toISOString();
    if (this.instances.get(rec.instanceId) !== rec) return; // purged or replaced meanwhile
    this.opts.store.save(rec);
    this.events.emit('change', rec.instanceId);
  }

  deliver(rec: InstanceRecord, msg: InboxMessage): void {
    if (this.halted) return;
    if (this.instances.get(rec.instanceId) !== rec || statusIsTerminal(rec.runtimeStatus)) return;
    rec.inbox.push(msg);
    this.persist(rec);
    this.kick(rec.instanceId);
  }

  removeMessage(rec: InstanceRecord, msg: InboxMessage): void {
    const i = rec.inbox.indexOf(msg);
    if (i >= 0) rec.inbox.splice(i, 1);
  }

  /** Starts the work loop of an instance unless it already runs: one episode per inbox message. */
  kick(instanceId: string): void {
    if (this.stopped || this.processing.has(instanceId)) return;
    this.processing.add(instanceId);
    const p = (async () => {
      // let the caller finish its synchronous work first (e.g. an HTTP response for startNew)
      await new Promise((r) => setImmediate(r));
      try {
        for (;;) {
          const rec = this.instances.get(instanceId);
          if (!rec || this.stopped || !this.episodeRunner) break;
          const msg = this.nextMessage(rec);
          if (!msg) break;
          // a rejected work item waits for a worker that may run it (a later host)
          if ((await this.episodeRunner(rec, msg)) === 'rejected') break;
        }
      } catch (err) {
        this.opts.logger.error(`Durable engine error on '${instanceId}': ${errorStack(err) ?? errorMessage(err)}`);
      } finally {
        this.processing.delete(instanceId);
      }
    })();
    this.episodes.add(p);
    void p.finally(() => this.episodes.delete(p));
  }

  private nextMessage(rec: InstanceRecord): InboxMessage | undefined {
    if (statusIsTerminal(rec.runtimeStatus)) {
      if (rec.inbox.length > 0) {
        rec.inbox = [];
        this.persist(rec);
      }
      return undefined;
    }
    if (rec.runtimeStatus === 'Suspended') return rec.inbox.find((m) => m.type === 'Terminate');
    return rec.inbox[0];
  }
}
