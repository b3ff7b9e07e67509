/** Reading the simulator's Event Grid system events (ResourceWriteSuccess) in the benchmark. */
import type { EventGridEvent } from '../local/azure-sim/eventgrid/schema';

/** The caller's object id: ARM puts it under the long claim type (the short `oid` is kept for older event logs). */
export function eventOid(e: EventGridEvent): string | undefined {
  const claims = (e.data as { claims?: Record<string, string> } | undefined)?.claims ?? {};
  return claims['http://schemas.microsoft.com/identity/claims/objectidentifier'] ?? claims.oid;
}

export function operationOf(e: EventGridEvent): string {
  return String((e.data as { operationName?: unknown } | undefined)?.operationName ?? '');
}
