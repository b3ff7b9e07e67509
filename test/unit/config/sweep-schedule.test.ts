import { loadConfig } from '../../../src/config';
import { sweepScheduleFrom } from '../../../src/config/sweep-schedule';

describe('sweep settings', () => {
  it('SWEEP_SCHEDULE: unset or empty registers no timer; a 6-field NCRONTAB is taken; anything else fails with CONFIG.INVALID', () => {
    expect(sweepScheduleFrom({})).toBeUndefined();
    expect(sweepScheduleFrom({ SWEEP_SCHEDULE: '  ' })).toBeUndefined();
    expect(sweepScheduleFrom({ SWEEP_SCHEDULE: '0 0 3 * * *' })).toBe('0 0 3 * * *');
    expect(() => sweepScheduleFrom({ SWEEP_SCHEDULE: '0 3 * * *' })).toThrow(/^\[CONFIG\.INVALID\][\s\S]*SWEEP_SCHEDULE is malformed \(must be an NCRONTAB expression with 6 fields/);
  });

  it('TARGET_SUBSCRIPTION_IDS: comma-separated GUIDs, lower-cased; default none', () => {
    const base = {
      PRIVATE_ENDPOINT_SUBNET_ID: '/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/v/subnets/s',
      PRIVATE_DNS_ZONE_ID_API_AZUREML: '/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg/providers/Microsoft.Network/privateDnsZones/privatelink.api.azureml.ms',
      PRIVATE_DNS_ZONE_ID_BLOB: '/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg/providers/Microsoft.Network/privateDnsZones/privatelink.blob.core.windows.net',
      PRIVATE_DNS_ZONE_ID_ACR: '/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg/providers/Microsoft.Network/privateDnsZones/privatelink.azurecr.io',
    };
    const none = loadConfig(base);
    expect(none.TARGET_SUBSCRIPTION_IDS).toEqual([]);
    expect(none).toMatchObject({ SWEEP_WRITE_BURST: 200, SWEEP_WRITE_REFILL_PER_SECOND: 10, SWEEP_CONCURRENCY: 10 });
    expect(loadConfig({ ...base, TARGET_SUBSCRIPTION_IDS: ' AAAAAAAA-0000-0000-0000-000000000001 , bbbbbbbb-0000-0000-0000-000000000002,' }).TARGET_SUBSCRIPTION_IDS)
      .toEqual(['aaaaaaaa-0000-0000-0000-000000000001', 'bbbbbbbb-0000-0000-0000-000000000002']);
    expect(() => loadConfig({ ...base, TARGET_SUBSCRIPTION_IDS: 'sub-one' })).toThrow(/TARGET_SUBSCRIPTION_IDS is malformed \(must be a GUID\)/);
  });
});
