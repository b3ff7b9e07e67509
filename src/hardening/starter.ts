import { randomBytes } from 'node:crypto';
import type * as df from 'durable-functions';
import type { HardenInput, HardenOptions, RunMode } from './domain/hardening';
import type { RegistryId } from '../shared/arm-id';
import type { Caller } from '../shared/caller';
import { applyRunIdFor, followUpIdFor, instanceIdFor, planRunIdFor } from '../shared/instance-id';
import { Orchestrators } from '../shared/names';
import { MAX_EVENT_ID } from './domain/harden-input';
import { runIdOfLock, type FollowUpAnswer, type FollowUpInput } from './domain/runs';

/** Run options from settings (the poll intervals keep their defaults); shared with the CLI. */
export { optionsFromConfig } from '../config/harden-options';

const ACTIVE = new Set(['Running', 'Pending', 'Suspended']);

export type StartClient = Pick<df.DurableClient, 'getStatus' | 'startNew'>;

/** A follow-up queued behind the apply run going on (`queued: false`: one was already queued, or the run already covers the event). */
export interface FollowUp {
  instanceId: string;
  queued: boolean;
}

export type StartResult =
  | { started: true; instanceId: string; /** the status of the registry's previous apply run, if any */ previousRuntimeStatus?: string }
  | {
      started: false; instanceId: string; runtimeStatus: string;
      /** queued (or found queued) behind the run going on */
      followUp?: FollowUp;
      /** no follow-up needed: the run going on was started by this very event (a redelivery) */
      sameEvent?: true;
    };

/** The instance's status, or undefined when it never ran (the client reports that as an HTTP 404 error). */
export async function findStatus(client: Pick<df.DurableClient, 'getStatus'>, instanceId: string): Promise<df.DurableOrchestrationStatus | undefined> {
  try {
    return await client.getStatus(instanceId);
  } catch (e) {
    if (/HTTP 404/.test((e as Error).message)) return undefined;
    throw e;
  }
}

/** Whether a run in this state still goes on (a new start is refused, events can be raised). */
export function isActiveStatus(runtimeStatus: string | undefined): boolean {
  return runtimeStatus !== undefined && ACTIVE.has(runtimeStatus);
}

/** The registry's apply lock and the apply run it stands for (the current one, or the last). */
export interface ApplySlot {
  lockId: string;
  /** the lock goes on: an apply run is going on (or about to start) */
  active: boolean;
  lock?: df.DurableOrchestrationStatus;
  runId?: string;
  /** the run's status; undefined before its sub-orchestration exists */
  run?: df.DurableOrchestrationStatus;
  /** whether the lock is a run from before the lock (that run itself: approve and terminate go to it alone) */
  legacy: boolean;
}

export async function applySlot(client: Pick<df.DurableClient, 'getStatus'>, registryId: string): Promise<ApplySlot> {
  const lockId = instanceIdFor(registryId);
  const lock = await findStatus(client, lockId);
  if (lock === undefined) return { lockId, active: false, legacy: false };
  const legacy = lock.name === Orchestrators.hardenRegistry;
  const runId = runIdOfLock(lock, Orchestrators.hardenRegistry);
  const run = legacy ? lock : runId === undefined ? undefined : await findStatus(client, runId);
  return { lockId, active: isActiveStatus(String(lock.runtimeStatus)), lock, legacy, ...(runId !== undefined ? { runId } : {}), ...(run !== undefined ? { run } : {}) };
}

function nonce(): string {
  return randomBytes(2).toString('hex');
}

export interface StartArgs {
  registryId: RegistryId;
  mode: RunMode;
  options: HardenOptions;
  trigger: string;
  triggeredAt?: string;
  /** the event that asks for the run (events only) */
  eventId?: string;
  /**
   * While an apply run goes on: 'refuse' answers it (the HTTP API's 409); 'follow-up' (events,
   * the sweep) also queues a follow-up that starts the next apply run once this one has ended.
   */
  whenBusy?: 'refuse' | 'follow-up';
  /** who asked (recorded in the run's input): the HTTP caller, or the principal behind the event */
  caller?: Caller;
}

