import type { Config } from './index';
import { targetsFrom, type TargetSubscriptions } from '../shared/targets';

/**
 * The target subscriptions from settings (TARGET_SUBSCRIPTION_IDS + TARGET_MANAGEMENT_GROUP), or
 * the explicit list that replaces them (`--subscriptions`): the sweep and the fleet reports.
 */
export function targetsFromConfig(config: Pick<Config, 'TARGET_SUBSCRIPTION_IDS' | 'TARGET_MANAGEMENT_GROUP'>, override?: readonly string[]): TargetSubscriptions {
  return targetsFrom({ subscriptionIds: config.TARGET_SUBSCRIPTION_IDS, managementGroupId: config.TARGET_MANAGEMENT_GROUP }, override);
}
