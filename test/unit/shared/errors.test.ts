import { codeOf, errorCodeOf, LockdownError, withoutCode } from '../../../src/shared/errors';

describe('the [CODE] prefix of an error message', () => {
  it('withoutCode drops the code a message starts with, of an error or of its message', () => {
    const error = new LockdownError('ARM.FORBIDDEN', 'no write permission');
    expect(withoutCode(error)).toBe('no write permission');
    expect(withoutCode(error.message)).toBe('no write permission');
    expect(withoutCode(new Error('[CONFIG.INVALID] TARGET_SUBSCRIPTION_IDS is empty'))).toBe('TARGET_SUBSCRIPTION_IDS is empty');
    expect(error.detail).toBe('no write permission');
    // an error of another realm is read by its message, not as JSON
    expect(withoutCode({ name: 'TypeError', message: '[REQUEST.INVALID_PARAMETER] bad top' })).toBe('bad top');
  });

  it('withoutCode keeps what is not a code in front: brackets of another kind, a code further on, no code at all', () => {
    expect(withoutCode('[::1] refused the connection')).toBe('[::1] refused the connection');
    expect(withoutCode('[not a code] x')).toBe('[not a code] x');
    expect(withoutCode('Error: [ARM.FORBIDDEN] x')).toBe('Error: [ARM.FORBIDDEN] x');
    expect(withoutCode('plain')).toBe('plain');
    expect(withoutCode({ odd: 1 })).toBe('{"odd":1}');
    expect(errorCodeOf('[::1] refused the connection')).toBeUndefined();
  });

  it('codeOf reads the code a stored message starts with, past blanks and `Error: `, and the rest', () => {
    expect(codeOf('[HARDEN.DNS_PROOF_FAILED] 1 name not private')).toEqual({ code: 'HARDEN.DNS_PROOF_FAILED', detail: '1 name not private' });
    expect(codeOf('  Error: [ARM.THROTTLED] too many\n    at x')).toEqual({ code: 'ARM.THROTTLED', detail: 'too many\n    at x' });
  });

  it('codeOf answers nothing for a message that does not start with a code', () => {
    expect(codeOf('stopped by the operator')).toBeUndefined();
    expect(codeOf('Activity failed: [ARM.THROTTLED] too many')).toBeUndefined();
    expect(codeOf('[lowercase.code] x')).toBeUndefined();
  });
});
