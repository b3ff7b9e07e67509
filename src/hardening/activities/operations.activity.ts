import { ErrorCodes, errorCodeOf, errorMessageOf } from '../../shared/errors';
import type { OperationHandle, OperationKind, OperationLocation, OperationPoll, WriteStart } from '../domain/operations';
import type { ActivityDeps } from '../../main';

/**
 * The activity side of the run's long-running operations (workflow 2.3 on,
 * ../operations.workflow.ts): a start hands back the operation's handle — where ARM said to ask,
 * plus when the run should (the settings, recorded in the run's history with the handle) — and
 * `pollOperations` looks at every open operation of a run in one call, one GET each.
 */

type OperationSettings = Pick<ActivityDeps['config'], 'ARM_LRO_EXPECTED_SECONDS' | 'ARM_LRO_POLL_INTERVAL_MS' | 'LRO_DEADLINE_MINUTES'>;

/** A started write's handle. */
export function handleOf(kind: OperationKind, resourceId: string, operation: OperationLocation, config: OperationSettings): OperationHandle {
  return {
    kind,
    resourceId,
    ...operation,
    expectedMs: Math.round(config.ARM_LRO_EXPECTED_SECONDS[kind] * 1000),
    pollMs: config.ARM_LRO_POLL_INTERVAL_MS,
    deadlineMs: config.LRO_DEADLINE_MINUTES * 60_000,
  };
}

/** The answer of a start that wrote: started when ARM answered with an operation, else done. */
export function startedOrDone<T>(kind: OperationKind, resourceId: string, operation: OperationLocation | undefined, result: T, config: OperationSettings): WriteStart<T> {
  return operation ? { started: handleOf(kind, resourceId, operation, config), pending: result } : { done: result };
}

/** Another operation runs on the resource: the run looks again later (its start checks the resource first). */
export function busy<T>(what: string, config: OperationSettings): WriteStart<T> {
  return { busy: what, pollMs: config.ARM_LRO_POLL_INTERVAL_MS, deadlineMs: config.LRO_DEADLINE_MINUTES * 60_000 };
}

const TERMINAL = new Set(['succeeded', 'failed', 'canceled', 'cancelled']);

/** Whether ARM's provisioningState says an operation is still running on the resource. */
export function inFlight(provisioningState: string | null | undefined): boolean {
  const state = (provisioningState ?? '').toLowerCase();
  return state !== '' && !TERMINAL.has(state);
}

/** A write refused because an operation already runs on the resource (409 AnotherOperationInProgress). */
export function isAnotherOperation(e: unknown): boolean {
  return errorCodeOf(e) === ErrorCodes.ARM_CONFLICT && /AnotherOperationInProgress/i.test(errorMessageOf(e));
}

/** One look at each operation, in order: one GET of its URL each, nothing waited for. */
export async function pollOperations(input: { operations: OperationHandle[] }, { ports }: Pick<ActivityDeps, 'ports'>): Promise<OperationPoll[]> {
  return Promise.all(input.operations.map((op) => ports.operations.poll(op)));
}
