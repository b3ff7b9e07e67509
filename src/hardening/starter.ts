import type * as df from 'durable-functions';
import type { HardenInput, HardenOptions, RunMode } from './domain/hardening';
import type { RegistryId } from '../shared/arm-id';
import type { Caller } from '../shared/caller';
import { instanceIdFor } from '../shared/instance-id';
import { Orchestrators } from '../shared/names';

/** Run options from settings (the poll intervals keep their defaults); shared with the CLI. */
export { optionsFromConfig } from '../config/harden-options';

const ACTIVE = new Set(['Running', 'Pending', 'Suspended']);

export type StartResult =
  | { started: true; instanceId: string; /** the status of the run it replaced, if any */ previousRuntimeStatus?: string }
  | { started: false; instanceId: string; runtimeStatus: string };

/** The instance's status, or undefined when it never ran (the client reports that as an HTTP 404 error). */
export async function findStatus(client: Pick<df.DurableClient, 'getStatus'>, instanceId: string): Promise<df.DurableOrchestrationStatus | undefined> {
  try {
    return await client.getStatus(instanceId);
  } catch (e) {
    if (/HTTP 404/.test((e as Error).message)) return undefined;
    throw e;
  }
}

async function statusOf(client: Pick<df.DurableClient, 'getStatus'>, instanceId: string): Promise<string | undefined> {
  const s = await findStatus(client, instanceId);
  return s === undefined ? undefined : String(s.runtimeStatus);
}

/** Whether a run in this state still goes on (a new start is refused, events can be raised). */
export function isActiveStatus(runtimeStatus: string | undefined): boolean {
  return runtimeStatus !== undefined && ACTIVE.has(runtimeStatus);
}

/**
 * One run per registry: the instance id is a hash of the registry id. While a run is active a
 * second start is a no-op (our own writes raise the same event); a finished run is started anew,
 * which is cheap on a compliant registry (zero writes) and re-enforces after drift.
 */
export async function startHardening(
  client: Pick<df.DurableClient, 'getStatus' | 'startNew'>,
  args: { registryId: RegistryId; mode: RunMode; options: HardenOptions; trigger: string; triggeredAt?: string; caller?: Caller },
): Promise<StartResult> {
  const instanceId = instanceIdFor(args.registryId);
  const before = await statusOf(client, instanceId);
  if (before !== undefined && ACTIVE.has(before)) return { started: false, instanceId, runtimeStatus: before };
  const input: HardenInput = {
    registryId: args.registryId, mode: args.mode, options: args.options, trigger: args.trigger,
    ...(args.triggeredAt ? { triggeredAt: args.triggeredAt } : {}),
    ...(args.caller ? { caller: args.caller } : {}),
  };
  try {
    await client.startNew(Orchestrators.hardenRegistry, { instanceId, input });
    return { started: true, instanceId, ...(before !== undefined ? { previousRuntimeStatus: before } : {}) };
  } catch (e) {
    // Lost a race with another delivery: the host refused because that run is active now.
    const now = await statusOf(client, instanceId);
    if (now !== undefined && ACTIVE.has(now)) return { started: false, instanceId, runtimeStatus: now };
    throw e;
  }
}
