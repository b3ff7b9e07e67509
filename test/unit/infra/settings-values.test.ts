import { SETTINGS } from '../../../src/config/settings';
import { sweepScheduleFrom } from '../../../src/config/sweep-schedule';
import { read } from './bicep-text';
import { evaluate, parse, Unsupported } from './bicep-eval';
import { APP_SETTINGS, contextFor, DECLS, deploy, deployed, ZONE_IDS } from './deployment';

/** @minValue/@maxValue/@allowed of a main.bicep parameter. */
function decorator(name: string, which: 'minValue' | 'maxValue' | 'allowed'): string | undefined {
  const line = DECLS.params[name]?.decorators.find((d) => d.startsWith(`@${which}(`));
  return line?.replace(new RegExp(`^@${which}\\((.*)\\)\\s*$`), '$1');
}

describe('the evaluator of Bicep expressions (the tests below stand on it)', () => {
  it('renders bools the way ARM\'s string() does, and refuses what it does not know', () => {
    const ctx = contextFor({});
    expect(evaluate('string(true)', ctx)).toBe('True');
    expect(evaluate('string(false)', ctx)).toBe('False');
    expect(evaluate('string(1440)', ctx)).toBe('1440');
    expect(evaluate("true ? 'true' : 'false'", ctx)).toBe('true');
    expect(evaluate("'${environmentName}-x'", ctx)).toBe('dev-x');
    expect(() => evaluate('dateTimeAdd(utcNow(), \'PT1H\')', ctx)).toThrow(Unsupported);
    expect(() => evaluate('nosuchName', ctx)).toThrow(Unsupported);
    expect(() => evaluate('rg.properties.provisioningState', ctx)).toThrow(Unsupported);
    expect(() => parse("'''multi'''")).toThrow(Unsupported);
  });
});

describe('every app setting main.bicep writes is a value the app\'s settings schema accepts', () => {
  it('main.bicep writes settings, and each is evaluated (no form the evaluator does not know)', () => {
    expect(APP_SETTINGS.length).toBeGreaterThan(15);
    const { settings } = deployed({});
    expect(Object.keys(settings).sort()).toEqual(APP_SETTINGS.map(([k]) => k).sort());
  });

  it('with the parameter defaults, loadConfig accepts all of them', () => {
    const { config, settings } = deployed({});
    expect(settings.LOCKDOWN_ACR).toBe('true');
    expect(config.LOCKDOWN_ACR).toBe(true);
    expect(config.APPROVAL_DEADLINE_MINUTES).toBe(1440);
    expect(config.ARM_SCOPE).toBe('https://management.azure.com/.default');
    expect(config.TARGET_SUBSCRIPTION_IDS).toEqual(['00000000-0000-0000-0000-000000000001']);
  });

  const bools = Object.entries(DECLS.params).filter(([, p]) => p.type === 'bool').map(([n]) => n);
  it('main.bicep has bool parameters', () => expect(bools).toEqual(expect.arrayContaining(['lockdownAcr', 'deployEventSubscriptions'])));
  it.each(bools.flatMap((b) => [[b, true], [b, false]] as Array<[string, boolean]>))('%s = %s: loadConfig accepts every setting', (name, value) => {
    const { config, settings } = deployed({ [name]: value });
    if (name === 'lockdownAcr') {
      expect(settings.LOCKDOWN_ACR).toBe(String(value));
      expect(config.LOCKDOWN_ACR).toBe(value);
    }
  });

  const ints = Object.entries(DECLS.params).filter(([, p]) => p.type === 'int').map(([n]) => n);
  it('every int parameter is bounded (@minValue/@maxValue), so its whole range can be checked', () => {
    expect(ints.length).toBeGreaterThanOrEqual(4);
    for (const name of ints) {
      expect([name, decorator(name, 'minValue')]).toEqual([name, expect.stringMatching(/^\d+$/)]);
      expect([name, decorator(name, 'maxValue')]).toEqual([name, expect.stringMatching(/^\d+$/)]);
    }
  });
  it.each(ints.flatMap((n) => ['minValue', 'maxValue', 'default'].map((w) => [n, w] as [string, string])))('%s at its %s: loadConfig accepts every setting, with that number', (name, which) => {
    const value = which === 'default' ? Number(DECLS.params[name]?.default) : Number(decorator(name, which as 'minValue' | 'maxValue'));
    const { settings, config } = deployed({ [name]: value });
    const key = APP_SETTINGS.find(([, e]) => new RegExp(`\\b${name}\\b`).test(e))?.[0];
    if (key) {
      expect(settings[key]).toBe(String(value));
      expect(config[key as keyof typeof SETTINGS]).toBe(value);
    }
  });

  const enums = Object.entries(DECLS.params).filter(([n, p]) => p.type === 'string' && decorator(n, 'allowed') !== undefined).map(([n]) => n);
  it.each(enums.flatMap((n) => (evaluate(decorator(n, 'allowed') ?? '[]', contextFor({})) as string[]).map((v) => [n, v])))('%s = \'%s\': loadConfig accepts every setting (the zone ids given when zones are not created)', (name, value) => {
    const out = deploy({ [name]: value, ...(name === 'createPrivateDnsZones' && value === 'false' ? ZONE_IDS : {}) });
    expect(out.refused).toBeUndefined();
  });
});

describe('the drift sweep is on by default, daily, and its schedule is a parameter', () => {
  it('by default SWEEP_SCHEDULE is daily at 03:00 UTC, and the app registers the timer with it', () => {
    const { settings, config } = deployed({});
    expect(settings.SWEEP_SCHEDULE).toBe('0 0 3 * * *');
    expect(config.SWEEP_SCHEDULE).toBe('0 0 3 * * *');
    // what src/main.ts reads when the host indexes the functions
    expect(sweepScheduleFrom(settings)).toBe('0 0 3 * * *');
    // azd passes the default when SWEEP_SCHEDULE is unset, and an empty value when it is set empty
    expect(read('infra/main.parameters.json')).toContain('"sweepSchedule": { "value": "${SWEEP_SCHEDULE=0 0 3 * * *}" }');
  });

  it('another schedule is passed through (trimmed); an empty one turns the timer off', () => {
    expect(sweepScheduleFrom(deployed({ sweepSchedule: ' 0 30 1 * * 1-5 ' }).settings)).toBe('0 30 1 * * 1-5');
    const off = deployed({ sweepSchedule: '' });
    expect(off.settings.SWEEP_SCHEDULE).toBe('');
    expect(sweepScheduleFrom(off.settings)).toBeUndefined();
  });

  it.each(['0 3 * * *', '0 0 3 * * * *', 'daily'])('SWEEP_SCHEDULE=%s (not 6 fields) is refused before anything is created, not left to fail the app at start', (sweepSchedule) => {
    expect(deploy({ sweepSchedule }).refused).toMatch(/SWEEP_SCHEDULE must be an NCRONTAB expression with 6 fields/);
    expect(() => sweepScheduleFrom({ SWEEP_SCHEDULE: sweepSchedule })).toThrow(/SWEEP_SCHEDULE is malformed/);
  });
});
