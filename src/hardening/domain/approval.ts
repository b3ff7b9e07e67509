import { ErrorCodes, LockdownError } from '../../shared/errors';
import type { ConnectionStatus, EndpointPlan } from './hardening';
import { describeTarget } from './plan';

/**
 * The approval rules of a run: a private endpoint connection that is Pending (or not known yet)
 * is waited for until the approval deadline; a Rejected or Disconnected one ends the run, because
 * only the target's owner (or a new endpoint) can change it.
 */
export const WAITING_CONNECTION_STATUSES: ReadonlySet<ConnectionStatus> = new Set(['Pending', 'Unknown']);
export const BROKEN_CONNECTION_STATUSES: ReadonlySet<ConnectionStatus> = new Set(['Rejected', 'Disconnected']);

/** The connections' names as the step details and errors list them: `'a', 'b'`. */
export function endpointNames(endpoints: readonly EndpointPlan[]): string {
  return endpoints.map((e) => `'${e.name}'`).join(', ');
}

/**
 * The connection of an endpoint was rejected or disconnected. `again` is how the operator starts
 * over ('start the run again' for the durable run, 'run again' for the CLI).
 */
export function approvalRejectedError(e: EndpointPlan, status: ConnectionStatus, description: string | undefined, again: string): LockdownError {
  return new LockdownError(
    ErrorCodes.HARDEN_APPROVAL_REJECTED,
    `the connection of private endpoint '${e.name}' to ${describeTarget(e.target)} is ${status}` +
      `${description ? `: ${description}` : ''}. Approve it on the target resource, or delete the endpoint so that the next run requests a new connection, then ${again}.`,
  );
}

/** The approval deadline passed with connections still waiting. */
export function approvalDeadlineError(waiting: readonly EndpointPlan[], deadlineMinutes: number, again: string): LockdownError {
  return new LockdownError(
    ErrorCodes.HARDEN_APPROVAL_DEADLINE,
    `the connection(s) of ${endpointNames(waiting)} are still not approved after ${deadlineMinutes} minute(s); approve them on the target resources and ${again}.`,
  );
}

/** Every connection is Approved, for the step detail. */
export function describeAllApproved(plan: { endpoints: readonly EndpointPlan[] }): string {
  return `all ${plan.endpoints.length} connection(s) Approved`;
}

/** endpoint id (lower case) → the state of its connection, as far as the run knows it. */
export type ConnectionBook = Map<string, ConnectionStatus>;

/** What the plan knows of the endpoints that exist already (the ones to create are learnt on creation). */
export function connectionsOfPlan(plan: { endpoints: readonly EndpointPlan[] }): ConnectionBook {
  const book: ConnectionBook = new Map();
  for (const e of plan.endpoints) if (e.connectionStatus !== 'New') book.set(e.endpointId.toLowerCase(), e.connectionStatus);
  return book;
}

/** The connections to wait for; throws on the first rejected or disconnected one. */
export function connectionsToAwait(plan: { endpoints: readonly EndpointPlan[] }, book: ConnectionBook, again: string): EndpointPlan[] {
  const statusOf = (e: EndpointPlan): ConnectionStatus => book.get(e.endpointId.toLowerCase()) ?? 'Unknown';
  for (const e of plan.endpoints) if (BROKEN_CONNECTION_STATUSES.has(statusOf(e))) throw approvalRejectedError(e, statusOf(e), undefined, again);
  return plan.endpoints.filter((e) => WAITING_CONNECTION_STATUSES.has(statusOf(e)));
}

/**
 * Records one check of the waiting connections (answers in the same order): approved ones go to
 * `approved` (endpoint ids), a rejected or disconnected one throws; returns the ones still waiting.
 */
export function recordConnectionAnswers(
  waiting: readonly EndpointPlan[],
  answers: ReadonlyArray<{ connectionStatus: ConnectionStatus; connectionDescription?: string } | undefined>,
  book: ConnectionBook,
  approved: string[],
  again: string,
): EndpointPlan[] {
  const still: EndpointPlan[] = [];
  waiting.forEach((e, i) => {
    const info = answers[i];
    if (info === undefined) return;
    book.set(e.endpointId.toLowerCase(), info.connectionStatus);
    if (BROKEN_CONNECTION_STATUSES.has(info.connectionStatus)) throw approvalRejectedError(e, info.connectionStatus, info.connectionDescription, again);
    if (info.connectionStatus === 'Approved') approved.push(e.endpointId);
    else still.push(e);
  });
  return still;
}
