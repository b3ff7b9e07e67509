/** The app's version, sent in every user agent; a unit test keeps it equal to package.json. */
export const APP_NAME = 'aml-registry-lockdown';
export const APP_VERSION = '0.1.0';
export const USER_AGENT_PREFIX = `${APP_NAME}/${APP_VERSION}`;

/**
 * The workflows' version: host.json `extensions.durableTask.defaultVersion` must say the same (a
 * test checks it). Bump it whenever a workflow's shape changes — which activities and timers it
 * schedules, in what order — and keep the old shape behind `versionAtLeast(ctx.version, …)` for
 * the runs in flight (docs/how-it-works.md, "Changing a workflow").
 *  - 1.0 (no version recorded): the workflows before versioning
 *  - 2.0: hardening collects the DNS names one activity call per endpoint (a throttled call repeats only its own reads)
 *  - 2.1: a plan-mode hardening run checks the app's effective permissions at every scope an apply would write (checkPermissions)
 *  - 2.2: hardening locks the registry down first, then storage and ACR; adds the app to the managed group's
 *    assignedIdentities (grantManagedGroupAccess when no registry PUT carries it); waits out access still
 *    propagating (ActivityWaiting); an event-started run reads a 404 as "still being created"
 *  - 2.3: writes are answered at once and their long-running operations polled by the run (start
 *    activities + pollOperations, durable timers; no activity waits on one); the fewest reads
 *    (inspectTargets takes the registry from readRegistry and lists the endpoints' group, the DNS
 *    names come from the plan's zone groups or one expanded GET per endpoint); it keeps every rule of
 *    2.2 (lockdown order, the managed group's exemption, access waits)
 *  - 2.4: of several calls refused while access propagates (storage and ACR waiting for the managed
 *    group's exemption), one calls again at each look (the canary) and the others only once it is let
 *    through: a burst's refused writes, which ARM counts against the write bucket, are halved or better;
 *    lockdown first, the endpoints to the registry itself (outside the managed group: no deny assignment
 *    holds them back) and their zone groups are made while storage and ACR wait, not after; a write
 *    answered before the others' wait is timed from its own answer
 */
export const WORKFLOW_VERSION = '2.4';
