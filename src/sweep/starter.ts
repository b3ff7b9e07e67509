import type * as df from 'durable-functions';
import type { Config } from '../config';
import type { SweepInput, SweepMode } from './domain/sweep';
import type { Caller } from '../shared/caller';
import { Orchestrators, SWEEP_INSTANCE_ID } from '../shared/names';
import { optionsFromConfig, type HardenOptionSettings } from '../config/harden-options';
import { targetsFromConfig } from '../config/targets';
import { findStatus, isActiveStatus } from '../hardening';

/** The sweep's input from settings: the target subscriptions, the run options, the write budget. */
export function sweepInputFromConfig(
  config: Pick<Config, 'TARGET_SUBSCRIPTION_IDS' | 'TARGET_MANAGEMENT_GROUP' | 'SWEEP_WRITE_BURST' | 'SWEEP_WRITE_REFILL_PER_SECOND' | 'SWEEP_CONCURRENCY'> & HardenOptionSettings,
  args: { mode: SweepMode; trigger: string; triggeredAt?: string; caller?: Caller },
): SweepInput {
  const input: SweepInput = {
    ...targetsFromConfig(config),
    mode: args.mode,
    options: optionsFromConfig(config),
    budget: { capacity: config.SWEEP_WRITE_BURST, refillPerSecond: config.SWEEP_WRITE_REFILL_PER_SECOND },
    concurrency: config.SWEEP_CONCURRENCY,
    trigger: args.trigger,
  };
  if (args.triggeredAt !== undefined) input.triggeredAt = args.triggeredAt;
  if (args.caller !== undefined) input.caller = args.caller;
  return input;
}

export type SweepStartResult =
  | { started: true; instanceId: string; previousRuntimeStatus?: string }
  | { started: false; instanceId: string; runtimeStatus: string };

/**
 * One sweep at a time (a second one would spend the same write budget twice): the sweep is a
 * singleton instance; while it runs a new start is refused, a finished one is replaced.
 */
export async function startSweep(client: Pick<df.DurableClient, 'getStatus' | 'startNew'>, input: SweepInput): Promise<SweepStartResult> {
  const before = await findStatus(client, SWEEP_INSTANCE_ID);
  const beforeStatus = before === undefined ? undefined : String(before.runtimeStatus);
  if (isActiveStatus(beforeStatus)) return { started: false, instanceId: SWEEP_INSTANCE_ID, runtimeStatus: beforeStatus ?? 'Running' };
  try {
    await client.startNew(Orchestrators.sweepRegistries, { instanceId: SWEEP_INSTANCE_ID, input });
  } catch (e) {
    const now = await findStatus(client, SWEEP_INSTANCE_ID);
    if (now !== undefined && isActiveStatus(String(now.runtimeStatus))) return { started: false, instanceId: SWEEP_INSTANCE_ID, runtimeStatus: String(now.runtimeStatus) };
    throw e;
  }
  return { started: true, instanceId: SWEEP_INSTANCE_ID, ...(beforeStatus !== undefined ? { previousRuntimeStatus: beforeStatus } : {}) };
}
