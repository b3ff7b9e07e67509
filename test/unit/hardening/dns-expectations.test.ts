import {
  concreteNameOf, describeDnsFailure, discoveryHostExpectations, dnsNamesToResolve, expectationsFromNames, isDnsProven, isWildcardName, privatelinkFormOf, WILDCARD_PROBE_LABEL,
} from '../../../src/hardening/domain/dns-expectations';
import type { DnsCheck, DnsExpectation } from '../../../src/hardening/domain/hardening';

const PE = '/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/privateEndpoints/pe';
const GUID = '0f7a0a5e-1c2b-5d3e-8f40-123456789abc';

describe('DNS expectations', () => {
  it('maps every name to its privatelink form', () => {
    expect(privatelinkFormOf(`${GUID}.registry.westeurope.api.azureml.ms`)).toBe(`${GUID}.registry.westeurope.privatelink.api.azureml.ms`);
    expect(privatelinkFormOf(`${GUID}.registry.westeurope.privatelink.api.azureml.ms.`)).toBe(`${GUID}.registry.westeurope.privatelink.api.azureml.ms`);
    expect(privatelinkFormOf('StReg1EastUS.blob.core.windows.net')).toBe('streg1eastus.privatelink.blob.core.windows.net');
    expect(privatelinkFormOf('streg1eastus.file.core.windows.net')).toBe('streg1eastus.privatelink.file.core.windows.net');
    expect(privatelinkFormOf('crreg1.azurecr.io')).toBe('crreg1.privatelink.azurecr.io');
    expect(privatelinkFormOf('crreg1.eastus.data.azurecr.io')).toBe('crreg1.eastus.data.privatelink.azurecr.io');
    expect(privatelinkFormOf('example.org')).toBe('example.org');
  });

  it('resolves a registry name only in privatelink form, never the public one (no public registry name resolves)', () => {
    const pub = `${GUID}.registry.westeurope.api.azureml.ms`;
    expect(dnsNamesToResolve(pub, 'registry')).toEqual([`${GUID}.registry.westeurope.privatelink.api.azureml.ms`]);
    expect(dnsNamesToResolve(pub.toUpperCase(), 'registry')).toEqual([`${GUID}.registry.westeurope.privatelink.api.azureml.ms`]);
    expect(dnsNamesToResolve(`${GUID}.registry.westeurope.privatelink.api.azureml.ms`, 'registry')).toEqual([`${GUID}.registry.westeurope.privatelink.api.azureml.ms`]);
    expect(dnsNamesToResolve(pub, 'registry')).not.toContain(pub);
  });

  it('resolves storage and ACR names in privatelink form and in the public form clients use', () => {
    expect(dnsNamesToResolve('streg1eastus.privatelink.blob.core.windows.net.', 'storage')).toEqual(['streg1eastus.privatelink.blob.core.windows.net', 'streg1eastus.blob.core.windows.net']);
    expect(dnsNamesToResolve('crreg1.eastus.data.azurecr.io', 'acr')).toEqual(['crreg1.eastus.data.privatelink.azurecr.io', 'crreg1.eastus.data.azurecr.io']);
    expect(dnsNamesToResolve('', 'acr')).toEqual([]);
  });

  it('proves a wildcard name through one concrete name under it, in privatelink form', () => {
    const wildcard = `*.${GUID}.inference.westeurope.api.azureml.ms`;
    expect(isWildcardName(wildcard)).toBe(true);
    expect(isWildcardName(`${GUID}.registry.westeurope.api.azureml.ms`)).toBe(false);
    expect(concreteNameOf('*.a.example.org')).toBe(`${WILDCARD_PROBE_LABEL}.a.example.org`);
    expect(dnsNamesToResolve(wildcard, 'registry')).toEqual([`${WILDCARD_PROBE_LABEL}.${GUID}.inference.westeurope.privatelink.api.azureml.ms`]);
    const [e] = expectationsFromNames(PE, 'registry', [{ fqdn: wildcard, ip: '10.0.0.9' }]);
    expect(e).toEqual({ fqdn: `${WILDCARD_PROBE_LABEL}.${GUID}.inference.westeurope.privatelink.api.azureml.ms`, expectedIp: '10.0.0.9', endpointId: PE, kind: 'registry', reportedAs: wildcard });
    // nothing the proof resolves still holds a '*'
    expect(dnsNamesToResolve('*.x.blob.core.windows.net', 'storage').some((n) => n.includes('*'))).toBe(false);
  });

  it('takes names from the NIC and the zone group record sets, one per resolved name (the NIC wins)', () => {
    const got = expectationsFromNames(PE, 'acr', [
      { fqdn: 'crreg1.azurecr.io', ip: '10.0.0.5' },
      { fqdn: 'crreg1.eastus.data.azurecr.io', ip: '10.0.0.6' },
      { fqdn: 'crreg1.privatelink.azurecr.io', ip: '10.0.0.99' },
      { fqdn: 'crreg1.westeurope.data.privatelink.azurecr.io', ip: '10.0.0.7' },
      { fqdn: '', ip: '10.0.0.8' },
    ]);
    expect(got.map((e) => [e.fqdn, e.expectedIp])).toEqual([
      ['crreg1.azurecr.io', '10.0.0.5'],
      ['crreg1.eastus.data.azurecr.io', '10.0.0.6'],
      ['crreg1.eastus.data.privatelink.azurecr.io', '10.0.0.6'],
      ['crreg1.privatelink.azurecr.io', '10.0.0.5'],
      ['crreg1.westeurope.data.azurecr.io', '10.0.0.7'],
      ['crreg1.westeurope.data.privatelink.azurecr.io', '10.0.0.7'],
    ]);
    expect(got.every((e) => e.endpointId === PE && e.kind === 'acr')).toBe(true);
    expect(got.find((e) => e.fqdn === 'crreg1.privatelink.azurecr.io')?.reportedAs).toBe('crreg1.azurecr.io');
    expect(got.find((e) => e.fqdn === 'crreg1.azurecr.io')?.reportedAs).toBeUndefined();
  });

  it('a registry NIC in public form and its zone records give the same privatelink names', () => {
    const got = expectationsFromNames(PE, 'registry', [
      { fqdn: `${GUID}.registry.westeurope.api.azureml.ms`, ip: '10.0.0.4' },
      { fqdn: `${GUID}.registry.northeurope.api.azureml.ms`, ip: '10.0.0.5' },
      { fqdn: `${GUID}.registry.westeurope.privatelink.api.azureml.ms`, ip: '10.0.0.4' },
    ]);
    expect(got.map((e) => e.fqdn)).toEqual([`${GUID}.registry.northeurope.privatelink.api.azureml.ms`, `${GUID}.registry.westeurope.privatelink.api.azureml.ms`]);
    expect(got.every((e) => !/\.registry\.[a-z]+\.api\.azureml\.ms$/.test(e.fqdn))).toBe(true);
  });

  it('proves the host of every registryFqdns URI in privatelink form, with the IP of the endpoint that reports it', () => {
    const expectations: DnsExpectation[] = [
      { fqdn: `${GUID}.registry.westeurope.privatelink.api.azureml.ms`, expectedIp: '10.0.0.4', endpointId: PE, kind: 'registry' },
    ];
    const hosts = discoveryHostExpectations({
      westeurope: { uri: `https://${GUID}.registry.westeurope.api.azureml.ms` },
      northeurope: { uri: `https://${GUID}.registry.northeurope.api.azureml.ms/` },
      broken: { uri: 'not a uri' },
    }, expectations);
    expect(hosts).toEqual([
      { region: 'broken', uri: 'not a uri', fqdn: '' },
      { region: 'northeurope', uri: `https://${GUID}.registry.northeurope.api.azureml.ms/`, fqdn: `${GUID}.registry.northeurope.privatelink.api.azureml.ms` },
      { region: 'westeurope', uri: `https://${GUID}.registry.westeurope.api.azureml.ms`, fqdn: `${GUID}.registry.westeurope.privatelink.api.azureml.ms`, expectedIp: '10.0.0.4' },
    ]);
  });

  it('a discovery host that is not private fails the proof and says why', () => {
    const ok: DnsCheck = { fqdn: 'a.privatelink.api.azureml.ms', expectedIp: '10.0.0.4', endpointId: PE, kind: 'registry', ok: true, answered: ['10.0.0.4'], chain: [] };
    const host = { region: 'northeurope', uri: 'https://b.registry.northeurope.api.azureml.ms', fqdn: 'b.registry.northeurope.privatelink.api.azureml.ms', ok: false, answered: [], error: 'NXDOMAIN' };
    const discovery = { ok: true, regions: ['northeurope'], missingRegions: [], hosts: [host] };
    expect(isDnsProven([ok], discovery)).toBe(false);
    expect(describeDnsFailure([ok], discovery)).toBe(
      'discovery northeurope: b.registry.northeurope.privatelink.api.azureml.ms (host of https://b.registry.northeurope.api.azureml.ms) resolved to no address (NXDOMAIN); expected the IP of a registry endpoint reporting this name (none does)',
    );
    expect(isDnsProven([ok], { ...discovery, hosts: [{ ...host, ok: true, answered: ['10.0.0.4'], expectedIp: '10.0.0.4' }] })).toBe(true);
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
