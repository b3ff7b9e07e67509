import { optionsFromConfig } from '../../../src/config/harden-options';
import { DEFAULT_HARDEN_OPTIONS } from '../../../src/hardening/domain/harden-input';
import { optionsFromConfig as starterOptions } from '../../../src/hardening/starter';

const settings = { LOCKDOWN_ORDER: 'endpoints-first', LOCKDOWN_ACR: false, APPROVAL_DEADLINE_MINUTES: 10, DNS_DEADLINE_MINUTES: 2, PROVISIONING_DEADLINE_MINUTES: 5, THROTTLE_PATIENCE_MINUTES: 30, ACCESS_PROPAGATION_MINUTES: 3 } as const;

describe('optionsFromConfig', () => {
  it('fills the run options from the settings, poll intervals at their defaults', () => {
    expect(optionsFromConfig(settings)).toEqual({
      ...DEFAULT_HARDEN_OPTIONS,
      order: 'endpoints-first',
      lockdownAcr: false,
      approvalDeadlineMinutes: 10,
      dnsDeadlineMinutes: 2,
      provisioningDeadlineMinutes: 5,
      throttlePatienceMinutes: 30,
      accessPropagationMinutes: 3,
    });
  });

  it("takes the CLI's --poll-seconds and --subnet, the subnet checked once here", () => {
    const subnet = '/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg-net/providers/Microsoft.Network/virtualNetworks/vnet/subnets/snet/';
    const options = optionsFromConfig(settings, { pollSeconds: 1, subnetId: subnet });
    expect(options).toMatchObject({ approvalPollSeconds: 1, dnsRetrySeconds: 1, provisioningPollSeconds: 1, accessPollSeconds: 1, subnetId: subnet.replace(/\/$/, '') });
    expect(() => optionsFromConfig(settings, { subnetId: '/sub/net' })).toThrow(/ARM_ID\.INVALID/);
  });

  it('is the one the app starter uses', () => {
    expect(starterOptions).toBe(optionsFromConfig);
  });
});
