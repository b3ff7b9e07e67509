/**
 * The app's run history as the report reads it, behind this one function. Every run, apply and
 * plan, is a hardenRegistry instance of its own (src/shared/instance-id.ts; the apply lock and the
 * follow-ups are other orchestrations and are left out), so the store lists each run with its
 * customStatus (steps, waits) and output (the outcome); they are grouped by their input's
 * registry id.
 */
import { canonicalRegistryKey } from '../shared/instance-id';
import type * as df from 'durable-functions';
import { Orchestrators } from '../shared/names';
import type { DurableStatusRecord } from '../shared/durable-status';
import { runsByRegistry, type RunView } from './domain/report';

export type RunHistoryClient = Pick<df.DurableClient, 'getStatusBy'>;

/** Every hardening run in the history, by registry (canonicalRegistryKey), newest first. */
export async function hardeningRuns(client: RunHistoryClient): Promise<Map<string, RunView[]>> {
  const statuses = (await client.getStatusBy({})) as unknown as DurableStatusRecord[];
  return runsByRegistry(statuses, Orchestrators.hardenRegistry);
}

/** The runs of one registry, newest first. */
export async function runsOfRegistry(client: RunHistoryClient, registryId: string): Promise<RunView[]> {
  return (await hardeningRuns(client)).get(canonicalRegistryKey(registryId)) ?? [];
}