function inputOf(args: StartArgs): HardenInput {
  return {
    registryId: args.registryId, mode: args.mode, options: args.options, trigger: args.trigger,
    ...(args.triggeredAt ? { triggeredAt: args.triggeredAt } : {}),
    ...(args.eventId !== undefined && args.eventId.length <= MAX_EVENT_ID ? { eventId: args.eventId } : {}),
    ...(args.caller ? { caller: args.caller } : {}),
  };
}

/**
 * Starts a run of the registry (the rules: src/hardening/domain/runs.ts). A plan run always
 * starts, with an id of its own. An apply run takes the registry's lock: while the lock goes on a
 * second start is refused — and, for events and the sweep, a follow-up is queued behind the run
 * going on, unless that run was started by this very event (a redelivery).
 */
export async function startHardening(client: StartClient, args: StartArgs): Promise<StartResult> {
  if (args.mode === 'plan') {
    const instanceId = planRunIdFor(args.registryId, new Date(), nonce());
    await client.startNew(Orchestrators.hardenRegistry, { instanceId, input: inputOf(args) });
    return { started: true, instanceId };
  }
  let slot = await applySlot(client, args.registryId);
  if (!slot.active) {
    const runId = applyRunIdFor(args.registryId, new Date(), nonce());
    try {
      await client.startNew(Orchestrators.hardenRegistryLock, { instanceId: slot.lockId, input: { ...inputOf(args), runId } });
      return { started: true, instanceId: runId, ...(slot.run !== undefined ? { previousRuntimeStatus: String(slot.run.runtimeStatus) } : {}) };
    } catch (e) {
      // lost a race with another start: the host refused because that one holds the lock now
      slot = await applySlot(client, args.registryId);
      if (!slot.active) throw e;
    }
  }
  const runId = slot.runId ?? slot.lockId;
  const busy = { started: false as const, instanceId: runId, runtimeStatus: String(slot.run?.runtimeStatus ?? slot.lock?.runtimeStatus ?? 'Pending') };
  if (args.whenBusy !== 'follow-up') return busy;
  const startedBy = (slot.run?.input ?? slot.lock?.input) as { eventId?: unknown } | undefined;
  if (args.eventId !== undefined && startedBy?.eventId === args.eventId) return { ...busy, sameEvent: true };
  return {
    ...busy,
    followUp: await queueFollowUp(client, {
      registryId: args.registryId, after: runId, options: args.options, polls: 0,
      ...(args.triggeredAt ? { triggeredAt: args.triggeredAt } : {}),
      ...(args.caller ? { caller: args.caller } : {}),
    }),
  };
}

/**
 * One follow-up per apply run: an active or completed one already covers the event (a completed
 * one has started or seen a newer run); a failed or terminated one is started again.
 */
async function queueFollowUp(client: StartClient, input: FollowUpInput): Promise<FollowUp> {
  const instanceId = followUpIdFor(input.after);
  const existing = await findStatus(client, instanceId);
  if (existing !== undefined && (isActiveStatus(String(existing.runtimeStatus)) || String(existing.runtimeStatus) === 'Completed')) return { instanceId, queued: false };
  try {
    await client.startNew(Orchestrators.hardenFollowUp, { instanceId, input });
    return { instanceId, queued: true };
  } catch (e) {
    const now = await findStatus(client, instanceId);
    if (now !== undefined && isActiveStatus(String(now.runtimeStatus))) return { instanceId, queued: false };
    throw e;
  }
}

/**
 * The follow-up's look at the lock (the activity `startFollowUpRun`): still the run it waits
 * behind → waiting; any other apply run since → covered; the lock free → the next apply run.
 */
export async function startFollowUpRun(client: StartClient, input: FollowUpInput, trigger: string): Promise<FollowUpAnswer> {
  const slot = await applySlot(client, input.registryId);
  if (slot.runId !== undefined && slot.runId !== input.after) return { state: 'covered', instanceId: slot.runId };
  if (slot.active) return { state: 'waiting' };
  const result = await startHardening(client, {
    registryId: input.registryId, mode: 'apply', options: input.options, trigger,
    ...(input.triggeredAt !== undefined ? { triggeredAt: input.triggeredAt } : {}),
    ...(input.caller !== undefined ? { caller: input.caller } : {}),
  });
  return result.started ? { state: 'started', instanceId: result.instanceId } : { state: 'covered', instanceId: result.instanceId };
}
