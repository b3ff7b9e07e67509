import { codedFailure } from '../../shared/errors';
import { toRegistryId } from '../../hardening/domain/registry';
import type { RegistryId } from '../../shared/arm-id';
import { planHardening } from '../../hardening/domain/plan';
import { summarizePlan, type ListManagementGroupInput, type ListManagementGroupOutput, type ListRegistriesInput, type ListRegistriesOutput, type PlanRegistryInput, type RegistryPlanSummary } from '../domain/sweep';
import type { ActivityDeps } from '../../main';
import { inspectTargets } from '../../hardening';
import { readRegistry } from '../../hardening';

/**
 * The sweep's read-only activities. A subscription the app cannot list (403, unknown
 * subscription) or a registry it cannot read is an expected outcome of a sweep, reported per
 * line: these return a discriminated union instead of throwing, after the SDK pipeline's own
 * retries of 429/5xx. The next sweep tries again.
 */

/** The subscriptions under the management group (all pages of its descendants). */
export async function listManagementGroupSubscriptions(input: ListManagementGroupInput, { ports }: Pick<ActivityDeps, 'ports'>): Promise<ListManagementGroupOutput> {
  try {
    return { ok: true, subscriptionIds: await ports.managementGroups.listSubscriptions(input.managementGroupId) };
  } catch (e) {
    return { ok: false, error: codedFailure(e) };
  }
}

/** Every registry id of one subscription (all pages). */
export async function listRegistries(input: ListRegistriesInput, { ports }: Pick<ActivityDeps, 'ports'>): Promise<ListRegistriesOutput> {
  try {
    const ids: RegistryId[] = [];
    for await (const registry of ports.clients.registries().listBySubscription(input.subscriptionId)) ids.push(toRegistryId(registry.id));
    return { ok: true, registryIds: ids };
  } catch (e) {
    return { ok: false, error: codedFailure(e) };
  }
}

/** Read, inspect and plan one registry (no writes): is it compliant, and what would a run write? */
export async function planRegistry(input: PlanRegistryInput, deps: Pick<ActivityDeps, 'ports' | 'config'>): Promise<RegistryPlanSummary> {
  try {
    const reading = await readRegistry({ registryId: input.registryId }, deps);
    if (reading.status === 'notFound') return { status: 'notFound', registryId: input.registryId };
    if (reading.status === 'provisioning') return { status: 'provisioning', registryId: reading.registryId, detail: reading.provisioningState };
    if (reading.exempt) return { status: 'exempt', registryId: reading.registryId };
    const { placement, states } = await inspectTargets({ targets: reading.targets, ...(input.subnetId !== undefined ? { subnetId: input.subnetId } : {}) }, deps);
    const plan = planHardening({ registryId: reading.registryId, states, placement, lockdownAcr: input.lockdownAcr });
    return summarizePlan(plan, reading.regions.length);
  } catch (e) {
    return { status: 'failed', registryId: input.registryId, error: codedFailure(e) };
  }
}
