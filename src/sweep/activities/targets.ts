import { resolveTargets, type ResolvedTargets, type TargetSubscriptions } from '../../shared/targets';
import type { ActivityDeps } from '../../main';
import { listManagementGroupSubscriptions } from './sweep.activity';

/**
 * The target subscriptions, resolved in process (the CLI sweep and the fleet reports; the sweep
 * orchestration lists the group through its activity and applies the same resolveTargets).
 */
export async function resolveTargetSubscriptions(targets: TargetSubscriptions, deps: Pick<ActivityDeps, 'ports'>): Promise<ResolvedTargets> {
  if (targets.managementGroupId === undefined) return resolveTargets(targets);
  return resolveTargets(targets, await listManagementGroupSubscriptions({ managementGroupId: targets.managementGroupId }, deps));
}
