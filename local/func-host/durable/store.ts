/** Durable state: one JSON file per instance, written atomically (temp file + rename). */
import fs from 'node:fs';
import path from 'node:path';
import type { HistoryEvent } from './history';

export type RuntimeStatus = 'Pending' | 'Running' | 'Completed' | 'Failed' | 'Terminated' | 'ContinuedAsNew' | 'Suspended';

export const TERMINAL_STATUSES: ReadonlySet<RuntimeStatus> = new Set(['Completed', 'Failed', 'Terminated']);

export interface RetryOptionsData {
  firstRetryIntervalInMilliseconds: number;
  maxNumberOfAttempts: number;
  backoffCoefficient?: number;
  maxRetryIntervalInMilliseconds?: number;
  retryTimeoutInMilliseconds?: number;
}

export interface RetryState {
  options: RetryOptionsData;
  /** 1-based attempt this task belongs to (the attempt itself, or the attempt the retry timer follows). */
  attempt: number;
  role: 'attempt' | 'timer';
  firstAttemptAt: string;
  /** What the chain schedules: activity or sub-orchestration. */
  target: { kind: 'activity' | 'suborchestration'; name: string; input: string | null; instanceId?: string; version?: string };
  lastReason?: string;
  lastDetails?: string;
}

export interface TaskRecord {
  id: number;
  kind: 'activity' | 'timer' | 'suborchestration';
  name?: string;
  input?: string | null;
  fireAt?: string;
  state: 'scheduled' | 'completed' | 'failed' | 'canceled';
  retry?: RetryState;
  /** Sub-orchestration: the version the action asked for (else the worker's defaultVersion). */
  version?: string;
  /** Child timer of a long timer: the final fire time. */
  longTimerFinalFireAt?: string;
  subInstanceId?: string;
}

export type InboxMessage =
  | { type: 'ExecutionStarted' }
  | { type: 'TaskCompleted'; executionId: string; taskId: number; result: string }
  | { type: 'TaskFailed'; executionId: string; taskId: number; reason: string; details: string }
  | { type: 'TimerFired'; executionId: string; timerId: number; fireAt: string }
  | { type: 'SubOrchestrationCompleted'; executionId: string; taskId: number; result: string }
  | { type: 'SubOrchestrationFailed'; executionId: string; taskId: number; reason: string; details: string }
  | { type: 'EventRaised'; name: string; input: string | null }
  | { type: 'Terminate'; reason: string };

export interface InstanceRecord {
  instanceId: string;
  name: string;
  executionId: string;
  /** Orchestration version (ExecutionStarted `Version`); absent = unversioned. */
  version?: string;
  runtimeStatus: RuntimeStatus;
  input: string | null;
  output: string | null;
  customStatus: string | null;
  createdTime: string;
  lastUpdatedTime: string;
  parent?: { instanceId: string; executionId: string; taskId: number };
  parentNotified?: boolean;
  history: HistoryEvent[];
  inbox: InboxMessage[];
  tasks: Record<string, TaskRecord>;
  /** Next task id (sequence number) the library will assign. */
  nextSequence: number;
  /** Task ids created from orchestrator actions, in action order (for replay checks). */
  primaryOrder: number[];
  failure?: { message: string; details?: string; errorType?: string };
}

export class InstanceStore {
  private readonly dir: string;

  constructor(stateDir: string) {
    this.dir = path.join(stateDir, 'durable', 'instances');
    fs.mkdirSync(this.dir, { recursive: true });
  }

  private file(instanceId: string): string {
    return path.join(this.dir, `${Buffer.from(instanceId, 'utf8').toString('base64url')}.json`);
  }

  loadAll(): InstanceRecord[] {
    const out: InstanceRecord[] = [];
    for (const name of fs.readdirSync(this.dir)) {
      if (!name.endsWith('.json')) continue;
      try {
        out.push(JSON.parse(fs.readFileSync(path.join(this.dir, name), 'utf8')) as InstanceRecord);
      } catch {
        // a torn temp file cannot be here (rename is atomic); skip unreadable files
      }
    }
    return out;
  }

  save(record: InstanceRecord): void {
    const file = this.file(record.instanceId);
    const tmp = `${file}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, JSON.stringify(record));
    fs.renameSync(tmp, file);
  }

  delete(instanceId: string): void {
    fs.rmSync(this.file(instanceId), { force: true });
  }
}
