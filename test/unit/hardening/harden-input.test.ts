import { errorCodeOf } from '../../../src/shared/errors';
import { DEFAULT_HARDEN_OPTIONS, parseHardenInput } from '../../../src/hardening/domain/harden-input';
import { REGISTRY_ID, SUBNET_ID } from '../../helpers/hardening-fixtures';

const fails = (raw: unknown): Error => {
  try {
    parseHardenInput(raw);
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected a failure');
};

describe('parseHardenInput', () => {
  it('fills the defaults', () => {
    expect(parseHardenInput({ registryId: REGISTRY_ID, mode: 'plan', trigger: 'http' })).toEqual({
      registryId: REGISTRY_ID,
      mode: 'plan',
      trigger: 'http',
      options: { ...DEFAULT_HARDEN_OPTIONS },
    });
  });

  it('keeps the caller (the audit trail) and refuses a malformed one', () => {
    const caller = { kind: 'user', objectId: '11111111-2222-4333-8444-555555555555', upn: 'alice@contoso.example', appId: '04b07795-8ddb-461a-bbee-02f9e1bf7b46', roles: ['Lockdown.Operator'], extra: 'dropped' };
    expect(parseHardenInput({ registryId: REGISTRY_ID, trigger: 'http', caller }).caller).toEqual({ kind: 'user', objectId: caller.objectId, upn: caller.upn, appId: caller.appId, roles: ['Lockdown.Operator'] });
    const e = fails({ registryId: REGISTRY_ID, trigger: 'http', caller: { kind: 'god', objectId: 'x', upn: 'a\nb', roles: ['Owner'] } });
    expect(errorCodeOf(e)).toBe('HARDEN.INPUT_INVALID');
    for (const part of ['caller.kind', 'caller.objectId', 'caller.upn', 'caller.roles']) expect(e.message).toContain(part);
  });

  it('takes valid overrides', () => {
    const input = parseHardenInput({
      registryId: REGISTRY_ID,
      mode: 'apply',
      trigger: 'eventgrid',
      triggeredAt: '2026-03-01T09:59:00Z',
      options: { order: 'endpoints-first', lockdownAcr: false, dnsRetrySeconds: 5, subnetId: SUBNET_ID },
    });
    expect(input.options).toMatchObject({ order: 'endpoints-first', lockdownAcr: false, dnsRetrySeconds: 5, subnetId: SUBNET_ID });
    expect(input.triggeredAt).toBe('2026-03-01T09:59:00Z');
  });

  it('lists every problem under HARDEN.INPUT_INVALID', () => {
    const err = fails({ registryId: '/subscriptions/nope', mode: 'destroy', options: { order: 'never', dnsRetrySeconds: -1, lockdownAcr: 'yes', subnetId: REGISTRY_ID }, triggeredAt: 'yesterday' });
    expect(errorCodeOf(err)).toBe('HARDEN.INPUT_INVALID');
    for (const part of ['registryId', 'mode', 'options.order', 'options.dnsRetrySeconds', 'options.lockdownAcr', 'options.subnetId', 'triggeredAt']) expect(err.message).toContain(part);
  });

  it('rejects a non-object', () => {
    expect(errorCodeOf(fails('hello'))).toBe('HARDEN.INPUT_INVALID');
    expect(errorCodeOf(fails(null))).toBe('HARDEN.INPUT_INVALID');
  });
});
