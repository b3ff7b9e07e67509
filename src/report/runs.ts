/**
 * The app's run history as the report reads it, behind this one function. What main keeps today:
 * one durable instance per registry (src/shared/instance-id.ts), started anew in place, so the
 * store lists each registry's latest run with its customStatus (steps, waits) and output (the
 * outcome). Every hardenRegistry instance the store lists is taken and grouped by its input's
 * registry id, so runs kept under other instance ids (run history that keeps every run) are
 * listed as well, without a change here.
 */
import type * as df from 'durable-functions';
import { Orchestrators } from '../shared/names';
import { registryKey, runsByRegistry, type RunView, type StatusRecord } from './domain/report';

export type RunHistoryClient = Pick<df.DurableClient, 'getStatusBy'>;

/** Every hardening run in the history, by registry (registryKey), newest first. */
export async function hardeningRuns(client: RunHistoryClient): Promise<Map<string, RunView[]>> {
  const statuses = (await client.getStatusBy({})) as unknown as StatusRecord[];
  return runsByRegistry(statuses, Orchestrators.hardenRegistry);
}

/** The runs of one registry, newest first. */
export async function runsOfRegistry(client: RunHistoryClient, registryId: string): Promise<RunView[]> {
  return (await hardeningRuns(client)).get(registryKey(registryId)) ?? [];
}
