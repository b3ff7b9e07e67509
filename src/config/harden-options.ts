import { ArmTypes, armIdOf } from '../shared/arm-id';
import { DEFAULT_HARDEN_OPTIONS } from '../hardening/domain/harden-input';
import type { HardenOptions } from '../hardening/domain/hardening';
import type { Config } from './index';

/** The settings the run options come from. */
export type HardenOptionSettings = Pick<Config, 'LOCKDOWN_ORDER' | 'LOCKDOWN_ACR' | 'APPROVAL_DEADLINE_MINUTES' | 'DNS_DEADLINE_MINUTES' | 'PROVISIONING_DEADLINE_MINUTES' | 'THROTTLE_PATIENCE_MINUTES' | 'ACCESS_PROPAGATION_MINUTES'>;

/**
 * Run options from settings, for the app's starters and the CLI alike. The poll intervals keep
 * their defaults unless `pollSeconds` is given (the CLI's --poll-seconds); `subnetId` overrides
 * the endpoint subnet (the CLI's --subnet).
 */
export function optionsFromConfig(config: HardenOptionSettings, overrides: { subnetId?: string; pollSeconds?: number } = {}): HardenOptions {
  // the override is parsed here, once: the run carries a checked subnet id
  const options: HardenOptions = {
    ...DEFAULT_HARDEN_OPTIONS,
    order: config.LOCKDOWN_ORDER,
    lockdownAcr: config.LOCKDOWN_ACR,
    approvalDeadlineMinutes: config.APPROVAL_DEADLINE_MINUTES,
    dnsDeadlineMinutes: config.DNS_DEADLINE_MINUTES,
    provisioningDeadlineMinutes: config.PROVISIONING_DEADLINE_MINUTES,
    throttlePatienceMinutes: config.THROTTLE_PATIENCE_MINUTES,
    accessPropagationMinutes: config.ACCESS_PROPAGATION_MINUTES,
  };
  if (overrides.pollSeconds !== undefined) {
    options.approvalPollSeconds = overrides.pollSeconds;
    options.dnsRetrySeconds = overrides.pollSeconds;
    options.provisioningPollSeconds = overrides.pollSeconds;
    options.accessPollSeconds = overrides.pollSeconds;
  }
  if (overrides.subnetId !== undefined) options.subnetId = armIdOf(overrides.subnetId, ArmTypes.subnet);
  return options;
}
