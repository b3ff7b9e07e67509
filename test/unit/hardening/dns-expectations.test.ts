import { describeDnsFailure, dnsNameToResolve, expectationsFromEndpoint, isDnsProven } from '../../../src/hardening/domain/dns-expectations';
import type { DnsCheck } from '../../../src/hardening/domain/hardening';

const PE = '/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/privateEndpoints/pe';

describe('DNS expectations', () => {
  it('resolves storage/ACR names in public form and registry names in privatelink form', () => {
    expect(dnsNameToResolve('streg1eastus.privatelink.blob.core.windows.net.', 'storage')).toBe('streg1eastus.blob.core.windows.net');
    expect(dnsNameToResolve('crreg1.eastus.data.privatelink.azurecr.io', 'acr')).toBe('crreg1.eastus.data.azurecr.io');
    expect(dnsNameToResolve('ABC.registry.eastus.api.azureml.ms', 'registry')).toBe('abc.registry.eastus.privatelink.api.azureml.ms');
    expect(dnsNameToResolve('abc.registry.eastus.privatelink.api.azureml.ms', 'registry')).toBe('abc.registry.eastus.privatelink.api.azureml.ms');
  });

  it('takes names from the NIC and the zone group record sets, one per name', () => {
    const got = expectationsFromEndpoint({
      endpointId: PE,
      kind: 'acr',
      ipConfigurations: [
        { privateIpAddress: '10.0.0.5', fqdns: ['crreg1.azurecr.io'] },
        { privateIpAddress: '10.0.0.6', fqdns: ['crreg1.eastus.data.azurecr.io'] },
      ],
      recordSets: [
        { fqdn: 'crreg1.privatelink.azurecr.io', ipAddresses: ['10.0.0.99'] },
        { fqdn: 'crreg1.westeurope.data.privatelink.azurecr.io', ipAddresses: ['10.0.0.7'] },
        { fqdn: null, ipAddresses: ['10.0.0.8'] },
      ],
    });
    expect(got.map((e) => [e.fqdn, e.expectedIp])).toEqual([
      ['crreg1.azurecr.io', '10.0.0.5'],
      ['crreg1.eastus.data.azurecr.io', '10.0.0.6'],
      ['crreg1.westeurope.data.azurecr.io', '10.0.0.7'],
    ]);
    expect(got.every((e) => e.endpointId === PE && e.kind === 'acr')).toBe(true);
  });

  it('says per name what it resolved to and what was expected', () => {
    const checks: DnsCheck[] = [
      { fqdn: 'a.blob.core.windows.net', expectedIp: '10.0.0.4', endpointId: PE, kind: 'storage', ok: true, answered: ['10.0.0.4'], chain: [] },
      { fqdn: 'b.blob.core.windows.net', expectedIp: '10.0.0.5', endpointId: PE, kind: 'storage', ok: false, answered: ['52.239.1.1'], chain: ['b.privatelink.blob.core.windows.net'] },
      { fqdn: 'c.azurecr.io', expectedIp: '10.0.0.6', endpointId: PE, kind: 'acr', ok: false, answered: [], chain: [], error: 'NXDOMAIN' },
    ];
    const discovery = { ok: false, regions: ['eastus'], missingRegions: ['westeurope'] };
    expect(isDnsProven(checks, discovery)).toBe(false);
    expect(describeDnsFailure(checks, discovery).split('\n')).toEqual([
      'b.blob.core.windows.net resolved to 52.239.1.1 via b.privatelink.blob.core.windows.net; expected 10.0.0.5',
      'c.azurecr.io resolved to no address (NXDOMAIN); expected 10.0.0.6',
      'discovery: registryFqdns misses region(s) westeurope; regions covered: eastus; expected every region of the registry',
    ]);
    expect(isDnsProven([checks[0] as DnsCheck], { ok: true, regions: ['eastus'], missingRegions: [] })).toBe(true);
    expect(isDnsProven([], undefined)).toBe(false);
  });
});
