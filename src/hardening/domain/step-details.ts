import type { HardeningPlan, RegistryReading } from './hardening';
import { describeTarget } from './plan';

/**
 * The step detail texts the durable run (customStatus) and the CLI (progress display) share, so
 * that both describe the same step the same way.
 */

type ReadyReading = Extract<RegistryReading, { status: 'ready' }>;

/** read done: `name: 2 region(s) (westeurope, northeurope)[, exempt]`. */
export function describeReading(reading: ReadyReading): string {
  return `${reading.name}: ${reading.regions.length} region(s) (${reading.regions.join(', ')})${reading.exempt ? ', exempt' : ''}`;
}

/** resolve running. */
export function describeInspecting(reading: ReadyReading): string {
  return `inspecting ${reading.targets.length} resource(s)`;
}

/** resolve done: how many resources of each kind, and how they were found. */
export function describeResolved(reading: ReadyReading): string {
  const count = (kind: string): number => reading.targets.filter((t) => t.kind === kind).length;
  return `registry, ${count('storage')} storage account(s), ${count('acr')} container registry (resolved by ${reading.resolvedBy})`;
}

/** plan done: `N write(s): a endpoint(s), b zone group(s), c public-access change(s)`. */
export function describePlan(plan: HardeningPlan): string {
  const creates = plan.endpoints.filter((e) => e.action === 'create').length;
  const zones = plan.endpoints.filter((e) => e.zoneGroup.action === 'create').length;
  const disables = plan.publicAccess.filter((p) => p.action === 'disable').length;
  return `${plan.writes} write(s): ${creates} endpoint(s), ${zones} zone group(s), ${disables} public-access change(s)`;
}

/** The endpoint work of a plan: endpoints to create, zone groups to ensure. */
export function endpointWork(plan: HardeningPlan): { toCreate: HardeningPlan['endpoints']; zoneGroups: HardeningPlan['endpoints'] } {
  return { toCreate: plan.endpoints.filter((e) => e.action === 'create'), zoneGroups: plan.endpoints.filter((e) => e.zoneGroup.action === 'create') };
}

/** endpoints done without writes. */
export function describeEndpointsPresent(plan: HardeningPlan): string {
  return `all ${plan.endpoints.length} private endpoint(s) and their zone groups exist`;
}

/** endpoints running. */
export function describeEndpointsCreating(plan: HardeningPlan): string {
  const { toCreate, zoneGroups } = endpointWork(plan);
  return `creating ${toCreate.length} private endpoint(s), then ${zoneGroups.length} zone group(s)`;
}

/** endpoints done after the writes. */
export function describeEndpointsDone(plan: HardeningPlan): string {
  const { toCreate, zoneGroups } = endpointWork(plan);
  const foreign = plan.endpoints.filter((e) => e.zoneGroup.action === 'foreign').length;
  return `${toCreate.length} created, ${plan.endpoints.length - toCreate.length} kept; ${zoneGroups.length} zone group(s) ensured${foreign > 0 ? `, ${foreign} left to their owner` : ''}`;
}

/** The resources the plan leaves public, as a suffix of the lockdown details ('' when none). */
function leftPublicNote(plan: HardeningPlan): string {
  const skipped = plan.publicAccess.filter((p) => p.action === 'skip');
  return skipped.length > 0 ? `; left public: ${skipped.map((p) => `${describeTarget(p.target)} (${p.reason ?? 'skipped'})`).join(', ')}` : '';
}

/** lockdown done without writes. */
export function describeLockdownPresent(plan: HardeningPlan): string {
  return `public network access already Disabled${leftPublicNote(plan)}`;
}

/** lockdown running. */
export function describeLockdownRunning(toDisable: number): string {
  return `disabling public network access of ${toDisable} resource(s)`;
}

/** lockdown done after the writes: how many changed, how many were Disabled already. */
export function describeLockdownDone(plan: HardeningPlan, changed: number): string {
  const toDisable = plan.publicAccess.filter((p) => p.action === 'disable').length;
  return `${changed} disabled, ${toDisable - changed} already Disabled${leftPublicNote(plan)}`;
}

/** dns running. */
export function describeDnsStart(endpoints: number): string {
  return `resolving the names of ${endpoints} private endpoint(s)`;
}
