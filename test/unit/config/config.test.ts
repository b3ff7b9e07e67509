import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { HARDENING_SETTINGS, loadBaseConfig, loadConfig } from '../../../src/config';
import { SETTINGS } from '../../../src/config/settings';
import { APP_VERSION } from '../../../src/shared/version';

import { zone, VALID, configError } from '../../helpers/config-fixtures';

const ROOT = join(__dirname, '..', '..', '..');

describe('loadConfig', () => {
  it('applies defaults and freezes the result', () => {
    const config = loadConfig(VALID);
    expect(config.ARM_ENDPOINT).toBe('https://management.azure.com');
    expect(config.LOCKDOWN_ORDER).toBe('lockdown-first');
    expect(config.LOCKDOWN_ACR).toBe(true);
    expect(config.EXEMPTION_TAG).toEqual({ name: 'aml-registry-lockdown', value: 'exempt' });
    expect(config.DNS_SERVERS).toEqual([]);
    expect(config.ARM_LRO_POLL_INTERVAL_MS).toBe(2000);
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.EXEMPTION_TAG)).toBe(true);
  });

  const required = Object.values(SETTINGS).filter((s) => s.required).map((s) => s.name);
  it.each(required)('names the missing required setting %s', (name) => {
    const env: Record<string, string | undefined> = { ...VALID, [name]: undefined };
    const message = configError(env);
    expect(message).toMatch(/^\[CONFIG\.INVALID\]/);
    expect(message).toContain(`${name} is required`);
    for (const other of required.filter((n) => n !== name)) expect(message).not.toContain(`${other} is required`);
  });

  it('loadBaseConfig: the commands that do not harden need none of the hardening settings, and read none', () => {
    const without: Record<string, string | undefined> = { ...VALID };
    for (const name of HARDENING_SETTINGS) without[name] = undefined;
    const config = loadBaseConfig(without);
    expect(config.ARM_ENDPOINT).toBe('https://management.azure.com');
    for (const name of HARDENING_SETTINGS) expect(name in config).toBe(false);
    // every other setting is still checked
    expect(() => loadBaseConfig({ ...without, ARM_ENDPOINT: 'http://x' })).toThrow(/ARM_ENDPOINT is malformed/);
    // the required ones are exactly the hardening ones: nothing else becomes optional
    expect(Object.values(SETTINGS).filter((s) => s.required).map((s) => s.name).sort()).toEqual(HARDENING_SETTINGS.filter((n) => SETTINGS[n].required).sort());
    expect(() => loadConfig(without)).toThrow(/PRIVATE_ENDPOINT_SUBNET_ID is required/);
  });

  it('rejects malformed resource ids, naming the setting and the expectation', () => {
    const message = configError({ ...VALID, PRIVATE_ENDPOINT_SUBNET_ID: zone('privatelink.blob.core.windows.net'), PRIVATE_DNS_ZONE_ID_ACR: 'not-an-id' });
    expect(message).toContain('PRIVATE_ENDPOINT_SUBNET_ID is malformed (must be a Microsoft.Network/virtualNetworks/subnets resource id)');
    expect(message).toContain('PRIVATE_DNS_ZONE_ID_ACR is malformed');
  });

  it.each([
    ['ARM_ENDPOINT', 'http://management.azure.com', 'https'],
    ['AZURE_CLIENT_ID', 'abc', 'GUID'],
    ['LOCKDOWN_ORDER', 'whenever', 'lockdown-first'],
    ['LOCKDOWN_ACR', 'yes', 'true'],
    ['EXEMPTION_TAG', 'novalue', 'name=value'],
    ['DNS_SERVERS', '10.0.0.4,not a server', 'IP address'],
    ['DISCOVERY_URL_TEMPLATE', 'https://api.azureml.ms', '{region}'],
    ['DNS_DEADLINE_MINUTES', '-1', ''],
    ['ARM_LRO_POLL_INTERVAL_MS', '0', 'Too small'],
  ])('rejects %s=%p', (name, value, hint) => {
    const message = configError({ ...VALID, [name]: value });
    expect(message).toContain(`${name} is malformed`);
    expect(message).toContain(hint);
  });

  it('parses lists and numbers', () => {
    const config = loadConfig({ ...VALID, DNS_SERVERS: '127.0.0.1:5353, 10.0.0.4', DNS_DEADLINE_MINUTES: '3', LOCKDOWN_ACR: 'false', ARM_LRO_POLL_INTERVAL_MS: '40' });
    expect(config.DNS_SERVERS).toEqual(['127.0.0.1:5353', '10.0.0.4']);
    expect(config.DNS_DEADLINE_MINUTES).toBe(3);
    expect(config.LOCKDOWN_ACR).toBe(false);
    expect(config.ARM_LRO_POLL_INTERVAL_MS).toBe(40);
  });

  it('ARM_LRO_EXPECTED_SECONDS: kind=seconds pairs over the defaults (a later pair wins); anything else names the problem', () => {
    expect(loadConfig(VALID).ARM_LRO_EXPECTED_SECONDS).toEqual({ registryPut: 30, acrPatch: 15, endpointPut: 30, zoneGroupPut: 10 });
    expect(loadConfig({ ...VALID, ARM_LRO_EXPECTED_SECONDS: 'endpointPut=45, zoneGroupPut=0.5,endpointPut=60' }).ARM_LRO_EXPECTED_SECONDS).toEqual({ registryPut: 30, acrPatch: 15, endpointPut: 60, zoneGroupPut: 0.5 });
    expect(configError({ ...VALID, ARM_LRO_EXPECTED_SECONDS: 'storagePatch=3' })).toMatch(/ARM_LRO_EXPECTED_SECONDS.*'storagePatch=3' is not <kind>=<seconds> with a kind of registryPut, acrPatch, endpointPut, zoneGroupPut/);
    expect(configError({ ...VALID, ARM_LRO_EXPECTED_SECONDS: 'acrPatch=0' })).toMatch(/ARM_LRO_EXPECTED_SECONDS.*acrPatch: seconds must be in \(0, 86400\]/);
    expect(loadConfig({ ...VALID, LRO_DEADLINE_MINUTES: '5' }).LRO_DEADLINE_MINUTES).toBe(5);
    expect(loadConfig(VALID).LRO_DEADLINE_MINUTES).toBe(60);
  });
});

describe('settings are documented where people look', () => {
  const names = Object.keys(SETTINGS).sort();

  it('local.settings.sample.json lists every setting the app reads', () => {
    const sample = JSON.parse(readFileSync(join(ROOT, 'local.settings.sample.json'), 'utf8')) as { Values: Record<string, string> };
    for (const name of names) expect(Object.keys(sample.Values)).toContain(name);
  });

  it('the settings table of docs/settings.md lists every setting', () => {
    const doc = readFileSync(join(ROOT, 'docs', 'settings.md'), 'utf8');
    for (const name of names) expect(doc).toMatch(new RegExp(`^\\| \`${name}\` \\|`, 'm'));
  });

  it('the user-agent version matches package.json', () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };
    expect(APP_VERSION).toBe(pkg.version);
  });
});
