import { randomUUID } from 'node:crypto';
import { ArmError, type ArmErrorDetail } from './errors';
import { providerOfPath } from './ids';

/** Operation kinds of the latency model; durations are in ms of "real Azure" time, scaled by timeScale. */
export type LatencyKind =
  | 'registryCreate'
  | 'registryUpdate'
  | 'registryDelete'
  | 'privateEndpointCreate'
  | 'privateEndpointDelete'
  | 'zoneGroupCreate'
  | 'zoneGroupDelete'
  | 'acrUpdate'
  | 'acrConnectionUpdate'
  | 'vnetCreate'
  | 'subnetCreate'
  | 'privateDnsZoneCreate'
  | 'privateDnsZoneDelete'
  | 'vnetLinkCreate'
  | 'vnetLinkDelete'
  | 'nsgCreate'
  | 'serviceEndpointPolicyCreate'
  | 'storageCreate'
  | 'acrCreate';

/** Rough real-world durations (ms) seen for these operations in Azure. */
export const DEFAULT_LATENCY_MS: Record<LatencyKind, number> = {
  registryCreate: 120_000,
  registryUpdate: 30_000,
  registryDelete: 60_000,
  privateEndpointCreate: 30_000,
  privateEndpointDelete: 20_000,
  zoneGroupCreate: 10_000,
  zoneGroupDelete: 10_000,
  acrUpdate: 15_000,
  acrConnectionUpdate: 10_000,
  vnetCreate: 5_000,
  subnetCreate: 5_000,
  privateDnsZoneCreate: 30_000,
  privateDnsZoneDelete: 30_000,
  vnetLinkCreate: 30_000,
  vnetLinkDelete: 30_000,
  nsgCreate: 5_000,
  serviceEndpointPolicyCreate: 5_000,
  storageCreate: 20_000,
  acrCreate: 20_000,
};

/**
 * The Retry-After (seconds of Azure time) each provider sends with its long-running operations —
 * the PUT/PATCH/DELETE that starts one and every look at it while it runs. Sources in
 * local/azure-sim/README.md ("Long-running operations: Retry-After"): Network 10 and Storage 17
 * as recorded from Azure; ML registries, ACR and Private DNS send the header with no documented
 * value: the floor of the 10–600 s range the ML spec declares.
 */
export const LRO_RETRY_AFTER_SECONDS = {
  'Microsoft.Network': 10,
  'Microsoft.Network/privateDns': 10,
  'Microsoft.MachineLearningServices': 10,
  'Microsoft.ContainerRegistry': 10,
  'Microsoft.Storage': 17,
} as const;

/** The Retry-After of the provider a request's path names (providerOfPath); 10 for any other. */
export function lroRetryAfterSecondsOf(path: string): number {
  const provider = providerOfPath(path);
  if (provider?.dns === true) return LRO_RETRY_AFTER_SECONDS['Microsoft.Network/privateDns'];
  const known = Object.entries(LRO_RETRY_AFTER_SECONDS).find(([name]) => name.toLowerCase() === provider?.namespace);
  return known ? known[1] : 10;
}

export type OperationStatus = 'InProgress' | 'Succeeded' | 'Failed' | 'Canceled';

export interface LroOperation {
  id: string;
  kind: LatencyKind;
  resourceId: string;
  status: OperationStatus;
  startTime: string;
  endTime?: string;
  error?: ArmErrorDetail;
  startedAtMs: number;
  durationMs: number;
  /** for the ML registry quirk: the body the status/result URL answers once Succeeded */
  finalBody?: () => unknown;
}

export interface StartLro {
  kind: LatencyKind;
  resourceId: string;
  /** commits the operation; throwing an ArmError ends it Failed with that error */
  complete: () => void;
  /** called when the operation ends Failed (e.g. to set provisioningState Failed) */
  onFailed?: (error: ArmErrorDetail) => void;
  /** forced failure (fault injection) */
  fail?: ArmErrorDetail;
  /** forced stall (fault injection): the operation's clock starts only when this settles */
  stall?: Promise<void>;
  finalBody?: () => unknown;
}

export class LroEngine {
  private readonly ops = new Map<string, LroOperation>();
  private readonly timers = new Set<NodeJS.Timeout>();
  /** resource ids (lower-cased) with a running operation, for AnotherOperationInProgress */
  private readonly running = new Map<string, string>();
  private stopped = false;

  constructor(private readonly durationOf: (kind: LatencyKind) => number) {}

  start(args: StartLro): LroOperation {
    const durationMs = Math.max(0, this.durationOf(args.kind));
    const op: LroOperation = {
      id: randomUUID(),
      kind: args.kind,
      resourceId: args.resourceId,
      status: 'InProgress',
      startTime: new Date().toISOString(),
      startedAtMs: Date.now(),
      durationMs,
      ...(args.finalBody ? { finalBody: args.finalBody } : {}),
    };
    this.ops.set(op.id, op);
    const key = args.resourceId.toLowerCase();
    this.running.set(key, op.id);
    if (args.stall) {
      void args.stall.then(() => {
        if (this.stopped) return;
        op.startedAtMs = Date.now();
        this.arm(op, key, args);
      });
      return op;
    }
    this.arm(op, key, args);
    return op;
  }

  private arm(op: LroOperation, key: string, args: StartLro): void {
    const durationMs = op.durationMs;
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      if (this.running.get(key) === op.id) this.running.delete(key);
      if (op.status !== 'InProgress') return;
      if (args.fail) {
        this.finishFailed(op, args.fail, args.onFailed);
        return;
      }
      try {
        args.complete();
        op.status = 'Succeeded';
        op.endTime = new Date().toISOString();
      } catch (e) {
        const detail: ArmErrorDetail = e instanceof ArmError ? e.toBody().error : { code: 'InternalServerError', message: String(e) };
        this.finishFailed(op, detail, args.onFailed);
      }
    }, durationMs);
    timer.unref();
    this.timers.add(timer);
  }

  private finishFailed(op: LroOperation, error: ArmErrorDetail, onFailed?: (error: ArmErrorDetail) => void): void {
    op.status = 'Failed';
    op.error = error;
    op.endTime = new Date().toISOString();
    onFailed?.(error);
  }

  get(id: string): LroOperation | undefined {
    return this.ops.get(id);
  }

  /** id of the operation running on a resource, if any */
  runningOn(resourceId: string): string | undefined {
    return this.running.get(resourceId.toLowerCase());
  }

  percentComplete(op: LroOperation): number {
    if (op.status !== 'InProgress') return 100;
    if (op.durationMs === 0) return 99;
    return Math.min(99, Math.floor(((Date.now() - op.startedAtMs) / op.durationMs) * 100));
  }

  stop(): void {
    this.stopped = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
  }
}
