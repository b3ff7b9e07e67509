import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig } from '../../../src/config';
import { SETTINGS } from '../../../src/config/settings';
import { FUNCTION_TIMEOUT_MARGIN_SECONDS, functionTimeoutProblems, longestActivitySeconds, longestRequestSeconds } from '../../../src/config/timeouts';
import { parseFunctionTimeout } from '../../../local/func-host/host-json';

import { VALID, configError } from '../../helpers/config-fixtures';

const ROOT = join(__dirname, '..', '..', '..');

describe('no activity outlives functionTimeout', () => {
  it("FUNCTION_TIMEOUT_SECONDS' default is host.json's functionTimeout (the app cannot read host.json in Azure)", () => {
    const hostJson = JSON.parse(readFileSync(join(ROOT, 'host.json'), 'utf8')) as { functionTimeout: string };
    const fromHost = parseFunctionTimeout(hostJson.functionTimeout);
    expect(fromHost?.ms).toBe(600_000);
    expect(loadConfig(VALID).FUNCTION_TIMEOUT_SECONDS * 1000).toBe(fromHost?.ms);
    expect(SETTINGS.FUNCTION_TIMEOUT_SECONDS.example).toBe(String(loadConfig(VALID).FUNCTION_TIMEOUT_SECONDS));
  });

  it('the defaults fit: a request with its retries, then the LRO deadline, ends within the timeout less the margin', () => {
    const c = loadConfig(VALID);
    expect(longestRequestSeconds(c)).toBe(5 * 30 + 4 * 30);
    expect(longestActivitySeconds(c)).toBe(270 + 240);
    expect(longestActivitySeconds(c)).toBeLessThanOrEqual(c.FUNCTION_TIMEOUT_SECONDS - FUNCTION_TIMEOUT_MARGIN_SECONDS);
    expect(functionTimeoutProblems(c)).toEqual([]);
  });

  it('the pause before a retry is the longer of the largest Retry-After honoured and the backoff (0.8 s × 2^n, at most 30 s)', () => {
    expect(longestRequestSeconds({ ARM_REQUEST_TIMEOUT_SECONDS: 10, ARM_MAX_RETRIES: 0, ARM_MAX_RETRY_AFTER_SECONDS: 60 })).toBe(10);
    expect(longestRequestSeconds({ ARM_REQUEST_TIMEOUT_SECONDS: 10, ARM_MAX_RETRIES: 2, ARM_MAX_RETRY_AFTER_SECONDS: 1 })).toBeCloseTo(30 + 1 + 1.6);
    expect(longestRequestSeconds({ ARM_REQUEST_TIMEOUT_SECONDS: 1, ARM_MAX_RETRIES: 8, ARM_MAX_RETRY_AFTER_SECONDS: 1 })).toBeCloseTo(9 + (1 + 1.6 + 3.2 + 6.4 + 12.8 + 25.6 + 30 + 30));
  });

  it.each([
    ['the old LRO deadline of 30 minutes', { ARM_LRO_DEADLINE_SECONDS: '1800' }],
    ['requests of 60 s retried 4 times with Retry-After up to 60 s, and a 4-minute LRO', { ARM_REQUEST_TIMEOUT_SECONDS: '60', ARM_MAX_RETRY_AFTER_SECONDS: '60' }],
    ['ten retries', { ARM_MAX_RETRIES: '10' }],
    ['a shorter function timeout', { FUNCTION_TIMEOUT_SECONDS: '300' }],
  ])('refuses %s with CONFIG.INVALID naming the settings and the remedy', (_what, env) => {
    const message = configError({ ...VALID, ...env });
    expect(message).toMatch(/^\[CONFIG\.INVALID\]/);
    expect(message).toMatch(/an activity could wait \d+ s, longer than FUNCTION_TIMEOUT_SECONDS=\d+ less 60 s/);
    for (const name of ['ARM_MAX_RETRIES', 'ARM_REQUEST_TIMEOUT_SECONDS', 'ARM_MAX_RETRY_AFTER_SECONDS', 'ARM_LRO_DEADLINE_SECONDS']) expect(message).toContain(name);
    expect(message).toContain('raise host.json functionTimeout and FUNCTION_TIMEOUT_SECONDS together');
  });

  it('accepts a long LRO deadline when functionTimeout is raised with it', () => {
    const c = loadConfig({ ...VALID, ARM_LRO_DEADLINE_SECONDS: '1800', FUNCTION_TIMEOUT_SECONDS: '3600' });
    expect(c.ARM_LRO_DEADLINE_SECONDS).toBe(1800);
    expect(configError({ ...VALID, ARM_LRO_DEADLINE_SECONDS: '1800', FUNCTION_TIMEOUT_SECONDS: '2069' })).toContain('an activity could wait 2070 s');
    expect(loadConfig({ ...VALID, ARM_LRO_DEADLINE_SECONDS: '1800', FUNCTION_TIMEOUT_SECONDS: '2130' }).FUNCTION_TIMEOUT_SECONDS).toBe(2130);
  });

  it('a setting that is malformed is reported alone, without a misleading sum', () => {
    const message = configError({ ...VALID, ARM_MAX_RETRIES: 'many' });
    expect(message).toContain('ARM_MAX_RETRIES is malformed');
    expect(message).not.toContain('an activity could wait');
  });
});
